#include "server/services/streetscene/schedule_service.hpp"

#include "core/w3c_time.hpp"
#include "core/working_days.hpp"

#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>

namespace wardmap::services {

namespace {

using nlohmann::ordered_json;

core::Date parse_stored_date(std::string_view text) {
    const auto d = core::parse_iso_date(text);
    if (!d) {
        throw DomainError(ErrorCode::internal, "a stored schedule date is not YYYY-MM-DD");
    }
    return *d;
}

std::optional<std::string> opt_text(const store::Statement& s, int col) {
    return s.optional_text(col);
}

std::optional<SeasonWindow> window_from(const std::optional<std::string>& start,
                                        const std::optional<std::string>& end) {
    if (!start || !end) {
        return std::nullopt;
    }
    const auto s = parse_month_day(*start);
    const auto e = parse_month_day(*end);
    if (!s || !e) {
        return std::nullopt;
    }
    return SeasonWindow{*s, *e};
}

ordered_json window_json(const std::optional<SeasonWindow>& w) {
    if (!w) {
        return nullptr;
    }
    return w->start.text() + ".." + w->end.text();
}

/// The definition as JSON, in a fixed member order: what the history records and what decides
/// whether a save changed anything.
ordered_json definition_json(const RoundDefinition& def) {
    ordered_json stops = ordered_json::array();
    for (const auto& s : def.stops) {
        stops.push_back({{stop_kind_field(s.kind), s.id}});
    }
    const auto& r = def.rule;
    ordered_json rule{{"kind", rule_kind_name(r.kind)},
                      {"first_date", r.first_date.iso()},
                      {"bank_holidays", bank_holiday_rule_name(r.bank_holidays)},
                      {"season", window_json(r.season)},
                      {"suspension", window_json(r.suspension)}};
    switch (r.kind) {
    case RuleKind::rrule:
        rule["rrule"] = r.rrule;
        break;
    case RuleKind::working_days:
        rule["interval_working_days"] = r.interval_working_days;
        break;
    case RuleKind::per_season:
        rule["visits_per_season"] = r.visits_per_season;
        break;
    }
    return ordered_json{
        {"code", def.code},
        {"name", def.name},
        {"activity", def.activity},
        {"round_set", def.round_set ? ordered_json(*def.round_set) : nullptr},
        {"team", def.team ? ordered_json(*def.team) : nullptr},
        {"vehicle", def.vehicle ? ordered_json(*def.vehicle) : nullptr},
        {"working_pattern", def.working_pattern ? ordered_json(*def.working_pattern) : nullptr},
        {"rule", rule},
        {"stops", stops}};
}

std::optional<SeasonWindow> round_set_window(store::Database& db, const std::string& code) {
    auto q = db.prepare_cached(
        "SELECT season_start, season_end FROM schedule_round_sets WHERE code = ?");
    q.bind(1, code);
    if (!q.step()) {
        return std::nullopt;
    }
    return window_from(opt_text(q, 0), opt_text(q, 1));
}

bool exists(store::Database& db, const char* sql, std::int64_t id) {
    auto q = db.prepare_cached(sql);
    q.bind(1, id);
    return q.step();
}

/// Only an asset of this council's register, still in place and inside the council's area,
/// can be visited. Says which when it is not.
void check_asset_stop(store::Database& db, std::int64_t id, const std::string& field) {
    auto q =
        db.prepare_cached("SELECT a.asset_type, a.reference, a.status, a.removed_on, "
                          "(SELECT count(*) FROM council_area c WHERE c.geom IS NOT NULL), "
                          "(SELECT count(*) FROM council_area c WHERE c.geom IS NOT NULL AND "
                          "MbrIntersects(c.geom, a.geom) AND ST_Intersects(c.geom, a.geom) = 1) "
                          "FROM street_assets a WHERE a.id = ?");
    q.bind(1, id);
    if (!q.step()) {
        invalid_parameter(field, "no asset has id " + std::to_string(id));
    }
    const std::string what = std::string(q.text(0)) + " " + std::string(q.text(1));
    if (q.text(2) != "active") {
        invalid_parameter(field, "asset " + std::to_string(id) + " (" + what + ") was removed on " +
                                     q.optional_text(3).value_or("an unknown date"));
    }
    if (q.int64(4) > 0 && q.int64(5) == 0) {
        invalid_parameter(field, "asset " + std::to_string(id) + " (" + what +
                                     ") lies outside the council's area: another council's asset");
    }
}

void check_definition(store::Database& db, RoundDefinition& def) {
    if (def.code.empty() || def.code.size() > 64) {
        invalid_parameter("code", "must be 1 to 64 characters");
    }
    if (def.name.empty() || def.name.size() > 200) {
        invalid_parameter("name", "must be 1 to 200 characters");
    }
    {
        auto q = db.prepare_cached("SELECT 1 FROM schedule_activities WHERE code = ?");
        q.bind(1, def.activity);
        if (!q.step()) {
            invalid_parameter("activity", "'" + def.activity.substr(0, 64) +
                                              "' is not an activity (schedule_activities)");
        }
    }
    def.rule.round_set.reset();
    if (def.round_set) {
        def.rule.round_set = round_set_window(db, *def.round_set);
        if (!def.rule.round_set) {
            invalid_parameter("round_set",
                              "'" + def.round_set->substr(0, 64) + "' is not a round set");
        }
    }
    check_rule(def.rule);
    if (def.stops.empty()) {
        invalid_parameter("stops", "must name at least one street, property or asset");
    }
    std::set<std::pair<int, std::int64_t>> seen;
    for (std::size_t i = 0; i < def.stops.size(); ++i) {
        const auto& stop = def.stops[i];
        const std::string field = "stops[" + std::to_string(i) + "]." + stop_kind_field(stop.kind);
        if (!seen.insert({static_cast<int>(stop.kind), stop.id}).second) {
            invalid_parameter(field, std::to_string(stop.id) + " is already a stop of the round");
        }
        switch (stop.kind) {
        case StopTarget::Kind::street:
            if (!exists(db, "SELECT 1 FROM streets WHERE usrn = ?", stop.id)) {
                invalid_parameter(field, "no street has USRN " + std::to_string(stop.id));
            }
            break;
        case StopTarget::Kind::property:
            if (!exists(db, "SELECT 1 FROM properties WHERE uprn = ?", stop.id)) {
                invalid_parameter(field, "no property has UPRN " + std::to_string(stop.id));
            }
            break;
        case StopTarget::Kind::asset:
            check_asset_stop(db, stop.id, field);
            break;
        }
    }
}

void append_change(store::Database& db,
                   std::int64_t round_id,
                   const std::string& actor,
                   const char* change,
                   const ordered_json& detail) {
    auto q = db.prepare_cached("INSERT INTO schedule_changes (at, round_id, actor, change, detail) "
                               "VALUES (?, ?, ?, ?, ?)");
    q.bind(1, core::format_utc(core::now_seconds()))
        .bind(2, round_id)
        .bind(3, actor)
        .bind(4, change)
        .bind(5, detail.dump());
    q.run();
}

/// Replaces the round's stops by `stops`: a stop already on the round keeps its id (and its
/// visits), one no longer on it is marked removed.
void store_stops(store::Database& db, std::int64_t round_id, const std::vector<StopTarget>& stops) {
    std::map<std::pair<int, std::int64_t>, std::int64_t> existing;
    {
        auto q = db.prepare_cached(
            "SELECT id, usrn, uprn, asset_id FROM schedule_round_stops WHERE round_id = ?");
        q.bind(1, round_id);
        while (q.step()) {
            for (int col = 1; col <= 3; ++col) {
                if (!q.is_null(col)) {
                    existing[{col - 1, q.int64(col)}] = q.int64(0);
                }
            }
        }
    }
    auto retire = db.prepare_cached(
        "UPDATE schedule_round_stops SET removed = 1, seq = -id WHERE round_id = ?");
    retire.bind(1, round_id);
    retire.run();
    auto keep =
        db.prepare_cached("UPDATE schedule_round_stops SET removed = 0, seq = ? WHERE id = ?");
    auto add = db.prepare_cached("INSERT INTO schedule_round_stops (round_id, seq, usrn, uprn, "
                                 "asset_id) VALUES (?, ?, ?, ?, ?)");
    for (std::size_t i = 0; i < stops.size(); ++i) {
        const auto& s = stops[i];
        const auto seq = static_cast<std::int64_t>(i + 1);
        const auto found = existing.find({static_cast<int>(s.kind), s.id});
        if (found != existing.end()) {
            keep.bind(1, seq).bind(2, found->second);
            keep.run();
            continue;
        }
        add.bind(1, round_id).bind(2, seq);
        for (int k = 0; k < 3; ++k) {
            if (static_cast<int>(s.kind) == k) {
                add.bind(3 + k, s.id);
            } else {
                add.bind_null(3 + k);
            }
        }
        add.run();
    }
}

/// Upserts the planned visits the rule gives in [from, to] for every current stop, leaves
/// visits with a completion alone, and deletes planned ones from `from` on it no longer gives.
VisitCounts materialise(store::Database& db,
                        std::int64_t round_id,
                        const std::vector<RuleDate>& dates,
                        const core::Date& from) {
    VisitCounts counts;
    counts.dates = static_cast<std::int64_t>(dates.size());
    std::int64_t generation = 1;
    {
        auto q = db.prepare_cached(
            "SELECT coalesce(max(generation), 0) + 1 FROM schedule_visits WHERE round_id = ?");
        q.bind(1, round_id);
        q.step();
        generation = q.int64(0);
    }
    std::vector<std::int64_t> stop_ids;
    {
        auto q = db.prepare_cached("SELECT id FROM schedule_round_stops WHERE round_id = ? AND "
                                   "removed = 0 ORDER BY seq");
        q.bind(1, round_id);
        while (q.step()) {
            stop_ids.push_back(q.int64(0));
        }
    }
    auto upsert = db.prepare_cached(
        "INSERT INTO schedule_visits (round_id, stop_id, rule_date, planned_date, moved, "
        "generation) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT (stop_id, rule_date) WHERE rolled_from IS NULL DO UPDATE SET planned_date = "
        "excluded.planned_date, moved = excluded.moved, generation = excluded.generation "
        "WHERE NOT EXISTS (SELECT 1 FROM schedule_visit_completions c WHERE c.visit_id = "
        "schedule_visits.id)");
    for (const auto& d : dates) {
        const std::string rule_date = d.rule_date.iso();
        const std::string planned = d.planned_date.iso();
        for (const auto stop : stop_ids) {
            // run() resets and clears the bindings: bind every parameter each time.
            upsert.bind(1, round_id).bind(2, stop).bind(3, rule_date).bind(4, planned);
            if (d.moved) {
                upsert.bind(5, "bank_holiday");
            } else {
                upsert.bind_null(5);
            }
            upsert.bind(6, generation);
            upsert.run();
        }
    }
    const std::string from_text = from.iso();
    {
        // A visit with a completion stays (its status follows from it), and so does a roll of
        // a visit not done (rolled_from): the rule did not give it.
        auto q = db.prepare_cached(
            "DELETE FROM schedule_visits WHERE round_id = ? AND rolled_from IS NULL AND "
            "generation <> ? AND planned_date >= ? AND NOT EXISTS (SELECT 1 FROM "
            "schedule_visit_completions c WHERE c.visit_id = schedule_visits.id)");
        q.bind(1, round_id).bind(2, generation).bind(3, from_text);
        q.run();
        counts.removed = db.query_int("SELECT changes()").value_or(0);
    }
    {
        auto q = db.prepare_cached(
            "SELECT count(*) FILTER (WHERE NOT done AND generation = ?2 AND rolled_from IS "
            "NULL), count(*) FILTER (WHERE done) FROM (SELECT generation, rolled_from, EXISTS "
            "(SELECT 1 FROM schedule_visit_completions c WHERE c.visit_id = v.id) AS done FROM "
            "schedule_visits v WHERE round_id = ?1 AND planned_date >= ?3)");
        q.bind(1, round_id).bind(2, generation).bind(3, from_text);
        q.step();
        counts.planned = q.int64(0);
        counts.kept = q.int64(1);
    }
    return counts;
}

ordered_json counts_json(const VisitCounts& c, const core::Date& from, const core::Date& to) {
    return {{"from", from.iso()},   {"to", to.iso()}, {"dates", c.dates},
            {"planned", c.planned}, {"kept", c.kept}, {"removed", c.removed}};
}

void check_span(const core::Date& from, const core::Date& to) {
    if (date_less(to, from)) {
        invalid_parameter("to", "is before 'from'");
    }
    if (core::days_since_epoch(to) - core::days_since_epoch(from) > 366) {
        invalid_parameter("to", "must be at most 366 days after 'from'");
    }
}

/// Groups the rows (activity, name, kind, round code, round name, planned, rule, moved,
/// status, rolled_from) by activity, one date per activity and day.
std::vector<ActivitySchedule> group(store::Statement& q) {
    std::vector<ActivitySchedule> out;
    std::set<std::string> seen; // activity + date
    while (q.step()) {
        const std::string activity(q.text(0));
        if (out.empty() || out.back().activity != activity) {
            out.push_back({activity, std::string(q.text(1)), std::string(q.text(2)), {}});
        }
        const std::string planned(q.text(5));
        if (!seen.insert(activity + "|" + planned).second) {
            continue;
        }
        ScheduledDate d;
        d.date = parse_stored_date(planned);
        if (!q.is_null(7)) {
            d.moved_from = parse_stored_date(q.text(6));
        }
        d.status = std::string(q.text(8));
        d.round_code = std::string(q.text(3));
        d.round_name = std::string(q.text(4));
        // A roll keeps its visit's rule date: its own uid names the date it was rolled to.
        d.uid = d.round_code + "-" + std::string(q.text(6)) +
                (q.is_null(9) ? std::string() : "-rolled-" + planned);
        out.back().dates.push_back(std::move(d));
    }
    return out;
}

constexpr const char* visit_columns =
    "SELECT r.activity, a.name, a.kind, r.code, r.name, v.planned_date, v.rule_date, v.moved, "
    "coalesce((SELECT c.outcome FROM schedule_visit_completions c WHERE c.visit_id = v.id ORDER "
    "BY c.at DESC, c.id DESC LIMIT 1), 'planned'), v.rolled_from FROM schedule_visits v JOIN "
    "schedule_round_stops s ON s.id = v.stop_id "
    "JOIN schedule_rounds r ON r.id = v.round_id AND r.one_off = 0 JOIN schedule_activities a "
    "ON a.code = r.activity ";

} // namespace

const char* stop_kind_field(StopTarget::Kind kind) {
    switch (kind) {
    case StopTarget::Kind::street:
        return "usrn";
    case StopTarget::Kind::property:
        return "uprn";
    case StopTarget::Kind::asset:
        return "asset_id";
    }
    return "usrn";
}

void ScheduleService::save_round_set(store::Database& db,
                                     const std::string& code,
                                     const std::string& name,
                                     const SeasonWindow& window) {
    auto q = db.prepare_cached(
        "INSERT INTO schedule_round_sets (code, name, season_start, season_end) VALUES (?, ?, ?, "
        "?) ON CONFLICT (code) DO UPDATE SET name = excluded.name, season_start = "
        "excluded.season_start, season_end = excluded.season_end");
    q.bind(1, code).bind(2, name).bind(3, window.start.text()).bind(4, window.end.text());
    q.run();
}

std::optional<RoundDefinition> ScheduleService::load_round(store::Database& db,
                                                           const std::string& code) {
    auto q = db.prepare_cached(
        "SELECT id, code, name, activity, round_set, team, vehicle, working_pattern, rule_kind, "
        "rrule, first_date, interval_working_days, visits_per_season, season_start, season_end, "
        "suspended_start, suspended_end, bank_holidays FROM schedule_rounds WHERE code = ?");
    q.bind(1, code);
    if (!q.step()) {
        return std::nullopt;
    }
    RoundDefinition def;
    const std::int64_t id = q.int64(0);
    def.code = std::string(q.text(1));
    def.name = std::string(q.text(2));
    def.activity = std::string(q.text(3));
    def.round_set = opt_text(q, 4);
    def.team = opt_text(q, 5);
    def.vehicle = opt_text(q, 6);
    def.working_pattern = opt_text(q, 7);
    def.rule.kind = parse_rule_kind(q.text(8)).value_or(RuleKind::rrule);
    def.rule.rrule = opt_text(q, 9).value_or("");
    def.rule.first_date = parse_stored_date(q.text(10));
    def.rule.interval_working_days = q.is_null(11) ? 0 : static_cast<int>(q.int64(11));
    def.rule.visits_per_season = q.is_null(12) ? 0 : static_cast<int>(q.int64(12));
    def.rule.season = window_from(opt_text(q, 13), opt_text(q, 14));
    def.rule.suspension = window_from(opt_text(q, 15), opt_text(q, 16));
    def.rule.bank_holidays =
        parse_bank_holiday_rule(q.text(17)).value_or(BankHolidayRule::next_working_day);
    q.reset();
    if (def.round_set) {
        def.rule.round_set = round_set_window(db, *def.round_set);
    }
    auto s = db.prepare_cached("SELECT usrn, uprn, asset_id FROM schedule_round_stops WHERE "
                               "round_id = ? AND removed = 0 ORDER BY seq");
    s.bind(1, id);
    while (s.step()) {
        for (int col = 0; col < 3; ++col) {
            if (!s.is_null(col)) {
                def.stops.push_back({static_cast<StopTarget::Kind>(col), s.int64(col)});
            }
        }
    }
    return def;
}

SaveResult ScheduleService::save_round(store::Database& db,
                                       RoundDefinition def,
                                       const std::string& actor,
                                       const core::Date& from,
                                       const core::Date& to,
                                       bool require_visits) {
    check_definition(db, def);
    {
        auto q = db.prepare_cached("SELECT one_off FROM schedule_rounds WHERE code = ?");
        q.bind(1, def.code);
        if (q.step() && q.int64(0) != 0) {
            invalid_parameter("code", "'" + def.code +
                                          "' is a crew's round of jobs, which has no rule to save");
        }
    }
    if (date_less(to, from)) {
        invalid_parameter("to", "is before 'from'");
    }
    const auto dates = expand_rule(def.rule, from, to);
    SaveResult result;
    if (dates.empty() && require_visits) {
        // Refused, saying which: it ends before the horizon, starts after it, never matches...;
        // but a seasonal round edited out of season is kept, with no visits until its season.
        const auto why = why_no_visits(def.rule, from, to);
        if (why && !why->next_in_season) {
            invalid_parameter(why->field, why->message);
        }
        if (why) {
            result.next_in_season = why->next_in_season;
        }
    }
    const auto before = load_round(db, def.code);
    const ordered_json after_json = definition_json(def);
    result.created = !before;
    result.changed = !before || definition_json(*before) != after_json;
    const std::string now = core::format_utc(core::now_seconds());
    const auto& r = def.rule;
    auto upsert = db.prepare_cached(
        "INSERT INTO schedule_rounds (code, name, activity, round_set, team, vehicle, "
        "working_pattern, rule_kind, rrule, first_date, interval_working_days, "
        "visits_per_season, season_start, season_end, suspended_start, suspended_end, "
        "bank_holidays, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
        "?18) ON CONFLICT (code) DO UPDATE SET name = excluded.name, activity = "
        "excluded.activity, round_set = excluded.round_set, team = excluded.team, vehicle = "
        "excluded.vehicle, working_pattern = excluded.working_pattern, rule_kind = "
        "excluded.rule_kind, rrule = excluded.rrule, first_date = excluded.first_date, "
        "interval_working_days = excluded.interval_working_days, visits_per_season = "
        "excluded.visits_per_season, season_start = excluded.season_start, season_end = "
        "excluded.season_end, suspended_start = excluded.suspended_start, suspended_end = "
        "excluded.suspended_end, bank_holidays = excluded.bank_holidays, updated_at = "
        "excluded.updated_at, rule_version = rule_version + ?19");
    upsert.bind(1, def.code)
        .bind(2, def.name)
        .bind(3, def.activity)
        .bind(4, def.round_set)
        .bind(5, def.team)
        .bind(6, def.vehicle)
        .bind(7, def.working_pattern)
        .bind(8, rule_kind_name(r.kind));
    if (r.kind == RuleKind::rrule) {
        upsert.bind(9, r.rrule);
    } else {
        upsert.bind_null(9);
    }
    upsert.bind(10, r.first_date.iso());
    if (r.kind == RuleKind::working_days) {
        upsert.bind(11, r.interval_working_days);
    } else {
        upsert.bind_null(11);
    }
    if (r.kind == RuleKind::per_season) {
        upsert.bind(12, r.visits_per_season);
    } else {
        upsert.bind_null(12);
    }
    const auto bind_window = [&upsert](int at, const std::optional<SeasonWindow>& w) {
        if (w) {
            upsert.bind(at, w->start.text()).bind(at + 1, w->end.text());
        } else {
            upsert.bind_null(at).bind_null(at + 1);
        }
    };
    bind_window(13, r.season);
    bind_window(15, r.suspension);
    upsert.bind(17, bank_holiday_rule_name(r.bank_holidays))
        .bind(18, now)
        .bind(19, result.changed ? 1 : 0);
    upsert.run();
    {
        auto q = db.prepare_cached("SELECT id FROM schedule_rounds WHERE code = ?");
        q.bind(1, def.code);
        q.step();
        result.round_id = q.int64(0);
    }
    store_stops(db, result.round_id, def.stops);
    result.visits = materialise(db, result.round_id, dates, from);
    ordered_json detail{{"visits", counts_json(result.visits, from, to)}};
    if (result.changed) {
        detail["before"] = before ? definition_json(*before) : ordered_json(nullptr);
        detail["after"] = after_json;
    }
    append_change(db, result.round_id, actor,
                  result.created ? "created" : (result.changed ? "changed" : "regenerated"),
                  detail);
    return result;
}

VisitCounts ScheduleService::materialise_all(store::Database& db,
                                             const core::Date& from,
                                             const core::Date& to,
                                             const std::string& actor) {
    std::vector<std::string> codes;
    {
        // A crew's round of jobs (0018) has no rule to regenerate: its visits are put on a
        // day by hand.
        auto q = db.prepare("SELECT code FROM schedule_rounds WHERE one_off = 0 ORDER BY code");
        while (q.step()) {
            codes.emplace_back(q.text(0));
        }
    }
    VisitCounts total;
    for (const auto& code : codes) {
        const auto c = regenerate_round(db, code, from, to, actor);
        total.dates += c.dates;
        total.planned += c.planned;
        total.kept += c.kept;
        total.removed += c.removed;
    }
    return total;
}

VisitCounts ScheduleService::regenerate_round(store::Database& db,
                                              const std::string& code,
                                              const core::Date& from,
                                              const core::Date& to,
                                              const std::string& actor) {
    const auto def = load_round(db, code);
    if (!def) {
        throw DomainError(ErrorCode::not_found, "no round '" + code.substr(0, 64) + "'");
    }
    const auto dates = expand_rule(def->rule, from, to);
    std::int64_t id = 0;
    {
        auto q = db.prepare_cached("SELECT id FROM schedule_rounds WHERE code = ?");
        q.bind(1, code);
        q.step();
        id = q.int64(0);
    }
    const auto c = materialise(db, id, dates, from);
    append_change(db, id, actor, "regenerated", {{"visits", counts_json(c, from, to)}});
    return c;
}

PlaceSchedule ScheduleService::for_property(std::int64_t uprn,
                                            const core::Date& from,
                                            const core::Date& to) const {
    check_span(from, to);
    auto db = m_pool.acquire();
    PlaceSchedule out{"uprn", uprn, "", from, to, {}};
    {
        auto q = db->prepare_cached(
            "SELECT (SELECT single_line FROM addresses a WHERE a.uprn = p.uprn ORDER BY "
            "a.logical_status, a.id LIMIT 1) FROM properties p WHERE p.uprn = ?");
        q.bind(1, uprn);
        if (!q.step()) {
            invalid_parameter("uprn", "no property has UPRN " + std::to_string(uprn));
        }
        out.label = q.optional_text(0).value_or("");
    }
    // The property's stops as a UNION of three index searches (its own, its streets', the
    // assets at it or on its streets), then their visits by stop_id: an OR of the three kept
    // SQLite from the stop indexes and read every visit in the span. A roll (rolled_from) is
    // outside the stop_id index (partial), so rolls are followed from their visit. v.id breaks
    // ties as the old plan's scan did, so the first visit of a day stays the one shown.
    auto q = db->prepare_cached(
        "WITH RECURSIVE streets(usrn) AS (SELECT usrn FROM addresses WHERE uprn = ?1 AND usrn "
        "IS NOT NULL), stops(id) AS (SELECT id FROM schedule_round_stops WHERE uprn = ?1 UNION "
        "SELECT id FROM schedule_round_stops WHERE usrn IN streets UNION SELECT id FROM "
        "schedule_round_stops WHERE asset_id IN (SELECT id FROM street_assets WHERE uprn = ?1 "
        "UNION SELECT id FROM street_assets WHERE usrn IN streets)), stop_visits(id) AS "
        "(SELECT id FROM schedule_visits WHERE stop_id IN stops AND rolled_from IS NULL UNION "
        "ALL SELECT r.id FROM schedule_visits r JOIN stop_visits p ON r.rolled_from = p.id) " +
        std::string(visit_columns) +
        "JOIN stop_visits x ON x.id = v.id WHERE v.planned_date BETWEEN ?2 AND ?3 "
        "ORDER BY r.activity, v.planned_date, r.code, v.id");
    q.bind(1, uprn).bind(2, from.iso()).bind(3, to.iso());
    out.activities = group(q);
    return out;
}

PlaceSchedule
ScheduleService::for_street(std::int64_t usrn, const core::Date& from, const core::Date& to) const {
    check_span(from, to);
    auto db = m_pool.acquire();
    PlaceSchedule out{"usrn", usrn, "", from, to, {}};
    {
        auto q = db->prepare_cached(
            "SELECT descriptor || coalesce(', ' || town, '') FROM streets WHERE usrn = ?");
        q.bind(1, usrn);
        if (!q.step()) {
            invalid_parameter("usrn", "no street has USRN " + std::to_string(usrn));
        }
        out.label = q.optional_text(0).value_or("");
    }
    auto q = db->prepare_cached(
        std::string(visit_columns) +
        "WHERE (s.usrn = ?1 OR s.uprn IN (SELECT uprn FROM addresses WHERE usrn = ?1) OR "
        "s.asset_id IN (SELECT id FROM street_assets WHERE usrn = ?1)) "
        "AND v.planned_date BETWEEN ?2 AND ?3 ORDER BY r.activity, v.planned_date, r.code");
    q.bind(1, usrn).bind(2, from.iso()).bind(3, to.iso());
    out.activities = group(q);
    return out;
}

} // namespace wardmap::services
