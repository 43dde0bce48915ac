// Rounds saved and regenerated on a real SpatiaLite file: visits materialised per stop and
// date, a rule change rewriting only planned visits (never one with a completion, and
// keeping the ids of those it gives again), stops taken off, the append-only history, the
// residents' view by UPRN and USRN, and the fields refused definitions name.

#include "server/services/shared/errors.hpp"
#include "server/services/streetscene/schedule_service.hpp"
#include "tests/support/served_routes.hpp"
#include "tests/support/test_paths.hpp"
#include "tests/support/test_streets.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace wardmap::services {
namespace {

core::Date day(const char* iso) {
    return *core::parse_iso_date(iso);
}

class Schedules : public ::testing::Test {
  protected:
    Schedules() : routes(tmp.path()) {
        auto db = routes.pool().acquire();
        // Two streets, three properties: 101 and 102 on street 9001, 201 on 9002.
        testing::add_test_streets(*db);
    }

    RoundDefinition refuse_round() {
        RoundDefinition def;
        def.code = "REFUSE-FRI";
        def.name = "Refuse, Friday";
        def.activity = "household_waste";
        def.team = "waste";
        def.rule.kind = RuleKind::rrule;
        def.rule.rrule = "FREQ=WEEKLY;BYDAY=FR";
        def.rule.first_date = day("2026-12-04");
        def.stops = {{StopTarget::Kind::property, 101}, {StopTarget::Kind::property, 102}};
        return def;
    }

    SaveResult
    save(RoundDefinition def, const char* from = "2026-12-01", const char* to = "2027-01-15") {
        auto db = routes.pool().acquire();
        store::Transaction tx(*db);
        auto r = ScheduleService::save_round(*db, std::move(def), "test", day(from), day(to));
        tx.commit();
        return r;
    }

    /// Records `outcome` (done, or not_done for the weather) for every visit on `planned`, as a
    /// crew would: the visit's status follows from it.
    static void complete(store::Database& db, const char* planned, const char* outcome) {
        auto q = db.prepare(
            "INSERT INTO schedule_visit_completions (visit_id, client_id, actor, outcome, reason, "
            "at, recorded_at) SELECT id, 'test-' || id || '-' || ?2, 'test', ?2, CASE ?2 WHEN "
            "'not_done' THEN 'weather' END, planned_date || 'T10:00:00Z', planned_date || "
            "'T10:00:01Z' FROM schedule_visits WHERE planned_date = ?1");
        q.bind(1, planned).bind(2, outcome);
        q.run();
    }

    std::int64_t count(const std::string& sql) {
        auto db = routes.pool().acquire();
        return db->query_int(sql).value_or(-1);
    }

    std::vector<std::string> dates_for_uprn(std::int64_t uprn, const char* activity) {
        std::vector<std::string> out;
        const auto s =
            routes.services().schedules.for_property(uprn, day("2026-12-01"), day("2027-01-15"));
        for (const auto& a : s.activities) {
            if (a.activity == activity) {
                for (const auto& d : a.dates) {
                    out.push_back(d.date.iso() + (d.moved_from ? "*" : "") +
                                  (d.status == "planned" ? "" : ":" + d.status));
                }
            }
        }
        return out;
    }

    std::string refused_field(const std::function<void()>& f) {
        try {
            f();
        } catch (const DomainError& e) {
            EXPECT_EQ(e.code(), ErrorCode::invalid_parameter);
            return e.problems().empty() ? "(none)" : e.problems().front().name;
        }
        return "(accepted)";
    }

    testing::TempDir tmp;
    testing::ServedRoutes routes;
};

using V = std::vector<std::string>;

TEST_F(Schedules, ARoundPlansOneVisitPerStopAndDate) {
    const auto r = save(refuse_round());
    EXPECT_TRUE(r.created);
    EXPECT_EQ(r.visits.dates, 7);
    EXPECT_EQ(r.visits.planned, 14);
    EXPECT_EQ(count("SELECT count(*) FROM schedule_visits"), 14);
    EXPECT_EQ(dates_for_uprn(101, "household_waste"),
              (V{"2026-12-04", "2026-12-11", "2026-12-18", "2026-12-29*", "2027-01-04*",
                 "2027-01-08", "2027-01-15"}));
    // 201 is on another street and not on the round.
    EXPECT_TRUE(routes.services()
                    .schedules.for_property(201, day("2026-12-01"), day("2027-01-15"))
                    .activities.empty());
}

TEST_F(Schedules, AStreetStopReachesItsPropertiesAndAPropertyStopItsStreet) {
    auto sweep = refuse_round();
    sweep.code = "SWEEP";
    sweep.activity = "sweep";
    sweep.rule.kind = RuleKind::working_days;
    sweep.rule.interval_working_days = 10;
    sweep.rule.first_date = day("2026-12-14");
    sweep.stops = {{StopTarget::Kind::street, 9001}};
    save(sweep);
    save(refuse_round());
    EXPECT_EQ(dates_for_uprn(102, "sweep"), (V{"2026-12-14", "2026-12-30", "2027-01-14"}));
    const auto street =
        routes.services().schedules.for_street(9001, day("2026-12-01"), day("2027-01-15"));
    ASSERT_EQ(street.activities.size(), 2U);
    EXPECT_EQ(street.activities[0].activity, "household_waste");
    EXPECT_EQ(street.activities[0].dates.size(), 7U); // 101 and 102 share each date
    EXPECT_EQ(street.activities[1].activity, "sweep");
    EXPECT_EQ(street.label, "Test Street, Chorley");
}

TEST_F(Schedules, ARuleChangeRewritesOnlyPlannedVisitsAndKeepsTheirIds) {
    save(refuse_round());
    auto db = routes.pool().acquire();
    complete(*db, "2026-12-04", "done");
    complete(*db, "2026-12-11", "not_done");
    const auto id_of = [&db](const char* planned, std::int64_t uprn) {
        auto q = db->prepare("SELECT v.id FROM schedule_visits v JOIN schedule_round_stops s ON "
                             "s.id = v.stop_id WHERE v.planned_date = ? AND s.uprn = ?");
        q.bind(1, planned).bind(2, uprn);
        return q.step() ? q.int64(0) : -1;
    };
    const auto kept_id = id_of("2027-01-08", 101);
    // Same rule, horizon rolled on: nothing changes, the ids stay.
    auto same = save(refuse_round());
    EXPECT_FALSE(same.changed);
    EXPECT_EQ(same.visits.kept, 4);
    EXPECT_EQ(id_of("2027-01-08", 101), kept_id);
    // Fridays become Thursdays from 2026-12-10: the done and not-done visits stay on their
    // Fridays; the rest move.
    auto changed = refuse_round();
    changed.rule.rrule = "FREQ=WEEKLY;BYDAY=TH";
    changed.rule.first_date = day("2026-12-03");
    const auto r = save(changed, "2026-12-10", "2027-01-15");
    EXPECT_TRUE(r.changed);
    EXPECT_EQ(r.visits.kept, 2); // the not-done pair (12-11); the done pair is before 12-10
    EXPECT_EQ(dates_for_uprn(101, "household_waste"),
              (V{"2026-12-04:done", "2026-12-10", "2026-12-11:not_done", "2026-12-17", "2026-12-24",
                 "2026-12-31", "2027-01-07", "2027-01-14"}));
    EXPECT_EQ(id_of("2027-01-08", 101), -1);
    EXPECT_EQ(count("SELECT rule_version FROM schedule_rounds"), 2);
    // The history: created, regenerated, changed, each with the visits' counts.
    auto h = db->prepare("SELECT change, json_extract(detail, '$.visits.kept'), "
                         "json_extract(detail, '$.after.rule.rrule') FROM schedule_changes "
                         "ORDER BY id");
    std::vector<std::string> history;
    while (h.step()) {
        history.push_back(std::string(h.text(0)) + "/" + std::to_string(h.int64(1)) + "/" +
                          h.optional_text(2).value_or("-"));
    }
    EXPECT_EQ(history, (V{"created/0/FREQ=WEEKLY;BYDAY=FR", "regenerated/4/-",
                          "changed/2/FREQ=WEEKLY;BYDAY=TH"}));
    EXPECT_THROW(db->exec("UPDATE schedule_changes SET actor = 'x'"), store::StoreError);
    EXPECT_THROW(db->exec("DELETE FROM schedule_changes"), store::StoreError);
}

TEST_F(Schedules, AStopTakenOffLosesItsPlannedVisitsButNotItsDoneOnes) {
    save(refuse_round());
    {
        auto db = routes.pool().acquire();
        complete(*db, "2026-12-04", "done");
    }
    auto fewer = refuse_round();
    fewer.stops = {{StopTarget::Kind::property, 101}};
    save(fewer, "2026-12-05", "2027-01-15");
    EXPECT_EQ(dates_for_uprn(102, "household_waste"), (V{"2026-12-04:done"}));
    EXPECT_EQ(dates_for_uprn(101, "household_waste").size(), 7U);
    EXPECT_EQ(count("SELECT count(*) FROM schedule_round_stops WHERE removed = 1"), 1);
    // Put back: the same stop (and id) again.
    save(refuse_round(), "2026-12-05", "2027-01-15");
    EXPECT_EQ(count("SELECT count(*) FROM schedule_round_stops"), 2);
    EXPECT_EQ(dates_for_uprn(102, "household_waste").size(), 7U);
}

TEST_F(Schedules, RefusedDefinitionsNameTheirField) {
    auto bad = refuse_round();
    bad.stops.push_back({StopTarget::Kind::property, 999});
    EXPECT_EQ(refused_field([&] { save(bad); }), "stops[2].uprn");
    bad = refuse_round();
    bad.stops.push_back({StopTarget::Kind::street, 7});
    EXPECT_EQ(refused_field([&] { save(bad); }), "stops[2].usrn");
    bad = refuse_round();
    bad.stops.push_back({StopTarget::Kind::property, 101});
    EXPECT_EQ(refused_field([&] { save(bad); }), "stops[2].uprn");
    bad = refuse_round();
    bad.stops.push_back({StopTarget::Kind::asset, 424242});
    EXPECT_EQ(refused_field([&] { save(bad); }), "stops[2].asset_id");
    bad = refuse_round();
    bad.stops.clear();
    EXPECT_EQ(refused_field([&] { save(bad); }), "stops");
    bad = refuse_round();
    bad.activity = "juggling";
    EXPECT_EQ(refused_field([&] { save(bad); }), "activity");
    bad = refuse_round();
    bad.round_set = "autumn";
    EXPECT_EQ(refused_field([&] { save(bad); }), "round_set");
    bad = refuse_round();
    bad.rule.rrule = "FREQ=WEEKLY;UNTIL=20250101";
    EXPECT_EQ(refused_field([&] { save(bad); }), "rrule");
    EXPECT_EQ(count("SELECT count(*) FROM schedule_rounds"), 0);
    const auto& schedules = routes.services().schedules;
    EXPECT_EQ(refused_field(
                  [&] { (void)schedules.for_property(5, day("2026-12-01"), day("2026-12-31")); }),
              "uprn");
    EXPECT_EQ(
        refused_field([&] { (void)schedules.for_street(5, day("2026-12-01"), day("2026-12-31")); }),
        "usrn");
    EXPECT_EQ(refused_field(
                  [&] { (void)schedules.for_street(9001, day("2026-12-01"), day("2028-12-31")); }),
              "to");
}

// An asset stop must be an asset of the register that is still in place; its visits show for
// its street and the properties on it.
TEST_F(Schedules, AnAssetStopIsAnAssetInPlace) {
    std::int64_t bin = 0;
    {
        auto db = routes.pool().acquire();
        db->exec("INSERT INTO street_assets (asset_type, reference, usrn, attributes, anchor_e, "
                 "anchor_n, changed_at, changed_by, geom, geom_wgs84) VALUES ('litter_bin', "
                 "'LB-7', 9001, '{}', 358050, 418010, '2024-01-01T00:00:00Z', 'test', "
                 "MakePoint(358050, 418010, 27700), MakePoint(-2.6, 53.65, 4326))");
        bin = db->query_int("SELECT id FROM street_assets WHERE reference = 'LB-7'").value_or(0);
    }
    ASSERT_GT(bin, 0);
    auto bins = refuse_round();
    bins.code = "BINS-FRI";
    bins.activity = "empty_litter_bins";
    bins.stops = {{StopTarget::Kind::asset, bin}};
    EXPECT_TRUE(save(bins).created);
    EXPECT_GT(count("SELECT count(*) FROM schedule_visits v JOIN schedule_round_stops s ON "
                    "s.id = v.stop_id WHERE s.asset_id = " +
                    std::to_string(bin)),
              0);
    // The bin stands on 101's street (9001), so its emptying is among 101's visits, not 201's.
    EXPECT_FALSE(dates_for_uprn(101, "empty_litter_bins").empty());
    EXPECT_TRUE(dates_for_uprn(201, "empty_litter_bins").empty());
    {
        auto db = routes.pool().acquire();
        db->exec("UPDATE street_assets SET status = 'removed', removed_on = '2025-01-01', "
                 "changed_at = '2025-01-01T00:00:00Z', changed_by = 'test' WHERE id = " +
                 std::to_string(bin));
    }
    bins.code = "BINS-MON";
    EXPECT_EQ(refused_field([&] { save(bins); }), "stops[0].asset_id");
}

TEST_F(Schedules, ARoundSetLimitsItsRoundsToItsWindow) {
    {
        auto db = routes.pool().acquire();
        ScheduleService::save_round_set(*db, "winter", "Winter", {{12, 1}, {2, 29}});
    }
    auto garden = refuse_round();
    garden.code = "GARDEN-WINTER";
    garden.activity = "garden_waste";
    garden.round_set = "winter";
    garden.rule.rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE";
    garden.rule.first_date = day("2026-11-04");
    save(garden, "2026-11-01", "2027-01-15");
    EXPECT_EQ(dates_for_uprn(101, "garden_waste"),
              (V{"2026-12-02", "2026-12-16", "2026-12-30", "2027-01-13"}));
}

} // namespace
} // namespace wardmap::services
