#include "server/services/streetscene/round_admin.hpp"

#include "server/services/shared/errors.hpp"

#include <set>

namespace wardmap::services {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

core::Date horizon_end(const core::Date& from) {
    return add_days(from, default_horizon_days - 1);
}

std::int64_t round_id(store::Database& db, const std::string& code) {
    auto q = db.prepare_cached("SELECT id FROM schedule_rounds WHERE code = ?");
    q.bind(1, code);
    if (!q.step()) {
        throw DomainError(ErrorCode::not_found, "no round has code '" + code.substr(0, 64) + "'");
    }
    return q.int64(0);
}

/// The body's stops as the service stores them: asset references resolved to ids.
std::vector<StopTarget> resolve_stops(store::Database& db, const std::vector<StopInput>& stops) {
    std::vector<StopTarget> out;
    out.reserve(stops.size());
    auto by_reference = db.prepare_cached(
        "SELECT id, asset_type FROM street_assets WHERE reference = ?1 AND (?2 IS NULL OR "
        "asset_type = ?2) ORDER BY id LIMIT 2");
    for (std::size_t i = 0; i < stops.size(); ++i) {
        const auto& s = stops[i];
        if (s.asset_reference.empty()) {
            out.push_back({s.kind, s.id});
            continue;
        }
        by_reference.bind(1, s.asset_reference).bind(2, s.asset_type);
        std::vector<std::pair<std::int64_t, std::string>> found;
        while (by_reference.step()) {
            found.emplace_back(by_reference.int64(0), std::string(by_reference.text(1)));
        }
        by_reference.reset();
        const std::string field = "stops[" + std::to_string(i) + "].asset_reference";
        if (found.empty()) {
            invalid_parameter(field, "no asset" +
                                         (s.asset_type ? " of type " + *s.asset_type : "") +
                                         " has reference '" + s.asset_reference + "'");
        }
        if (found.size() > 1) {
            invalid_parameter(field, "'" + s.asset_reference + "' is the reference of a " +
                                         found[0].second + " and a " + found[1].second +
                                         ": give asset_type");
        }
        out.push_back({StopTarget::Kind::asset, found[0].first});
    }
    return out;
}

ordered_json nullable_text(const store::Statement& q, int col) {
    const auto v = q.optional_text(col);
    return v ? ordered_json(*v) : ordered_json(nullptr);
}

ordered_json nullable_int(const store::Statement& q, int col) {
    return q.is_null(col) ? ordered_json(nullptr) : ordered_json(q.int64(col));
}

ordered_json nullable_real(const store::Statement& q, int col) {
    return q.is_null(col) ? ordered_json(nullptr) : ordered_json(q.real(col));
}

/// The last horizon a round's visits were planned for: (from, to) of its latest change that
/// materialised visits.
std::optional<std::pair<std::string, std::string>> last_horizon(store::Database& db,
                                                                std::int64_t id) {
    auto q = db.prepare_cached(
        "SELECT json_extract(detail, '$.visits.from'), json_extract(detail, '$.visits.to') FROM "
        "schedule_changes WHERE round_id = ? AND json_extract(detail, '$.visits.to') IS NOT NULL "
        "ORDER BY id DESC LIMIT 1");
    q.bind(1, id);
    if (!q.step() || q.is_null(0) || q.is_null(1)) {
        return std::nullopt;
    }
    return std::make_pair(std::string(q.text(0)), std::string(q.text(1)));
}

SaveResult save(store::Database& db,
                RoundDefinition def,
                const std::vector<StopInput>& stops,
                const std::string& actor,
                const core::Date& today) {
    def.stops = resolve_stops(db, stops);
    return ScheduleService::save_round(db, std::move(def), actor, today, horizon_end(today));
}

} // namespace

ordered_json RoundAdmin::list(const core::Date& today) const {
    auto db = m_pool.acquire();
    auto q = db->prepare_cached(
        "SELECT r.code, r.name, r.activity, a.name, r.round_set, r.team, r.vehicle, "
        "r.working_pattern, r.rule_kind, r.rrule, r.first_date, r.interval_working_days, "
        "r.visits_per_season, r.season_start || '..' || r.season_end, "
        "r.suspended_start || '..' || r.suspended_end, r.bank_holidays, r.rule_version, "
        "r.updated_at, (SELECT count(*) FROM schedule_round_stops s WHERE s.round_id = r.id AND "
        "s.removed = 0), (SELECT min(v.planned_date) FROM schedule_visits v WHERE v.round_id = "
        "r.id AND v.planned_date >= ?1) FROM schedule_rounds r JOIN schedule_activities a ON "
        "a.code = r.activity ORDER BY r.code");
    q.bind(1, today.iso());
    ordered_json rounds = ordered_json::array();
    while (q.step()) {
        rounds.push_back({{"code", q.text(0)},
                          {"name", q.text(1)},
                          {"activity", q.text(2)},
                          {"activity_name", q.text(3)},
                          {"round_set", nullable_text(q, 4)},
                          {"team", nullable_text(q, 5)},
                          {"vehicle", nullable_text(q, 6)},
                          {"working_pattern", nullable_text(q, 7)},
                          {"kind", q.text(8)},
                          {"rrule", nullable_text(q, 9)},
                          {"first_date", q.text(10)},
                          {"interval_working_days", nullable_int(q, 11)},
                          {"visits_per_season", nullable_int(q, 12)},
                          {"season", nullable_text(q, 13)},
                          {"suspension", nullable_text(q, 14)},
                          {"bank_holidays", q.text(15)},
                          {"rule_version", q.int64(16)},
                          {"updated_at", q.text(17)},
                          {"stops", q.int64(18)},
                          {"next_visit", nullable_text(q, 19)}});
    }
    return {{"date", today.iso()}, {"rounds", std::move(rounds)}};
}

ordered_json RoundAdmin::view(const std::string& code, const core::Date& today) const {
    auto db = m_pool.acquire();
    const auto def = ScheduleService::load_round(*db, code);
    if (!def) {
        throw DomainError(ErrorCode::not_found, "no round has code '" + code.substr(0, 64) + "'");
    }
    const std::int64_t id = round_id(*db, code);
    ordered_json out = round_body_json(*def);
    {
        auto q = db->prepare_cached(
            "SELECT r.rule_version, r.created_at, r.updated_at, a.name FROM schedule_rounds r "
            "JOIN schedule_activities a ON a.code = r.activity WHERE r.id = ?");
        q.bind(1, id);
        q.step();
        out["activity_name"] = q.text(3);
        out["rule_version"] = q.int64(0);
        out["created_at"] = q.text(1);
        out["updated_at"] = q.text(2);
    }
    if (const auto h = last_horizon(*db, id)) {
        out["horizon"] = {{"from", h->first}, {"to", h->second}};
    } else {
        out["horizon"] = nullptr;
    }
    ordered_json details = ordered_json::array();
    {
        // Where each stop is drawn: a property's point, the middle vertex of a street, a point
        // on an asset (the point itself, or on its line or polygon). All WGS84 copies.
        auto q = db->prepare_cached(
            "SELECT s.id, s.seq, s.usrn, s.uprn, s.asset_id, st.descriptor || coalesce(', ' || "
            "st.town, ''), (SELECT ad.single_line FROM addresses ad WHERE ad.uprn = s.uprn ORDER "
            "BY ad.logical_status, ad.id LIMIT 1), x.asset_type, x.reference, t.title, "
            "coalesce(p.lon, X(ST_PointN(st.geom_wgs84, (ST_NumPoints(st.geom_wgs84) + 1) / 2)), "
            "X(ST_PointOnSurface(x.geom_wgs84))), "
            "coalesce(p.lat, Y(ST_PointN(st.geom_wgs84, (ST_NumPoints(st.geom_wgs84) + 1) / 2)), "
            "Y(ST_PointOnSurface(x.geom_wgs84))) "
            "FROM schedule_round_stops s LEFT JOIN streets st ON st.usrn = s.usrn "
            "LEFT JOIN properties p ON p.uprn = s.uprn LEFT JOIN street_assets x ON x.id = "
            "s.asset_id LEFT JOIN street_asset_types t ON t.code = x.asset_type "
            "WHERE s.round_id = ? AND s.removed = 0 ORDER BY s.seq");
        q.bind(1, id);
        while (q.step()) {
            const char* kind = !q.is_null(2) ? "street" : (!q.is_null(3) ? "property" : "asset");
            std::string label;
            if (!q.is_null(2)) {
                label = q.optional_text(5).value_or("USRN " + std::to_string(q.int64(2)));
            } else if (!q.is_null(3)) {
                label = q.optional_text(6).value_or("UPRN " + std::to_string(q.int64(3)));
            } else {
                label = q.optional_text(9).value_or("Asset") + " " +
                        q.optional_text(8).value_or(std::to_string(q.int64(4)));
            }
            details.push_back({{"seq", q.int64(1)},
                               {"stop_id", q.int64(0)},
                               {"kind", kind},
                               {"usrn", nullable_int(q, 2)},
                               {"uprn", nullable_int(q, 3)},
                               {"asset_id", nullable_int(q, 4)},
                               {"asset_type", nullable_text(q, 7)},
                               {"asset_reference", nullable_text(q, 8)},
                               {"label", label},
                               {"lon", nullable_real(q, 10)},
                               {"lat", nullable_real(q, 11)}});
        }
    }
    out["stop_details"] = std::move(details);
    ordered_json next = ordered_json::array();
    {
        auto q = db->prepare_cached(
            "SELECT planned_date, max(CASE WHEN moved IS NOT NULL THEN rule_date END), "
            "count(*) FROM schedule_visits WHERE round_id = ? AND "
            "planned_date >= ? GROUP BY planned_date ORDER BY planned_date LIMIT 12");
        q.bind(1, id).bind(2, today.iso());
        while (q.step()) {
            // Counts only: whether a visit is done is the crews' (derived from completions).
            ordered_json one{{"date", q.text(0)}, {"visits", q.int64(2)}};
            if (!q.is_null(1)) {
                one["moved_from"] = q.text(1);
                one["moved_because"] = "bank_holiday";
            }
            next.push_back(std::move(one));
        }
    }
    out["next_visits"] = std::move(next);
    return out;
}

ordered_json RoundAdmin::changes(const std::string& code) const {
    auto db = m_pool.acquire();
    const std::int64_t id = round_id(*db, code);
    auto q = db->prepare_cached("SELECT id, at, actor, change, detail FROM schedule_changes "
                                "WHERE round_id = ? ORDER BY id DESC");
    q.bind(1, id);
    ordered_json list = ordered_json::array();
    while (q.step()) {
        ordered_json detail = ordered_json::parse(q.text(4), nullptr, false);
        list.push_back({{"id", q.int64(0)},
                        {"at", q.text(1)},
                        {"actor", q.text(2)},
                        {"change", q.text(3)},
                        {"detail", detail.is_discarded() ? ordered_json(nullptr) : detail}});
    }
    return {{"round", code}, {"changes", std::move(list)}};
}

SaveResult RoundAdmin::create(RoundBody body, const std::string& actor, const core::Date& today) {
    if (!body.code) {
        invalid_parameter("code", "is required: the new round's code (letters, digits, '-')");
    }
    if (body.team_given && body.team) {
        invalid_parameter("team", "is set by PUT /api/rounds/{code}/crew once the round exists");
    }
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    {
        auto q = db->prepare_cached("SELECT 1 FROM schedule_rounds WHERE code = ?");
        q.bind(1, *body.code);
        if (q.step()) {
            invalid_parameter("code", "'" + *body.code +
                                          "' is the code of a round already (PUT "
                                          "/api/rounds/" +
                                          *body.code + " changes it)");
        }
    }
    auto result = save(*db, std::move(body.definition), body.stops, actor, today);
    tx.commit();
    return result;
}

SaveResult RoundAdmin::update(const std::string& code,
                              RoundBody body,
                              const std::string& actor,
                              const core::Date& today) {
    if (body.code && *body.code != code) {
        invalid_parameter("code", "is '" + *body.code + "' but the address names round '" +
                                      code.substr(0, 64) + "' (a round's code does not change)");
    }
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    const auto stored = ScheduleService::load_round(*db, code);
    if (!stored) {
        throw DomainError(ErrorCode::not_found, "no round has code '" + code.substr(0, 64) + "'");
    }
    if (body.team_given && body.team != stored->team) {
        invalid_parameter("team", "is set by PUT /api/rounds/{code}/crew, not here");
    }
    body.definition.code = code;
    body.definition.team = stored->team;
    auto result = save(*db, std::move(body.definition), body.stops, actor, today);
    tx.commit();
    return result;
}

ordered_json RoundAdmin::asset_history(std::int64_t id) const {
    auto db = m_pool.acquire();
    auto a = db->prepare_cached(
        "SELECT a.id, a.asset_type, t.title, a.reference, a.status, a.removed_on, a.changed_at "
        "FROM street_assets a JOIN street_asset_types t ON t.code = a.asset_type WHERE a.id = ?");
    a.bind(1, id);
    if (!a.step()) {
        throw DomainError(ErrorCode::not_found, "no asset has id " + std::to_string(id));
    }
    ordered_json out{{"id", a.int64(0)},       {"asset_type", a.text(1)},
                     {"title", a.text(2)},     {"reference", a.text(3)},
                     {"status", a.text(4)},    {"removed_on", nullable_text(a, 5)},
                     {"changed_at", a.text(6)}};
    a.reset();
    auto h = db->prepare_cached("SELECT id, change, changed_at, source, snapshot FROM "
                                "street_asset_history WHERE asset_id = ? ORDER BY id");
    h.bind(1, id);
    ordered_json history = ordered_json::array();
    while (h.step()) {
        ordered_json snapshot = ordered_json::parse(h.text(4), nullptr, false);
        history.push_back({{"id", h.int64(0)},
                           {"change", h.text(1)},
                           {"at", h.text(2)},
                           {"source", h.text(3)},
                           {"asset", snapshot.is_discarded() ? ordered_json(nullptr) : snapshot}});
    }
    out["history"] = std::move(history);
    return out;
}

HorizonRun
RoundAdmin::keep_horizon(store::Database& db, const core::Date& today, const std::string& actor) {
    HorizonRun run;
    run.from = today;
    run.to = horizon_end(today);
    const std::string from = run.from.iso();
    const std::string to = run.to.iso();
    std::vector<std::pair<std::int64_t, std::string>> rounds;
    {
        auto q = db.prepare("SELECT id, code FROM schedule_rounds ORDER BY code");
        while (q.step()) {
            rounds.emplace_back(q.int64(0), std::string(q.text(1)));
        }
    }
    for (const auto& [id, code] : rounds) {
        ++run.rounds;
        const auto last = last_horizon(db, id);
        if (last && last->first <= from && last->second >= to) {
            continue; // already planned to the horizon
        }
        const auto c = ScheduleService::regenerate_round(db, code, run.from, run.to, actor);
        ++run.extended;
        run.visits.dates += c.dates;
        run.visits.planned += c.planned;
        run.visits.kept += c.kept;
        run.visits.removed += c.removed;
    }
    return run;
}

HorizonRun RoundAdmin::keep_horizon(const core::Date& today, const std::string& actor) {
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto run = keep_horizon(*db, today, actor);
    tx.commit();
    return run;
}

} // namespace wardmap::services
