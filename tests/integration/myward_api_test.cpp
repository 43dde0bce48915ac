// MyWard over real HTTP (issue #16, "The councillor's ward"): the demo councillor's ward
// dashboard and its exports. The test inserts its own requests (a category of its own, in
// 2018-2019, before the demo's casework) at gazetteer addresses whose ward it asks the public
// /api/wards/at route for, and checks every figure against counts it makes itself from those
// rows. Planning, bins and bereavement are counted by the test with SpatiaLite's ST_Contains
// against the ward's stored polygon (the service uses the in-memory ward index instead).

#include "geo/store/database.hpp"
#include "geo/store/generations.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iomanip>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::HttpResponse;

struct Credentials {
    std::string cookie;
};

struct Place {
    double e = 0;
    double n = 0;
    std::string ward_now;  // the ward on today's boundaries
    std::string ward_2019; // the ward on 2019-06-01's boundaries
};

struct TestRequest {
    std::size_t place;
    std::string status;
    std::string created;               // ISO date
    std::optional<int> closed_after;   // days
    std::optional<int> expected_after; // days
};

class MyWardApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        ASSERT_TRUE(testing::make_demo_store(db_path));
        server = new testing::ServerProcess(db_path, {"--no-access-log"});
        councillor = sign_in("councillor@demo.wardmap.test", "Demo-councillor-1");
        staff = sign_in("customer.services@demo.wardmap.test", "Demo-customer-1");
        const auto me = json::parse(get("/api/me", councillor).body);
        for (const auto& w : me["person"]["roles"][0]["wards"]) {
            cllr_wards.push_back(w.get<std::string>());
        }
        ASSERT_EQ(cllr_wards.size(), 2U) << me.dump();
        ward = cllr_wards[0];
        pick_places();
        insert_requests();
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }

    static Credentials sign_in(const std::string& email, const std::string& password) {
        const auto r = testing::http_request(server->port(), "POST", "/api/session",
                                             json{{"email", email}, {"password", password}}.dump(),
                                             {{"Content-Type", "application/json"}});
        EXPECT_EQ(r.status, 200) << email << ": " << r.body;
        const auto set_cookie = r.header("set-cookie");
        return {set_cookie.substr(0, set_cookie.find(';'))};
    }
    static HttpResponse get(const std::string& target, const Credentials& who = {}) {
        std::vector<std::pair<std::string, std::string>> h;
        if (!who.cookie.empty()) {
            h.emplace_back("Cookie", who.cookie);
        }
        return testing::http_get(server->port(), target, h);
    }
    static std::string ward_at(double e, double n, const std::string& date) {
        std::ostringstream t;
        t.precision(3);
        t << std::fixed << "/api/wards/at?crs=EPSG:27700&x=" << e << "&y=" << n << "&date=" << date;
        const auto r = get(t.str());
        return r.status == 200 ? json::parse(r.body).value("code", "") : "";
    }

    /// Addresses: 12 in the councillor's first ward, 6 outside it, and one whose ward on
    /// 2019-06-01 (the 2002 wards) is not the ward of the same code set today.
    static void pick_places() {
        auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
        auto st = db.prepare("SELECT easting, northing FROM properties ORDER BY uprn");
        std::vector<std::pair<double, double>> all;
        while (st.step()) {
            all.emplace_back(st.real(0), st.real(1));
        }
        int inside = 0, outside = 0;
        for (std::size_t i = 0; i < all.size() && (inside < 12 || outside < 6);
             i += all.size() / 400) {
            Place p{all[i].first, all[i].second, ward_at(all[i].first, all[i].second, today()),
                    ward_at(all[i].first, all[i].second, "2019-06-01")};
            if (p.ward_now == ward && inside < 12) {
                ++inside;
                places.push_back(p);
            } else if (!p.ward_now.empty() && p.ward_now != ward && outside < 6) {
                ++outside;
                places.push_back(p);
            }
        }
        ASSERT_EQ(inside, 12);
        ASSERT_EQ(outside, 6);
    }

    static std::string today() {
        const auto r = get("/healthz");
        (void)r;
        std::time_t t = std::time(nullptr);
        char buf[16];
        std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
        return buf;
    }

    static std::string plus_days(const std::string& date, int days) {
        std::tm tm{};
        std::istringstream(date) >> std::get_time(&tm, "%Y-%m-%d");
        tm.tm_mday += days;
        tm.tm_hour = 12;
        const std::time_t t = timegm(&tm);
        char buf[16];
        std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
        return buf;
    }

    static void insert_requests() {
        std::vector<std::size_t> in, out;
        for (std::size_t i = 0; i < places.size(); ++i) {
            (places[i].ward_now == ward ? in : out).push_back(i);
        }
        // In the ward, 2019-03-01..2019-06-30: 3 at one address (a repeat location), 4 open
        // past their target, 1 open without one, 5 closed after 1, 2, 3, 10 and 20 days
        // against a 5-day target; March has 2 (suppressed in exports), April 6, May 2, June 3.
        const std::vector<std::pair<std::string, std::string>> dated = {
            {"2019-03-05", "open"},  {"2019-03-20", "open"},  {"2019-04-01", "open"},
            {"2019-04-02", "open"},  {"2019-04-03", "open"},  {"2019-04-04", "fixed"},
            {"2019-04-05", "fixed"}, {"2019-04-06", "fixed"}, {"2019-05-07", "fixed"},
            {"2019-05-08", "fixed"}, {"2019-06-09", "open"},  {"2019-06-10", "open"},
            {"2019-06-11", "closed"}};
        const int closed_days[] = {1, 2, 3, 10, 20};
        int fixed = 0;
        for (std::size_t k = 0; k < dated.size(); ++k) {
            TestRequest r;
            r.place = k < 3 ? in[0] : in[1 + (k % (in.size() - 1))];
            r.created = dated[k].first;
            r.status = dated[k].second;
            if (r.status == "fixed") {
                r.closed_after = closed_days[fixed++];
                r.expected_after = 5;
            } else if (r.status == "closed") {
                r.closed_after = 4; // no target
            } else if (k != 10) {
                r.expected_after = 5; // open past its target: overdue
            }
            requests.push_back(r);
        }
        // The same months last year in the ward: 2; outside the ward this year: 6.
        requests.push_back({in[2], "open", "2018-04-10", std::nullopt, std::nullopt});
        requests.push_back({in[3], "fixed", "2018-05-10", 3, 5});
        for (std::size_t k = 0; k < out.size(); ++k) {
            requests.push_back(
                {out[k], "open", "2019-05-1" + std::to_string(k), std::nullopt, std::nullopt});
        }
        auto db = store::Database::open(db_path);
        db.exec("INSERT OR IGNORE INTO service_categories (code, name, group_name) VALUES "
                "('mw_test', 'MyWard test', 'Test')");
        auto ins = db.prepare(
            "INSERT INTO service_requests (category_code, status, description, created_at, "
            "updated_at, closed_at, expected_at, geom, geom_wgs84) VALUES ('mw_test', ?1, "
            "'a test report', ?2, ?2, ?3, ?4, MakePoint(?5, ?6, 27700), "
            "ST_Transform(MakePoint(?5, ?6, 27700), 4326))");
        for (const auto& r : requests) {
            ins.reset();
            ins.bind(1, r.status).bind(2, r.created + "T10:00:00Z");
            if (r.closed_after) {
                ins.bind(3, plus_days(r.created, *r.closed_after) + "T10:00:00Z");
            } else {
                ins.bind_null(3);
            }
            if (r.expected_after) {
                ins.bind(4, plus_days(r.created, *r.expected_after) + "T10:00:00Z");
            } else {
                ins.bind_null(4);
            }
            ins.bind(5, places[r.place].e).bind(6, places[r.place].n);
            ins.step();
        }
    }

    static bool in_window(const TestRequest& r) {
        return r.created >= "2019-03-01" && r.created <= "2019-06-30";
    }

    static std::int64_t sql_int(const std::string& sql) {
        auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
        return db.query_int(sql).value_or(-1);
    }

    static testing::TempDir* tmp;
    static std::filesystem::path db_path;
    static testing::ServerProcess* server;
    static Credentials councillor, staff;
    static std::vector<std::string> cllr_wards;
    static std::string ward;
    static std::vector<Place> places;
    static std::vector<TestRequest> requests;
};
testing::TempDir* MyWardApi::tmp = nullptr;
std::filesystem::path MyWardApi::db_path;
testing::ServerProcess* MyWardApi::server = nullptr;
Credentials MyWardApi::councillor;
Credentials MyWardApi::staff;
std::vector<std::string> MyWardApi::cllr_wards;
std::string MyWardApi::ward;
std::vector<Place> MyWardApi::places;
std::vector<TestRequest> MyWardApi::requests;

const std::string window = "from=2019-03-01&to=2019-06-30&category=mw_test";

TEST_F(MyWardApi, RequestFiguresMatchTheTestsOwnCounts) {
    const auto r = get("/api/myward/" + ward + "?" + window + "&on=" + today(), councillor);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto doc = json::parse(r.body);
    EXPECT_EQ(doc["ward"]["code"], ward);
    const auto& p = doc["requests"];
    ASSERT_TRUE(p["in_use"].get<bool>());

    int received = 0, open = 0, closed = 0, overdue = 0, with_target = 0, within = 0;
    int last_year = 0, borough = 0;
    std::map<std::string, int> statuses, months;
    std::map<std::pair<long, long>, int> cells;
    std::vector<double> days;
    for (const auto& t : requests) {
        const bool mine = places[t.place].ward_now == ward;
        if (in_window(t)) {
            ++borough;
        }
        if (!mine) {
            continue;
        }
        if (t.created >= "2018-03-01" && t.created <= "2018-06-30") {
            ++last_year;
        }
        if (!in_window(t)) {
            continue;
        }
        ++received;
        ++statuses[t.status];
        ++months[t.created.substr(0, 7)];
        ++cells[{std::lround(std::floor(places[t.place].e / 25)),
                 std::lround(std::floor(places[t.place].n / 25))}];
        if (t.status == "open") {
            ++open;
            overdue += t.expected_after ? 1 : 0;
        } else {
            ++closed;
            days.push_back(*t.closed_after);
            if (t.expected_after) {
                ++with_target;
                within += *t.closed_after <= *t.expected_after ? 1 : 0;
            }
        }
    }
    EXPECT_EQ(p["received"], received);
    EXPECT_EQ(p["open"], open);
    EXPECT_EQ(p["closed"], closed);
    EXPECT_EQ(p["overdue"], overdue);
    EXPECT_EQ(p["sla"]["closed_with_target"], with_target);
    EXPECT_EQ(p["sla"]["closed_within_target"], within);
    EXPECT_NEAR(p["sla"]["attainment"].get<double>(), 100.0 * within / with_target, 0.01);
    std::sort(days.begin(), days.end());
    double sum = 0;
    for (const double d : days) {
        sum += d;
    }
    EXPECT_NEAR(p["days_to_close"]["mean"].get<double>(), sum / days.size(), 0.01);
    EXPECT_NEAR(p["days_to_close"]["median"].get<double>(),
                days.size() % 2 ? days[days.size() / 2]
                                : (days[days.size() / 2 - 1] + days[days.size() / 2]) / 2,
                0.01);
    std::map<std::string, int> got_status, got_month;
    for (const auto& s : p["by_status"]) {
        got_status[s["status"]] = s["count"];
    }
    for (const auto& m : p["by_month"]) {
        got_month[m["month"]] = m["count"];
    }
    EXPECT_EQ(got_status, statuses);
    EXPECT_EQ(got_month, months);
    ASSERT_EQ(p["by_category"].size(), 1U);
    EXPECT_EQ(p["by_category"][0]["category"], "mw_test");
    int repeats = 0;
    for (const auto& [cell, n] : cells) {
        repeats += n >= 3 ? 1 : 0;
    }
    EXPECT_EQ(p["repeat_locations"].size(), static_cast<std::size_t>(repeats));
    EXPECT_GE(repeats, 1);
    EXPECT_EQ(p["trends"]["borough"]["received"], borough);
    EXPECT_NEAR(p["trends"]["borough"]["ward_share_percent"].get<double>(),
                100.0 * received / borough, 0.01);
    EXPECT_EQ(p["trends"]["last_year"]["received"], last_year);
    EXPECT_EQ(p["list"].size(), static_cast<std::size_t>(received));
    // No personal data and no free text in the ward view.
    EXPECT_EQ(r.body.find("a test report"), std::string::npos);
    // The status filter narrows every figure.
    const auto only_open = json::parse(
        get("/api/myward/" + ward + "?" + window + "&status=open&on=" + today(), councillor).body);
    EXPECT_EQ(only_open["requests"]["received"], open);
    EXPECT_EQ(only_open["requests"]["closed"], 0);
}

TEST_F(MyWardApi, AWardAtAPastDateUsesTheBoundariesInForceThen) {
    // Each test request placed in a 2002 ward is counted by the 2002 ward on a 2019 date.
    std::map<std::string, int> by_old_ward;
    for (const auto& t : requests) {
        if (in_window(t) && !places[t.place].ward_2019.empty()) {
            ++by_old_ward[places[t.place].ward_2019];
        }
    }
    ASSERT_FALSE(by_old_ward.empty());
    for (const auto& [old_code, n] : by_old_ward) {
        const auto r = get("/api/myward/" + old_code + "?" + window, staff);
        ASSERT_EQ(r.status, 200) << old_code << ": " << r.body;
        const auto doc = json::parse(r.body);
        EXPECT_EQ(doc["on"], "2019-06-30");
        EXPECT_EQ(doc["requests"]["received"], n) << old_code;
    }
    // A ward of 2020 did not exist in 2019: 404 naming the date.
    const auto r = get("/api/myward/" + ward + "?" + window, staff);
    if (by_old_ward.count(ward) == 0) {
        EXPECT_EQ(r.status, 404) << r.body;
    }
}

TEST_F(MyWardApi, PlanningBinsAndBereavementAgreeWithSpatiaLite) {
    const auto t = today();
    const auto doc = json::parse(
        get("/api/myward/" + ward + "?from=" + plus_days(t, -300) + "&to=" + t, councillor).body);
    const std::string in_ward =
        "ST_Contains((SELECT w.geom FROM wards w JOIN boundary_sets b ON b.id = w.boundary_set_id "
        "WHERE w.code = '" +
        ward + "' AND b.valid_to IS NULL), ";
    const auto planning = sql_int("SELECT count(*) FROM planning_applications a WHERE "
                                  "a.received_date >= '" +
                                  plus_days(t, -300) + "' AND a.received_date <= '" + t + "' AND " +
                                  in_ward + "a.geom)");
    if (sql_int("SELECT count(*) FROM planning_applications") > 0) {
        EXPECT_EQ(doc["planning"]["received"], planning);
        EXPECT_EQ(doc["planning"]["list"].size(), static_cast<std::size_t>(planning));
    } else {
        EXPECT_FALSE(doc["planning"]["in_use"].get<bool>());
    }
    const auto bins = sql_int("SELECT count(*) FROM street_assets s WHERE s.asset_type IN "
                              "('litter_bin', 'dog_bin') AND s.status = 'active' AND " +
                              in_ward + "MakePoint(s.anchor_e, s.anchor_n, 27700))");
    EXPECT_EQ(doc["bins"]["bins"], bins);
    // Empty properties: the same counts as the housing route's.
    const auto housing =
        json::parse(get("/api/wards/" + ward + "/empty-properties?date=" + t, councillor).body);
    EXPECT_EQ(doc["empty_properties"]["total"], housing["total"]);
    EXPECT_EQ(doc["empty_properties"]["inspections"], housing["inspections"]);
    // Bereavement in the ward holding a cemetery; "not in use here" elsewhere.
    const auto cemeteries =
        sql_int("SELECT count(*) FROM cemeteries c WHERE " + in_ward + "PointOnSurface(c.geom))");
    EXPECT_EQ(doc["bereavement"]["in_use"].get<bool>(), cemeteries > 0);
    if (cemeteries > 0) {
        EXPECT_EQ(doc["bereavement"]["cemeteries"].size(), static_cast<std::size_t>(cemeteries));
    }
}

TEST_F(MyWardApi, RefusesOtherWardsUnknownWardsAndBadRanges) {
    // The other wards of the borough today are not the councillor's: 403; staff may.
    const auto wards = json::parse(get("/api/wards?date=" + today()).body);
    std::string other;
    for (const auto& f : wards["features"]) {
        const auto code = f["properties"]["code"].get<std::string>();
        if (std::find(cllr_wards.begin(), cllr_wards.end(), code) == cllr_wards.end()) {
            other = code;
            break;
        }
    }
    ASSERT_FALSE(other.empty());
    EXPECT_EQ(get("/api/myward/" + other, councillor).status, 403);
    EXPECT_EQ(get("/api/myward/" + other + "/requests.csv", councillor).status, 403);
    EXPECT_EQ(get("/api/myward/" + other, staff).status, 200);
    EXPECT_EQ(get("/api/myward/" + ward).status, 401);
    EXPECT_EQ(get("/api/myward/E05999999", staff).status, 404);
    const auto field_of = [](const HttpResponse& r) {
        const auto j = json::parse(r.body);
        return j.contains("invalid-params") ? j["invalid-params"][0].value("name", "") : "";
    };
    const auto wrong_way = get("/api/myward/" + ward + "?from=2019-06-01&to=2019-03-01", staff);
    EXPECT_EQ(wrong_way.status, 400);
    EXPECT_NE(wrong_way.body.find("from"), std::string::npos) << wrong_way.body;
    const auto bad_date = get("/api/myward/" + ward + "?to=2019-02-30", staff);
    EXPECT_EQ(bad_date.status, 400);
    EXPECT_NE(bad_date.body.find("\"to\""), std::string::npos) << bad_date.body;
    const auto before_data = get("/api/myward/" + ward + "?from=2010-01-01", staff);
    EXPECT_EQ(before_data.status, 400);
    EXPECT_NE(before_data.body.find("longer than the data"), std::string::npos) << before_data.body;
    const auto future = get("/api/myward/" + ward + "?to=2999-01-01", staff);
    EXPECT_EQ(future.status, 400);
    const auto unknown = get("/api/myward/" + ward + "?colour=red", staff);
    EXPECT_EQ(unknown.status, 400);
    (void)field_of;
}

TEST_F(MyWardApi, ExportsAreFlatWithoutPersonalDataAndSuppressSmallCounts) {
    const auto csv =
        get("/api/myward/" + ward + "/requests.csv?" + window + "&on=" + today(), councillor);
    ASSERT_EQ(csv.status, 200) << csv.body;
    EXPECT_NE(csv.header("content-type").find("text/csv"), std::string::npos);
    std::istringstream lines(csv.body);
    std::string line;
    std::getline(lines, line);
    EXPECT_EQ(line, "id,category,status,created_at,closed_at,expected_at,open,overdue,lon,lat\r");
    int rows = 0;
    while (std::getline(lines, line)) {
        ++rows;
        EXPECT_EQ(std::count(line.begin(), line.end(), ','), 9) << line;
    }
    int received = 0;
    for (const auto& t : requests) {
        received += in_window(t) && places[t.place].ward_now == ward ? 1 : 0;
    }
    EXPECT_EQ(rows, received);
    EXPECT_EQ(csv.body.find("a test report"), std::string::npos);

    // Months: March has 2 and May 2 (empty cells), April 6 and June 3... 3 is suppressed too.
    const auto months =
        get("/api/myward/" + ward + "/months.csv?" + window + "&on=" + today(), councillor);
    ASSERT_EQ(months.status, 200) << months.body;
    std::map<std::string, int> expect;
    for (const auto& t : requests) {
        if (in_window(t) && places[t.place].ward_now == ward) {
            ++expect[t.created.substr(0, 7)];
        }
    }
    for (const auto& [month, n] : expect) {
        const auto at = months.body.find(month + ",");
        ASSERT_NE(at, std::string::npos) << months.body;
        const auto cell = months.body.substr(at + 8, months.body.find('\r', at) - at - 8);
        EXPECT_EQ(cell, n < 5 ? "" : std::to_string(n)) << month << " in " << months.body;
    }
    // The JSON shows the same counts unsuppressed (places, not people).
    const auto geo = json::parse(
        get("/api/myward/" + ward + "/requests.geojson?" + window + "&on=" + today(), councillor)
            .body);
    EXPECT_EQ(geo["features"].size(), static_cast<std::size_t>(received));
    const auto panel = json::parse(
        get("/api/myward/" + ward + "/months.geojson?" + window + "&on=" + today(), councillor)
            .body);
    EXPECT_EQ(panel["properties"]["rows"].size(), expect.size());
    // The requests' headline counts as a panel.
    const auto summary =
        get("/api/myward/" + ward + "/summary.csv?" + window + "&on=" + today(), councillor);
    ASSERT_EQ(summary.status, 200) << summary.body;
    EXPECT_NE(summary.body.find("received," + std::to_string(received) + "\r\n"), std::string::npos)
        << summary.body;
    EXPECT_EQ(get("/api/myward/" + ward + "/nothing.csv", councillor).status, 404);
}

// Street cleansing this season: the test's own round of litter-bin stops at its addresses,
// visits planned today (in the season), one before the season and one after today (not
// counted), completions done / not done / a correction. The panel moves by exactly the test's
// visits in the ward, and its whole figure agrees with SpatiaLite's ST_Contains.
TEST_F(MyWardApi, CleansingVisitsThisSeasonAreCountedFromTheStoredVisits) {
    const auto t = today();
    const auto dashboard = [&] {
        const auto r =
            get("/api/myward/" + ward + "?from=" + plus_days(t, -30) + "&to=" + t, councillor);
        EXPECT_EQ(r.status, 200) << r.body;
        return json::parse(r.body)["streetscene"];
    };
    const auto before = dashboard();
    {
        auto db = store::Database::open(db_path);
        db.exec("INSERT INTO schedule_rounds (code, name, activity, rule_kind, "
                "interval_working_days, first_date, created_at, updated_at) VALUES "
                "('mw_test_bins', 'MyWard test bins', 'empty_litter_bins', 'working_days', 5, "
                "'2020-01-01', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')");
        const auto round = db.query_int("SELECT id FROM schedule_rounds WHERE code = "
                                        "'mw_test_bins'")
                               .value_or(0);
        auto stop = db.prepare("INSERT INTO schedule_round_stops (round_id, seq, uprn) SELECT ?1, "
                               "?2, uprn FROM properties WHERE easting = ?3 AND northing = ?4 "
                               "LIMIT 1");
        auto visit = db.prepare("INSERT INTO schedule_visits (round_id, stop_id, rule_date, "
                                "planned_date, generation) VALUES (?1, ?2, ?3, ?3, 1)");
        auto done = db.prepare(
            "INSERT INTO schedule_visit_completions (visit_id, client_id, actor, outcome, "
            "reason, at, recorded_at) VALUES (?1, ?2, 'test', ?3, ?4, ?5, ?5)");
        int seq = 0, client = 0;
        for (std::size_t i = 0; i < places.size(); ++i) {
            stop.reset();
            stop.bind(1, round).bind(2, ++seq).bind(3, places[i].e).bind(4, places[i].n);
            stop.step();
            const auto stop_id =
                db.query_int("SELECT max(id) FROM schedule_round_stops").value_or(0);
            // today; 200 days ago (another season); tomorrow
            for (const auto& date : {t, plus_days(t, -200), plus_days(t, 1)}) {
                visit.reset();
                visit.bind(1, round).bind(2, stop_id).bind(3, date);
                visit.step();
            }
            const auto visit_id =
                db.query_int("SELECT id FROM schedule_visits WHERE stop_id = " +
                             std::to_string(stop_id) + " AND planned_date = '" + t + "'")
                    .value_or(0);
            // i % 3: 0 done, 1 not done then corrected to done (latest wins), 2 planned
            const auto complete = [&](const char* outcome, const char* at) {
                done.reset();
                done.bind(1, visit_id).bind(2, "mw-" + std::to_string(++client)).bind(3, outcome);
                if (std::string(outcome) == "not_done") {
                    done.bind(4, "parked_car");
                } else {
                    done.bind_null(4);
                }
                done.bind(5, t + at);
                done.step();
            };
            if (i % 3 == 0) {
                complete("done", "T09:00:00Z");
            } else if (i % 3 == 1) {
                complete("not_done", "T08:00:00Z");
                complete("done", "T10:00:00Z");
            }
        }
    }
    int scheduled = 0, completed = 0;
    for (std::size_t i = 0; i < places.size(); ++i) {
        if (places[i].ward_now == ward) {
            ++scheduled;
            completed += i % 3 != 2 ? 1 : 0;
        }
    }
    const auto after = dashboard();
    ASSERT_TRUE(after["in_use"].get<bool>()) << after.dump();
    const int had = before.value("in_use", false) ? before["scheduled"].get<int>() : 0;
    const int had_done = before.value("in_use", false) ? before["completed"].get<int>() : 0;
    EXPECT_EQ(after["scheduled"].get<int>() - had, scheduled) << after.dump();
    EXPECT_EQ(after["completed"].get<int>() - had_done, completed) << after.dump();
    // The whole figure, by SpatiaLite over every cleansing visit of the season.
    const std::string season_sql =
        "FROM schedule_visits v JOIN schedule_rounds r ON r.id = v.round_id JOIN "
        "schedule_activities a ON a.code = r.activity AND a.kind = 'cleansing' JOIN "
        "schedule_round_stops s ON s.id = v.stop_id LEFT JOIN street_assets sa ON sa.id = "
        "s.asset_id LEFT JOIN properties p ON p.uprn = s.uprn LEFT JOIN streets st ON st.usrn = "
        "s.usrn WHERE v.planned_date >= '" +
        after["season_from"].get<std::string>() + "' AND v.planned_date <= '" + t +
        "' AND ST_Contains((SELECT w.geom FROM wards w JOIN boundary_sets b ON b.id = "
        "w.boundary_set_id WHERE w.code = '" +
        ward +
        "' AND b.valid_to IS NULL), MakePoint(coalesce(sa.anchor_e, p.easting, "
        "X(Line_Interpolate_Point(st.geom, 0.5))), coalesce(sa.anchor_n, p.northing, "
        "Y(Line_Interpolate_Point(st.geom, 0.5))), 27700))";
    EXPECT_EQ(after["scheduled"].get<int>(), sql_int("SELECT count(*) " + season_sql));
    EXPECT_EQ(after["completed"].get<int>(),
              sql_int("SELECT count(*) " + season_sql +
                      " AND (SELECT c.outcome FROM schedule_visit_completions c WHERE c.visit_id "
                      "= v.id ORDER BY c.at DESC, c.id DESC LIMIT 1) = 'done'"));
    const auto csv = get("/api/myward/" + ward + "/streetscene.csv", councillor);
    ASSERT_EQ(csv.status, 200) << csv.body;
    EXPECT_NE(csv.body.find("empty_litter_bins,"), std::string::npos) << csv.body;
}

// The requests CSV is streamed (chunked) and complete: 20,000 of the test's requests in the
// ward (2017, before the other tests' window) arrive, every row well-formed.
TEST_F(MyWardApi, TheRequestsExportIsStreamedChunkedAndComplete) {
    std::vector<std::size_t> in;
    for (std::size_t i = 0; i < places.size(); ++i) {
        if (places[i].ward_now == ward) {
            in.push_back(i);
        }
    }
    {
        auto db = store::Database::open(db_path);
        store::Transaction tx(db);
        auto ins = db.prepare(
            "INSERT INTO service_requests (category_code, status, description, created_at, "
            "updated_at, geom, geom_wgs84) VALUES ('mw_test', 'open', 'bulk', ?1, ?1, "
            "MakePoint(?2, ?3, 27700), ST_Transform(MakePoint(?2, ?3, 27700), 4326))");
        for (int k = 0; k < 20000; ++k) {
            const auto& p = places[in[static_cast<std::size_t>(k) % in.size()]];
            char at[32];
            std::snprintf(at, sizeof at, "2017-%02d-%02dT%02d:%02d:00Z", 1 + k % 12,
                          1 + (k / 12) % 28, (k / 336) % 24, k % 60);
            ins.reset();
            ins.bind(1, std::string(at)).bind(2, p.e).bind(3, p.n);
            ins.step();
        }
        tx.commit();
    }
    const auto expected =
        sql_int("SELECT count(*) FROM service_requests WHERE description = 'bulk'");
    ASSERT_EQ(expected, 20000);
    const auto csv =
        get("/api/myward/" + ward + "/requests.csv?from=2017-01-01&to=2017-12-31&on=" + today(),
            councillor);
    ASSERT_EQ(csv.status, 200) << csv.body.substr(0, 300);
    EXPECT_EQ(csv.header("transfer-encoding"), "chunked");
    EXPECT_TRUE(csv.header("content-length").empty());
    EXPECT_NE(csv.header("content-type").find("text/csv"), std::string::npos);
    std::istringstream lines(csv.body);
    std::string line;
    std::getline(lines, line);
    EXPECT_EQ(line, "id,category,status,created_at,closed_at,expected_at,open,overdue,lon,lat\r");
    int rows = 0, bad = 0;
    while (std::getline(lines, line)) {
        ++rows;
        bad += std::count(line.begin(), line.end(), ',') == 9 && line.back() == '\r' ? 0 : 1;
    }
    EXPECT_EQ(rows, expected);
    EXPECT_EQ(bad, 0);
}

// The placement (myward_request_wards) is a cache of the point-in-polygon: a request moved
// into the ward counts there at once, and a boundary change (the ward of one of the test's
// outside addresses merged into the councillor's ward, as a boundary review would) moves the
// counts to what the new polygons say. Last: it changes the boundaries.
TEST_F(MyWardApi, TheWardPlacementFollowsMovedRequestsAndBoundaryChanges) {
    const auto received = [&] {
        const auto r = get("/api/myward/" + ward + "?" + window + "&on=" + today(), councillor);
        EXPECT_EQ(r.status, 200) << r.body;
        return json::parse(r.body)["requests"]["received"].get<int>();
    };
    int mine = 0;
    for (const auto& t : requests) {
        mine += in_window(t) && places[t.place].ward_now == ward ? 1 : 0;
    }
    ASSERT_EQ(received(), mine);
    // The ward to merge: the one holding most of the test's outside requests in the window;
    // the request to move: one outside it when there is one (so the merge still gains some).
    std::map<std::string, int> outside;
    for (const auto& t : requests) {
        if (in_window(t) && places[t.place].ward_now != ward) {
            ++outside[places[t.place].ward_now];
        }
    }
    ASSERT_FALSE(outside.empty());
    std::string merged;
    for (const auto& [code, n] : outside) {
        if (merged.empty() || n > outside[merged]) {
            merged = code;
        }
    }
    std::size_t inside = 0, outside_req = requests.size();
    for (std::size_t i = 0; i < places.size(); ++i) {
        if (places[i].ward_now == ward) {
            inside = i;
        }
    }
    for (std::size_t k = 0; k < requests.size(); ++k) {
        const auto& here = places[requests[k].place].ward_now;
        if (here != ward && in_window(requests[k]) &&
            (outside_req == requests.size() || here != merged)) {
            outside_req = k;
        }
    }
    ASSERT_LT(outside_req, requests.size());
    {
        auto db = store::Database::open(db_path);
        auto move = db.prepare(
            "UPDATE service_requests SET geom = MakePoint(?1, ?2, 27700), geom_wgs84 = "
            "ST_Transform(MakePoint(?1, ?2, 27700), 4326) WHERE id = (SELECT id FROM "
            "service_requests WHERE category_code = 'mw_test' AND description = 'a test report' "
            "AND created_at = ?3 AND X(geom) = ?4 AND Y(geom) = ?5)");
        const auto& r = requests[outside_req];
        move.bind(1, places[inside].e)
            .bind(2, places[inside].n)
            .bind(3, r.created + "T10:00:00Z")
            .bind(4, places[r.place].e)
            .bind(5, places[r.place].n);
        move.step();
    }
    EXPECT_EQ(received(), mine + 1);
    // The boundary change: the merged ward's polygon joins the councillor's ward's and the
    // merged ward goes (both of the current boundary set), marked changed as an import does.
    int gained = 0;
    for (std::size_t k = 0; k < requests.size(); ++k) {
        const auto& t = requests[k];
        gained += k != outside_req && in_window(t) && places[t.place].ward_now == merged ? 1 : 0;
    }
    ASSERT_GE(gained, 1);
    {
        auto db = store::Database::open(db_path);
        store::Transaction tx(db);
        const std::string current = "(SELECT id FROM boundary_sets WHERE valid_to IS NULL)";
        db.exec("UPDATE wards SET geom = CastToMultiPolygon(ST_Union(geom, (SELECT o.geom FROM "
                "wards o WHERE o.code = '" +
                merged + "' AND o.boundary_set_id = " + current +
                "))), geom_wgs84 = CastToMultiPolygon(ST_Union(geom_wgs84, (SELECT o.geom_wgs84 "
                "FROM wards o WHERE o.code = '" +
                merged + "' AND o.boundary_set_id = " + current + "))) WHERE code = '" + ward +
                "' AND boundary_set_id = " + current);
        db.exec("DELETE FROM wards WHERE code = '" + merged + "' AND boundary_set_id = " + current);
        store::mark_changed(db, "wards");
        tx.commit();
    }
    EXPECT_EQ(received(), mine + 1 + gained);
    EXPECT_EQ(sql_int("SELECT count(*) FROM myward_placed_sets WHERE boundary_set_id = (SELECT id "
                      "FROM boundary_sets WHERE valid_to IS NULL)"),
              1);
}

} // namespace
} // namespace wardmap
