#include "server/services/streetscene/one_off_work.hpp"

#include "core/w3c_time.hpp"

#include "server/services/shared/errors.hpp"

namespace wardmap::services {

std::int64_t put_one_off_visit(store::Database& db, const OneOffWork& work) {
    {
        auto q = db.prepare_cached("SELECT 1 FROM crews WHERE code = ?1");
        q.bind(1, work.crew);
        if (!q.step()) {
            invalid_parameter("crew", "'" + work.crew.substr(0, 40) + "' is not a crew");
        }
    }
    const std::string round_code = "JOB-" + work.crew + "-" + work.activity;
    const std::string day = work.day.iso();
    const std::string now = core::format_utc(core::now_seconds());
    {
        auto q = db.prepare_cached(
            "INSERT INTO schedule_rounds (code, name, activity, team, rule_kind, rrule, "
            "first_date, one_off, created_at, updated_at) SELECT ?1, 'Jobs: ' || name, code, ?2, "
            "'rrule', 'FREQ=DAILY;COUNT=1', ?3, 1, ?4, ?4 FROM schedule_activities WHERE code = "
            "?5 ON CONFLICT (code) DO NOTHING");
        q.bind(1, round_code).bind(2, work.crew).bind(3, day).bind(4, now).bind(5, work.activity);
        q.run();
    }
    auto r = db.prepare_cached("SELECT id, one_off FROM schedule_rounds WHERE code = ?1");
    r.bind(1, round_code);
    if (!r.step()) {
        invalid_parameter("activity", "'" + work.activity + "' is not a schedule activity");
    }
    const std::int64_t round_id = r.int64(0);
    if (r.int64(1) == 0) {
        throw DomainError(ErrorCode::conflict,
                          "round " + round_code + " exists and is not a round of one-off work");
    }
    auto stop = db.prepare_cached(
        "INSERT INTO schedule_round_stops (round_id, seq, usrn) VALUES (?1, (SELECT "
        "coalesce(max(seq), 0) + 1 FROM schedule_round_stops WHERE round_id = ?1), ?2)");
    stop.bind(1, round_id).bind(2, work.usrn).run();
    const std::int64_t stop_id = db.last_insert_rowid();
    auto visit = db.prepare_cached(
        "INSERT INTO schedule_visits (round_id, stop_id, rule_date, planned_date, generation) "
        "VALUES (?1, ?2, ?3, ?3, 1)");
    visit.bind(1, round_id).bind(2, stop_id).bind(3, day).run();
    return db.last_insert_rowid();
}

std::optional<std::string> grounds_crew(store::Database& db, const core::Date& day) {
    auto q = db.prepare_cached(
        "SELECT crew FROM (SELECT coalesce((SELECT rc.crew_code FROM schedule_round_crews rc "
        "WHERE rc.round_id = r.id AND rc.from_date <= ?1 ORDER BY rc.from_date DESC LIMIT 1), "
        "r.team) AS crew FROM schedule_rounds r JOIN schedule_activities a ON a.code = "
        "r.activity AND a.kind = 'grounds') WHERE crew IN (SELECT code FROM crews) GROUP BY "
        "crew ORDER BY count(*) DESC, crew LIMIT 1");
    q.bind(1, day.iso());
    if (!q.step()) {
        return std::nullopt;
    }
    return std::string(q.text(0));
}

std::optional<std::int64_t>
nearest_street(store::Database& db, double easting, double northing, double within_m) {
    auto q = db.prepare_cached(
        "SELECT s.usrn FROM streets s WHERE s.ROWID IN (SELECT ROWID FROM SpatialIndex WHERE "
        "f_table_name = 'streets' AND f_geometry_column = 'geom' AND search_frame = "
        "BuildMbr(?1 - ?3, ?2 - ?3, ?1 + ?3, ?2 + ?3, 27700)) AND ST_Distance(s.geom, "
        "MakePoint(?1, ?2, 27700)) <= ?3 ORDER BY ST_Distance(s.geom, MakePoint(?1, ?2, 27700)) "
        "LIMIT 1");
    q.bind(1, easting).bind(2, northing).bind(3, within_m);
    if (!q.step()) {
        return std::nullopt;
    }
    return q.int64(0);
}

} // namespace wardmap::services
