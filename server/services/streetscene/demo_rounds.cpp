#include "server/services/streetscene/demo_rounds.hpp"

#include "server/services/streetscene/schedule_service.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace wardmap::services {

namespace {

constexpr const char* demo_actor = "demo-data";

std::vector<std::int64_t> ids(store::Database& db, const char* sql) {
    std::vector<std::int64_t> out;
    auto q = db.prepare(sql);
    while (q.step()) {
        out.push_back(q.int64(0));
    }
    return out;
}

std::vector<StopTarget> slice(const std::vector<std::int64_t>& all,
                              std::size_t first,
                              std::size_t count,
                              StopTarget::Kind kind) {
    std::vector<StopTarget> out;
    for (std::size_t i = first; i < all.size() && i < first + count; ++i) {
        out.push_back({kind, all[i]});
    }
    return out;
}

} // namespace

DemoRoundsSummary generate_demo_rounds(store::Database& db, const core::Date& date) {
    DemoRoundsSummary summary;
    store::Transaction tx(db);
    const auto streets = ids(db, "SELECT usrn FROM streets ORDER BY usrn");
    // Properties with an address on a street, in street and UPRN order: a round goes street
    // by street.
    const auto properties = ids(db, "SELECT DISTINCT a.uprn FROM addresses a WHERE a.usrn IS "
                                    "NOT NULL ORDER BY a.usrn, a.uprn");
    if (streets.empty() || properties.empty()) {
        tx.commit();
        return summary;
    }
    ScheduleService::save_round_set(db, "summer", "Summer rounds", {{3, 1}, {11, 30}});
    ScheduleService::save_round_set(db, "winter", "Winter rounds", {{12, 1}, {2, 29}});
    const core::Date to = add_days(date, default_horizon_days - 1);
    // Anchors fixed in the past so that the pattern does not depend on the generation date.
    const core::Date anchor{2026, 1, 6}; // a Tuesday
    // A few rounds, not the whole borough: every integration test copies the demo store.
    const auto half = std::min<std::size_t>(properties.size() / 2, 1000);

    std::vector<RoundDefinition> rounds;
    const auto waste = [&](const char* code, const char* name, const char* activity,
                           const char* rrule, long offset_days, std::size_t first,
                           std::size_t count) {
        RoundDefinition def;
        def.code = code;
        def.name = name;
        def.activity = activity;
        // The crew (schedule_rounds.team holds a crew's code; demo_crews makes them).
        def.team = offset_days % 7 == 0 ? "waste-tue" : "waste-thu";
        def.vehicle = "RCV-0" + std::to_string(rounds.size() + 1);
        def.working_pattern = "Mon-Fri 07:00-14:30";
        def.rule.kind = RuleKind::rrule;
        def.rule.rrule = rrule;
        def.rule.first_date = add_days(anchor, offset_days);
        def.stops = slice(properties, first, count, StopTarget::Kind::property);
        rounds.push_back(std::move(def));
    };
    waste("DEMO-REFUSE-TUE", "Refuse, Tuesday", "household_waste",
          "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", 0, 0, half);
    waste("DEMO-RECYCLE-TUE", "Recycling, Tuesday", "recycling", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
          7, 0, half);
    waste("DEMO-REFUSE-THU", "Refuse, Thursday", "household_waste",
          "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", 2, half, half);
    waste("DEMO-RECYCLE-THU", "Recycling, Thursday", "recycling", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
          9, half, half);
    {
        RoundDefinition def;
        def.code = "DEMO-GARDEN-SUMMER";
        def.name = "Garden waste (summer set)";
        def.activity = "garden_waste";
        def.round_set = "summer";
        def.team = "garden";
        def.vehicle = "RCV-05";
        def.rule.kind = RuleKind::rrule;
        def.rule.rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE";
        def.rule.first_date = add_days(anchor, 1);
        def.stops = slice(properties, 0, 2 * half, StopTarget::Kind::property);
        rounds.push_back(def); // a copy: the winter round is the same but for its set and rule
        def.code = "DEMO-GARDEN-WINTER";
        def.name = "Garden waste (winter set)";
        def.round_set = "winter";
        def.rule.rrule = "FREQ=WEEKLY;INTERVAL=4;BYDAY=WE";
        rounds.push_back(std::move(def));
    }
    const auto by_street = [&](const char* code, const char* name, const char* activity,
                               const char* team, std::size_t first, std::size_t count) {
        RoundDefinition def;
        def.code = code;
        def.name = name;
        def.activity = activity;
        def.team = team;
        def.working_pattern = "Mon-Fri 07:30-15:30";
        def.rule.first_date = anchor;
        def.stops = slice(streets, first, count, StopTarget::Kind::street);
        return def;
    };
    {
        auto def = by_street("DEMO-SWEEP-1", "Mechanical sweeping, north", "sweep", "cleansing", 0,
                             streets.size() / 2);
        def.vehicle = "SWEEPER-1";
        def.rule.kind = RuleKind::working_days;
        def.rule.interval_working_days = 10;
        def.rule.suspension = SeasonWindow{{10, 1}, {1, 31}};
        rounds.push_back(std::move(def));
    }
    {
        auto def = by_street("DEMO-GRASS-1", "Amenity grass cutting", "cut_grass", "grounds", 0,
                             streets.size());
        def.vehicle = "MOWER-1";
        def.rule.kind = RuleKind::per_season;
        def.rule.visits_per_season = 7;
        def.rule.season = SeasonWindow{{3, 1}, {10, 31}};
        rounds.push_back(std::move(def));
    }
    {
        auto def = by_street("DEMO-FLAIL-1", "Highway verge flailing", "flail_verges", "grounds", 0,
                             streets.size());
        def.vehicle = "TRACTOR-1";
        def.rule.kind = RuleKind::per_season;
        def.rule.visits_per_season = 4;
        def.rule.season = SeasonWindow{{3, 1}, {10, 31}};
        rounds.push_back(std::move(def));
    }
    const auto bins = ids(db, "SELECT id FROM street_assets WHERE asset_type = 'litter_bin' AND "
                              "status = 'active' ORDER BY id LIMIT 40");
    if (!bins.empty()) {
        // Town-centre bins are emptied every day (Caerphilly: major shopping centres 1-3 a
        // day), bank holidays included: the cleansing crew has work on any date.
        RoundDefinition def;
        def.code = "DEMO-LITTER-DAILY";
        def.name = "Town centre litter bins";
        def.activity = "empty_litter_bins";
        def.team = "cleansing";
        def.vehicle = "CAGED-1";
        def.working_pattern = "Every day 06:00-13:00";
        def.rule.kind = RuleKind::rrule;
        def.rule.rrule = "FREQ=DAILY";
        def.rule.first_date = anchor;
        def.rule.bank_holidays = BankHolidayRule::work;
        def.stops = slice(bins, 0, bins.size(), StopTarget::Kind::asset);
        rounds.push_back(std::move(def));
    }
    for (auto& def : rounds) {
        // The crews' history: a year of street cleansing and grounds visits, four weeks of
        // the waste rounds (a thousand properties each), all of them completed by
        // demo_crews. A seasonal round out of season for the next 13 weeks (sweeping in
        // November, grass in December) is stored with no visits yet; the rolling horizon
        // brings them.
        const bool big_waste_round =
            def.team && (def.team->starts_with("waste") || *def.team == "garden");
        const core::Date from = add_days(date, big_waste_round ? -28 : -365);
        const auto saved = ScheduleService::save_round(db, std::move(def), demo_actor, from, to,
                                                       /*require_visits=*/false);
        summary.visits += saved.visits.planned;
        ++summary.rounds;
    }
    tx.commit();
    return summary;
}

} // namespace wardmap::services
