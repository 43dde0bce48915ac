#include "server/services/burials/memorial_service.hpp"

#include "core/w3c_time.hpp"

#include "server/services/access/audit.hpp"
#include "server/services/shared/errors.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <span>

namespace wardmap::services {

namespace {

void require_bereavement(const Principal& who, Permission permission) {
    if (!allows(who, permission, Scope{std::nullopt, Team::bereavement})) {
        throw DomainError(ErrorCode::forbidden,
                          "memorials and the capacity forecast are the bereavement team's: you "
                          "do not have the " +
                              std::string(permission_name(permission)) +
                              " permission for the bereavement team");
    }
}

std::string who_of(const BurialCaller& c) {
    return c.principal.name.empty() ? "person " + std::to_string(c.principal.id) : c.principal.name;
}

bool one_of(std::span<const std::string_view> allowed, std::string_view v) {
    return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

std::string now_text() {
    return core::format_utc(core::now_seconds());
}

} // namespace

std::string memorial_next_due_sql(std::string_view m) {
    const std::string a(m);
    // The latest inspection (by date, then id) decides; none: five years after erection.
    return "coalesce((SELECT CASE WHEN li.result = 'fail' AND li.risk_category = 1 THEN "
           "date(li.inspected_on, '+1 months') WHEN li.result = 'fail' AND li.risk_category = 2 "
           "THEN date(li.inspected_on, '+1 years') ELSE date(li.inspected_on, '+5 years') END "
           "FROM memorial_inspections li WHERE li.memorial_id = " +
           a + ".id ORDER BY li.inspected_on DESC, li.id DESC LIMIT 1), date(coalesce(" + a +
           ".erected_on, substr(" + a + ".recorded_at, 1, 10)), '+5 years'))";
}

double mean_rate(const std::vector<int>& per_year) {
    if (per_year.empty()) {
        return 0;
    }
    return static_cast<double>(std::accumulate(per_year.begin(), per_year.end(), 0LL)) /
           static_cast<double>(per_year.size());
}

FullForecast forecast_full(int available, double rate, const core::Date& on) {
    if (available <= 0) {
        return {0.0, on.year};
    }
    if (!(rate > 0) || !std::isfinite(rate)) {
        return {};
    }
    const double years = static_cast<double>(available) / rate;
    if (years > 10000) {
        return {years, std::nullopt};
    }
    return {years, on.year + static_cast<int>(std::floor(years))};
}

std::int64_t MemorialService::add_memorial(std::int64_t grave_id,
                                           const NewMemorial& in,
                                           const BurialCaller& caller) {
    require_bereavement(caller.principal, Permission::burial_record);
    if (!one_of(memorial_types, in.memorial_type)) {
        invalid_parameter("memorial_type", "must be headstone, kerb_set, tablet, vase, plaque, "
                                           "cross, book, desk, statue or other");
    }
    if (in.erected_on && !core::parse_iso_date(*in.erected_on)) {
        invalid_parameter("erected_on", "must be a date YYYY-MM-DD");
    }
    if (in.erected_on && *in.erected_on > core::today_utc().iso()) {
        invalid_parameter("erected_on", "is in the future");
    }
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto st = db->prepare_cached(
        "INSERT INTO memorials (grave_id, permit_number, mason, memorial_type, inscription, "
        "erected_on, recorded_at, recorded_by) SELECT id, ?2, ?3, ?4, ?5, ?6, ?7, ?8 FROM "
        "grave_spaces WHERE id = ?1");
    st.bind(1, grave_id).bind(2, in.permit_number).bind(3, in.mason).bind(4, in.memorial_type);
    st.bind(5, in.inscription).bind(6, in.erected_on).bind(7, now_text()).bind(8, who_of(caller));
    st.run();
    if (db->changes() == 0) {
        throw DomainError(ErrorCode::not_found, "grave " + std::to_string(grave_id) + " not found");
    }
    const std::int64_t id = db->last_insert_rowid();
    AuditLog::record(*db, caller.principal, AuditAction::change, "memorial", std::to_string(id),
                     caller.route, caller.client_address);
    tx.commit();
    return id;
}

std::pair<std::int64_t, std::string> MemorialService::add_inspection(
    std::int64_t memorial_id, const NewMemorialInspection& in, const BurialCaller& caller) {
    require_bereavement(caller.principal, Permission::burial_record);
    if (!core::parse_iso_date(in.inspected_on)) {
        invalid_parameter("inspected_on", "is required: a date YYYY-MM-DD");
    }
    if (in.inspected_on > core::today_utc().iso()) {
        invalid_parameter("inspected_on", "is in the future");
    }
    if (in.inspector.empty() || in.inspector.size() > 200) {
        invalid_parameter("inspector", "is required (at most 200 characters)");
    }
    if (!one_of(inspection_results, in.result)) {
        invalid_parameter("result", "must be pass or fail");
    }
    if (in.risk_category < 1 || in.risk_category > 3) {
        invalid_parameter("risk_category", "must be 1 (immediate), 2 (medium) or 3 (low)");
    }
    if (!one_of(memorial_actions, in.action)) {
        invalid_parameter("action", "must be none, laid_flat, staked, made_safe or repaired");
    }
    if (in.result == "fail" && in.risk_category == 1 && in.action == "none") {
        invalid_parameter("action", "a failed memorial of immediate risk (category 1) must be "
                                    "made safe at once: laid_flat, staked or made_safe");
    }
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto m = db->prepare_cached("SELECT erected_on FROM memorials WHERE id = ?1");
    m.bind(1, memorial_id);
    if (!m.step()) {
        throw DomainError(ErrorCode::not_found,
                          "memorial " + std::to_string(memorial_id) + " not found");
    }
    if (const auto erected = m.optional_text(0); erected && in.inspected_on < *erected) {
        invalid_parameter("inspected_on", "is before the memorial was erected (" + *erected + ")");
    }
    auto st = db->prepare_cached(
        "INSERT INTO memorial_inspections (memorial_id, inspected_on, inspector, result, "
        "risk_category, action, notes, recorded_at, recorded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
        "?7, ?8, ?9)");
    st.bind(1, memorial_id).bind(2, in.inspected_on).bind(3, in.inspector).bind(4, in.result);
    st.bind(5, in.risk_category).bind(6, in.action).bind(7, in.notes).bind(8, now_text());
    st.bind(9, who_of(caller)).run();
    const std::int64_t id = db->last_insert_rowid();
    auto due = db->prepare_cached("SELECT " + memorial_next_due_sql("m") +
                                  " FROM memorials m WHERE m.id = ?1");
    due.bind(1, memorial_id).step();
    std::string next_due(due.text(0));
    AuditLog::record(*db, caller.principal, AuditAction::change, "memorial",
                     std::to_string(memorial_id), caller.route, caller.client_address);
    tx.commit();
    return {id, std::move(next_due)};
}

std::vector<MemorialRecord> MemorialService::memorials_of(std::int64_t grave_id,
                                                          const BurialCaller& caller) const {
    require_bereavement(caller.principal, Permission::burial_read);
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    std::vector<MemorialRecord> out;
    auto st = db->prepare_cached("SELECT m.id, m.grave_id, m.permit_number, m.mason, "
                                 "m.memorial_type, m.inscription, m.erected_on, " +
                                 memorial_next_due_sql("m") +
                                 " FROM memorials m WHERE m.grave_id = ?1 ORDER BY m.id");
    st.bind(1, grave_id);
    while (st.step()) {
        MemorialRecord r;
        r.id = st.int64(0);
        r.grave_id = st.int64(1);
        r.permit_number = st.optional_text(2);
        r.mason = st.optional_text(3);
        r.memorial_type = std::string(st.text(4));
        r.inscription = st.optional_text(5);
        r.erected_on = st.optional_text(6);
        r.next_due = std::string(st.text(7));
        out.push_back(std::move(r));
    }
    for (auto& r : out) {
        auto i = db->prepare_cached(
            "SELECT id, inspected_on, inspector, result, risk_category, action, notes, "
            "recorded_at, recorded_by FROM memorial_inspections WHERE memorial_id = ?1 ORDER BY "
            "inspected_on, id");
        i.bind(1, r.id);
        while (i.step()) {
            r.inspections.push_back({i.int64(0), std::string(i.text(1)), std::string(i.text(2)),
                                     std::string(i.text(3)), static_cast<int>(i.int64(4)),
                                     std::string(i.text(5)), i.optional_text(6),
                                     std::string(i.text(7)), std::string(i.text(8))});
        }
    }
    tx.commit();
    return out;
}

std::int64_t MemorialService::due(bool overdue,
                                  const core::Date& on,
                                  int within_days,
                                  int limit,
                                  int offset,
                                  const BurialCaller& caller,
                                  const std::function<void(const DueMemorial&)>& row) const {
    require_bereavement(caller.principal, Permission::burial_read);
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    const std::string until = "date(?1, '+' || ?2 || ' days')";
    auto count = db->prepare_cached(
        "SELECT count(*) FROM (SELECT m.id, " + memorial_next_due_sql("m") +
        " AS next_due FROM memorials m) d WHERE " +
        (overdue ? std::string("d.next_due < ?1") : "d.next_due >= ?1 AND d.next_due <= " + until));
    count.bind(1, on.iso());
    if (!overdue) {
        count.bind(2, within_days);
    }
    count.step();
    const std::int64_t total = count.int64(0);
    auto st = db->prepare_cached(
        "SELECT d.id, d.grave_id, g.grave_number, c.name, s.name, d.memorial_type, d.next_due, "
        "li.inspected_on, li.result, li.action, li.risk_category, "
        "AsGeoJSON(PointOnSurface(g.geom_wgs84), 6) FROM (SELECT m.id, m.grave_id, "
        "m.memorial_type, " +
        memorial_next_due_sql("m") +
        " AS next_due FROM memorials m) d JOIN grave_spaces g ON g.id = d.grave_id JOIN "
        "cemeteries c ON c.id = g.cemetery_id JOIN cemetery_sections s ON s.id = g.section_id "
        "LEFT JOIN memorial_inspections li ON li.id = (SELECT x.id FROM memorial_inspections x "
        "WHERE x.memorial_id = d.id ORDER BY x.inspected_on DESC, x.id DESC LIMIT 1) WHERE " +
        (overdue ? std::string("d.next_due < ?1") : "d.next_due >= ?1 AND d.next_due <= " + until) +
        " ORDER BY d.next_due, d.id LIMIT ?3 OFFSET ?4");
    st.bind(1, on.iso()).bind(2, within_days).bind(3, limit).bind(4, offset);
    while (st.step()) {
        DueMemorial d;
        d.id = st.int64(0);
        d.grave_id = st.int64(1);
        d.grave_number = std::string(st.text(2));
        d.cemetery = std::string(st.text(3));
        d.section = std::string(st.text(4));
        d.memorial_type = std::string(st.text(5));
        d.next_due = std::string(st.text(6));
        d.last_inspected_on = st.optional_text(7);
        d.last_result = st.optional_text(8);
        d.last_action = st.optional_text(9);
        if (st.column_type(10) != SQLITE_NULL) {
            d.last_risk_category = static_cast<int>(st.int64(10));
        }
        d.geometry = st.optional_text(11).value_or("null");
        row(d);
    }
    tx.commit();
    return total;
}

std::int64_t MemorialService::add_disinterment(std::int64_t interment_id,
                                               const NewDisinterment& in,
                                               const BurialCaller& caller) {
    require_bereavement(caller.principal, Permission::burial_record);
    if (!core::parse_iso_date(in.disinterred_on)) {
        invalid_parameter("disinterred_on", "is required: a date YYYY-MM-DD");
    }
    if (in.disinterred_on > core::today_utc().iso()) {
        invalid_parameter("disinterred_on", "is in the future");
    }
    if (in.licence_reference.empty() || in.licence_reference.size() > 80) {
        invalid_parameter("licence_reference", "is required: the Ministry of Justice licence or "
                                               "faculty reference (at most 80 characters)");
    }
    if (in.reinterred_on && !core::parse_iso_date(*in.reinterred_on)) {
        invalid_parameter("reinterred_on", "must be a date YYYY-MM-DD");
    }
    if (in.reinterred_on && *in.reinterred_on < in.disinterred_on) {
        invalid_parameter("reinterred_on", "is before disinterred_on");
    }
    if (in.reinterred_on && !in.reinterred_grave_id) {
        invalid_parameter("reinterred_grave_id", "is needed with reinterred_on");
    }
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto i = db->prepare_cached("SELECT i.buried_on, i.grave_id, (SELECT d.disinterred_on FROM "
                                "disinterments d WHERE d.interment_id = i.id) FROM interments i "
                                "WHERE i.id = ?1");
    i.bind(1, interment_id);
    if (!i.step()) {
        throw DomainError(ErrorCode::not_found,
                          "interment " + std::to_string(interment_id) + " not found");
    }
    const std::string buried_on(i.text(0));
    const std::int64_t grave_id = i.int64(1);
    if (const auto already = i.optional_text(2)) {
        throw DomainError(ErrorCode::conflict,
                          "interment " + std::to_string(interment_id) + " was disinterred on " +
                              *already,
                          {{"reason", "already_disinterred"}});
    }
    if (in.disinterred_on < buried_on) {
        invalid_parameter("disinterred_on", "is before the burial (" + buried_on + ")");
    }
    if (in.reinterred_grave_id) {
        if (*in.reinterred_grave_id == grave_id) {
            invalid_parameter("reinterred_grave_id", "is the grave the remains are taken from");
        }
        auto g = db->prepare_cached("SELECT 1 FROM grave_spaces WHERE id = ?1");
        g.bind(1, *in.reinterred_grave_id);
        if (!g.step()) {
            invalid_parameter("reinterred_grave_id",
                              "names no grave (" + std::to_string(*in.reinterred_grave_id) + ")");
        }
    }
    auto st = db->prepare_cached(
        "INSERT INTO disinterments (interment_id, disinterred_on, licence_reference, "
        "reinterred_grave_id, reinterred_on, notes, recorded_at, recorded_by) VALUES (?1, ?2, "
        "?3, ?4, ?5, ?6, ?7, ?8)");
    st.bind(1, interment_id).bind(2, in.disinterred_on).bind(3, in.licence_reference);
    st.bind(4, in.reinterred_grave_id).bind(5, in.reinterred_on).bind(6, in.notes);
    st.bind(7, now_text()).bind(8, who_of(caller)).run();
    const std::int64_t id = db->last_insert_rowid();
    AuditLog::record(*db, caller.principal, AuditAction::change, "interment",
                     std::to_string(interment_id), caller.route, caller.client_address);
    tx.commit();
    return id;
}

CapacityReport MemorialService::capacity(const CapacityQuery& q, const BurialCaller& caller) const {
    require_bereavement(caller.principal, Permission::burial_read);
    CapacityReport report;
    report.on = q.on;
    report.years = q.years;
    const int first_rate_year = q.on.year - q.years, last_rate_year = q.on.year - 1;
    for (int y = first_rate_year; y <= last_rate_year; ++y) {
        report.rate_years.push_back(y);
    }
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    std::map<std::int64_t, std::size_t> cemetery_at;
    std::map<std::int64_t, std::pair<std::size_t, std::size_t>> section_at;
    {
        auto st = db->prepare_cached(
            "SELECT c.id, c.name, s.id, s.name, s.kind FROM cemetery_sections s JOIN cemeteries "
            "c ON c.id = s.cemetery_id ORDER BY c.name, c.id, s.name, s.id");
        while (st.step()) {
            const auto cid = st.int64(0);
            if (!cemetery_at.contains(cid)) {
                cemetery_at[cid] = report.cemeteries.size();
                CapacityCemetery c;
                c.id = cid;
                c.name = std::string(st.text(1));
                c.new_graves_per_year.assign(static_cast<std::size_t>(q.years), 0);
                report.cemeteries.push_back(std::move(c));
            }
            auto& c = report.cemeteries[cemetery_at[cid]];
            CapacitySection s;
            s.id = st.int64(2);
            s.cemetery = c.name;
            s.name = std::string(st.text(3));
            s.kind = std::string(st.text(4));
            s.new_graves_per_year.assign(static_cast<std::size_t>(q.years), 0);
            section_at[s.id] = {cemetery_at[cid], c.sections.size()};
            c.sections.push_back(std::move(s));
        }
    }
    for (const auto& [id, rate] : q.section_rates) {
        if (!section_at.contains(id)) {
            invalid_parameter("section_rate", "names no section (" + std::to_string(id) + ")");
        }
    }
    const auto section = [&](std::int64_t id) -> CapacitySection& {
        const auto [c, s] = section_at.at(id);
        return report.cemeteries[c].sections[s];
    };
    {
        // The derived status of every grave in one statement (docs/burials.md "Status").
        auto st = db->prepare_cached("SELECT g.section_id, g.grave_type, count(*), sum(" +
                                     grave_status_sql("g", "?1") +
                                     " = 'available') FROM grave_spaces g GROUP BY 1, 2");
        st.bind(1, q.on.iso());
        while (st.step()) {
            if (!section_at.contains(st.int64(0))) {
                continue;
            }
            auto& s = section(st.int64(0));
            const int graves = static_cast<int>(st.int64(2)),
                      available = static_cast<int>(st.int64(3));
            s.graves += graves;
            s.available += available;
            if (available > 0) {
                s.available_by_type[std::string(st.text(1))] += available;
            }
        }
    }
    if (q.years > 0) {
        // A grave is newly used in the year of its first burial or first grant, whichever came
        // first (the day it stopped being available).
        auto st = db->prepare_cached(
            "SELECT section_id, CAST(substr(first_used, 1, 4) AS INTEGER), count(*) FROM (SELECT "
            "g.section_id, min(coalesce((SELECT min(i.buried_on) FROM interments i WHERE "
            "i.grave_id = g.id), '9999'), coalesce((SELECT min(b.granted_on) FROM burial_grants "
            "b WHERE b.grave_id = g.id), '9999')) AS first_used FROM grave_spaces g) WHERE "
            "first_used >= ?1 AND first_used < ?2 GROUP BY 1, 2");
        st.bind(1, std::to_string(first_rate_year) + "-01-01");
        st.bind(2, std::to_string(last_rate_year + 1) + "-01-01");
        while (st.step()) {
            if (!section_at.contains(st.int64(0))) {
                continue;
            }
            const int year = static_cast<int>(st.int64(1));
            section(st.int64(0))
                .new_graves_per_year[static_cast<std::size_t>(year - first_rate_year)] +=
                static_cast<int>(st.int64(2));
        }
    }
    {
        auto st = db->prepare_cached(
            "SELECT g.cemetery_id, CAST(substr(i.buried_on, 1, 4) AS INTEGER), count(*) FROM "
            "interments i JOIN grave_spaces g ON g.id = i.grave_id WHERE i.buried_on >= ?1 AND "
            "i.buried_on <= ?2 GROUP BY 1, 2");
        st.bind(1, std::to_string(q.on.year - 9) + "-01-01").bind(2, q.on.iso());
        std::map<std::pair<std::int64_t, int>, int> counts;
        while (st.step()) {
            counts[{st.int64(0), static_cast<int>(st.int64(1))}] = static_cast<int>(st.int64(2));
        }
        for (auto& c : report.cemeteries) {
            for (int y = q.on.year - 9; y <= q.on.year; ++y) {
                const auto it = counts.find({c.id, y});
                c.burials_per_year.emplace_back(y, it == counts.end() ? 0 : it->second);
            }
        }
    }
    for (auto& c : report.cemeteries) {
        for (auto& s : c.sections) {
            s.current_rate = mean_rate(s.new_graves_per_year);
            s.at_current = forecast_full(s.available, s.current_rate, q.on);
            c.graves += s.graves;
            c.available += s.available;
            for (const auto& [type, n] : s.available_by_type) {
                c.available_by_type[type] += n;
            }
            for (std::size_t k = 0; k < s.new_graves_per_year.size(); ++k) {
                c.new_graves_per_year[k] += s.new_graves_per_year[k];
            }
        }
        c.current_rate = mean_rate(c.new_graves_per_year);
        c.at_current = forecast_full(c.available, c.current_rate, q.on);
        // The officer's rate: per cemetery, shared among its sections as they are used now
        // (evenly when none is used); a section's own rate wins over its share.
        bool any_section_rate = false;
        for (auto& s : c.sections) {
            if (const auto it = q.section_rates.find(s.id); it != q.section_rates.end()) {
                s.officer_rate = it->second;
                any_section_rate = true;
            } else if (q.rate) {
                s.officer_rate = c.current_rate > 0
                                     ? *q.rate * s.current_rate / c.current_rate
                                     : *q.rate / static_cast<double>(c.sections.size());
            }
            if (s.officer_rate) {
                s.at_officer = forecast_full(s.available, *s.officer_rate, q.on);
            }
        }
        if (q.rate) {
            c.officer_rate = *q.rate;
        } else if (any_section_rate) {
            double sum = 0;
            for (const auto& s : c.sections) {
                sum += s.officer_rate.value_or(s.current_rate);
            }
            c.officer_rate = sum;
        }
        if (c.officer_rate) {
            c.at_officer = forecast_full(c.available, *c.officer_rate, q.on);
        }
    }
    tx.commit();
    return report;
}

} // namespace wardmap::services
