#include "server/services/streetscene/crew_service.hpp"

#include "core/working_days.hpp"

#include "server/services/shared/errors.hpp"
#include "server/services/streetscene/recurrence.hpp"

#include <algorithm>
#include <iterator>
#include <map>

namespace wardmap::services {

namespace {

using nlohmann::ordered_json;

/// The crew that works a visit: a supervisor's assignment, else the round's crew from a date,
/// else the round's team (a crew code). `v` is schedule_visits, `r` its round and `a` its
/// assignment (LEFT JOIN).
constexpr const char* crew_of_visit =
    "coalesce(a.crew_code, (SELECT rc.crew_code FROM schedule_round_crews rc WHERE rc.round_id "
    "= v.round_id AND rc.from_date <= v.planned_date ORDER BY rc.from_date DESC LIMIT 1), "
    "r.team, '')";

/// Which visits of [?1, ?2] a day reads before `filter` keeps its own: every visit (the
/// supervisors' progress), or those that can be some crews' or a person's.
struct VisitScope {
    /// A subquery giving the crew codes asked for (over ?3); empty for every visit.
    std::string crews;
    /// Also the visits assigned to the person ?3.
    bool person = false;
};

/// The ids of the visits of [?1, ?2] that may belong to `scope`: a superset of those the
/// exact crew (crew_of_visit) keeps, found through indexes: the visits of the rounds whose
/// team is, or was handed to, one of the crews (schedule_visits_round_date), those assigned to
/// one of the crews (schedule_visit_assignments_crew) and, with `person`, those assigned to
/// the person (schedule_visit_assignments_person). Without it a day worked out every crew's
/// visits of the date, with their labels and points, before it kept one crew's (bench/README.md,
/// "Crews").
std::string candidates_sql(const VisitScope& scope) {
    std::string sql =
        "cand(id) AS (SELECT cv.id FROM schedule_visits cv WHERE cv.round_id IN (SELECT cr.id "
        "FROM schedule_rounds cr WHERE cr.team IN (" +
        scope.crews +
        ") UNION SELECT rc.round_id FROM schedule_round_crews rc WHERE rc.crew_code IN (" +
        scope.crews +
        ")) AND cv.planned_date BETWEEN ?1 AND ?2 UNION SELECT ca.visit_id FROM "
        "schedule_visit_assignments ca WHERE ca.crew_code IN (" +
        scope.crews + ")";
    if (scope.person) {
        sql +=
            " UNION SELECT cp.visit_id FROM schedule_visit_assignments cp WHERE cp.person_id = ?3";
    }
    return sql + "), ";
}

/// Every visit in [?1, ?2] of `scope` that passes `filter` (over the CTE `d`: id, crew,
/// person_id, ...), with what a crew needs, in work order. The point is computed once in the
/// inner query.
std::string visits_sql(const std::string& filter, const VisitScope& scope = {}) {
    const bool all = scope.crews.empty();
    // The job of a visit's stop (0018) comes last: its id, request, category, due date and
    // point (the request's). The point: a property's is its own lon/lat (no geometry made and read
    // back); a street's or an asset's a geometry, made once per row in `q` (kept from being
    // flattened into this query by its LIMIT, which would evaluate the expression once per use).
    return std::string("SELECT q.*, coalesce(X(q.pt), q.p_lon), coalesce(Y(q.pt), q.p_lat), "
                       "j.id, j.request_id, j.category, "
                       "j.due_date, j.lon, j.lat FROM (WITH ") +
           (all ? std::string() : candidates_sql(scope)) +
           "d AS (SELECT v.id, v.round_id, v.stop_id, v.planned_date, v.rolled_from, "
           "a.person_id, " +
           crew_of_visit + " AS crew FROM " +
           (all ? "schedule_visits v" : "cand CROSS JOIN schedule_visits v ON v.id = cand.id") +
           " JOIN schedule_rounds r ON r.id = v.round_id "
           "LEFT JOIN schedule_visit_assignments a ON a.visit_id = v.id "
           "WHERE v.planned_date BETWEEN ?1 AND ?2) "
           "SELECT d.id AS visit_id, d.crew AS crew, r.code AS round_code, r.name AS round_name, "
           "r.activity AS activity, act.name AS activity_name, s.seq AS seq, s.usrn AS s_usrn, "
           "s.uprn AS s_uprn, s.asset_id AS s_asset, d.planned_date AS planned_date, "
           "d.rolled_from AS rolled_from, d.person_id AS person_id, p.name AS person_name, "
           "c.id AS c_id, c.outcome AS c_outcome, c.reason AS c_reason, c.at AS c_at, "
           "c.actor AS c_actor, "
           "CASE WHEN s.usrn IS NOT NULL THEN st.descriptor || coalesce(', ' || st.town, '') "
           "WHEN s.uprn IS NOT NULL THEN ad.single_line "
           "ELSE (SELECT t.title FROM street_asset_types t WHERE t.code = sa.asset_type) || ' ' "
           "|| sa.reference END AS label, "
           "CASE WHEN s.usrn IS NOT NULL THEN s.usrn WHEN s.uprn IS NOT NULL THEN ad.usrn ELSE "
           "sa.usrn END AS usrn, "
           "CASE WHEN s.uprn IS NOT NULL THEN s.uprn ELSE sa.uprn END AS uprn, "
           "sa.reference AS asset_reference, "
           "CASE WHEN s.usrn IS NOT NULL THEN coalesce(Line_Interpolate_Point(st.geom_wgs84, "
           "0.5), PointOnSurface(st.geom_wgs84)) WHEN s.uprn IS NOT NULL THEN "
           "NULL WHEN GeometryType(sa.geom_wgs84) = 'POINT' THEN "
           "sa.geom_wgs84 ELSE PointOnSurface(sa.geom_wgs84) END AS pt, pr.lon AS p_lon, pr.lat "
           "AS p_lat "
           "FROM d JOIN schedule_rounds r ON r.id = d.round_id "
           "JOIN schedule_round_stops s ON s.id = d.stop_id "
           "JOIN schedule_activities act ON act.code = r.activity "
           "LEFT JOIN streets st ON st.usrn = s.usrn "
           "LEFT JOIN properties pr ON pr.uprn = s.uprn "
           // The property's main address: one lookup for its label and its street.
           "LEFT JOIN addresses ad ON ad.id = (SELECT a2.id FROM addresses a2 WHERE a2.uprn = "
           "s.uprn ORDER BY a2.logical_status, a2.id LIMIT 1) "
           "LEFT JOIN street_assets sa ON sa.id = s.asset_id "
           "LEFT JOIN people p ON p.id = d.person_id "
           "LEFT JOIN schedule_visit_completions c ON c.id = (SELECT c2.id FROM "
           "schedule_visit_completions c2 WHERE c2.visit_id = d.id ORDER BY c2.at DESC, c2.id "
           "DESC LIMIT 1) WHERE " +
           filter +
           " LIMIT -1) q LEFT JOIN schedule_visits jv ON jv.id = q.visit_id LEFT JOIN "
           "streetscene_jobs j "
           "ON j.stop_id = jv.stop_id ORDER BY q.planned_date, q.round_code, q.seq, q.visit_id";
}

std::optional<std::int64_t> opt_int(const store::Statement& q, int col) {
    if (q.is_null(col)) {
        return std::nullopt;
    }
    return q.int64(col);
}

std::optional<double> opt_real(const store::Statement& q, int col) {
    if (q.is_null(col)) {
        return std::nullopt;
    }
    return q.real(col);
}

void tally(VisitCounts3& counts, const std::string& status) {
    if (status == "done") {
        ++counts.done;
    } else if (status == "not_done") {
        ++counts.not_done;
    } else {
        ++counts.planned;
    }
}

std::vector<DayVisit> read_visits(store::Statement& q) {
    std::vector<DayVisit> out;
    while (q.step()) {
        DayVisit v;
        v.visit_id = q.int64(0);
        v.crew = std::string(q.text(1));
        v.round_code = std::string(q.text(2));
        v.round_name = std::string(q.text(3));
        v.activity = std::string(q.text(4));
        v.activity_name = std::string(q.text(5));
        v.seq = q.int64(6);
        v.stop_kind = !q.is_null(7) ? "street" : (!q.is_null(8) ? "property" : "asset");
        v.planned_date = std::string(q.text(10));
        v.rolled_from = opt_int(q, 11);
        v.assigned_person_id = opt_int(q, 12);
        v.assigned_person_name = q.optional_text(13);
        if (!q.is_null(14)) {
            Completion c;
            c.id = q.int64(14);
            c.visit_id = v.visit_id;
            c.outcome = std::string(q.text(15));
            c.reason = q.optional_text(16);
            c.at = std::string(q.text(17));
            c.by = std::string(q.text(18));
            v.status = c.outcome;
            v.completion = std::move(c);
        } else {
            v.status = "planned";
        }
        v.label = q.optional_text(19).value_or("");
        v.usrn = opt_int(q, 20);
        v.uprn = opt_int(q, 21);
        v.asset_reference = q.optional_text(22);
        // 23 is a street's or asset's point, 24 and 25 a property's lon/lat; 26 and 27 the
        // point's coordinates.
        v.lon = opt_real(q, 26);
        v.lat = opt_real(q, 27);
        if (!q.is_null(28)) {
            v.job = DayVisit::Job{q.int64(28), q.int64(29), std::string(q.text(30)),
                                  std::string(q.text(31))};
            v.lon = q.real(32);
            v.lat = q.real(33);
        }
        out.push_back(std::move(v));
    }
    return out;
}

Day day_of(store::Database& db,
           const core::Date& date,
           const std::string& filter,
           const VisitScope& scope,
           const std::function<void(store::Statement&)>& bind_filter) {
    auto q = db.prepare_cached(visits_sql(filter, scope));
    q.bind(1, date.iso()).bind(2, date.iso());
    bind_filter(q);
    Day day;
    day.date = date;
    day.visits = read_visits(q);
    for (const auto& v : day.visits) {
        tally(day.counts, v.status);
    }
    return day;
}

std::optional<CrewInfo> load_crew(store::Database& db, const std::string& code) {
    auto q = db.prepare_cached("SELECT code, name, depot, vehicle FROM crews WHERE code = ?");
    q.bind(1, code);
    if (!q.step()) {
        return std::nullopt;
    }
    return CrewInfo{std::string(q.text(0)), std::string(q.text(1)), q.optional_text(2),
                    q.optional_text(3)};
}

/// Supervisors (and admins) see every crew, and so does a staff key (a depot's system).
bool sees_every_crew(const Principal& who) {
    if (who.kind == Principal::Kind::api_key) {
        return who.key_role == "staff";
    }
    return allows(who, Permission::crew_supervise);
}

bool is_member(store::Database& db, const std::string& crew, std::int64_t person_id) {
    auto q = db.prepare_cached("SELECT 1 FROM crew_members WHERE crew_code = ? AND person_id = ?");
    q.bind(1, crew).bind(2, person_id);
    return q.step();
}

CrewInfo crew_for(store::Database& db, const Principal& who, const std::string& code) {
    auto crew = load_crew(db, code);
    if (!crew) {
        throw DomainError(ErrorCode::not_found,
                          "no crew has the code '" + code.substr(0, 64) + "'");
    }
    if (!sees_every_crew(who) && !(who.signed_in() && is_member(db, code, who.id))) {
        throw DomainError(ErrorCode::forbidden, "crew '" + crew->code +
                                                    "' is not yours: its members, streetscene "
                                                    "supervisors and admins see its day");
    }
    return *crew;
}

struct VisitRow {
    std::int64_t id = 0;
    std::int64_t round_id = 0;
    std::int64_t stop_id = 0;
    std::string rule_date;
    std::string planned_date;
    std::int64_t generation = 0;
    std::string crew;
    std::optional<std::string> assigned_crew;
    std::optional<std::int64_t> assigned_person;
};

std::optional<VisitRow> load_visit(store::Database& db, std::int64_t visit_id) {
    auto q = db.prepare_cached(
        std::string("SELECT v.id, v.round_id, v.stop_id, v.rule_date, v.planned_date, "
                    "v.generation, ") +
        crew_of_visit +
        ", a.crew_code, a.person_id FROM schedule_visits v JOIN schedule_rounds r ON r.id = "
        "v.round_id LEFT JOIN schedule_visit_assignments a ON a.visit_id = v.id WHERE v.id = ?");
    q.bind(1, visit_id);
    if (!q.step()) {
        return std::nullopt;
    }
    return VisitRow{q.int64(0),
                    q.int64(1),
                    q.int64(2),
                    std::string(q.text(3)),
                    std::string(q.text(4)),
                    q.int64(5),
                    std::string(q.text(6)),
                    q.optional_text(7),
                    opt_int(q, 8)};
}

VisitRow visit_or_404(store::Database& db, std::int64_t visit_id) {
    auto v = load_visit(db, visit_id);
    if (!v) {
        throw DomainError(ErrorCode::not_found, "no visit has id " + std::to_string(visit_id));
    }
    return *v;
}

void check_visit_access(store::Database& db, const Principal& who, const VisitRow& visit) {
    if (sees_every_crew(who)) {
        return;
    }
    if (who.signed_in() && ((visit.assigned_person && *visit.assigned_person == who.id) ||
                            is_member(db, visit.crew, who.id))) {
        return;
    }
    throw DomainError(ErrorCode::forbidden,
                      "visit " + std::to_string(visit.id) +
                          " is not one of your crews' visits: its crew's members, streetscene "
                          "supervisors and admins record it");
}

std::optional<Completion> load_completion(store::Database& db, const char* where, auto key) {
    auto q = db.prepare_cached(
        std::string("SELECT id, visit_id, client_id, person_id, actor, outcome, reason, at, "
                    "recorded_at, lon, lat, accuracy_m, quantities, notes FROM "
                    "schedule_visit_completions WHERE ") +
        where);
    q.bind(1, key);
    if (!q.step()) {
        return std::nullopt;
    }
    Completion c;
    c.id = q.int64(0);
    c.visit_id = q.int64(1);
    c.client_id = std::string(q.text(2));
    c.person_id = opt_int(q, 3);
    c.by = std::string(q.text(4));
    c.outcome = std::string(q.text(5));
    c.reason = q.optional_text(6);
    c.at = std::string(q.text(7));
    c.recorded_at = std::string(q.text(8));
    c.lon = opt_real(q, 9);
    c.lat = opt_real(q, 10);
    c.accuracy_m = opt_real(q, 11);
    c.quantities = q.optional_text(12);
    c.notes = q.optional_text(13);
    q.reset();
    auto p = db.prepare_cached("SELECT photo_id, role FROM schedule_visit_completion_photos "
                               "WHERE completion_id = ? ORDER BY position");
    p.bind(1, c.id);
    while (p.step()) {
        c.photos.emplace_back(std::string(p.text(0)), std::string(p.text(1)));
    }
    if (c.outcome == "not_done") {
        auto r = db.prepare_cached("SELECT id FROM schedule_visits WHERE rolled_from = ?");
        r.bind(1, c.visit_id);
        if (r.step()) {
            c.rolled_to = r.int64(0);
        }
    }
    return c;
}

void append_change(store::Database& db,
                   std::int64_t round_id,
                   const std::string& actor,
                   const char* change,
                   const ordered_json& detail,
                   core::UnixSeconds now) {
    auto q = db.prepare_cached("INSERT INTO schedule_changes (at, round_id, actor, change, detail) "
                               "VALUES (?, ?, ?, ?, ?)");
    q.bind(1, core::format_utc(now))
        .bind(2, round_id)
        .bind(3, actor)
        .bind(4, change)
        .bind(5, detail.dump());
    q.run();
}

std::string actor_of(const Principal& who) {
    if (who.kind == Principal::Kind::api_key) {
        return "api key: " + who.name;
    }
    return who.name;
}

/// A duplicate is answered only on its own visit, and only to a caller who may see it.
CompletionResult
duplicate_of(store::Database& db, const Principal& who, std::int64_t visit_id, Completion first) {
    if (first.visit_id != visit_id) {
        throw DomainError(ErrorCode::conflict,
                          "client_id was recorded for another visit; a device gives each record "
                          "its own id",
                          {{"client_id", "was used for another visit"}});
    }
    check_visit_access(db, who, visit_or_404(db, visit_id));
    return {std::move(first), true};
}

ordered_json assignment_json(const std::string& crew, const std::optional<std::int64_t>& person) {
    return {{"crew", crew.empty() ? ordered_json(nullptr) : ordered_json(crew)},
            {"person_id", person ? ordered_json(*person) : ordered_json(nullptr)}};
}

} // namespace

std::pair<CrewInfo, Day>
CrewService::crew_day(const Principal& who, const std::string& crew, const core::Date& date) const {
    auto db = m_pool.acquire();
    auto info = crew_for(*db, who, crew);
    auto day = day_of(*db, date, "d.crew = ?3", VisitScope{"?3", false},
                      [&crew](store::Statement& q) { q.bind(3, crew); });
    return {std::move(info), std::move(day)};
}

Day CrewService::person_day(std::int64_t person_id, const core::Date& date) const {
    auto db = m_pool.acquire();
    return day_of(*db, date,
                  "(d.crew IN (SELECT crew_code FROM crew_members WHERE person_id = ?3) OR "
                  "d.person_id = ?3)",
                  VisitScope{"SELECT crew_code FROM crew_members WHERE person_id = ?3", true},
                  [person_id](store::Statement& q) { q.bind(3, person_id); });
}

CompletionResult CrewService::record_completion(const Principal& who,
                                                std::int64_t visit_id,
                                                const nlohmann::json& body) {
    const std::string client_id = completion_client_id(body);
    auto db = m_pool.acquire();
    // A resent record answers its first, whatever the body says now.
    if (auto first = load_completion(*db, "client_id = ?", client_id)) {
        return duplicate_of(*db, who, visit_id, std::move(*first));
    }
    const auto in = parse_completion(body, m_clock());
    store::Transaction tx(*db);
    auto result = record_completion_in(*db, who, visit_id, in, m_clock());
    if (!result.duplicate && m_completion_hook) {
        m_completion_hook(*db, who, result.completion);
    }
    tx.commit();
    return result;
}

CompletionResult CrewService::record_completion_in(store::Database& db,
                                                   const Principal& who,
                                                   std::int64_t visit_id,
                                                   const CompletionInput& in,
                                                   core::UnixSeconds now) {
    // Again inside the write transaction: two sends of one record may race.
    if (auto first = load_completion(db, "client_id = ?", in.client_id)) {
        return duplicate_of(db, who, visit_id, std::move(*first));
    }
    const VisitRow visit = visit_or_404(db, visit_id);
    check_visit_access(db, who, visit);
    for (std::size_t i = 0; i < in.photos.size(); ++i) {
        const std::string field = "photo_ids[" + std::to_string(i) + "]";
        auto q = db.prepare_cached(
            "SELECT request_id IS NULL, EXISTS (SELECT 1 FROM schedule_visit_completion_photos "
            "cp WHERE cp.photo_id = p.id) FROM photos p WHERE p.id = ?");
        q.bind(1, in.photos[i].first);
        if (!q.step()) {
            invalid_parameter(field, "no photo has this id (upload it first with POST "
                                     "/api/photos; unattached photos are kept for a day)");
        }
        if (q.int64(0) == 0 || q.int64(1) != 0) {
            invalid_parameter(field, "is attached to a report or another completion already");
        }
    }
    {
        auto q = db.prepare_cached(
            "INSERT INTO schedule_visit_completions (visit_id, client_id, person_id, api_key_id, "
            "actor, outcome, reason, at, recorded_at, lon, lat, accuracy_m, quantities, notes) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
        q.bind(1, visit_id).bind(2, in.client_id);
        if (who.kind == Principal::Kind::person) {
            q.bind(3, who.id).bind_null(4);
        } else {
            q.bind_null(3).bind(4, who.id);
        }
        q.bind(5, actor_of(who)).bind(6, in.outcome).bind(7, in.reason);
        q.bind(8, core::format_utc(in.at)).bind(9, core::format_utc(now));
        const auto bind_real = [&q](int at, const std::optional<double>& v) {
            if (v) {
                q.bind(at, *v);
            } else {
                q.bind_null(at);
            }
        };
        bind_real(10, in.lon);
        bind_real(11, in.lat);
        bind_real(12, in.accuracy_m);
        q.bind(13, in.quantities).bind(14, in.notes);
        q.run();
    }
    const std::int64_t completion_id = db.last_insert_rowid();
    for (std::size_t i = 0; i < in.photos.size(); ++i) {
        auto q = db.prepare_cached("INSERT INTO schedule_visit_completion_photos (completion_id, "
                                   "photo_id, role, position) VALUES (?, ?, ?, ?)");
        q.bind(1, completion_id)
            .bind(2, in.photos[i].first)
            .bind(3, in.photos[i].second)
            .bind(4, static_cast<std::int64_t>(i));
        q.run();
    }
    if (in.outcome == "not_done" && in.reason != "not_needed") {
        // Rolled to the next working day after the visit's date, or after today when it is
        // recorded late; one roll per visit (schedule_visits_rolled).
        core::Date base = *core::parse_iso_date(visit.planned_date);
        const core::Date today = london_date(now);
        if (date_less(base, today)) {
            base = today;
        }
        const core::Date next = core::add_working_days(base, 1);
        auto q = db.prepare_cached(
            "INSERT INTO schedule_visits (round_id, stop_id, rule_date, planned_date, generation, "
            "rolled_from) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
        q.bind(1, visit.round_id)
            .bind(2, visit.stop_id)
            .bind(3, visit.rule_date)
            .bind(4, next.iso())
            .bind(5, visit.generation)
            .bind(6, visit.id);
        q.run();
        if (db.changes() > 0) {
            const std::int64_t rolled = db.last_insert_rowid();
            if (visit.assigned_crew || visit.assigned_person) {
                // The roll stays with whoever the visit was given to.
                auto a = db.prepare_cached(
                    "INSERT INTO schedule_visit_assignments (visit_id, crew_code, person_id, "
                    "assigned_at, assigned_by) SELECT ?, crew_code, person_id, ?, ? FROM "
                    "schedule_visit_assignments WHERE visit_id = ?");
                a.bind(1, rolled).bind(2, core::format_utc(now)).bind(3, actor_of(who));
                a.bind(4, visit.id);
                a.run();
            }
            append_change(db, visit.round_id, actor_of(who), "rolled",
                          {{"visit_id", visit.id},
                           {"rolled_to", rolled},
                           {"planned_date", visit.planned_date},
                           {"to_date", next.iso()},
                           {"reason", *in.reason},
                           {"completion_id", completion_id}},
                          now);
        }
    }
    auto stored = load_completion(db, "id = ?", completion_id);
    return {std::move(*stored), false};
}

Assignment CrewService::assign_visit(const Principal& who,
                                     std::int64_t visit_id,
                                     const std::optional<std::string>& crew,
                                     const std::optional<std::int64_t>& person_id) {
    if (!crew && !person_id) {
        invalid_parameter("crew", "give crew (a crew's code) or person_id (a streetscene "
                                  "officer's id)");
    }
    auto db = m_pool.acquire();
    const core::UnixSeconds now = m_clock();
    store::Transaction tx(*db);
    const VisitRow visit = visit_or_404(*db, visit_id);
    if (crew && !load_crew(*db, *crew)) {
        invalid_parameter("crew", "no crew has the code '" + crew->substr(0, 64) + "'");
    }
    std::optional<std::string> person_name;
    if (person_id) {
        auto q = db->prepare_cached(
            "SELECT p.name FROM people p WHERE p.id = ? AND p.status = 'active' AND EXISTS "
            "(SELECT 1 FROM person_roles pr WHERE pr.person_id = p.id AND pr.team = "
            "'streetscene')");
        q.bind(1, *person_id);
        if (!q.step()) {
            invalid_parameter("person_id", "is not an active streetscene officer or supervisor");
        }
        person_name = std::string(q.text(0));
    }
    // A crew given alone takes the visit from any one person; a person given alone keeps the
    // visit's crew.
    const std::optional<std::string> new_crew = crew ? crew : visit.assigned_crew;
    const std::optional<std::int64_t> new_person =
        person_id ? person_id : (crew ? std::nullopt : visit.assigned_person);
    {
        auto q = db->prepare_cached(
            "INSERT INTO schedule_visit_assignments (visit_id, crew_code, person_id, "
            "assigned_at, assigned_by) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (visit_id) DO "
            "UPDATE SET crew_code = excluded.crew_code, person_id = excluded.person_id, "
            "assigned_at = excluded.assigned_at, assigned_by = excluded.assigned_by");
        q.bind(1, visit_id)
            .bind(2, new_crew)
            .bind(3, new_person)
            .bind(4, core::format_utc(now))
            .bind(5, actor_of(who));
        q.run();
    }
    const VisitRow after = visit_or_404(*db, visit_id);
    append_change(*db, visit.round_id, actor_of(who), "assigned",
                  {{"visit_id", visit_id},
                   {"planned_date", visit.planned_date},
                   {"before", assignment_json(visit.crew, visit.assigned_person)},
                   {"after", assignment_json(after.crew, new_person)}},
                  now);
    tx.commit();
    if (new_person && !person_name) {
        auto q = db->prepare_cached("SELECT name FROM people WHERE id = ?");
        q.bind(1, *new_person);
        if (q.step()) {
            person_name = std::string(q.text(0));
        }
    }
    return {visit_id, after.crew.empty() ? std::nullopt : std::optional(after.crew), new_person,
            person_name};
}

void CrewService::set_round_crew(const Principal& who,
                                 const std::string& round_code,
                                 const std::string& crew,
                                 const core::Date& from) {
    auto db = m_pool.acquire();
    const core::UnixSeconds now = m_clock();
    store::Transaction tx(*db);
    std::int64_t round_id = 0;
    std::string before;
    {
        auto q = db->prepare_cached(
            "SELECT r.id, coalesce((SELECT rc.crew_code FROM schedule_round_crews rc WHERE "
            "rc.round_id = r.id AND rc.from_date <= ?2 ORDER BY rc.from_date DESC LIMIT 1), "
            "r.team, '') FROM schedule_rounds r WHERE r.code = ?1");
        q.bind(1, round_code).bind(2, from.iso());
        if (!q.step()) {
            throw DomainError(ErrorCode::not_found,
                              "no round has the code '" + round_code.substr(0, 64) + "'");
        }
        round_id = q.int64(0);
        before = std::string(q.text(1));
    }
    if (!load_crew(*db, crew)) {
        invalid_parameter("crew", "no crew has the code '" + crew.substr(0, 64) + "'");
    }
    {
        auto q = db->prepare_cached(
            "INSERT INTO schedule_round_crews (round_id, from_date, crew_code, set_at, set_by) "
            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (round_id, from_date) DO UPDATE SET "
            "crew_code = excluded.crew_code, set_at = excluded.set_at, set_by = excluded.set_by");
        q.bind(1, round_id)
            .bind(2, from.iso())
            .bind(3, crew)
            .bind(4, core::format_utc(now))
            .bind(5, actor_of(who));
        q.run();
    }
    append_change(*db, round_id, actor_of(who), "reassigned",
                  {{"from", from.iso()},
                   {"before", before.empty() ? ordered_json(nullptr) : ordered_json(before)},
                   {"after", crew}},
                  now);
    tx.commit();
}

std::vector<CrewWithMembers> CrewService::crews() const {
    auto db = m_pool.acquire();
    std::vector<CrewWithMembers> out;
    {
        auto q = db->prepare_cached("SELECT code, name, depot, vehicle FROM crews ORDER BY code");
        while (q.step()) {
            out.push_back({CrewInfo{std::string(q.text(0)), std::string(q.text(1)),
                                    q.optional_text(2), q.optional_text(3)},
                           {}});
        }
    }
    // The people assign_visit accepts: active, with a streetscene role.
    auto q = db->prepare_cached(
        "SELECT m.crew_code, p.id, p.name FROM crew_members m JOIN people p ON p.id = "
        "m.person_id WHERE p.status = 'active' AND EXISTS (SELECT 1 FROM person_roles pr WHERE "
        "pr.person_id = p.id AND pr.team = 'streetscene') ORDER BY m.crew_code, p.name, p.id");
    while (q.step()) {
        const std::string code(q.text(0));
        auto it = std::find_if(out.begin(), out.end(),
                               [&code](const CrewWithMembers& c) { return c.crew.code == code; });
        if (it != out.end()) {
            it->members.push_back({q.int64(1), std::string(q.text(2))});
        }
    }
    return out;
}

Progress CrewService::progress(const core::Date& date) const {
    auto db = m_pool.acquire();
    Progress out;
    out.date = date;
    out.day = day_of(*db, date, "1", VisitScope{}, [](store::Statement&) {});
    std::map<std::string, CrewProgress> by_code;
    {
        auto q = db->prepare_cached("SELECT code, name, depot, vehicle FROM crews ORDER BY code");
        while (q.step()) {
            by_code[std::string(q.text(0))].crew =
                CrewInfo{std::string(q.text(0)), std::string(q.text(1)), q.optional_text(2),
                         q.optional_text(3)};
        }
    }
    for (const auto& v : out.day.visits) {
        auto& p = by_code[v.crew];
        p.crew.code = v.crew;
        tally(p.counts, v.status);
    }
    for (auto& [code, p] : by_code) {
        out.crews.push_back(std::move(p));
    }
    return out;
}

std::pair<CrewInfo, std::vector<WeekDay>>
CrewService::week(const Principal& who, const std::string& crew, const core::Date& from) const {
    auto db = m_pool.acquire();
    auto info = crew_for(*db, who, crew);
    const core::Date to = core::date_from_days(core::days_since_epoch(from) + 6);
    auto q = db->prepare_cached(visits_sql("d.crew = ?3", VisitScope{"?3", false}));
    q.bind(1, from.iso()).bind(2, to.iso()).bind(3, crew);
    const auto visits = read_visits(q);
    std::vector<WeekDay> days;
    for (int i = 0; i < 7; ++i) {
        days.push_back({core::date_from_days(core::days_since_epoch(from) + i), {}, {}});
    }
    for (const auto& v : visits) {
        const auto d = *core::parse_iso_date(v.planned_date);
        auto& day = days[static_cast<std::size_t>(core::days_since_epoch(d) -
                                                  core::days_since_epoch(from))];
        tally(day.counts, v.status);
        auto it = std::find_if(day.rounds.begin(), day.rounds.end(),
                               [&v](const WeekRound& r) { return r.round_code == v.round_code; });
        if (it == day.rounds.end()) {
            day.rounds.push_back({v.round_code, v.round_name, v.activity, {}});
            it = std::prev(day.rounds.end());
        }
        tally(it->counts, v.status);
    }
    return {std::move(info), std::move(days)};
}

void CrewService::save_crew(store::Database& db,
                            const CrewInfo& crew,
                            const std::vector<std::int64_t>& members) {
    auto q = db.prepare_cached(
        "INSERT INTO crews (code, name, depot, vehicle) VALUES (?, ?, ?, ?) ON CONFLICT (code) "
        "DO UPDATE SET name = excluded.name, depot = excluded.depot, vehicle = excluded.vehicle");
    q.bind(1, crew.code).bind(2, crew.name).bind(3, crew.depot).bind(4, crew.vehicle);
    q.run();
    auto del = db.prepare_cached("DELETE FROM crew_members WHERE crew_code = ?");
    del.bind(1, crew.code);
    del.run();
    auto add = db.prepare_cached(
        "INSERT OR IGNORE INTO crew_members (crew_code, person_id) VALUES (?, ?)");
    for (const auto id : members) {
        add.bind(1, crew.code).bind(2, id);
        add.run();
    }
}

} // namespace wardmap::services
