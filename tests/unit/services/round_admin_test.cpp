// Staff editing of rounds on a real SpatiaLite file (services::RoundAdmin): bodies read strictly,
// edited rules against hand-checked calendars (bank holidays included), a change bumping
// rule_version and regenerating only planned visits, refusals naming their field and saying
// why (an asset that does not exist, was removed or lies outside the council's area; a rule
// with no visit in the horizon), the asset history, and the horizon task run with an injected
// date (idempotent).

#include "server/app/schedule_horizon.hpp"
#include "server/services/shared/errors.hpp"
#include "server/services/streetscene/round_admin.hpp"
#include "server/services/streetscene/round_body.hpp"
#include "tests/support/served_routes.hpp"
#include "tests/support/test_paths.hpp"
#include "tests/support/test_streets.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace wardmap::services {
namespace {

using nlohmann::json;
using V = std::vector<std::string>;

core::Date day(const char* iso) {
    return *core::parse_iso_date(iso);
}

class RoundAdminTest : public ::testing::Test {
  protected:
    RoundAdminTest() : routes(tmp.path()) {
        auto db = routes.pool().acquire();
        // The council: a square of 2 km around 358000, 418000 (EPSG:27700).
        db->exec("INSERT INTO council_area (ons_code, name, geom, geom_wgs84) VALUES ('E07000118', "
                 "'Test council', CastToMultiPolygon(BuildMbr(357000, 417000, 359000, 419000, "
                 "27700)), CastToMultiPolygon(BuildMbr(-2.62, 53.64, -2.58, 53.66, 4326)))");
        testing::add_test_streets(*db);
        // Three litter bins: one in place, one removed, one of another council (30 km away).
        const auto bin = [&](const char* ref, double e, double n) {
            db->exec(std::string("INSERT INTO street_assets (asset_type, reference, usrn, "
                                 "attributes, anchor_e, anchor_n, changed_at, changed_by, geom, "
                                 "geom_wgs84) VALUES ('litter_bin', '") +
                     ref + "', 9001, '{}', " + std::to_string(e) + ", " + std::to_string(n) +
                     ", '2024-01-01T00:00:00Z', 'import assets bins.csv', MakePoint(" +
                     std::to_string(e) + ", " + std::to_string(n) +
                     ", 27700), MakePoint(-2.6, 53.65, 4326))");
            return db
                ->query_int(std::string("SELECT id FROM street_assets WHERE reference = '") + ref +
                            "'")
                .value_or(0);
        };
        bin_in_place = bin("LB-1", 358050, 418010);
        bin_removed = bin("LB-2", 358060, 418010);
        bin_elsewhere = bin("LB-3", 388050, 418010);
        db->exec("UPDATE street_assets SET status = 'removed', removed_on = '2025-06-30', "
                 "changed_at = '2025-06-30T09:00:00Z', changed_by = 'import assets bins.csv' "
                 "WHERE reference = 'LB-2'");
    }

    static json body(const std::string& rrule, const char* first = "2026-12-08") {
        return json{{"code", "BINS-TUE"},
                    {"name", "Litter bins, Tuesday"},
                    {"activity", "empty_litter_bins"},
                    {"kind", "rrule"},
                    {"rrule", rrule},
                    {"first_date", first},
                    {"bank_holidays", "next_working_day"},
                    {"stops", json::array({json{{"asset_reference", "LB-1"}}, json{{"usrn", 9001}},
                                           json{{"uprn", 201}}})}};
    }

    RoundAdmin& admin() { return routes.services().rounds; }

    SaveResult create(const json& b, const char* today = "2026-12-07") {
        return admin().create(parse_round_body(b), "person:1 Supervisor", day(today));
    }
    SaveResult update(const json& b, const char* today = "2026-12-07") {
        return admin().update(b.at("code").get<std::string>(), parse_round_body(b),
                              "person:1 Supervisor", day(today));
    }

    /// The planned dates of the round's first stop (moved ones marked *).
    V dates(const char* today = "2026-12-07") {
        V out;
        auto db = routes.pool().acquire();
        auto q = db->prepare("SELECT v.planned_date, v.moved FROM schedule_visits v JOIN "
                             "schedule_round_stops s ON s.id = v.stop_id JOIN schedule_rounds r "
                             "ON r.id = v.round_id WHERE r.code = 'BINS-TUE' AND s.seq = 1 AND "
                             "v.planned_date >= ? ORDER BY v.planned_date");
        q.bind(1, std::string(today));
        while (q.step()) {
            out.push_back(std::string(q.text(0)) + (q.is_null(1) ? "" : "*"));
        }
        return out;
    }

    std::int64_t count(const std::string& sql) {
        auto db = routes.pool().acquire();
        return db->query_int(sql).value_or(-1);
    }

    /// The field a refusal names and its message.
    static std::pair<std::string, std::string> refused(const std::function<void()>& f) {
        try {
            f();
        } catch (const DomainError& e) {
            if (e.problems().empty()) {
                return {"(none)", e.detail()};
            }
            return {e.problems().front().name, e.problems().front().message};
        }
        return {"(accepted)", ""};
    }

    testing::TempDir tmp;
    testing::ServedRoutes routes;
    std::int64_t bin_in_place = 0;
    std::int64_t bin_removed = 0;
    std::int64_t bin_elsewhere = 0;
};

// Hand-checked against the calendar: Christmas Day 2026 is a Friday, Boxing Day a Saturday so
// Monday 28 December is its substitute; New Year's Day 2027 is a Friday.
TEST_F(RoundAdminTest, EditedRulesGiveTheHandCheckedCalendar) {
    const auto made = create(body("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"));
    EXPECT_TRUE(made.created);
    // Every 2nd Tuesday from 8 December for 13 weeks (to 7 March): no bank holiday.
    EXPECT_EQ(dates(), (V{"2026-12-08", "2026-12-22", "2027-01-05", "2027-01-19", "2027-02-02",
                          "2027-02-16", "2027-03-02"}));
    // Edited to every Friday: Christmas Day goes to Tuesday 29th (28th is Boxing Day's
    // substitute), New Year's Day to Monday 4 January.
    auto friday = body("FREQ=WEEKLY;BYDAY=FR", "2026-12-11");
    const auto changed = update(friday);
    EXPECT_TRUE(changed.changed);
    EXPECT_EQ(dates(), (V{"2026-12-11", "2026-12-18", "2026-12-29*", "2027-01-04*", "2027-01-08",
                          "2027-01-15", "2027-01-22", "2027-01-29", "2027-02-05", "2027-02-12",
                          "2027-02-19", "2027-02-26", "2027-03-05"}));
    // The council skips bank holidays instead.
    friday["bank_holidays"] = "skip";
    update(friday);
    EXPECT_EQ(dates(),
              (V{"2026-12-11", "2026-12-18", "2027-01-08", "2027-01-15", "2027-01-22", "2027-01-29",
                 "2027-02-05", "2027-02-12", "2027-02-19", "2027-02-26", "2027-03-05"}));
    // Every 5 working days from Monday 14 December: the 25th, 28th and 1st are not working
    // days, so 21st, then 30th (22, 23, 24, 29, 30), then 7 January (31, 4, 5, 6, 7).
    json every5 = body("", "2026-12-14");
    every5.erase("rrule");
    every5["kind"] = "working_days";
    every5["interval_working_days"] = 5;
    update(every5, "2026-12-07");
    const auto got = dates();
    ASSERT_GE(got.size(), 4U);
    EXPECT_EQ(V(got.begin(), got.begin() + 4),
              (V{"2026-12-14", "2026-12-21", "2026-12-30", "2027-01-07"}));
    EXPECT_EQ(count("SELECT rule_version FROM schedule_rounds WHERE code = 'BINS-TUE'"), 4);
}

TEST_F(RoundAdminTest, AChangeRegeneratesOnlyPlannedVisitsAndIsRecorded) {
    create(body("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"));
    {
        auto db = routes.pool().acquire();
        // A crew has worked that Tuesday: a completion is what keeps a visit (its status is
        // derived from completions).
        db->exec("INSERT INTO schedule_visit_completions (visit_id, client_id, actor, outcome, "
                 "at, recorded_at) SELECT id, 'test-' || id, 'test', 'done', "
                 "'2026-12-22T09:00:00Z', '2026-12-22T09:00:00Z' FROM schedule_visits WHERE "
                 "planned_date = '2026-12-22'");
    }
    const auto worked = "SELECT count(*) FROM schedule_visits v WHERE EXISTS (SELECT 1 FROM "
                        "schedule_visit_completions c WHERE c.visit_id = v.id)";
    EXPECT_EQ(count(worked), 3); // three stops
    update(body("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "2026-12-09"));
    // The worked visits stay where they were; the planned Tuesdays are gone.
    EXPECT_EQ(count(std::string(worked) + " AND v.planned_date = '2026-12-22'"), 3);
    EXPECT_EQ(count("SELECT count(*) FROM schedule_visits WHERE planned_date = '2027-01-05'"), 0);
    EXPECT_EQ(count("SELECT count(*) FROM schedule_visits WHERE planned_date = '2027-01-06'"), 3);
    EXPECT_EQ(count("SELECT rule_version FROM schedule_rounds WHERE code = 'BINS-TUE'"), 2);
    const auto changes = admin().changes("BINS-TUE").at("changes");
    ASSERT_EQ(changes.size(), 2U);
    EXPECT_EQ(changes[0].at("change"), "changed");
    EXPECT_EQ(changes[0].at("actor"), "person:1 Supervisor");
    EXPECT_EQ(changes[0].at("detail").at("before").at("rule").at("rrule"),
              "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU");
    EXPECT_EQ(changes[0].at("detail").at("after").at("rule").at("rrule"),
              "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE");
    EXPECT_EQ(changes[0].at("detail").at("visits").at("kept"), 3);
    EXPECT_EQ(changes[1].at("change"), "created");
    // The same body again changes nothing: no new version, a 'regenerated' entry.
    const auto again = update(body("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "2026-12-09"));
    EXPECT_FALSE(again.changed);
    EXPECT_EQ(count("SELECT rule_version FROM schedule_rounds WHERE code = 'BINS-TUE'"), 2);
    // The view: stops in order with their places, the next visit dates with their counts.
    const auto view = admin().view("BINS-TUE", day("2026-12-07"));
    ASSERT_EQ(view.at("stop_details").size(), 3U);
    EXPECT_EQ(view.at("stop_details")[0].at("label"), "Litter bin LB-1");
    EXPECT_EQ(view.at("stop_details")[1].at("label"), "Test Street, Chorley");
    EXPECT_EQ(view.at("stop_details")[2].at("label"), "201 Test Street, Chorley");
    EXPECT_NEAR(view.at("stop_details")[2].at("lon").get<double>(), -2.6, 1e-9);
    EXPECT_EQ(view.at("next_visits")[0].at("date"), "2026-12-09");
    EXPECT_EQ(view.at("next_visits")[0].at("visits"), 3);
    EXPECT_EQ(view.at("stops")[0].at("asset_id"), bin_in_place);
}

TEST_F(RoundAdminTest, RefusalsNameTheFieldAndSayWhy) {
    const auto with_stop = [](json stop) {
        auto b = body("FREQ=WEEKLY;BYDAY=TU");
        b["stops"] = json::array({stop});
        return b;
    };
    auto r = refused([&] { create(with_stop({{"asset_id", 424242}})); });
    EXPECT_EQ(r.first, "stops[0].asset_id");
    EXPECT_EQ(r.second, "no asset has id 424242");
    r = refused([&] { create(with_stop({{"asset_id", bin_removed}})); });
    EXPECT_EQ(r.first, "stops[0].asset_id");
    EXPECT_NE(r.second.find("was removed on 2025-06-30"), std::string::npos) << r.second;
    r = refused([&] { create(with_stop({{"asset_reference", "LB-3"}})); });
    EXPECT_EQ(r.first, "stops[0].asset_id");
    EXPECT_NE(r.second.find("outside the council's area"), std::string::npos) << r.second;
    r = refused([&] { create(with_stop({{"asset_reference", "LB-9"}})); });
    EXPECT_EQ(r.first, "stops[0].asset_reference");
    r = refused([&] { create(with_stop({{"usrn", 7}})); });
    EXPECT_EQ(r.first, "stops[0].usrn");
    r = refused([&] { create(with_stop({{"uprn", 999}})); });
    EXPECT_EQ(r.first, "stops[0].uprn");
    r = refused([&] { create(with_stop({{"uprn", 101}, {"usrn", 9001}})); });
    EXPECT_EQ(r.first, "stops[0]");
    // Rules: rejected by libical, ending before the horizon, never matching, an empty season.
    r = refused([&] { create(body("FREQ=SOMETIMES")); });
    EXPECT_EQ(r.first, "rrule");
    r = refused([&] { create(body("FREQ=WEEKLY;UNTIL=20261130", "2026-11-03")); });
    EXPECT_EQ(r.first, "rrule");
    EXPECT_EQ(r.second, "ends on 2026-11-24 (its UNTIL or COUNT), before the horizon: no visit "
                        "from 2026-12-07 to 2027-03-07");
    r = refused([&] { create(body("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")); });
    EXPECT_EQ(r.first, "rrule");
    EXPECT_NE(r.second.find("libical refused it"), std::string::npos) << r.second;
    r = refused(
        [&] { create(body("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;UNTIL=20270101", "2025-01-01")); });
    EXPECT_EQ(r.first, "rrule");
    EXPECT_NE(r.second.find("never gives a date"), std::string::npos) << r.second;
    auto empty = body("FREQ=WEEKLY;BYDAY=TU");
    empty["season"] = "11-01..11-30";
    empty["suspension"] = "10-01..01-31";
    r = refused([&] { create(empty); });
    EXPECT_EQ(r.first, "season");
    empty["season"] = "11-31..12-31";
    r = refused([&] { create(empty); });
    EXPECT_EQ(r.first, "season");
    auto team = body("FREQ=WEEKLY;BYDAY=TU");
    team["team"] = "crew-1";
    r = refused([&] { create(team); });
    EXPECT_EQ(r.first, "team");
    r = refused([&] { (void)parse_round_body(json{{"colour", "red"}}); });
    EXPECT_EQ(r.first, "colour");
    EXPECT_EQ(count("SELECT count(*) FROM schedule_rounds"), 0);
    // A duplicate code; an edit naming another code; an unknown round.
    create(body("FREQ=WEEKLY;BYDAY=TU"));
    r = refused([&] { create(body("FREQ=WEEKLY;BYDAY=TH")); });
    EXPECT_EQ(r.first, "code");
    r = refused([&] {
        admin().update("OTHER", parse_round_body(body("FREQ=WEEKLY;BYDAY=TU")), "t",
                       day("2026-12-07"));
    });
    EXPECT_EQ(r.first, "code");
    try {
        auto b = body("FREQ=WEEKLY;BYDAY=TU");
        b.erase("code");
        admin().update("OTHER", parse_round_body(b), "t", day("2026-12-07"));
        ADD_FAILURE() << "an unknown round was updated";
    } catch (const DomainError& e) {
        EXPECT_EQ(e.code(), ErrorCode::not_found);
    }
}

// A seasonal round edited out of season is kept, with no visits until its season comes back.
TEST_F(RoundAdminTest, ASeasonalRoundEditedOutOfSeasonIsKept) {
    auto grass = body("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "2026-03-03");
    grass["season"] = "03-10..10-31";
    const auto saved = create(grass);
    ASSERT_TRUE(saved.next_in_season);
    EXPECT_EQ(saved.next_in_season->iso(), "2027-03-16");
    EXPECT_EQ(saved.visits.planned, 0);
    // ... and the horizon task plans it once its season is inside the horizon.
    const auto run = app::keep_schedule_horizon(admin(), day("2026-12-08"));
    ASSERT_TRUE(run);
    EXPECT_EQ(dates("2026-12-08"), (V{}));
    (void)app::keep_schedule_horizon(admin(), day("2027-01-20"));
    EXPECT_EQ(dates("2027-01-20"), (V{"2027-03-16", "2027-03-30", "2027-04-13"}));
}

// The horizon task, run as serve runs it, with the date injected.
TEST_F(RoundAdminTest, TheHorizonTaskPlansAheadOncePerDay) {
    create(body("FREQ=WEEKLY;BYDAY=TU"));
    const auto changes = [&] { return count("SELECT count(*) FROM schedule_changes"); };
    EXPECT_EQ(changes(), 1);
    // The day it was saved: already planned to 7 March, nothing to do.
    auto run = app::keep_schedule_horizon(admin(), day("2026-12-07"));
    ASSERT_TRUE(run);
    EXPECT_EQ(run->rounds, 1);
    EXPECT_EQ(run->extended, 0);
    EXPECT_EQ(changes(), 1);
    // A week on: planned to 14 March (Tuesday 9 March is new), recorded once.
    run = app::keep_schedule_horizon(admin(), day("2026-12-14"));
    ASSERT_TRUE(run);
    EXPECT_EQ(run->to.iso(), "2027-03-14");
    EXPECT_EQ(run->extended, 1);
    EXPECT_EQ(changes(), 2);
    EXPECT_EQ(count("SELECT count(*) FROM schedule_visits WHERE planned_date = '2027-03-09'"), 3);
    const auto max_before = count("SELECT max(id) FROM schedule_visits");
    // Again the same day: nothing changes, nothing is recorded.
    run = app::keep_schedule_horizon(admin(), day("2026-12-14"));
    ASSERT_TRUE(run);
    EXPECT_EQ(run->extended, 0);
    EXPECT_EQ(changes(), 2);
    EXPECT_EQ(count("SELECT max(id) FROM schedule_visits"), max_before);
    const auto last = admin().changes("BINS-TUE").at("changes")[0];
    EXPECT_EQ(last.at("change"), "regenerated");
    EXPECT_EQ(last.at("actor"), "serve: schedule horizon");
    EXPECT_EQ(last.at("detail").at("visits").at("to"), "2027-03-14");
}

TEST_F(RoundAdminTest, AnAssetsHistoryIsEveryChange) {
    const auto h = admin().asset_history(bin_removed);
    EXPECT_EQ(h.at("reference"), "LB-2");
    EXPECT_EQ(h.at("status"), "removed");
    ASSERT_EQ(h.at("history").size(), 2U);
    EXPECT_EQ(h.at("history")[0].at("change"), "insert");
    EXPECT_EQ(h.at("history")[1].at("change"), "retire");
    EXPECT_EQ(h.at("history")[1].at("asset").at("removed_on"), "2025-06-30");
    EXPECT_EQ(h.at("history")[1].at("source"), "import assets bins.csv");
    try {
        (void)admin().asset_history(999999);
        ADD_FAILURE() << "an unknown asset has a history";
    } catch (const DomainError& e) {
        EXPECT_EQ(e.code(), ErrorCode::not_found);
    }
}

} // namespace
} // namespace wardmap::services
