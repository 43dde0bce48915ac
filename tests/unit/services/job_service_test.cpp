// Streetscene jobs' rules on a real SpatiaLite file with a clock set to hand-checked dates:
// the missed-collection rule (done with no crew exception, within two working days, Christmas
// and Boxing Day's substitute not counted), bin links by reference and by nearest, a bin's
// review and its suggestion, the jobs file, and one-off rounds left alone by regeneration.

#include "server/services/shared/errors.hpp"
#include "server/services/streetscene/job_service.hpp"
#include "server/services/streetscene/schedule_service.hpp"
#include "tests/support/served_routes.hpp"
#include "tests/support/test_paths.hpp"
#include "tests/support/test_streets.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace wardmap::services {
namespace {

core::Date day(const char* iso) {
    return *core::parse_iso_date(iso);
}

/// 10:00 UK time on `iso` (GMT in December).
core::UnixSeconds ten_am(const char* iso) {
    return core::uk_instant(day(iso), 10 * 3600);
}

class Jobs : public ::testing::Test {
  protected:
    Jobs() : routes(tmp.path()) {
        auto db = routes.pool().acquire();
        // Street 9001 with properties 101 and 102; street 9002 with 201 (on no round).
        testing::add_test_streets(*db);
        // Two litter bins 30 m apart and a bench beside the first.
        for (const auto& [id, type, ref, e] : {std::tuple{1, "litter_bin", "LB-001", 358000.0},
                                               std::tuple{2, "litter_bin", "LB-002", 358030.0},
                                               std::tuple{3, "bench", "BE-001", 358001.0}}) {
            db->exec("INSERT INTO street_assets (id, asset_type, reference, usrn, anchor_e, "
                     "anchor_n, changed_at, changed_by, geom, geom_wgs84) VALUES (" +
                     std::to_string(id) + ", '" + type + "', '" + ref + "', 9001, " +
                     std::to_string(e) + ", 418000, '2026-01-01T00:00:00Z', 'test', MakePoint(" +
                     std::to_string(e) + ", 418000, 27700), MakePoint(-2.6, 53.65, 4326))");
        }
    }

    JobService jobs_at(const char* iso) {
        const auto t = ten_am(iso);
        return JobService(routes.pool(), routes.services().requests, geo::BngTransform::create(),
                          JobCategories::defaults(), [t] { return t; });
    }

    void save(RoundDefinition def) {
        auto db = routes.pool().acquire();
        store::Transaction tx(*db);
        ScheduleService::save_round(*db, std::move(def), "test", day("2026-12-01"),
                                    day("2027-01-31"));
        tx.commit();
    }

    RoundDefinition round(const char* code,
                          const char* activity,
                          const char* rrule,
                          const char* first,
                          std::vector<StopTarget> stops) {
        RoundDefinition def;
        def.code = code;
        def.name = code;
        def.activity = activity;
        def.rule.kind = RuleKind::rrule;
        def.rule.rrule = rrule;
        def.rule.first_date = day(first);
        def.stops = std::move(stops);
        return def;
    }

    std::int64_t visit_of(const char* round, const char* planned) {
        auto db = routes.pool().acquire();
        auto q = db->prepare("SELECT v.id FROM schedule_visits v JOIN schedule_rounds r ON r.id "
                             "= v.round_id WHERE r.code = ? AND v.planned_date = ? ORDER BY v.id "
                             "LIMIT 1");
        q.bind(1, round).bind(2, planned);
        EXPECT_TRUE(q.step()) << round << " has no visit on " << planned;
        return q.int64(0);
    }

    /// A crew's completion as the crews' route stores it.
    void complete(std::int64_t visit,
                  const char* outcome,
                  const char* reason = nullptr,
                  const char* quantities = "{}") {
        auto db = routes.pool().acquire();
        auto q = db->prepare(
            "INSERT INTO schedule_visit_completions (visit_id, client_id, actor, outcome, reason, "
            "at, recorded_at, quantities) VALUES (?1, ?2, 'Test Crew', ?3, ?4, "
            "'2026-12-01T10:00:00Z', '2026-12-01T10:00:00Z', ?5)");
        q.bind(1, visit).bind(2, "client-" + std::to_string(++m_clients)).bind(3, outcome);
        if (reason != nullptr) {
            q.bind(4, reason);
        } else {
            q.bind_null(4);
        }
        q.bind(5, quantities);
        q.run();
    }

    /// What a missed_bin report for `uprn` (on `usrn`) with `containers` gets on `iso`: "" when
    /// accepted, else the refusal's message.
    std::string missed(const char* iso,
                       std::int64_t uprn,
                       std::int64_t usrn,
                       std::vector<std::string> containers = {"grey"}) {
        const auto catalogue = routes.services().requests.catalogue();
        std::map<std::string, std::vector<std::string>> attributes{{"container", containers}};
        IntakeFacts facts{.service = catalogue->find("missed_bin"),
                          .at = {358050, 418010},
                          .uprn = uprn,
                          .usrn = usrn,
                          .attributes = &attributes,
                          .now = ten_am(iso)};
        try {
            jobs_at(iso).check_missed_collection(facts);
        } catch (const DomainError& e) {
            EXPECT_EQ(e.code(), ErrorCode::invalid_parameter);
            EXPECT_EQ(e.problems().at(0).name, "attribute[container]");
            return e.problems().at(0).message;
        }
        return "";
    }

    testing::TempDir tmp;
    testing::ServedRoutes routes;
    int m_clients = 0;
};

// Fortnightly Thursdays from 10 December 2026: 10 and 24 December, 7 January. Two working
// days after Thursday 24 December are Tuesday 29th and Wednesday 30th: Friday 25th (Christmas)
// and Monday 28th (Boxing Day's substitute) are bank holidays.
TEST_F(Jobs, AMissedCollectionIsTakenWithinTwoWorkingDaysOfADoneCollection) {
    save(round("REFUSE-THU", "household_waste", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "2026-12-10",
               {{StopTarget::Kind::property, 101}}));
    complete(visit_of("REFUSE-THU", "2026-12-24"), "done");
    EXPECT_EQ(missed("2026-12-24", 101, 9001), "");
    EXPECT_EQ(missed("2026-12-29", 101, 9001), "");
    EXPECT_EQ(missed("2026-12-30", 101, 9001), "");
    const auto late = missed("2026-12-31", 101, 9001);
    EXPECT_NE(late.find("within 2 working days"), std::string::npos) << late;
    EXPECT_NE(late.find("Thursday 24 December 2026"), std::string::npos) << late;
    EXPECT_NE(late.find("Wednesday 30 December 2026"), std::string::npos) << late;
    EXPECT_NE(late.find("next collection is on Thursday 7 January 2027"), std::string::npos)
        << late;
    // A brown bin is garden waste, which no round collects here: nothing to check.
    EXPECT_EQ(missed("2026-12-31", 101, 9001, {"brown"}), "");
    // A property on no round at all: the rule cannot apply.
    EXPECT_EQ(missed("2026-12-31", 201, 9002), "");
}

TEST_F(Jobs, ACrewExceptionOrAnUnfinishedRoundRefusesIt) {
    save(round("REFUSE-THU", "household_waste", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "2026-12-10",
               {{StopTarget::Kind::property, 101}}));
    // Not yet marked complete on the day itself.
    const auto waiting = missed("2026-12-10", 101, 9001);
    EXPECT_NE(waiting.find("has not been marked complete yet"), std::string::npos) << waiting;
    EXPECT_NE(waiting.find("Thursday 24 December 2026"), std::string::npos) << waiting;
    // The crew recorded an exception: the bin was not missed.
    complete(visit_of("REFUSE-THU", "2026-12-10"), "not_done", "blocked_access");
    const auto exception = missed("2026-12-11", 101, 9001);
    EXPECT_NE(exception.find("access was blocked"), std::string::npos) << exception;
    EXPECT_NE(exception.find("Thursday 10 December 2026"), std::string::npos) << exception;
    // Before the round's first collection nothing can have been missed.
    const auto early = missed("2026-12-08", 101, 9001);
    EXPECT_NE(early.find("none can have been missed"), std::string::npos) << early;
}

TEST_F(Jobs, AStreetStopCountsForItsProperties) {
    // Sweeping is no collection; a recycling round by street (USRN 9001) covers 102.
    save(round("RECYCLE-MON", "recycling", "FREQ=WEEKLY;BYDAY=MO", "2026-12-07",
               {{StopTarget::Kind::street, 9001}}));
    complete(visit_of("RECYCLE-MON", "2026-12-14"), "done");
    EXPECT_EQ(missed("2026-12-16", 102, 9001, {"blue"}), "");
    EXPECT_NE(missed("2026-12-17", 102, 9001, {"blue"}).find("within 2 working days"),
              std::string::npos);
    // Grey is household waste: no round of it here.
    EXPECT_EQ(missed("2026-12-17", 102, 9001, {"grey"}), "");
}

TEST_F(Jobs, ABinReportIsLinkedByReferenceElseToTheNearestBinWithinTenMetres) {
    const auto catalogue = routes.services().requests.catalogue();
    const auto link = [&](std::int64_t request_id, geo::EastNorth at,
                          std::map<std::string, std::vector<std::string>> attributes) {
        auto db = routes.pool().acquire();
        db->exec("INSERT INTO service_requests (id, category_code, status, description, "
                 "created_at, updated_at, source, geom, geom_wgs84) VALUES (" +
                 std::to_string(request_id) +
                 ", 'overflowing_bin', 'open', '', '2026-12-01T10:00:00Z', "
                 "'2026-12-01T10:00:00Z', 'web', MakePoint(358000, 418000, 27700), "
                 "MakePoint(-2.6, 53.65, 4326))");
        IntakeFacts facts{.service = catalogue->find("overflowing_bin"),
                          .at = at,
                          .uprn = std::nullopt,
                          .usrn = std::nullopt,
                          .attributes = &attributes,
                          .now = ten_am("2026-12-01")};
        jobs_at("2026-12-01").link_bin(*db, request_id, facts);
        auto q = db->prepare("SELECT asset_id, matched_by, distance_m FROM request_asset_links "
                             "WHERE request_id = ?");
        q.bind(1, request_id);
        return q.step() ? std::to_string(q.int64(0)) + " " + std::string(q.text(1)) + " " +
                              std::to_string(static_cast<int>(q.real(2)))
                        : std::string("none");
    };
    // The reference on the form wins over a nearer bin (case and spaces forgiven).
    EXPECT_EQ(link(1, {358001, 418000}, {{"asset_ref", {" lb-002 "}}}), "2 reference 29");
    // No reference: the nearest bin within 10 m (the bench beside it is no bin).
    EXPECT_EQ(link(2, {358004, 418003}, {}), "1 nearest 5");
    // An unknown reference falls back to the nearest.
    EXPECT_EQ(link(3, {358028, 418000}, {{"asset_ref", {"XX-999"}}}), "2 nearest 2");
    // Nothing within 10 m.
    EXPECT_EQ(link(4, {358015, 418000}, {}), "none");
}

TEST_F(Jobs, ABinsReviewSuggestsMoreEmptyingsWhenItIsFullAndReported) {
    // Bin 1 emptied every Monday; four readings in the window, mostly full.
    save(round("BINS-MON", "empty_litter_bins", "FREQ=WEEKLY;BYDAY=MO", "2026-12-07",
               {{StopTarget::Kind::asset, 1}}));
    complete(visit_of("BINS-MON", "2026-12-07"), "done", nullptr, R"({"fill_percent": 90})");
    complete(visit_of("BINS-MON", "2026-12-14"), "done", nullptr, R"({"fill_percent": 100})");
    complete(visit_of("BINS-MON", "2026-12-21"), "done", nullptr, R"({"fill_percent": 80})");
    complete(visit_of("BINS-MON", "2026-12-29"), "done", nullptr, R"({"bins_emptied": 1})");
    const auto r = jobs_at("2027-01-01").review(1);
    EXPECT_EQ(r.reference, "LB-001");
    ASSERT_EQ(r.fills.size(), 3U);
    EXPECT_EQ(r.fills[0].date.iso(), "2026-12-07");
    EXPECT_EQ(r.fills[1].fill_percent, 100);
    EXPECT_EQ(r.readings_window, 3);
    EXPECT_EQ(r.emptyings_window, 4);
    ASSERT_TRUE(r.mean_fill);
    EXPECT_DOUBLE_EQ(*r.mean_fill, 90);
    // Visits planned 2 October 2026 to 1 April 2027 that exist: 7 Dec .. 25 Jan, 8 Mondays
    // (28 December moved to the 29th, a Tuesday) over 26 weeks.
    EXPECT_DOUBLE_EQ(r.visits_per_week, 0.31);
    EXPECT_EQ(r.suggestion, "increase");
    EXPECT_DOUBLE_EQ(r.suggested_visits_per_week, 0.62);
    // Bin 2 has nothing: keep. A bench is not reviewed.
    EXPECT_EQ(jobs_at("2027-01-01").review(2).suggestion, "keep");
    try {
        (void)jobs_at("2027-01-01").review(3);
        ADD_FAILURE() << "a bench was reviewed";
    } catch (const DomainError& e) {
        EXPECT_EQ(e.code(), ErrorCode::invalid_parameter);
    }
    try {
        (void)jobs_at("2027-01-01").review(99);
        ADD_FAILURE() << "an unknown asset was reviewed";
    } catch (const DomainError& e) {
        EXPECT_EQ(e.code(), ErrorCode::not_found);
    }
}

TEST_F(Jobs, TheJobsFileIsCheckedMemberByMember) {
    const auto c = JobCategories::parse(R"({"activities": {"graffiti": "clear_fly_tip"}})", "f");
    EXPECT_EQ(c.activities.size(), 1U);
    EXPECT_EQ(c.activities.at("graffiti"), "clear_fly_tip");
    EXPECT_EQ(c.container_activities.at("grey"), "household_waste"); // default kept
    for (const auto* bad :
         {R"([])", R"({"activities": {}})", R"({"activities": {"x": 1}})", R"({"colour": "red"})",
          R"({"bin_asset_types": "litter_bin"})", R"({"container_attribute": ""})", "{"}) {
        EXPECT_THROW((void)JobCategories::parse(bad, "f"), std::runtime_error) << bad;
    }
    const auto file = JobCategories::load(testing::source_dir() / "data/streetscene/jobs.json");
    EXPECT_EQ(file.activities, JobCategories::defaults().activities);
    EXPECT_EQ(file.container_activities, JobCategories::defaults().container_activities);
}

TEST_F(Jobs, ARoundOfJobsIsNeverRegenerated) {
    save(round("REFUSE-THU", "household_waste", "FREQ=WEEKLY;BYDAY=TH", "2026-12-10",
               {{StopTarget::Kind::property, 101}}));
    {
        auto db = routes.pool().acquire();
        db->exec("INSERT INTO schedule_rounds (id, code, name, activity, rule_kind, rrule, "
                 "first_date, one_off, created_at, updated_at) VALUES (900, 'JOB-X-sweep', "
                 "'Jobs', 'sweep', 'rrule', 'FREQ=DAILY;COUNT=1', '2026-12-10', 1, 'now', 'now')");
        db->exec("INSERT INTO schedule_round_stops (id, round_id, seq, usrn) VALUES (900, 900, 1, "
                 "9001)");
        db->exec("INSERT INTO schedule_visits (round_id, stop_id, rule_date, planned_date, "
                 "generation) VALUES (900, 900, '2026-12-15', '2026-12-15', 1)");
        store::Transaction tx(*db);
        ScheduleService::materialise_all(*db, day("2026-12-01"), day("2027-01-31"), "test");
        tx.commit();
        EXPECT_EQ(db->query_int("SELECT count(*) FROM schedule_visits WHERE round_id = 900"), 1);
        // And no save over it.
        store::Transaction again(*db);
        EXPECT_THROW(
            ScheduleService::save_round(*db,
                                        round("JOB-X-sweep", "sweep", "FREQ=WEEKLY;BYDAY=MO",
                                              "2026-12-07", {{StopTarget::Kind::street, 9001}}),
                                        "test", day("2026-12-01"), day("2027-01-31")),
            DomainError);
    }
    // Residents' schedules leave jobs out.
    const auto s =
        routes.services().schedules.for_street(9001, day("2026-12-01"), day("2027-01-31"));
    for (const auto& a : s.activities) {
        EXPECT_NE(a.activity, "sweep");
    }
}

} // namespace
} // namespace wardmap::services
