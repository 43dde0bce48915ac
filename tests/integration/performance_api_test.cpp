// The public performance figures over real HTTP (issue #16, "Statistics for everyone";
// docs/http-api.md `GET /api/performance`). The test inserts its own requests in 2019 (before
// the demo's casework, which is the year to today) at gazetteer addresses whose wards it asks
// the public /api/wards/at route for, and checks every figure of every month against counts
// it makes itself from those rows: suppression of small numbers, private services left out,
// wards at the range's end (a 2002 ward for a 2019 range, a 2020 ward for a range ending in
// 2020), the CSV, and the refusals.

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
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

struct Place {
    double e = 0;
    double n = 0;
    std::string ward_2019; // the ward on 2019-12-31 (the 2002 boundaries)
    std::string ward_2020; // the ward on 2020-12-31 (the 2020 boundaries)
};

/// One inserted request; times are "YYYY-MM-DD" at 10:00 UTC (never near a month's edge in
/// either UTC or UK time).
struct Row {
    std::size_t place = 0;
    std::string created;
    std::optional<std::string> closed; // status fixed when set, open otherwise
    std::optional<std::string> expected;
    std::string source = "web";
    std::string priority = "normal";
    std::string category = "fly_tipping";
    bool is_private = false;
};

std::time_t at10(const std::string& date) {
    std::tm tm{};
    std::istringstream(date) >> std::get_time(&tm, "%Y-%m-%d");
    tm.tm_hour = 10;
    return timegm(&tm);
}

std::time_t month_end(const std::string& month) { // UTC midnight after the month
    std::tm tm{};
    std::istringstream(month + "-01") >> std::get_time(&tm, "%Y-%m-%d");
    tm.tm_mon += 1;
    return timegm(&tm);
}

/// The figures the test expects for one row of the answer, before suppression.
struct Expected {
    long received = 0, online = 0, hp_decided = 0, hp_within = 0, closed = 0, overdue = 0;
    std::vector<double> days;
};

class PerformanceApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        ASSERT_TRUE(testing::make_demo_store(db_path));
        server = new testing::ServerProcess(db_path, {"--no-access-log"});
        pick_places();
        insert_rows();
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }

    static testing::HttpResponse get(const std::string& target) {
        return testing::http_get(server->port(), target);
    }
    static std::string ward_at(double e, double n, const std::string& date) {
        std::ostringstream t;
        t.precision(3);
        t << std::fixed << "/api/wards/at?crs=EPSG:27700&x=" << e << "&y=" << n << "&date=" << date;
        const auto r = get(t.str());
        return r.status == 200 ? json::parse(r.body).value("code", "") : "";
    }

    /// 8 addresses in one 2020 ward (`ward`), 4 outside it.
    static void pick_places() {
        auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
        auto st = db.prepare("SELECT easting, northing FROM properties ORDER BY uprn");
        std::vector<std::pair<double, double>> all;
        while (st.step()) {
            all.emplace_back(st.real(0), st.real(1));
        }
        int inside = 0, outside = 0;
        for (std::size_t i = 0; i < all.size() && (inside < 8 || outside < 4);
             i += all.size() / 300) {
            Place p{all[i].first, all[i].second, ward_at(all[i].first, all[i].second, "2019-12-31"),
                    ward_at(all[i].first, all[i].second, "2020-12-31")};
            if (p.ward_2019.empty() || p.ward_2020.empty()) {
                continue;
            }
            if (ward.empty()) {
                ward = p.ward_2020;
            }
            if (p.ward_2020 == ward && inside < 8) {
                ++inside;
                places.push_back(p);
            } else if (p.ward_2020 != ward && outside < 4) {
                ++outside;
                places.push_back(p);
            }
        }
        ASSERT_EQ(inside, 8);
        ASSERT_EQ(outside, 4);
    }

    static void insert_rows() {
        std::vector<std::size_t> in, out;
        for (std::size_t i = 0; i < places.size(); ++i) {
            (places[i].ward_2020 == ward ? in : out).push_back(i);
        }
        // In the ward, April 2019: 8 received (5 web, 1 app, 2 phone), 6 of them high priority
        // and closed after 1..6 days against a 5-day target (5 within), 2 open past their
        // target ever since. May 2019: 3 (suppressed), open past a target in May.
        const char* sources[] = {"web", "web", "web", "web", "web", "app", "phone", "phone"};
        for (int k = 0; k < 8; ++k) {
            Row r;
            r.place = in[static_cast<std::size_t>(k) % in.size()];
            r.created = "2019-04-0" + std::to_string(k + 2);
            r.source = sources[k];
            r.expected = "2019-04-1" + std::to_string(k + 2);
            if (k < 6) {
                r.priority = "high";
                r.expected = plus_days(r.created, 5);
                r.closed = plus_days(r.created, k + 1);
            }
            rows.push_back(r);
        }
        for (int k = 0; k < 3; ++k) {
            rows.push_back({in[static_cast<std::size_t>(k + 1)],
                            "2019-05-0" + std::to_string(k + 2), std::nullopt, "2019-05-20"});
        }
        // A request of May closed in June (counted closed in June), one of June still open
        // with a target far ahead (never overdue).
        rows.push_back({in[4], "2019-05-28", "2019-06-03", "2019-06-10", "app"});
        rows.push_back({in[5], "2019-06-12", std::nullopt, "2099-01-01", "phone"});
        // Outside the ward, April 2019: 6 from the web, closed after 10 days.
        for (std::size_t k = 0; k < 6; ++k) {
            rows.push_back(
                {out[k % out.size()], "2019-04-1" + std::to_string(k), std::nullopt, "2019-05-30"});
            rows.back().closed = plus_days(rows.back().created, 10);
        }
        // A private service in the ward: never counted.
        for (int k = 0; k < 6; ++k) {
            Row r{in[0], "2019-04-2" + std::to_string(k), std::nullopt, "2019-04-29"};
            r.category = "noise_nuisance";
            r.is_private = true;
            rows.push_back(r);
        }
        auto db = store::Database::open(db_path);
        auto ins = db.prepare(
            "INSERT INTO service_requests (category_code, status, description, created_at, "
            "updated_at, closed_at, expected_at, source, priority, private, geom, geom_wgs84) "
            "VALUES (?1, ?2, 'a test report', ?3, ?3, ?4, ?5, ?6, ?7, ?8, MakePoint(?9, ?10, "
            "27700), ST_Transform(MakePoint(?9, ?10, 27700), 4326))");
        for (const auto& r : rows) {
            ins.reset();
            ins.bind(1, r.category).bind(2, r.closed ? "fixed" : "open");
            ins.bind(3, r.created + "T10:00:00Z");
            if (r.closed) {
                ins.bind(4, *r.closed + "T10:00:00Z");
            } else {
                ins.bind_null(4);
            }
            ins.bind(5, *r.expected + "T10:00:00Z");
            ins.bind(6, r.source).bind(7, r.priority).bind(8, r.is_private ? 1 : 0);
            ins.bind(9, places[r.place].e).bind(10, places[r.place].n);
            ins.step();
        }
    }

    static std::string plus_days(const std::string& date, int days) {
        const std::time_t t = at10(date) + static_cast<std::time_t>(days) * 86400;
        char buf[16];
        std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
        return buf;
    }

    /// The test's own figures for `month`, over the rows whose place `in_ward` accepts.
    template <class InWard> static Expected expected(const std::string& month, InWard in_ward) {
        Expected x;
        const std::time_t now = std::time(nullptr);
        const std::time_t end = std::min(month_end(month), now);
        for (const auto& r : rows) {
            if (r.is_private || !in_ward(places[r.place])) {
                continue;
            }
            const std::time_t created = at10(r.created);
            const std::time_t expected_at = at10(*r.expected);
            if (r.created.substr(0, 7) == month) {
                ++x.received;
                x.online += r.source == "web" || r.source == "app" ? 1 : 0;
                if (r.priority == "high" && r.closed) {
                    ++x.hp_decided;
                    x.hp_within += at10(*r.closed) <= expected_at ? 1 : 0;
                } else if (r.priority == "high" && expected_at < now) {
                    ++x.hp_decided;
                }
            }
            if (r.closed && r.closed->substr(0, 7) == month) {
                ++x.closed;
                x.days.push_back(static_cast<double>(at10(*r.closed) - created) / 86400.0);
            }
            const bool open_then = created < end && (!r.closed || at10(*r.closed) >= end);
            x.overdue += open_then && expected_at < end ? 1 : 0;
        }
        return x;
    }

    /// Checks one answer row against the test's figures, suppression included.
    static void check_row(const json& row, const Expected& x, const std::string& what) {
        const auto small = [](long n) { return n > 0 && n < 5; };
        const auto count = [&](const char* key, long n) {
            SCOPED_TRACE(what + " " + key);
            EXPECT_EQ(row[key]["suppressed"].get<bool>(), small(n));
            if (small(n)) {
                EXPECT_TRUE(row[key]["value"].is_null());
            } else {
                EXPECT_EQ(row[key]["value"], n);
            }
        };
        const auto share = [&](const char* key, long part, long whole) {
            SCOPED_TRACE(what + " " + key);
            const bool hidden = small(part) || small(whole);
            EXPECT_EQ(row[key]["suppressed"].get<bool>(), hidden);
            if (hidden || whole == 0) {
                EXPECT_TRUE(row[key]["value"].is_null());
            } else {
                EXPECT_NEAR(row[key]["value"].get<double>(),
                            static_cast<double>(part) / static_cast<double>(whole), 1e-4);
            }
        };
        count("received", x.received);
        share("online_share", x.online, x.received);
        count("high_priority_decided", x.hp_decided);
        count("high_priority_within_target", x.hp_within);
        share("high_priority_within_target_share", x.hp_within, x.hp_decided);
        count("closed", x.closed);
        count("overdue_at_month_end", x.overdue);
        auto days = x.days;
        std::sort(days.begin(), days.end());
        SCOPED_TRACE(what + " median_days_to_close");
        if (small(x.closed) || days.empty()) {
            EXPECT_TRUE(row["median_days_to_close"]["value"].is_null());
        } else {
            const std::size_t n = days.size();
            EXPECT_NEAR(row["median_days_to_close"]["value"].get<double>(),
                        n % 2 ? days[n / 2] : (days[n / 2 - 1] + days[n / 2]) / 2, 0.01);
        }
    }

    static testing::TempDir* tmp;
    static std::filesystem::path db_path;
    static testing::ServerProcess* server;
    static std::string ward;
    static std::vector<Place> places;
    static std::vector<Row> rows;
};
testing::TempDir* PerformanceApi::tmp = nullptr;
std::filesystem::path PerformanceApi::db_path;
testing::ServerProcess* PerformanceApi::server = nullptr;
std::string PerformanceApi::ward;
std::vector<Place> PerformanceApi::places;
std::vector<Row> PerformanceApi::rows;

TEST_F(PerformanceApi, EveryMonthsFiguresMatchTheTestsOwnCounts) {
    // 2019 to 2020: the wards of 2020-12-31. The ward asked, then the borough.
    const auto r = get("/api/performance?from=2019-01&to=2020-12&ward=" + ward);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto doc = json::parse(r.body);
    EXPECT_EQ(doc["ward"]["code"], ward);
    EXPECT_EQ(doc["boundaries_on"], "2020-12-31");
    EXPECT_EQ(doc["suppress_below"], 5);
    ASSERT_EQ(doc["rows"].size(), 24U);
    EXPECT_EQ(doc["measures"][0]["key"], "received");
    for (const auto& row : doc["rows"]) {
        const std::string month = row["month"];
        check_row(row, expected(month, [](const Place& p) { return p.ward_2020 == ward; }),
                  ward + " " + month);
    }
    // April in the ward is big enough to show; May's 3 are suppressed, with their share.
    EXPECT_EQ(doc["rows"][3]["received"]["value"], 8);
    EXPECT_TRUE(doc["rows"][4]["received"]["suppressed"].get<bool>());
    EXPECT_TRUE(doc["rows"][4]["online_share"]["suppressed"].get<bool>());

    const auto b = get("/api/performance?from=2019-01&to=2019-12");
    ASSERT_EQ(b.status, 200) << b.body;
    const auto borough = json::parse(b.body);
    EXPECT_TRUE(borough["ward"].is_null());
    for (const auto& row : borough["rows"]) {
        const std::string month = row["month"];
        check_row(row, expected(month, [](const Place&) { return true; }), "borough " + month);
    }
    EXPECT_EQ(b.body.find("a test report"), std::string::npos); // no free text
}

TEST_F(PerformanceApi, ByWardRowsAndTheCsvAgree) {
    const auto r = get("/api/performance?from=2019-04&to=2019-04&by=ward");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto doc = json::parse(r.body);
    EXPECT_EQ(doc["by"], "ward");
    EXPECT_EQ(doc["boundaries_on"], "2019-04-30");
    std::map<std::string, json> by_code;
    for (const auto& row : doc["rows"]) {
        by_code[row["ward"]] = row;
    }
    for (const auto& p : places) {
        ASSERT_TRUE(by_code.count(p.ward_2019)) << p.ward_2019;
        const auto code = p.ward_2019;
        // The range is one month: the ward's figures are that month's, on 2002 boundaries.
        check_row(by_code[code],
                  expected("2019-04", [&code](const Place& q) { return q.ward_2019 == code; }),
                  "by ward " + code);
    }

    const auto csv = get("/api/performance.csv?from=2019-01&to=2019-12&ward=" + ward);
    // The 2020 ward was not in force on 2019-12-31 unless its code is older: 404 or figures.
    const bool old_code = std::any_of(places.begin(), places.end(),
                                      [](const Place& p) { return p.ward_2019 == ward; });
    if (!old_code) {
        EXPECT_EQ(csv.status, 404) << csv.body;
        EXPECT_NE(csv.body.find("2019-12-31"), std::string::npos) << csv.body;
    }
    const auto c = get("/api/performance.csv?from=2019-01&to=2020-12&ward=" + ward);
    ASSERT_EQ(c.status, 200) << c.body;
    EXPECT_NE(c.header("content-type").find("text/csv"), std::string::npos);
    EXPECT_NE(c.header("content-disposition").find("attachment"), std::string::npos);
    std::istringstream lines(c.body);
    std::string line;
    std::getline(lines, line);
    EXPECT_EQ(line.rfind("month,ward,received,online_share,", 0), 0U) << line;
    EXPECT_NE(line.find(",note\r"), std::string::npos);
    std::map<std::string, std::string> by_month;
    while (std::getline(lines, line)) {
        by_month[line.substr(0, 7)] = line;
    }
    ASSERT_EQ(by_month.size(), 24U);
    const auto april = expected("2019-04", [](const Place& p) { return p.ward_2020 == ward; });
    EXPECT_EQ(by_month["2019-04"].rfind(
                  "2019-04," + ward + "," + std::to_string(april.received) + ",", 0),
              0U)
        << by_month["2019-04"];
    // May's 3: an empty cell and the note naming what is suppressed.
    EXPECT_EQ(by_month["2019-05"].rfind("2019-05," + ward + ",,", 0), 0U) << by_month["2019-05"];
    EXPECT_NE(by_month["2019-05"].find("suppressed: fewer than 5 (received online_share"),
              std::string::npos)
        << by_month["2019-05"];
}

TEST_F(PerformanceApi, AWardOfThe2002BoundariesCountsItsPointsOnA2019Range) {
    // Each 2002 ward holding test places: its 2019 figures on 2019-12-31's boundaries, and
    // /api/kpis placing requests the same way (at its range's end, never a stored column).
    std::set<std::string> seen;
    for (const auto& p : places) {
        seen.insert(p.ward_2019);
    }
    for (const auto& code : seen) {
        const auto r = get("/api/performance?from=2019-01&to=2019-12&ward=" + code);
        ASSERT_EQ(r.status, 200) << code << ": " << r.body;
        const auto doc = json::parse(r.body);
        const auto in = [&code](const Place& p) { return p.ward_2019 == code; };
        for (const auto& row : doc["rows"]) {
            check_row(row, expected(row["month"].get<std::string>(), in), "2002 ward " + code);
        }
        const auto k = get("/api/kpis?from=2019-04-01&to=2019-04-30&ward=" + code);
        ASSERT_EQ(k.status, 200) << k.body;
        EXPECT_EQ(json::parse(k.body)["received"], expected("2019-04", in).received) << code;
    }
    EXPECT_EQ(get("/api/kpis?ward=E05999999").status, 404);
}

TEST_F(PerformanceApi, MyAccountAccountsUsedAreCountedByMonthAndBySavedAddress) {
    // 2021 (the 2020 wards). March: 6 accounts without a saved address and 5 whose address is
    // in the ward; April: those 5 again and one account erased since (its month stays, without
    // it); May: 2 (suppressed). Accounts are written as the service writes them: the months log
    // follows last_seen_at (0031's triggers).
    std::vector<std::int64_t> uprns;
    {
        auto db = store::Database::open(db_path);
        for (const auto& p : places) {
            if (p.ward_2020 != ward || uprns.size() == 5) {
                continue;
            }
            auto q = db.prepare("SELECT uprn FROM properties WHERE easting = ?1 AND northing = ?2");
            q.bind(1, p.e).bind(2, p.n);
            ASSERT_TRUE(q.step());
            uprns.push_back(q.int64(0));
        }
        ASSERT_EQ(uprns.size(), 5U);
        int n = 0;
        const auto account = [&](const std::string& seen, std::optional<std::int64_t> uprn) {
            auto ins = db.prepare("INSERT INTO resident_accounts (email, uprn, created_at, "
                                  "last_seen_at) VALUES (?1, ?2, ?3, ?3)");
            ins.bind(1, "perf" + std::to_string(++n) + "@example.test");
            if (uprn) {
                ins.bind(2, *uprn);
            }
            ins.bind(3, seen).run();
            return db.last_insert_rowid();
        };
        for (int k = 0; k < 6; ++k) {
            account("2021-03-1" + std::to_string(k) + "T10:00:00Z", std::nullopt);
        }
        std::vector<std::int64_t> in_ward;
        for (const auto u : uprns) {
            in_ward.push_back(account("2021-03-20T10:00:00Z", u));
        }
        for (const auto id : in_ward) {
            db.exec(
                "UPDATE resident_accounts SET last_seen_at = '2021-04-05T10:00:00Z' WHERE id = " +
                std::to_string(id));
        }
        const auto erased = account("2021-04-06T10:00:00Z", uprns[0]);
        db.exec("DELETE FROM resident_accounts WHERE id = " + std::to_string(erased));
        account("2021-05-01T10:00:00Z", std::nullopt);
        account("2021-05-02T10:00:00Z", std::nullopt);
    }
    const auto used = [](const json& doc, std::size_t row) {
        return doc["rows"][row]["accounts_used"];
    };
    const auto b = get("/api/performance?from=2021-03&to=2021-05");
    ASSERT_EQ(b.status, 200) << b.body;
    const auto borough = json::parse(b.body);
    EXPECT_EQ(used(borough, 0)["value"], 11);
    EXPECT_EQ(used(borough, 1)["value"], 6);
    EXPECT_TRUE(used(borough, 2)["suppressed"].get<bool>());
    const auto w = get("/api/performance?from=2021-03&to=2021-05&ward=" + ward);
    ASSERT_EQ(w.status, 200) << w.body;
    const auto in_ward = json::parse(w.body);
    EXPECT_EQ(used(in_ward, 0)["value"], 5);
    EXPECT_EQ(used(in_ward, 1)["value"], 5); // the erased account has no address any more
    EXPECT_EQ(used(in_ward, 2)["value"], 0);
    // By ward over the range: each account once.
    const auto r = get("/api/performance?from=2021-03&to=2021-05&by=ward");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto by_ward = json::parse(r.body); // kept: the loop reads into it
    int seen = 0;
    for (const auto& row : by_ward["rows"]) {
        if (row["ward"] == ward) {
            EXPECT_EQ(row["accounts_used"]["value"], 5);
            ++seen;
        }
    }
    EXPECT_EQ(seen, 1);
}

TEST_F(PerformanceApi, RefusesBadMonthsLongRangesAndUnknownWards) {
    const auto field = [](const testing::HttpResponse& r) {
        const auto doc = json::parse(r.body);
        const auto errors = doc.value("errors", json::array());
        return errors.empty() ? std::string() : errors[0].value("name", "");
    };
    const auto bad = get("/api/performance?from=2019-13&to=2019-12");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(field(bad), "from") << bad.body;
    const auto bad_to = get("/api/performance?from=2019-01&to=2019-1");
    EXPECT_EQ(bad_to.status, 400);
    EXPECT_EQ(field(bad_to), "to") << bad_to.body;
    const auto backwards = get("/api/performance?from=2019-06&to=2019-01");
    EXPECT_EQ(backwards.status, 400);
    EXPECT_EQ(field(backwards), "from") << backwards.body;
    const auto long_range = get("/api/performance?from=2016-01&to=2019-01");
    EXPECT_EQ(long_range.status, 400);
    EXPECT_EQ(field(long_range), "to") << long_range.body;
    EXPECT_EQ(get("/api/performance?from=2016-02&to=2019-01").status, 200); // 36 months
    EXPECT_EQ(get("/api/performance?to=2999-01").status, 400);
    EXPECT_EQ(get("/api/performance?by=street").status, 400);
    EXPECT_EQ(get("/api/performance?colour=red").status, 400);
    const auto unknown = get("/api/performance.csv?ward=E05999999");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_NE(unknown.header("content-type").find("problem+json"), std::string::npos);
    // The default: the twelve months to this one, the borough.
    const auto d = get("/api/performance");
    ASSERT_EQ(d.status, 200) << d.body;
    EXPECT_EQ(json::parse(d.body)["rows"].size(), 12U);
}

} // namespace
} // namespace wardmap
