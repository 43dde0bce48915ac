// The demo borough's streetscene rounds on the real server: a property on the Tuesday refuse
// round gets fortnightly Tuesdays (a bank holiday moved to the next working day), its street's
// sweeping every 10 working days outside October-January, the same dates in the iCalendar
// feed, and the property's street answers with them too.

#include "core/working_days.hpp"

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;

long day_number(const std::string& iso) {
    return core::days_since_epoch(*core::parse_iso_date(iso));
}

class SchedulesApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        const auto db = tmp->path() / "demo.sqlite";
        std::string output;
        ASSERT_EQ(testing::copy_demo_store(db, &output), 0) << output;
        {
            auto conn = store::Database::open(db);
            auto q = conn.prepare("SELECT s.uprn, (SELECT usrn FROM addresses a WHERE a.uprn = "
                                  "s.uprn AND usrn IS NOT NULL LIMIT 1) FROM schedule_round_stops "
                                  "s JOIN schedule_rounds r ON r.id = s.round_id WHERE r.code = "
                                  "'DEMO-REFUSE-TUE' ORDER BY s.seq LIMIT 1");
            ASSERT_TRUE(q.step()) << "the demo has no Tuesday refuse round";
            uprn = q.int64(0);
            usrn = q.int64(1);
        }
        server = new testing::ServerProcess(db, {"--no-access-log"});
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }
    static json get(const std::string& target) {
        const auto r = testing::http_get(server->port(), target);
        EXPECT_EQ(r.status, 200) << target << " " << r.body;
        return json::parse(r.body);
    }
    static const json* activity(const json& doc, const std::string& code) {
        for (const auto& a : doc.at("activities")) {
            if (a.at("activity") == code) {
                return &a;
            }
        }
        return nullptr;
    }

    static inline testing::TempDir* tmp = nullptr;
    static inline testing::ServerProcess* server = nullptr;
    static inline std::int64_t uprn = 0;
    static inline std::int64_t usrn = 0;
};

TEST_F(SchedulesApi, APropertyGetsFortnightlyTuesdaysAndItsStreetsSweeping) {
    const auto doc = get("/api/schedules?uprn=" + std::to_string(uprn));
    EXPECT_EQ(doc.at("uprn"), uprn);
    EXPECT_FALSE(doc.at("label").get<std::string>().empty());
    EXPECT_EQ(day_number(doc.at("to")) - day_number(doc.at("from")), 90); // 13 weeks
    const auto* refuse = activity(doc, "household_waste");
    ASSERT_NE(refuse, nullptr) << doc.dump();
    const auto& visits = refuse->at("visits");
    ASSERT_GE(visits.size(), 6U);
    long previous_rule_day = 0;
    for (const auto& v : visits) {
        const std::string date = v.at("date");
        // The rule's date: a Tuesday, 14 days after the last; a moved one a working day later.
        const std::string rule_date =
            v.contains("moved_from") ? v.at("moved_from").get<std::string>() : date;
        EXPECT_EQ(core::weekday(*core::parse_iso_date(rule_date)), 1) << rule_date;
        if (previous_rule_day != 0) {
            EXPECT_EQ(day_number(rule_date) - previous_rule_day, 14) << rule_date;
        }
        previous_rule_day = day_number(rule_date);
        if (v.contains("moved_from")) {
            EXPECT_FALSE(core::is_working_day(*core::parse_iso_date(rule_date)));
            EXPECT_EQ(date, core::add_working_days(*core::parse_iso_date(rule_date), 1).iso());
        } else {
            EXPECT_TRUE(core::is_working_day(*core::parse_iso_date(date))) << date;
        }
        EXPECT_EQ(v.at("round"), "DEMO-REFUSE-TUE");
    }
    EXPECT_EQ(refuse->at("next"), visits.at(0).at("date"));
    // Sweeping, every 10 working days and never October to January, comes by its street.
    if (const auto* sweep = activity(doc, "sweep")) {
        const auto& s = sweep->at("visits");
        for (std::size_t i = 0; i < s.size(); ++i) {
            const auto d = *core::parse_iso_date(s[i].at("date").get<std::string>());
            EXPECT_TRUE(d.month >= 2 && d.month <= 9) << d.iso();
            if (i > 0) {
                const auto before = *core::parse_iso_date(s[i - 1].at("date").get<std::string>());
                EXPECT_EQ(core::add_working_days(before, 10).iso(), d.iso());
            }
        }
    }
    // The street sees the property's collections.
    const auto street = get("/api/schedules?usrn=" + std::to_string(usrn));
    const auto* street_refuse = activity(street, "household_waste");
    ASSERT_NE(street_refuse, nullptr);
    EXPECT_EQ(street_refuse->at("visits").size(), visits.size());
}

TEST_F(SchedulesApi, TheFeedHasOneEventPerActivityAndDate) {
    const auto doc = get("/api/schedules?uprn=" + std::to_string(uprn));
    std::size_t dates = 0;
    for (const auto& a : doc.at("activities")) {
        dates += a.at("visits").size();
    }
    const auto r =
        testing::http_get(server->port(), "/api/schedules.ics?uprn=" + std::to_string(uprn));
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "text/calendar; charset=utf-8");
    EXPECT_TRUE(r.body.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    std::size_t events = 0;
    for (auto at = r.body.find("BEGIN:VEVENT\r\n"); at != std::string::npos;
         at = r.body.find("BEGIN:VEVENT\r\n", at + 1)) {
        ++events;
    }
    EXPECT_EQ(events, dates);
    EXPECT_GT(events, 0U);
}

TEST_F(SchedulesApi, APreviewGivesARulesDatesAndRefusesBadRulesNamingTheField) {
    using testing::url_encode;
    const auto doc = get("/api/schedules/preview?rrule=" + url_encode("FREQ=WEEKLY;BYDAY=FR") +
                         "&first_date=2026-12-04&from=2026-12-01&to=2027-01-15");
    std::vector<std::string> dates;
    for (const auto& d : doc.at("dates")) {
        dates.push_back(
            d.at("date").get<std::string>() +
            (d.contains("moved_from") ? "<" + d.at("moved_from").get<std::string>() : ""));
    }
    EXPECT_EQ(dates, (std::vector<std::string>{"2026-12-04", "2026-12-11", "2026-12-18",
                                               "2026-12-29<2026-12-25", "2027-01-04<2027-01-01",
                                               "2027-01-08", "2027-01-15"}));
    const auto seven =
        get("/api/schedules/preview?kind=per_season&visits_per_season=7&season=" +
            url_encode("03-01..10-31") + "&first_date=2027-01-01&from=2027-01-01&to=2027-12-31");
    EXPECT_EQ(seven.at("dates").size(), 7U);
    const std::string base = "/api/schedules/preview?first_date=2026-12-07&from=2026-12-07";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {base + "&rrule=" + url_encode("FREQ=WEEKLY;BYDAY=XX"), "rrule"},
        {base + "&rrule=" + url_encode("FREQ=MINUTELY"), "rrule"},
        {base + "&rrule=" + url_encode("FREQ=WEEKLY;UNTIL=20250101"), "rrule"},
        {base + "&rrule=" + url_encode("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"), "rrule"},
        {base + "&kind=per_season&visits_per_season=7", "season"},
        {base + "&kind=working_days&interval_working_days=10&season=" + url_encode("11-01..11-30") +
             "&suspension=" + url_encode("10-01..01-31"),
         "season"},
        {base + "&kind=working_days&interval_working_days=10&season=" + url_encode("02-30..03-01"),
         "season"},
        {base + "&kind=weekly", "kind"},
        {base + "&rrule=FREQ%3DDAILY&bank_holidays=ignore", "bank_holidays"},
        {"/api/schedules/preview?rrule=FREQ%3DDAILY", "first_date"},
    };
    for (const auto& [target, field] : cases) {
        const auto r = testing::http_get(server->port(), target);
        EXPECT_EQ(r.status, 400) << target;
        EXPECT_EQ(r.header("content-type"), "application/problem+json") << target;
        const auto body = json::parse(r.body, nullptr, false);
        ASSERT_TRUE(body.is_object()) << r.body;
        EXPECT_EQ(body.at("errors").at(0).at("name"), field) << target << " " << r.body;
    }
}

// A property whose own stop, its street's stop and an asset on its street are all on rounds:
// the answer over a whole year (rolls included) is the one the plain OR of the three stop
// kinds gives, read straight from the store, first visit of a day by visit id.
TEST_F(SchedulesApi, APropertyWithStreetAndPropertyRoundsGetsEveryStopsVisits) {
    std::int64_t both = 0;
    json expected = json::array();
    const std::string from = "2026-01-06";
    const std::string to = "2027-01-05";
    {
        auto conn = store::Database::open(tmp->path() / "demo.sqlite");
        auto pick = conn.prepare(
            "SELECT s.uprn FROM schedule_round_stops s JOIN addresses a ON a.uprn = s.uprn "
            "WHERE s.uprn IS NOT NULL AND EXISTS (SELECT 1 FROM schedule_round_stops t WHERE "
            "t.usrn = a.usrn) AND EXISTS (SELECT 1 FROM schedule_round_stops t JOIN "
            "street_assets sa ON sa.id = t.asset_id WHERE sa.usrn = a.usrn) ORDER BY s.uprn "
            "LIMIT 1");
        ASSERT_TRUE(pick.step()) << "no demo property has property, street and asset rounds";
        both = pick.int64(0);
        auto q = conn.prepare(
            "SELECT r.activity, v.planned_date, r.code, coalesce((SELECT c.outcome FROM "
            "schedule_visit_completions c WHERE c.visit_id = v.id ORDER BY c.at DESC, c.id DESC "
            "LIMIT 1), 'planned'), v.moved, v.rule_date FROM schedule_visits v JOIN "
            "schedule_round_stops s ON s.id = v.stop_id JOIN schedule_rounds r ON r.id = "
            "v.round_id AND r.one_off = 0 WHERE (s.uprn = ?1 OR s.usrn IN (SELECT usrn FROM "
            "addresses WHERE uprn = ?1) OR s.asset_id IN (SELECT id FROM street_assets WHERE "
            "uprn = ?1 OR usrn IN (SELECT usrn FROM addresses WHERE uprn = ?1))) AND "
            "v.planned_date BETWEEN ?2 AND ?3 ORDER BY r.activity, v.planned_date, r.code, v.id");
        q.bind(1, both).bind(2, from).bind(3, to);
        std::set<std::string> seen;
        while (q.step()) {
            const std::string activity(q.text(0));
            const std::string date(q.text(1));
            if (!seen.insert(activity + "|" + date).second) {
                continue;
            }
            json one{{"activity", activity},
                     {"date", date},
                     {"round", std::string(q.text(2))},
                     {"status", std::string(q.text(3))}};
            if (!q.is_null(4)) {
                one["moved_from"] = std::string(q.text(5));
            }
            expected.push_back(one);
        }
    }
    const auto doc =
        get("/api/schedules?uprn=" + std::to_string(both) + "&from=" + from + "&to=" + to);
    json got = json::array();
    std::set<std::string> rounds;
    for (const auto& a : doc.at("activities")) {
        for (const auto& v : a.at("visits")) {
            json one{{"activity", a.at("activity")},
                     {"date", v.at("date")},
                     {"round", v.at("round")},
                     {"status", v.at("status")}};
            if (v.contains("moved_from")) {
                one["moved_from"] = v.at("moved_from");
            }
            got.push_back(one);
            rounds.insert(v.at("round").get<std::string>());
        }
    }
    EXPECT_GE(rounds.size(), 3U) << doc.dump(); // the property's, its street's, an asset's
    ASSERT_GT(expected.size(), 20U);
    EXPECT_EQ(got, expected);
}

} // namespace
} // namespace wardmap
