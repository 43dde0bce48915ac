#include "server/services/burials/grave_status.hpp"

namespace wardmap::services {

namespace {

/// `text` with every "{g}" replaced by `g` and every "{on}" by `on`.
std::string fill(std::string text, std::string_view g, std::string_view on) {
    for (const auto& [key, value] :
         {std::pair<std::string_view, std::string_view>{"{g}", g}, {"{on}", on}}) {
        for (auto p = text.find(key); p != std::string::npos; p = text.find(key, p)) {
            text.replace(p, key.size(), value);
            p += value.size();
        }
    }
    return text;
}

/// Interments of one kind in grave {g} buried by {on} and not disinterred by then.
std::string used_sql(std::string_view kind, std::string_view prior_column) {
    return "({g}." + std::string(prior_column) +
           " + (SELECT count(*) FROM interments i WHERE i.grave_id = {g}.id AND i.kind = '" +
           std::string(kind) +
           "' AND i.buried_on <= {on} AND NOT EXISTS (SELECT 1 FROM disinterments d WHERE "
           "d.interment_id = i.id AND d.disinterred_on <= {on})))";
}

} // namespace

std::string grant_expiry_sql(std::string_view gr) {
    return fill("date({g}.granted_on, '+' || ({g}.term_years + coalesce((SELECT "
                "sum(e.extend_years) FROM burial_grant_events e WHERE e.grant_id = {g}.id AND "
                "e.kind = 'extension'), 0)) || ' years')",
                gr, "");
}

std::string grant_active_sql(std::string_view gr, std::string_view on) {
    return fill("({g}.granted_on <= {on} AND " + grant_expiry_sql(gr) +
                    " > {on} AND NOT EXISTS (SELECT 1 FROM burial_grant_events s WHERE "
                    "s.grant_id = {g}.id AND s.kind = 'surrender' AND s.effective_on <= {on}))",
                gr, on);
}

std::string grave_status_sql(std::string_view g, std::string_view on) {
    const std::string active_grant = "EXISTS (SELECT 1 FROM burial_grants ga WHERE ga.grave_id = "
                                     "{g}.id AND " +
                                     grant_active_sql("ga", "{on}") + ")";
    // The latest grant begun by then: expired (and not surrendered) -> 1.
    const std::string latest_expired =
        "coalesce((SELECT " + grant_expiry_sql("gl") +
        " <= {on} AND NOT EXISTS (SELECT 1 FROM burial_grant_events s WHERE s.grant_id = gl.id "
        "AND s.kind = 'surrender' AND s.effective_on <= {on}) FROM burial_grants gl WHERE "
        "gl.grave_id = {g}.id AND gl.granted_on <= {on} ORDER BY gl.granted_on DESC, gl.id DESC "
        "LIMIT 1), 0)";
    // The grave's interments are read once: one aggregate over them (a row even when there are
    // none) whose CASE applies rules 3 to 7; the latest override (unless NULL) and unavailable
    // ground come first without reading them.
    const std::string coffins = "({g}.prior_coffins + coalesce(sum(i.kind = 'coffin'), 0))";
    const std::string ashes =
        "({g}.prior_cremated_remains + coalesce(sum(i.kind = 'cremated_remains'), 0))";
    const std::string used = "({g}.prior_coffins + {g}.prior_cremated_remains + count(i.id))";
    return fill("coalesce((SELECT o.status FROM grave_status_overrides o WHERE o.grave_id = "
                "{g}.id ORDER BY o.id DESC LIMIT 1), CASE WHEN {g}.unavailable_reason IS NOT NULL "
                "THEN 'unavailable' ELSE (SELECT CASE WHEN " +
                    coffins + " >= {g}.max_coffins AND " + ashes +
                    " >= {g}.max_cremated_remains THEN 'full' WHEN " + active_grant +
                    " THEN CASE WHEN " + used + " > 0 THEN 'in_use' ELSE 'reserved' END WHEN " +
                    latest_expired + " THEN 'right_expired' WHEN " + used +
                    " > 0 THEN 'in_use' ELSE 'available' END FROM interments i WHERE i.grave_id = "
                    "{g}.id AND i.buried_on <= {on} AND NOT EXISTS (SELECT 1 FROM disinterments d "
                    "WHERE d.interment_id = i.id AND d.disinterred_on <= {on})) END)",
                g, on);
}

namespace {

/// Number and status only (the public box query).
std::string select_lean_sql(std::string_view where) {
    return "SELECT g.id, g.grave_number, " + grave_status_sql("g", "?1") +
           ", 0, NULL, 0, 0, g.max_coffins, g.max_cremated_remains FROM grave_spaces g WHERE " +
           std::string(where) + " ORDER BY g.id";
}

std::string select_sql(std::string_view where) {
    return "SELECT g.id, g.grave_number, " + grave_status_sql("g", "?1") +
           ", (SELECT o.status FROM grave_status_overrides o WHERE o.grave_id = g.id ORDER BY "
           "o.id DESC LIMIT 1) IS NOT NULL, g.unavailable_reason, " +
           fill(used_sql("coffin", "prior_coffins") + ", " +
                    used_sql("cremated_remains", "prior_cremated_remains"),
                "g", "?1") +
           ", g.max_coffins, g.max_cremated_remains FROM grave_spaces g WHERE " +
           std::string(where) + " ORDER BY g.id";
}

GraveStatus read_row(const store::Statement& st) {
    GraveStatus s;
    s.id = st.int64(0);
    s.grave_number = std::string(st.text(1));
    s.status = std::string(st.text(2));
    s.overridden = st.int64(3) != 0;
    s.unavailable_reason = st.optional_text(4);
    s.coffins_used = static_cast<int>(st.int64(5));
    s.cremated_remains_used = static_cast<int>(st.int64(6));
    s.max_coffins = static_cast<int>(st.int64(7));
    s.max_cremated_remains = static_cast<int>(st.int64(8));
    return s;
}

} // namespace

void graves_status_in_box(store::Database& db,
                          const geo::BBox& box,
                          const core::Date& on,
                          const std::function<void(const GraveStatus&)>& row) {
    static const std::string sql =
        select_lean_sql("g.id IN (SELECT pkid FROM idx_grave_spaces_geom WHERE xmax >= ?2 AND "
                        "xmin <= ?3 AND ymax >= ?4 AND ymin <= ?5)");
    auto st = db.prepare_cached(sql);
    st.bind(1, on.iso()).bind(2, box.min_x).bind(3, box.max_x).bind(4, box.min_y);
    st.bind(5, box.max_y);
    while (st.step()) {
        row(read_row(st));
    }
}

std::optional<GraveStatus>
grave_status(store::Database& db, std::int64_t grave_id, const core::Date& on) {
    static const std::string sql = select_sql("g.id = ?2");
    auto st = db.prepare_cached(sql);
    st.bind(1, on.iso()).bind(2, grave_id);
    if (!st.step()) {
        return std::nullopt;
    }
    return read_row(st);
}

} // namespace wardmap::services
