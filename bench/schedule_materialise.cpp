// Materialising streetscene schedules: 300 rounds over 20,000 stops, 13 weeks of visits
// (issue #18's goal: 5 s or less on 2 cores). Measures, on a fresh SpatiaLite file:
//   save     every round saved and its visits planned for the first time (one transaction)
//   regen    every round regenerated for the same horizon (the nightly roll; ids kept)
//   change   every round's rule changed and regenerated (planned visits moved)
// and, as the peer in the same run, the same number of visit rows written by a bare prepared
// INSERT into a table with the same columns and indexes: the floor any materialiser pays.
// Usage: wardmap_bench_schedules [rounds] [stops] [weeks]   (defaults 300 20000 13)

#include "core/dates.hpp"

#include "geo/store/database.hpp"
#include "geo/store/migrations.hpp"
#include "server/services/streetscene/schedule_service.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <unistd.h>

using namespace wardmap;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

services::RoundDefinition round_def(int i, int rounds, int stops, bool changed) {
    services::RoundDefinition def;
    def.code = "BENCH-" + std::to_string(i);
    def.name = "Bench round " + std::to_string(i);
    def.team = "team-" + std::to_string(i % 12);
    const char* days[] = {"MO", "TU", "WE", "TH", "FR"};
    auto& r = def.rule;
    r.first_date = core::Date{2027, 1, 4};
    switch (i % 4) {
    case 0: // weekly waste
        def.activity = "household_waste";
        r.kind = services::RuleKind::rrule;
        r.rrule = std::string("FREQ=WEEKLY;BYDAY=") + days[(i / 4 + (changed ? 1 : 0)) % 5];
        break;
    case 1: // fortnightly recycling
        def.activity = "recycling";
        r.kind = services::RuleKind::rrule;
        r.rrule = std::string("FREQ=WEEKLY;INTERVAL=2;BYDAY=") + days[(i / 4) % 5];
        r.first_date = core::Date{2027, 1, changed ? 11 : 4};
        break;
    case 2: // sweeping every 10 working days
        def.activity = "sweep";
        r.kind = services::RuleKind::working_days;
        r.interval_working_days = changed ? 5 : 10;
        r.suspension = services::SeasonWindow{{10, 1}, {1, 31}};
        break;
    default: // 7 grass cuts a season
        def.activity = "cut_grass";
        r.kind = services::RuleKind::per_season;
        r.visits_per_season = changed ? 9 : 7;
        r.season = services::SeasonWindow{{3, 1}, {10, 31}};
        break;
    }
    const int per = stops / rounds;
    for (int s = 0; s < per; ++s) {
        def.stops.push_back(
            {services::StopTarget::Kind::property, static_cast<std::int64_t>(i * per + s + 1)});
    }
    return def;
}

} // namespace

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 300;
    const int stops = argc > 2 ? std::atoi(argv[2]) : 20000;
    const int weeks = argc > 3 ? std::atoi(argv[3]) : 13;
    const auto dir = std::filesystem::temp_directory_path() /
                     ("wardmap-bench-schedules-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto path = dir / "bench.sqlite";
    store::migrate(path);
    auto db = store::Database::open(path);
    {
        store::Transaction tx(db);
        auto q = db.prepare("INSERT INTO properties (uprn, classification, easting, northing, "
                            "lon, lat, geom, geom_wgs84) VALUES (?1, 'RD04', 358000, 418000, "
                            "-2.6, 53.65, MakePoint(358000, 418000, 27700), MakePoint(-2.6, "
                            "53.65, 4326))");
        for (int u = 1; u <= stops; ++u) {
            q.bind(1, static_cast<std::int64_t>(u));
            q.run();
        }
        tx.commit();
    }
    const core::Date from{2027, 4, 5};
    const core::Date to = services::add_days(from, weeks * 7 - 1);
    std::printf("wardmap bench schedules: %d rounds, %d stops, %d weeks (%s..%s), %u CPUs\n",
                rounds, stops, weeks, from.iso().c_str(), to.iso().c_str(),
                std::thread::hardware_concurrency());

    auto t = Clock::now();
    std::int64_t visits = 0;
    {
        store::Transaction tx(db);
        for (int i = 0; i < rounds; ++i) {
            visits += services::ScheduleService::save_round(db, round_def(i, rounds, stops, false),
                                                            "bench", from, to)
                          .visits.planned;
        }
        tx.commit();
    }
    const double save = seconds_since(t);

    t = Clock::now();
    {
        store::Transaction tx(db);
        (void)services::ScheduleService::materialise_all(db, from, to, "bench");
        tx.commit();
    }
    const double regen = seconds_since(t);

    t = Clock::now();
    std::int64_t changed_visits = 0;
    {
        store::Transaction tx(db);
        for (int i = 0; i < rounds; ++i) {
            changed_visits += services::ScheduleService::save_round(
                                  db, round_def(i, rounds, stops, true), "bench", from, to)
                                  .visits.planned;
        }
        tx.commit();
    }
    const double change = seconds_since(t);

    // The peer: the same number of rows through a bare INSERT, same columns and indexes.
    db.exec("CREATE TABLE peer_visits (id INTEGER PRIMARY KEY, round_id INTEGER NOT NULL, "
            "stop_id INTEGER NOT NULL, rule_date TEXT NOT NULL, planned_date TEXT NOT NULL, "
            "moved TEXT, generation INTEGER NOT NULL, rolled_from INTEGER); CREATE UNIQUE "
            "INDEX peer_visits_stop_rule ON peer_visits(stop_id, rule_date) WHERE rolled_from "
            "IS NULL; CREATE INDEX peer_visits_round_date ON peer_visits(round_id, "
            "planned_date); CREATE INDEX peer_visits_date ON peer_visits(planned_date)");
    t = Clock::now();
    {
        store::Transaction tx(db);
        auto q = db.prepare("INSERT INTO peer_visits (round_id, stop_id, rule_date, "
                            "planned_date, generation) VALUES (?1, ?2, ?3, ?3, 1)");
        const std::int64_t per_stop = visits / stops + 1;
        std::int64_t written = 0;
        for (std::int64_t s = 1; s <= stops && written < visits; ++s) {
            for (std::int64_t k = 0; k < per_stop && written < visits; ++k, ++written) {
                q.bind(1, s % rounds).bind(2, s).bind(3, services::add_days(from, k * 7).iso());
                q.run();
            }
        }
        tx.commit();
    }
    const double peer = seconds_since(t);

    std::printf("%-8s %10s %10s %10s\n", "step", "visits", "seconds", "vs peer");
    std::printf("%-8s %10lld %10.2f %10.2f\n", "save", static_cast<long long>(visits), save,
                save / peer);
    std::printf("%-8s %10lld %10.2f %10.2f\n", "regen", static_cast<long long>(visits), regen,
                regen / peer);
    std::printf("%-8s %10lld %10.2f %10.2f\n", "change", static_cast<long long>(changed_visits),
                change, change / peer);
    std::printf("%-8s %10lld %10.2f %10.2f\n", "peer", static_cast<long long>(visits), peer, 1.0);
    std::printf("goal: save <= 5 s: %s\n", save <= 5.0 ? "met" : "NOT met");
    std::filesystem::remove_all(dir);
    return 0;
}
