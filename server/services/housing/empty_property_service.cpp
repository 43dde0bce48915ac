#include "server/services/housing/empty_property_service.hpp"

#include "core/tokens.hpp"
#include "core/w3c_time.hpp"

#include "geo/store/database.hpp"
#include "server/services/access/audit.hpp"
#include "server/services/shared/errors.hpp"

#include <algorithm>
#include <numeric>
#include <span>

namespace wardmap::services {

namespace {

core::Date today() {
    return core::uk_date(core::now_seconds());
}

core::Date stored_date(std::string_view text) {
    const auto d = core::parse_iso_date(text);
    if (!d) {
        throw std::runtime_error("empty_properties: a stored date is not YYYY-MM-DD");
    }
    return *d;
}

std::optional<std::int64_t> person_id(const Principal& who) {
    if (who.kind == Principal::Kind::person) {
        return who.id;
    }
    return std::nullopt;
}

void require_known(std::span<const std::string_view> allowed,
                   const std::string& value,
                   const std::string& field) {
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
        std::string list;
        for (const auto a : allowed) {
            list += (list.empty() ? "" : ", ") + std::string(a);
        }
        invalid_parameter(field, "must be one of " + list + ", not '" + value.substr(0, 40) + "'");
    }
}

void require_property(store::Database& db, std::int64_t id) {
    auto st = db.prepare_cached("SELECT 1 FROM empty_properties WHERE id = ?1");
    st.bind(1, id);
    if (!st.step()) {
        throw DomainError(ErrorCode::not_found,
                          "empty property " + std::to_string(id) + " is not on the register");
    }
}

/// The current status (the newest row of the log effective on or before `on`).
constexpr const char* summary_select = R"SQL(
SELECT e.id, e.uprn, p.lon, p.lat, e.source, e.empty_since, e.registered_on, e.furnished,
       e.risk, e.notes,
       (SELECT s.status FROM empty_property_status_log s
         WHERE s.property_id = e.id AND s.effective_on <= ?1
         ORDER BY s.effective_on DESC, s.id DESC LIMIT 1),
       (SELECT max(i.inspected_on) FROM empty_property_inspections i
         WHERE i.property_id = e.id AND i.inspected_on <= ?1),
       (SELECT a.single_line FROM addresses a WHERE a.uprn = e.uprn
         ORDER BY a.logical_status <> 1, a.language <> 'ENG', a.id LIMIT 1),
       EXISTS (SELECT 1 FROM empty_property_owners o WHERE o.property_id = e.id),
       ward_code_at(p.easting, p.northing, ?1)
  FROM empty_properties e JOIN properties p ON p.uprn = e.uprn
 WHERE e.registered_on <= ?1 AND (?2 IS NULL OR e.id = ?2)
)SQL";

EmptyPropertySummary read_summary(const store::Statement& st, const core::Date& on) {
    EmptyPropertySummary s;
    s.id = st.int64(0);
    s.uprn = st.int64(1);
    s.lon = st.real(2);
    s.lat = st.real(3);
    s.source = std::string(st.text(4));
    s.empty_since = stored_date(st.text(5));
    s.registered_on = stored_date(st.text(6));
    s.furnished = st.int64(7) != 0;
    s.risk = parse_risk(st.text(8)).value_or(EmptyRisk::medium);
    s.notes = st.optional_text(9);
    s.status = st.optional_text(10).value_or("monitoring");
    if (const auto last = st.optional_text(11)) {
        s.last_inspected_on = stored_date(*last);
    }
    s.address = st.optional_text(12).value_or("");
    s.has_owner = st.int64(13) != 0;
    s.ward_code = st.optional_text(14);
    s.next_due = next_inspection_due({.empty_since = s.empty_since,
                                      .registered_on = s.registered_on,
                                      .last_inspected_on = s.last_inspected_on,
                                      .risk = s.risk,
                                      .back_in_use = s.status == "back_in_use"});
    s.overdue = s.next_due && is_overdue(*s.next_due, on);
    return s;
}

std::vector<EmptyPropertySummary>
read_summaries(store::Database& db, const core::Date& on, std::optional<std::int64_t> id) {
    auto st = db.prepare(summary_select);
    st.bind(1, on.iso()).bind(2, id);
    std::vector<EmptyPropertySummary> out;
    while (st.step()) {
        out.push_back(read_summary(st, on));
    }
    return out;
}

void check_not_future(const core::Date& d, const std::string& field) {
    if (date_before(today(), d)) {
        invalid_parameter(field, "is in the future (" + d.iso() + ")");
    }
}

} // namespace

EmptyPropertyService::EmptyPropertyService(store::ConnectionPool& pool, ImageLimits limits)
    : m_pool(pool), m_pipeline(limits) {}

std::vector<EmptyPropertySummary> EmptyPropertyService::list(const EmptyPropertyQuery& q) const {
    if (q.status) {
        require_known(empty_statuses, *q.status, "status");
    }
    if (q.risk) {
        require_known(std::array<std::string_view, 3>{"low", "medium", "high"}, *q.risk, "risk");
    }
    auto db = m_pool.acquire();
    auto all = read_summaries(*db, q.on, std::nullopt);
    std::vector<EmptyPropertySummary> out;
    for (auto& s : all) {
        if (q.status && s.status != *q.status) {
            continue;
        }
        if (!q.include_closed && s.status == "back_in_use") {
            continue;
        }
        if (q.risk && risk_name(s.risk) != *q.risk) {
            continue;
        }
        if (q.ward && s.ward_code != *q.ward) {
            continue;
        }
        if (q.overdue && s.overdue != *q.overdue) {
            continue;
        }
        if (q.due_by && (!s.next_due || date_before(*q.due_by, *s.next_due))) {
            continue;
        }
        out.push_back(std::move(s));
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        if (a.next_due && b.next_due) {
            return date_before(*a.next_due, *b.next_due);
        }
        return a.next_due.has_value() && !b.next_due.has_value();
    });
    return out;
}

EmptyPropertyDetail EmptyPropertyService::get(std::int64_t id, const core::Date& on) const {
    auto db = m_pool.acquire();
    auto rows = read_summaries(*db, on, id);
    if (rows.empty()) {
        require_property(*db, id);
        // Registered after `on`: not on the register that day.
        throw DomainError(ErrorCode::not_found, "empty property " + std::to_string(id) +
                                                    " was not on the register on " + on.iso());
    }
    EmptyPropertyDetail detail{std::move(rows.front()), {}, {}};
    auto log = db->prepare("SELECT id, status, effective_on, recorded_at, person_name, note FROM "
                           "empty_property_status_log WHERE property_id = ?1 "
                           "ORDER BY effective_on, id");
    log.bind(1, id);
    while (log.step()) {
        detail.status_log.push_back({log.int64(0), std::string(log.text(1)),
                                     std::string(log.text(2)), std::string(log.text(3)),
                                     std::string(log.text(4)), log.optional_text(5)});
    }
    auto ins = db->prepare(
        "SELECT id, inspected_on, inspector_name, condition, security, recommended_action, "
        "notes, recorded_at FROM empty_property_inspections WHERE property_id = ?1 "
        "ORDER BY inspected_on DESC, id DESC");
    ins.bind(1, id);
    auto photos = db->prepare("SELECT id FROM empty_property_photos WHERE inspection_id = ?1 "
                              "ORDER BY position");
    while (ins.step()) {
        InspectionRecord r{ins.int64(0),
                           std::string(ins.text(1)),
                           std::string(ins.text(2)),
                           std::string(ins.text(3)),
                           std::string(ins.text(4)),
                           std::string(ins.text(5)),
                           ins.optional_text(6),
                           std::string(ins.text(7)),
                           {}};
        photos.reset();
        photos.bind(1, r.id);
        while (photos.step()) {
            r.photo_ids.emplace_back(photos.text(0));
        }
        detail.inspections.push_back(std::move(r));
    }
    return detail;
}

std::int64_t EmptyPropertyService::create(const EmptyPropertyInput& in, const Actor& actor) const {
    require_known(empty_sources, in.source, "source");
    require_known(empty_statuses, in.status, "status");
    const core::Date registered = in.registered_on.value_or(today());
    check_not_future(in.empty_since, "empty_since");
    check_not_future(registered, "registered_on");
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    {
        auto st = db->prepare("SELECT 1 FROM properties WHERE uprn = ?1");
        st.bind(1, in.uprn);
        if (!st.step()) {
            invalid_parameter("uprn", std::to_string(in.uprn) + " is not a property of the "
                                                                "gazetteer");
        }
    }
    {
        auto st = db->prepare("SELECT id FROM empty_properties WHERE uprn = ?1");
        st.bind(1, in.uprn);
        if (st.step()) {
            throw DomainError(ErrorCode::conflict,
                              "UPRN " + std::to_string(in.uprn) +
                                  " is on the register already (empty property " +
                                  std::to_string(st.int64(0)) + ")",
                              {{"uprn", "is registered already"}});
        }
    }
    const auto now = core::format_utc(core::now_seconds());
    auto st = db->prepare(
        "INSERT INTO empty_properties (uprn, source, empty_since, registered_on, furnished, "
        "risk, notes, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)");
    st.bind(1, in.uprn)
        .bind(2, in.source)
        .bind(3, in.empty_since.iso())
        .bind(4, registered.iso())
        .bind(5, in.furnished ? 1 : 0)
        .bind(6, risk_name(in.risk))
        .bind(7, in.notes)
        .bind(8, now)
        .run();
    const auto id = db->last_insert_rowid();
    auto log = db->prepare(
        "INSERT INTO empty_property_status_log (property_id, status, effective_on, recorded_at, "
        "person_id, person_name, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'registered')");
    log.bind(1, id)
        .bind(2, in.status)
        .bind(3, registered.iso())
        .bind(4, now)
        .bind(5, person_id(actor.principal))
        .bind(6, actor.principal.name)
        .run();
    tx.commit();
    return id;
}

void EmptyPropertyService::update(std::int64_t id, const EmptyPropertyChange& change) const {
    if (change.empty()) {
        throw DomainError(ErrorCode::invalid_parameter,
                          "nothing to change: give source, empty_since, furnished, risk or notes");
    }
    if (change.source) {
        require_known(empty_sources, *change.source, "source");
    }
    if (change.empty_since) {
        check_not_future(*change.empty_since, "empty_since");
    }
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    require_property(*db, id);
    // One statement, each member kept by a NULL parameter (notes has its own flag: null clears).
    auto st =
        db->prepare("UPDATE empty_properties SET source = coalesce(?2, source), "
                    "empty_since = coalesce(?3, empty_since), furnished = coalesce(?4, furnished), "
                    "risk = coalesce(?5, risk), notes = CASE WHEN ?6 THEN ?7 ELSE notes END, "
                    "updated_at = ?8 WHERE id = ?1");
    st.bind(1, id)
        .bind(2, change.source)
        .bind(3, change.empty_since ? std::optional(change.empty_since->iso()) : std::nullopt)
        .bind(4, change.furnished ? std::optional<int>(*change.furnished ? 1 : 0) : std::nullopt)
        .bind(5, change.risk ? std::optional(std::string(risk_name(*change.risk))) : std::nullopt)
        .bind(6, change.notes ? 1 : 0)
        .bind(7, change.notes ? *change.notes : std::nullopt)
        .bind(8, core::format_utc(core::now_seconds()))
        .run();
    tx.commit();
}

void EmptyPropertyService::change_status(std::int64_t id,
                                         const StatusChange& change,
                                         const Actor& actor) const {
    require_known(empty_statuses, change.status, "status");
    const core::Date effective = change.effective_on.value_or(today());
    check_not_future(effective, "effective_on");
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto st = db->prepare(
        "SELECT e.registered_on, (SELECT s.status FROM empty_property_status_log s WHERE "
        "s.property_id = e.id ORDER BY s.effective_on DESC, s.id DESC LIMIT 1) "
        "FROM empty_properties e WHERE e.id = ?1");
    st.bind(1, id);
    if (!st.step()) {
        throw DomainError(ErrorCode::not_found,
                          "empty property " + std::to_string(id) + " is not on the register");
    }
    if (date_before(effective, stored_date(st.text(0)))) {
        invalid_parameter("effective_on", "is before the property was registered (" +
                                              std::string(st.text(0)) + ")");
    }
    if (st.optional_text(1) == change.status) {
        throw DomainError(ErrorCode::conflict, "the status is " + change.status + " already",
                          {{"status", "is the current status"}});
    }
    auto log = db->prepare(
        "INSERT INTO empty_property_status_log (property_id, status, effective_on, recorded_at, "
        "person_id, person_name, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    log.bind(1, id)
        .bind(2, change.status)
        .bind(3, effective.iso())
        .bind(4, core::format_utc(core::now_seconds()))
        .bind(5, person_id(actor.principal))
        .bind(6, actor.principal.name)
        .bind(7, change.note)
        .run();
    tx.commit();
}

std::int64_t EmptyPropertyService::record_inspection(std::int64_t id,
                                                     const InspectionInput& in,
                                                     const Actor& actor) const {
    require_known(inspection_conditions, in.condition, "condition");
    require_known(inspection_securities, in.security, "security");
    require_known(inspection_actions, in.recommended_action, "recommended_action");
    check_not_future(in.inspected_on, "inspected_on");
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto st = db->prepare("SELECT empty_since FROM empty_properties WHERE id = ?1");
    st.bind(1, id);
    if (!st.step()) {
        throw DomainError(ErrorCode::not_found,
                          "empty property " + std::to_string(id) + " is not on the register");
    }
    if (date_before(in.inspected_on, stored_date(st.text(0)))) {
        invalid_parameter("inspected_on",
                          "is before the property was empty (" + std::string(st.text(0)) + ")");
    }
    auto ins = db->prepare(
        "INSERT INTO empty_property_inspections (property_id, inspected_on, inspector_id, "
        "inspector_name, condition, security, recommended_action, notes, recorded_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    ins.bind(1, id)
        .bind(2, in.inspected_on.iso())
        .bind(3, person_id(actor.principal))
        .bind(4, actor.principal.name)
        .bind(5, in.condition)
        .bind(6, in.security)
        .bind(7, in.recommended_action)
        .bind(8, in.notes)
        .bind(9, core::format_utc(core::now_seconds()))
        .run();
    const auto inspection = db->last_insert_rowid();
    tx.commit();
    return inspection;
}

std::string EmptyPropertyService::add_photo(std::int64_t inspection_id,
                                            std::string_view bytes) const {
    // Decoding happens before the write lock is taken.
    const auto photo = m_pipeline.encode(bytes, "photo");
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto st = db->prepare("SELECT (SELECT count(*) FROM empty_property_photos p WHERE "
                          "p.inspection_id = i.id) FROM empty_property_inspections i "
                          "WHERE i.id = ?1");
    st.bind(1, inspection_id);
    if (!st.step()) {
        throw DomainError(ErrorCode::not_found,
                          "inspection " + std::to_string(inspection_id) + " not found");
    }
    const auto count = st.int64(0);
    if (count >= max_photos_per_inspection) {
        throw DomainError(ErrorCode::conflict,
                          "an inspection has at most " + std::to_string(max_photos_per_inspection) +
                              " photos",
                          {{"photo", "one too many"}});
    }
    const std::string id = core::random_hex(16);
    const auto as_blob = [](const std::string& s) {
        return std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(s.data()),
                                              s.size());
    };
    auto ins = db->prepare(
        "INSERT INTO empty_property_photos (id, inspection_id, position, created_at, width, "
        "height, jpeg, thumbnail_width, thumbnail_height, thumbnail) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    ins.bind(1, id)
        .bind(2, inspection_id)
        .bind(3, count)
        .bind(4, core::format_utc(core::now_seconds()))
        .bind(5, photo.width)
        .bind(6, photo.height)
        .bind(7, as_blob(photo.jpeg))
        .bind(8, photo.thumbnail_width)
        .bind(9, photo.thumbnail_height)
        .bind(10, as_blob(photo.thumbnail))
        .run();
    tx.commit();
    return id;
}

std::string EmptyPropertyService::photo(const std::string& id, bool thumbnail) const {
    auto db = m_pool.acquire();
    auto st = db->prepare(thumbnail ? "SELECT thumbnail FROM empty_property_photos WHERE id = ?1"
                                    : "SELECT jpeg FROM empty_property_photos WHERE id = ?1");
    st.bind(1, id);
    if (!st.step()) {
        throw DomainError(ErrorCode::not_found, "photo not found");
    }
    const auto b = st.blob(0);
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

OwnerContact EmptyPropertyService::owner(std::int64_t id, const Actor& actor) const {
    auto db = m_pool.acquire();
    // The read and its audit row commit together or not at all.
    store::Transaction tx(*db);
    auto st = db->prepare("SELECT o.name, o.address, o.phone, o.email FROM empty_properties e "
                          "LEFT JOIN empty_property_owners o ON o.property_id = e.id "
                          "WHERE e.id = ?1");
    st.bind(1, id);
    if (!st.step()) {
        throw DomainError(ErrorCode::not_found,
                          "empty property " + std::to_string(id) + " is not on the register");
    }
    OwnerContact owner{st.optional_text(0), st.optional_text(1), st.optional_text(2),
                       st.optional_text(3)};
    AuditLog::record(*db, actor.principal, AuditAction::read, "empty_property_owner",
                     std::to_string(id), actor.route, actor.client_address);
    tx.commit();
    return owner;
}

void EmptyPropertyService::set_owner(std::int64_t id,
                                     const OwnerContact& owner,
                                     const Actor& actor) const {
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    require_property(*db, id);
    if (!owner.name && !owner.address && !owner.phone && !owner.email) {
        auto del = db->prepare("DELETE FROM empty_property_owners WHERE property_id = ?1");
        del.bind(1, id).run();
    } else {
        auto st = db->prepare(
            "INSERT INTO empty_property_owners (property_id, name, address, phone, email, "
            "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (property_id) DO UPDATE SET "
            "name = excluded.name, address = excluded.address, phone = excluded.phone, "
            "email = excluded.email, updated_at = excluded.updated_at");
        st.bind(1, id)
            .bind(2, owner.name)
            .bind(3, owner.address)
            .bind(4, owner.phone)
            .bind(5, owner.email)
            .bind(6, core::format_utc(core::now_seconds()))
            .run();
    }
    AuditLog::record(*db, actor.principal, AuditAction::change, "empty_property_owner",
                     std::to_string(id), actor.route, actor.client_address);
    tx.commit();
}

std::vector<std::optional<int>> suppress_small_counts(const std::vector<int>& counts) {
    std::vector<std::optional<int>> out(counts.begin(), counts.end());
    int suppressed = 0;
    for (auto& c : out) {
        if (*c > 0 && *c < suppress_below) {
            c.reset();
            ++suppressed;
        }
    }
    if (suppressed == 1) {
        // One hidden count would follow from the total: hide the next smallest as well.
        std::optional<std::size_t> smallest;
        for (std::size_t i = 0; i < out.size(); ++i) {
            if (out[i] && *out[i] > 0 && (!smallest || *out[i] < *out[*smallest])) {
                smallest = i;
            }
        }
        if (smallest) {
            out[*smallest].reset();
        }
    }
    return out;
}

WardEmptyCounts EmptyPropertyService::ward_counts(const std::string& ward_code,
                                                  const core::Date& on) const {
    {
        auto db = m_pool.acquire();
        auto st = db->prepare("SELECT 1 FROM wards WHERE code = ?1 LIMIT 1");
        st.bind(1, ward_code);
        if (!st.step()) {
            throw DomainError(ErrorCode::not_found,
                              "no ward has the code " + ward_code.substr(0, 20));
        }
    }
    EmptyPropertyQuery query;
    query.on = on;
    query.ward = ward_code;
    query.include_closed = false;
    const auto rows = list(query);
    std::vector<int> bands(std::size(all_empty_bands), 0);
    int due = 0;
    int overdue = 0;
    const core::Date soon = add_days_to(on, due_soon_days);
    for (const auto& r : rows) {
        ++bands[static_cast<std::size_t>(empty_band(r.empty_since, on))];
        if (r.next_due) {
            if (r.overdue) {
                ++overdue;
            } else if (!date_before(soon, *r.next_due)) {
                ++due;
            }
        }
    }
    const auto small = [](int n) -> std::optional<int> {
        return n > 0 && n < suppress_below ? std::nullopt : std::optional(n);
    };
    WardEmptyCounts out;
    out.ward_code = ward_code;
    out.on = on;
    out.total = small(static_cast<int>(rows.size()));
    const auto shown = suppress_small_counts(bands);
    for (std::size_t i = 0; i < shown.size(); ++i) {
        out.by_duration.emplace_back(all_empty_bands[i], out.total ? shown[i] : std::nullopt);
    }
    out.inspections_due = small(due);
    out.inspections_overdue = small(overdue);
    return out;
}

} // namespace wardmap::services
