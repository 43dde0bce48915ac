#include "server/services/burials/burial_service.hpp"

#include "core/w3c_time.hpp"

#include "geo/store/burial_name_keys.hpp"
#include "server/services/access/audit.hpp"
#include "server/services/burials/booking_service.hpp"
#include "server/services/shared/errors.hpp"

#include <algorithm>
#include <cctype>

namespace wardmap::services {

namespace {

void require_bereavement(const Principal& who, Permission permission) {
    if (!allows(who, permission, Scope{std::nullopt, Team::bereavement})) {
        throw DomainError(ErrorCode::forbidden,
                          "the burial register is the bereavement team's: you do not have the " +
                              std::string(permission_name(permission)) +
                              " permission for the bereavement team");
    }
}

std::string who_of(const BurialCaller& c) {
    return c.principal.name.empty() ? "person " + std::to_string(c.principal.id) : c.principal.name;
}

[[noreturn]] void conflict(const std::string& reason, const std::string& detail) {
    throw DomainError(ErrorCode::conflict, detail, {{"reason", reason}});
}

void check_date(const std::string& field, const std::optional<std::string>& text) {
    if (text && !core::parse_iso_date(*text)) {
        invalid_parameter(field, "must be a date YYYY-MM-DD, not '" + text->substr(0, 40) + "'");
    }
}

bool valid_time(const std::string& t) {
    return t.size() == 5 && t[2] == ':' && std::isdigit(static_cast<unsigned char>(t[0])) &&
           std::isdigit(static_cast<unsigned char>(t[1])) &&
           std::isdigit(static_cast<unsigned char>(t[3])) &&
           std::isdigit(static_cast<unsigned char>(t[4])) && t.substr(0, 2) < "24" &&
           t.substr(3, 2) < "60";
}

std::int64_t insert_holders(store::Database& db,
                            std::int64_t grant_id,
                            const std::vector<NewHolder>& holders,
                            const std::string& from) {
    auto st = db.prepare_cached("INSERT INTO burial_grant_holders (grant_id, full_name, address, "
                                "email, phone, held_from) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    std::int64_t n = 0;
    for (const auto& h : holders) {
        if (h.full_name.empty() || h.full_name.size() > 200) {
            invalid_parameter("holders", "each holder needs a full_name (at most 200 characters)");
        }
        st.bind(1, grant_id).bind(2, h.full_name).bind(3, h.address).bind(4, h.email);
        st.bind(5, h.phone).bind(6, from).run();
        ++n;
    }
    return n;
}

std::int64_t append_event(store::Database& db,
                          std::int64_t grant_id,
                          const std::string& kind,
                          const std::string& effective_on,
                          std::optional<int> extend_years,
                          const std::optional<std::string>& evidence,
                          const std::optional<std::string>& notes,
                          const std::string& by) {
    auto st = db.prepare_cached(
        "INSERT INTO burial_grant_events (grant_id, kind, effective_on, extend_years, evidence, "
        "notes, recorded_at, recorded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    st.bind(1, grant_id).bind(2, kind).bind(3, effective_on).bind(4, extend_years);
    st.bind(5, evidence).bind(6, notes).bind(7, core::format_utc(core::now_seconds()));
    st.bind(8, by).run();
    return db.last_insert_rowid();
}

} // namespace

bool grave_type_needs_grant(std::string_view t) {
    return t == "private" || t == "vault" || t == "cremated_remains";
}

void BurialService::statuses_in_box(const geo::BBox& box,
                                    const core::Date& on,
                                    const std::function<void(const GraveStatus&)>& row) const {
    auto db = m_pool.acquire();
    graves_status_in_box(*db, box, on, row);
}

GraveRecord BurialService::grave(std::int64_t id, const BurialCaller& caller) const {
    require_bereavement(caller.principal, Permission::burial_read);
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    const core::Date today = core::today_utc();
    auto status = grave_status(*db, id, today);
    if (!status) {
        throw DomainError(ErrorCode::not_found, "grave " + std::to_string(id) + " not found");
    }
    GraveRecord r;
    r.status = *status;
    {
        auto st = db->prepare_cached(
            "SELECT c.name, s.name, s.kind, s.denomination, s.consecrated, w.code, "
            "g.ground_notes, g.grave_type, g.depth_used_m FROM grave_spaces g JOIN "
            "cemetery_sections s ON s.id = g.section_id JOIN cemeteries c ON c.id = "
            "g.cemetery_id LEFT JOIN cemetery_rows w ON w.id = g.row_id WHERE g.id = ?1");
        st.bind(1, id);
        st.step();
        r.cemetery = std::string(st.text(0));
        r.section = std::string(st.text(1));
        r.section_kind = std::string(st.text(2));
        r.denomination = st.optional_text(3);
        r.consecrated = st.int64(4) != 0;
        r.row = st.optional_text(5);
        r.ground_notes = st.optional_text(6);
        r.grave_type = std::string(st.text(7));
        if (st.column_type(8) != SQLITE_NULL) {
            r.depth_used_m = st.real(8);
        }
    }
    {
        auto st = db->prepare_cached(
            "SELECT i.id, b.name, i.register_number, i.buried_on, i.burial_time, i.forenames, "
            "i.surname, i.age_years, i.age_months, i.age_weeks, i.age_days, i.stillborn, "
            "i.parents_names, i.died_on, i.last_address, i.last_address_uprn, i.kind, "
            "i.position, i.officiating_minister, i.funeral_director, d.disinterred_on, "
            "d.licence_reference FROM interments i JOIN burial_registers b ON b.id = "
            "i.register_id LEFT JOIN disinterments d ON d.interment_id = i.id WHERE i.grave_id "
            "= ?1 ORDER BY i.buried_on, i.id");
        st.bind(1, id);
        const auto opt_int = [&](int col) {
            return st.column_type(col) == SQLITE_NULL ? std::optional<std::int64_t>()
                                                      : std::optional(st.int64(col));
        };
        while (st.step()) {
            IntermentRecord i;
            i.id = st.int64(0);
            i.register_name = std::string(st.text(1));
            i.register_number = st.int64(2);
            i.buried_on = std::string(st.text(3));
            i.burial_time = st.optional_text(4);
            i.forenames = st.optional_text(5);
            i.surname = std::string(st.text(6));
            i.age_years = opt_int(7);
            i.age_months = opt_int(8);
            i.age_weeks = opt_int(9);
            i.age_days = opt_int(10);
            i.stillborn = st.int64(11) != 0;
            i.parents_names = st.optional_text(12);
            i.died_on = st.optional_text(13);
            i.last_address = st.optional_text(14);
            i.last_address_uprn = opt_int(15);
            i.kind = std::string(st.text(16));
            i.position = st.optional_text(17);
            i.officiating_minister = st.optional_text(18);
            i.funeral_director = st.optional_text(19);
            i.disinterred_on = st.optional_text(20);
            i.licence_reference = st.optional_text(21);
            r.interments.push_back(std::move(i));
        }
    }
    {
        auto st = db->prepare_cached("SELECT gr.id, gr.deed_number, gr.granted_on, "
                                     "gr.term_years, " +
                                     grant_expiry_sql("gr") + ", " + grant_active_sql("gr", "?2") +
                                     " FROM burial_grants gr WHERE gr.grave_id = ?1 ORDER BY "
                                     "gr.granted_on, gr.id");
        st.bind(1, id).bind(2, today.iso());
        while (st.step()) {
            GrantRecord g;
            g.id = st.int64(0);
            g.deed_number = std::string(st.text(1));
            g.granted_on = std::string(st.text(2));
            g.term_years = static_cast<int>(st.int64(3));
            g.expires_on = std::string(st.text(4));
            g.active = st.int64(5) != 0;
            r.grants.push_back(std::move(g));
        }
    }
    for (auto& g : r.grants) {
        auto h = db->prepare_cached("SELECT id, full_name, address, email, phone, held_from, "
                                    "held_to FROM burial_grant_holders WHERE grant_id = ?1 ORDER "
                                    "BY held_from, id");
        h.bind(1, g.id);
        while (h.step()) {
            g.holders.push_back({h.int64(0), std::string(h.text(1)), h.optional_text(2),
                                 h.optional_text(3), h.optional_text(4), std::string(h.text(5)),
                                 h.optional_text(6)});
        }
        auto e = db->prepare_cached("SELECT id, kind, effective_on, extend_years, evidence, "
                                    "notes, recorded_at, recorded_by FROM burial_grant_events "
                                    "WHERE grant_id = ?1 ORDER BY effective_on, id");
        e.bind(1, g.id);
        while (e.step()) {
            GrantEventRecord ev;
            ev.id = e.int64(0);
            ev.kind = std::string(e.text(1));
            ev.effective_on = std::string(e.text(2));
            if (e.column_type(3) != SQLITE_NULL) {
                ev.extend_years = e.int64(3);
            }
            ev.evidence = e.optional_text(4);
            ev.notes = e.optional_text(5);
            ev.recorded_at = std::string(e.text(6));
            ev.recorded_by = std::string(e.text(7));
            g.events.push_back(std::move(ev));
        }
        // Holders are living people: each grant's holders read is on the audit log.
        AuditLog::record(*db, caller.principal, AuditAction::read, "burial_grant",
                         std::to_string(g.id), caller.route, caller.client_address);
    }
    {
        auto st = db->prepare_cached("SELECT status, reason, set_at, set_by FROM "
                                     "grave_status_overrides WHERE grave_id = ?1 ORDER BY id");
        st.bind(1, id);
        while (st.step()) {
            r.overrides.push_back({st.optional_text(0), std::string(st.text(1)),
                                   std::string(st.text(2)), std::string(st.text(3))});
        }
    }
    tx.commit();
    return r;
}

std::pair<std::int64_t, std::int64_t> BurialService::add_interment(std::int64_t grave_id,
                                                                   const NewInterment& in,
                                                                   const BurialCaller& caller) {
    require_bereavement(caller.principal, Permission::burial_record);
    const auto buried = core::parse_iso_date(in.buried_on);
    if (!buried) {
        invalid_parameter("buried_on", "is required: a date YYYY-MM-DD");
    }
    check_date("died_on", in.died_on);
    check_date("consent_on", in.consent_on);
    if (in.died_on && *in.died_on > in.buried_on) {
        invalid_parameter("buried_on", "is before died_on: a burial cannot precede the death");
    }
    if (in.burial_time && !valid_time(*in.burial_time)) {
        invalid_parameter("burial_time", "must be HH:MM (24-hour)");
    }
    if (in.surname.empty() || in.surname.size() > 200) {
        invalid_parameter("surname", "is required (at most 200 characters)");
    }
    if (in.kind != "coffin" && in.kind != "cremated_remains") {
        invalid_parameter("kind", "must be coffin or cremated_remains");
    }
    if (in.stillborn && (in.age_years || in.age_months || in.age_weeks || in.age_days)) {
        invalid_parameter("age_years", "a stillborn child's age is left blank");
    }
    const auto check_range = [](const char* name, const std::optional<int>& v, int max) {
        if (v && (*v < 0 || *v > max)) {
            invalid_parameter(name, "must be from 0 to " + std::to_string(max));
        }
    };
    check_range("age_years", in.age_years, 130);
    check_range("age_months", in.age_months, 23);
    check_range("age_weeks", in.age_weeks, 51);
    check_range("age_days", in.age_days, 366);

    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    const auto status = grave_status(*db, grave_id, *buried);
    if (!status) {
        throw DomainError(ErrorCode::not_found, "grave " + std::to_string(grave_id) + " not found");
    }
    auto type = db->prepare_cached("SELECT grave_type FROM grave_spaces WHERE id = ?1");
    type.bind(1, grave_id).step();
    const std::string grave_type(type.text(0));
    if (status->status == "unavailable") {
        conflict("unavailable", "grave " + status->grave_number + " is unavailable (" +
                                    status->unavailable_reason.value_or("override") +
                                    "): it cannot be opened");
    }
    if (status->status == "full") {
        conflict("full", "grave " + status->grave_number + " is full");
    }
    if (in.kind == "coffin" && status->coffins_used >= status->max_coffins) {
        conflict("no_coffin_space", "grave " + status->grave_number +
                                        " has no coffin space left (" +
                                        std::to_string(status->coffins_used) + " of " +
                                        std::to_string(status->max_coffins) + " used)");
    }
    if (in.kind == "cremated_remains" &&
        status->cremated_remains_used >= status->max_cremated_remains) {
        conflict("no_cremated_remains_space",
                 "grave " + status->grave_number + " has no space for cremated remains left (" +
                     std::to_string(status->cremated_remains_used) + " of " +
                     std::to_string(status->max_cremated_remains) + " used)");
    }
    std::optional<std::int64_t> grant_id;
    if (grave_type_needs_grant(grave_type)) {
        auto g = db->prepare_cached(
            "SELECT gr.id FROM burial_grants gr WHERE gr.grave_id = ?1 AND " +
            grant_active_sql("gr", "?2") + " ORDER BY gr.granted_on DESC LIMIT 1");
        g.bind(1, grave_id).bind(2, in.buried_on);
        if (!g.step()) {
            conflict(status->status == "right_expired" ? "right_expired" : "no_active_grant",
                     "grave " + status->grave_number + " is a " + grave_type +
                         " grave with no exclusive right of burial active on " + in.buried_on +
                         (status->status == "right_expired" ? ": the right has expired" : ""));
        }
        grant_id = g.int64(0);
        if (!in.consent_holder_id || !in.consent_on) {
            conflict("no_holder_consent", "grave " + status->grave_number +
                                              " is private: the registered holder's written "
                                              "consent (consent_holder_id, consent_on) is needed");
        }
        auto h = db->prepare_cached("SELECT 1 FROM burial_grant_holders WHERE id = ?1 AND "
                                    "grant_id = ?2 AND held_from <= ?3 AND (held_to IS NULL OR "
                                    "held_to > ?3)");
        h.bind(1, *in.consent_holder_id).bind(2, *grant_id).bind(3, *in.consent_on);
        if (!h.step()) {
            conflict("no_holder_consent",
                     "consent_holder_id " + std::to_string(*in.consent_holder_id) +
                         " was not a registered holder of deed on " + *in.consent_on);
        }
    }
    auto reg = db->prepare_cached(
        "SELECT b.id, coalesce((SELECT max(register_number) FROM interments WHERE register_id = "
        "b.id), 0) + 1 FROM burial_registers b JOIN grave_spaces g ON g.cemetery_id = "
        "b.cemetery_id WHERE g.id = ?1 ORDER BY b.id LIMIT 1");
    reg.bind(1, grave_id);
    if (!reg.step()) {
        throw DomainError(ErrorCode::conflict, "the grave's cemetery has no register of burials",
                          {{"reason", "no_register"}});
    }
    const std::int64_t register_id = reg.int64(0), number = reg.int64(1);
    auto st = db->prepare_cached(
        "INSERT INTO interments (register_id, register_number, grave_id, buried_on, burial_time, "
        "forenames, surname, age_years, age_months, age_weeks, age_days, stillborn, "
        "parents_names, died_on, last_address, last_address_uprn, kind, position, "
        "officiating_minister, funeral_director, grant_id, consent_holder_id, consent_on, "
        "entered_at, entered_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
        "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)");
    st.bind(1, register_id).bind(2, number).bind(3, grave_id).bind(4, in.buried_on);
    st.bind(5, in.burial_time).bind(6, in.forenames).bind(7, in.surname).bind(8, in.age_years);
    st.bind(9, in.age_months).bind(10, in.age_weeks).bind(11, in.age_days);
    st.bind(12, in.stillborn ? 1 : 0).bind(13, in.parents_names).bind(14, in.died_on);
    st.bind(15, in.last_address).bind(16, in.last_address_uprn).bind(17, in.kind);
    st.bind(18, in.position).bind(19, in.officiating_minister).bind(20, in.funeral_director);
    st.bind(21, grant_id).bind(22, grant_id ? in.consent_holder_id : std::nullopt);
    st.bind(23, grant_id ? in.consent_on : std::nullopt);
    st.bind(24, core::format_utc(core::now_seconds())).bind(25, who_of(caller));
    st.run();
    const std::int64_t id = db->last_insert_rowid();
    store::index_interment_name(*db, id, in.forenames, in.surname); // the public search's keys
    if (in.booking_id) {
        complete_booking_in(*db, *in.booking_id, grave_id, id, who_of(caller));
    }
    AuditLog::record(*db, caller.principal, AuditAction::change, "interment", std::to_string(id),
                     caller.route, caller.client_address);
    tx.commit();
    return {id, number};
}

std::int64_t
BurialService::add_grant(std::int64_t grave_id, const NewGrant& in, const BurialCaller& caller) {
    require_bereavement(caller.principal, Permission::burial_record);
    if (in.deed_number.empty() || in.deed_number.size() > 40) {
        invalid_parameter("deed_number", "is required (at most 40 characters)");
    }
    if (!core::parse_iso_date(in.granted_on)) {
        invalid_parameter("granted_on", "is required: a date YYYY-MM-DD");
    }
    if (in.term_years < 1 || in.term_years > 100) {
        invalid_parameter("term_years", "must be from 1 to 100 (100 years at most is held)");
    }
    if (in.holders.empty()) {
        invalid_parameter("holders", "at least one registered holder is needed");
    }
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    const auto status = grave_status(*db, grave_id, *core::parse_iso_date(in.granted_on));
    if (!status) {
        throw DomainError(ErrorCode::not_found, "grave " + std::to_string(grave_id) + " not found");
    }
    auto type = db->prepare_cached("SELECT grave_type FROM grave_spaces WHERE id = ?1");
    type.bind(1, grave_id).step();
    if (type.text(0) == "public") {
        conflict("public_grave", "grave " + status->grave_number +
                                     " is a public grave: its right stays with the council");
    }
    if (status->status == "reserved" || status->status == "in_use") {
        auto g = db->prepare_cached("SELECT count(*) FROM burial_grants gr WHERE gr.grave_id = "
                                    "?1 AND " +
                                    grant_active_sql("gr", "?2"));
        g.bind(1, grave_id).bind(2, in.granted_on).step();
        if (g.int64(0) > 0) {
            conflict("grant_active", "grave " + status->grave_number +
                                         " already has an active exclusive right of burial");
        }
    }
    auto dup = db->prepare_cached("SELECT 1 FROM burial_grants WHERE deed_number = ?1");
    dup.bind(1, in.deed_number);
    if (dup.step()) {
        conflict("deed_number_taken", "deed number " + in.deed_number + " is already recorded");
    }
    auto st = db->prepare_cached("INSERT INTO burial_grants (grave_id, deed_number, granted_on, "
                                 "term_years) VALUES (?1, ?2, ?3, ?4)");
    st.bind(1, grave_id).bind(2, in.deed_number).bind(3, in.granted_on).bind(4, in.term_years);
    st.run();
    const std::int64_t id = db->last_insert_rowid();
    append_event(*db, id, "purchase", in.granted_on, std::nullopt, in.evidence, std::nullopt,
                 who_of(caller));
    insert_holders(*db, id, in.holders, in.granted_on);
    AuditLog::record(*db, caller.principal, AuditAction::change, "burial_grant", std::to_string(id),
                     caller.route, caller.client_address);
    tx.commit();
    return id;
}

std::int64_t BurialService::add_grant_event(std::int64_t grant_id,
                                            const NewGrantEvent& in,
                                            const BurialCaller& caller) {
    require_bereavement(caller.principal, Permission::burial_record);
    static constexpr std::string_view passing[] = {"assignment", "transfer_on_death",
                                                   "statutory_declaration"};
    const bool passes =
        std::find(std::begin(passing), std::end(passing), in.kind) != std::end(passing);
    if (!passes && in.kind != "extension" && in.kind != "surrender") {
        invalid_parameter("kind", "must be assignment, transfer_on_death, statutory_declaration, "
                                  "extension or surrender (purchase is POST .../grants)");
    }
    if (!core::parse_iso_date(in.effective_on)) {
        invalid_parameter("effective_on", "is required: a date YYYY-MM-DD");
    }
    if (in.kind == "extension" &&
        (!in.extend_years || *in.extend_years < 1 || *in.extend_years > 100)) {
        invalid_parameter("extend_years", "an extension needs extend_years from 1 to 100");
    }
    if (in.kind != "extension" && in.extend_years) {
        invalid_parameter("extend_years", "only an extension has extend_years");
    }
    if (passes && in.holders.empty()) {
        invalid_parameter("holders", "a " + in.kind + " names the new holders");
    }
    if (!passes && !in.holders.empty()) {
        invalid_parameter("holders", "only an assignment, transfer or statutory declaration "
                                     "names new holders");
    }
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto g = db->prepare_cached("SELECT gr.id, " + grant_active_sql("gr", "?2") + ", " +
                                grant_expiry_sql("gr") + " FROM burial_grants gr WHERE gr.id = ?1");
    g.bind(1, grant_id).bind(2, in.effective_on);
    if (!g.step()) {
        throw DomainError(ErrorCode::not_found, "grant " + std::to_string(grant_id) + " not found");
    }
    const bool active = g.int64(1) != 0;
    const std::string expiry(g.text(2));
    if (!active && in.kind != "extension") {
        conflict("grant_not_active", "the grant is not active on " + in.effective_on +
                                         " (it expired on " + expiry + " or was surrendered)");
    }
    if (in.kind == "extension") {
        // At most 100 years may be held at any one time (reference/domain.md §1.3).
        auto c = db->prepare_cached("SELECT date(?1, '+100 years') < date(?2, '+' || ?3 || ' "
                                    "years')");
        c.bind(1, in.effective_on).bind(2, expiry).bind(3, *in.extend_years).step();
        if (c.int64(0) != 0) {
            conflict("term_too_long", "the extension would hold the right for more than 100 "
                                      "years from " +
                                          in.effective_on);
        }
    }
    const std::int64_t id = append_event(*db, grant_id, in.kind, in.effective_on, in.extend_years,
                                         in.evidence, in.notes, who_of(caller));
    if (passes || in.kind == "surrender") {
        auto end = db->prepare_cached("UPDATE burial_grant_holders SET held_to = ?2 WHERE "
                                      "grant_id = ?1 AND held_to IS NULL");
        end.bind(1, grant_id).bind(2, in.effective_on).run();
        insert_holders(*db, grant_id, in.holders, in.effective_on);
    }
    AuditLog::record(*db, caller.principal, AuditAction::change, "burial_grant",
                     std::to_string(grant_id), caller.route, caller.client_address);
    tx.commit();
    return id;
}

void BurialService::set_override(std::int64_t grave_id,
                                 const std::optional<std::string>& status,
                                 const std::string& reason,
                                 const BurialCaller& caller) {
    require_bereavement(caller.principal, Permission::burial_record);
    if (status && std::find(std::begin(grave_statuses), std::end(grave_statuses), *status) ==
                      std::end(grave_statuses)) {
        invalid_parameter("status", "must be available, reserved, in_use, full, unavailable, "
                                    "right_expired or null (clears the override)");
    }
    if (reason.empty() || reason.size() > 500) {
        invalid_parameter("reason", "is required (at most 500 characters)");
    }
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto st = db->prepare_cached(
        "INSERT INTO grave_status_overrides (grave_id, status, reason, set_at, set_by) SELECT "
        "id, ?2, ?3, ?4, ?5 FROM grave_spaces WHERE id = ?1");
    st.bind(1, grave_id).bind(2, status).bind(3, reason);
    st.bind(4, core::format_utc(core::now_seconds())).bind(5, who_of(caller)).run();
    if (db->changes() == 0) {
        throw DomainError(ErrorCode::not_found, "grave " + std::to_string(grave_id) + " not found");
    }
    tx.commit();
}

} // namespace wardmap::services
