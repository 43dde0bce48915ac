// The real Chorley bin-collection calendar (shared/data/schedules, PR6 7AD, Aug-Dec 2023)
// loaded with `wardmap import bin-calendar` as household-waste rounds, then read back from the
// real server: the JSON schedule and the iCalendar feed (parsed with libical) for a UPRN and
// for its street give exactly the calendar's dates for each bin. Also the bad input: a
// calendar with bad entries is refused naming file, line and field with nothing saved, and
// the routes answer 400 problem+json naming the parameter.
//
// The calendar names a postcode, not the properties: there is no open LLPG extract for
// Chorley (shared/data/README.md §9), so two properties on one street with that postcode are
// put in the gazetteer first (UPRNs and USRN made up; the dates are the real ones).

#include "geo/store/database.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <libical/ical.h>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace wardmap {
namespace {

using nlohmann::json;

constexpr const char* uprn = "100012345601";
constexpr const char* usrn = "23201001";
const std::map<std::string, std::string> activity_of_bin = {
    {"greenBin", "household_waste"}, {"blueBin", "recycling"}, {"brownBin", "garden_waste"}};

/// activity -> the calendar's dates for it, read here from the file with nlohmann.
std::map<std::string, std::set<std::string>> calendar_dates(const std::filesystem::path& file) {
    std::ifstream in(file);
    const auto doc = json::parse(in);
    std::map<std::string, std::set<std::string>> out;
    for (const auto& entry : doc) {
        for (const auto& [bin, activity] : activity_of_bin) {
            if (entry.at(bin).get<bool>()) {
                out[activity].insert(entry.at("collectionDate").get<std::string>());
            }
        }
    }
    return out;
}

class SchedulesRealdata : public ::testing::Test {
  protected:
    void SetUp() override {
        db = tmp.path() / "schedules.sqlite";
        std::string out;
        ASSERT_EQ(testing::run_wardmap({"migrate", "--db", db.string()}, &out), 0) << out;
        auto conn = store::Database::open(db);
        conn.exec(std::string("INSERT INTO streets (usrn, descriptor, town, geom, geom_wgs84) "
                              "VALUES (") +
                  usrn +
                  ", 'Example Lane', 'Chorley', MakeLine(MakePoint(359800, 418600, 27700), "
                  "MakePoint(359900, 418600, 27700)), MakeLine(MakePoint(-2.605, 53.660, "
                  "4326), MakePoint(-2.6035, 53.660, 4326)))");
        for (const char* u : {uprn, "100012345602"}) {
            conn.exec(std::string("INSERT INTO properties (uprn, classification, easting, "
                                  "northing, lon, lat, geom, geom_wgs84) VALUES (") +
                      u +
                      ", 'RD03', 359850, 418610, -2.6042, 53.6601, MakePoint(359850, 418610, "
                      "27700), MakePoint(-2.6042, 53.6601, 4326))");
            conn.exec(std::string("INSERT INTO addresses (uprn, usrn, paon, street, town, "
                                  "postcode, single_line) VALUES (") +
                      u + ", " + usrn +
                      ", '1', 'Example Lane', 'Chorley', 'PR6 7AD', '1 Example Lane, Chorley, "
                      "PR6 7AD')");
        }
    }

    int import(const std::filesystem::path& file,
               std::string* out,
               std::vector<std::string> extra = {"--postcode", "PR6 7AD"}) {
        std::vector<std::string> args = {"import", "bin-calendar", file.string(), "--db",
                                         db.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return testing::run_wardmap(args, out);
    }

    std::int64_t rounds() {
        auto conn = store::Database::open(db);
        return conn.query_int("SELECT count(*) FROM schedule_rounds").value_or(-1);
    }

    testing::TempDir tmp;
    std::filesystem::path db;
};

TEST_F(SchedulesRealdata, TheChorleyCalendarIsServedAsItsOwnDates) {
    WARDMAP_REQUIRE_SHARED_DATA(data);
    const auto file = data / "schedules/chorley_bin_collections_pr6_7ad_2023.json";
    const auto expected = calendar_dates(file);
    ASSERT_EQ(expected.size(), 3U);
    std::string out;
    ASSERT_EQ(import(file, &out), 0) << out;
    EXPECT_NE(out.find("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;UNTIL=20231221"), std::string::npos) << out;
    EXPECT_NE(out.find("FREQ=WEEKLY;INTERVAL=4;BYDAY=TH;UNTIL=20231207"), std::string::npos) << out;
    EXPECT_EQ(rounds(), 3);
    testing::ServerProcess server(db, {"--no-access-log"});
    for (const auto& place : {std::string("uprn=") + uprn, std::string("usrn=") + usrn}) {
        const auto r = testing::http_get(server.port(), "/api/schedules?" + place +
                                                            "&from=2023-08-01&to=2023-12-31");
        ASSERT_EQ(r.status, 200) << r.body;
        const auto doc = json::parse(r.body);
        std::map<std::string, std::set<std::string>> got;
        for (const auto& a : doc.at("activities")) {
            for (const auto& v : a.at("visits")) {
                got[a.at("activity").get<std::string>()].insert(v.at("date").get<std::string>());
                EXPECT_FALSE(v.contains("moved_from")); // no Thursday bank holiday in the span
            }
        }
        EXPECT_EQ(got, expected) << place;
        EXPECT_EQ(doc.at("activities").at(0).at("next"), "2023-09-14"); // garden waste
    }
    // The feed, parsed by libical: one all-day event per bin and date, named by activity.
    const auto ics = testing::http_get(server.port(), std::string("/api/schedules.ics?uprn=") +
                                                          uprn + "&from=2023-08-01&to=2023-12-31");
    ASSERT_EQ(ics.status, 200);
    EXPECT_EQ(ics.header("content-type"), "text/calendar; charset=utf-8");
    std::istringstream lines(ics.body);
    for (std::string line; std::getline(lines, line);) {
        ASSERT_FALSE(line.empty());
        EXPECT_EQ(line.back(), '\r') << "every line ends CRLF";
        EXPECT_LE(line.size(), 76U) << "folded at 75 octets: " << line;
    }
    icalcomponent* cal = icalparser_parse_string(ics.body.c_str());
    ASSERT_NE(cal, nullptr);
    const std::map<std::string, std::string> activity_of_summary = {
        {"Household waste collection", "household_waste"},
        {"Recycling collection", "recycling"},
        {"Garden waste collection", "garden_waste"}};
    std::map<std::string, std::set<std::string>> from_feed;
    std::set<std::string> uids;
    for (icalcomponent* e = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
         e != nullptr; e = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        const icaltimetype start = icalcomponent_get_dtstart(e);
        EXPECT_TRUE(start.is_date);
        char iso[16];
        std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", start.year, start.month, start.day);
        from_feed[activity_of_summary.at(icalcomponent_get_summary(e))].insert(iso);
        EXPECT_TRUE(uids.insert(icalcomponent_get_uid(e)).second) << "UIDs are unique";
        EXPECT_FALSE(icaltime_is_null_time(icalcomponent_get_dtstamp(e)));
    }
    icalcomponent_free(cal);
    EXPECT_EQ(from_feed, expected);
}

TEST_F(SchedulesRealdata, BadCalendarsAndBadQueriesNameTheirField) {
    WARDMAP_REQUIRE_SHARED_DATA(data);
    const auto file = data / "schedules/chorley_bin_collections_pr6_7ad_2023.json";
    // Bad entries: refused with file, line and field; nothing saved.
    const auto bad = tmp.path() / "bad.json";
    std::ofstream(bad) << "[\n{\"collectionDate\": \"2023-09-07\", \"greenBin\": true},\n"
                          "{\"collectionDate\": \"2023-09-31\", \"greenBin\": true},\n"
                          "{\"collectionDate\": \"2023-09-21\", \"greenBin\": 1}\n]\n";
    std::string out;
    EXPECT_NE(import(bad, &out), 0);
    EXPECT_NE(out.find(bad.string() + ":3: field 'collectionDate'"), std::string::npos) << out;
    EXPECT_NE(out.find(bad.string() + ":4: field 'greenBin'"), std::string::npos) << out;
    // A date off the pattern (a collection moved by a day) is named too.
    const auto moved = tmp.path() / "moved.json";
    std::ofstream(moved) << "[{\"collectionDate\": \"2023-09-07\", \"greenBin\": true},\n"
                            "{\"collectionDate\": \"2023-09-14\", \"greenBin\": true},\n"
                            "{\"collectionDate\": \"2023-09-22\", \"greenBin\": true},\n"
                            "{\"collectionDate\": \"2023-09-28\", \"greenBin\": true}]\n";
    EXPECT_NE(import(moved, &out), 0);
    EXPECT_NE(out.find(moved.string() + ":3: field 'greenBin': 2023-09-22 is not a date of the "
                                        "pattern"),
              std::string::npos)
        << out;
    // A UPRN the gazetteer does not have.
    EXPECT_NE(import(file, &out, {"--uprn", "999"}), 0);
    EXPECT_NE(out.find("stops[0].uprn"), std::string::npos) << out;
    EXPECT_EQ(rounds(), 0);

    ASSERT_EQ(import(file, &out), 0) << out;
    // Rolling the horizon over the calendar again gives the same visits: 8 green, 9 blue and
    // 4 brown dates for 2 properties.
    EXPECT_EQ(testing::run_wardmap({"schedules", "regenerate", "--db", db.string(), "--from",
                                    "2023-08-01", "--weeks", "22"},
                                   &out),
              0)
        << out;
    EXPECT_NE(out.find("42 planned visits, 0 with a completion kept, 0 removed"), std::string::npos)
        << out;
    EXPECT_EQ(testing::run_wardmap(
                  {"schedules", "regenerate", "--db", db.string(), "--weeks", "99"}, &out),
              1)
        << out;
    EXPECT_NE(out.find("--weeks"), std::string::npos) << out;
    testing::ServerProcess server(db, {"--no-access-log"});
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"/api/schedules?uprn=999", "uprn"},
        {"/api/schedules?usrn=7", "usrn"},
        {"/api/schedules?uprn=abc", "uprn"},
        {"/api/schedules", "uprn"},
        {std::string("/api/schedules?uprn=") + uprn + "&usrn=" + usrn, "usrn"},
        {std::string("/api/schedules?uprn=") + uprn + "&from=2023-02-30", "from"},
        {std::string("/api/schedules?uprn=") + uprn + "&from=2023-12-01&to=2023-11-01", "to"},
        {std::string("/api/schedules?uprn=") + uprn + "&from=2023-01-01&to=2025-01-01", "to"},
        {std::string("/api/schedules?uprn=") + uprn + "&colour=green", "colour"},
        {"/api/schedules.ics?uprn=999", "uprn"},
    };
    for (const auto& [target, field] : cases) {
        const auto r = testing::http_get(server.port(), target);
        EXPECT_EQ(r.status, 400) << target;
        EXPECT_EQ(r.header("content-type"), "application/problem+json") << target;
        const auto doc = json::parse(r.body, nullptr, false);
        ASSERT_TRUE(doc.is_object()) << r.body;
        EXPECT_EQ(doc.at("errors").at(0).at("name"), field) << target << " " << r.body;
    }
}

} // namespace
} // namespace wardmap
