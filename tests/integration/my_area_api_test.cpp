// My area over real HTTP against the demo borough (issue #16, docs/my-area.md): a property on
// the Tuesday refuse round gets its ward (the same as /api/wards/at gives for its point), the
// ward's councillors as imported by `wardmap import councillors`, its bin days, planning on
// the property and within 200 m in the last 12 months, the constraints and land charges over
// it, open public reports within 500 m and the 5 nearest litter bins, each checked against the
// store read here without the spatial index; a postcode and a point answer too; every refusal names
// its field; and no reporter's name or email reaches the output.

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;

class MyAreaApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        std::string output;
        ASSERT_EQ(testing::copy_demo_store(db_path, &output), 0) << output;
        std::string ward_code;
        {
            auto conn = store::Database::open(db_path);
            auto q = conn.prepare(
                "SELECT s.uprn FROM schedule_round_stops s JOIN schedule_rounds r ON r.id = "
                "s.round_id WHERE r.code = 'DEMO-REFUSE-TUE' AND s.uprn IS NOT NULL ORDER BY "
                "s.seq LIMIT 1");
            ASSERT_TRUE(q.step()) << "the demo has no Tuesday refuse round";
            uprn = q.int64(0);
            auto p = conn.prepare(
                "SELECT a.uprn FROM planning_applications a JOIN properties p ON p.uprn = a.uprn "
                "ORDER BY a.id LIMIT 1");
            ASSERT_TRUE(p.step()) << "the demo has no planning application on a property";
            planning_uprn = p.int64(0);
            // The planning register's constraint and land-charge layers (migration 0024 on
            // the planning branch) with their columns My area reads, when the store lacks
            // them: a conservation area and a land charge over the property, a constraint
            // elsewhere and a cancelled charge that must not show.
            const char* tables[][2] = {
                {"planning_constraints",
                 "CREATE TABLE planning_constraints (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, "
                 "reference TEXT NOT NULL, name TEXT, designation_date TEXT, grade TEXT, "
                 "description TEXT, documentation_url TEXT, source TEXT NOT NULL, updated_at "
                 "TEXT NOT NULL)"},
                {"local_land_charges",
                 "CREATE TABLE local_land_charges (id INTEGER PRIMARY KEY, reference TEXT NOT "
                 "NULL UNIQUE, register_part INTEGER, charge_type TEXT NOT NULL, description "
                 "TEXT, registered_date TEXT NOT NULL, originating_authority TEXT, "
                 "instrument_reference TEXT, status TEXT NOT NULL DEFAULT 'registered', source "
                 "TEXT NOT NULL, updated_at TEXT NOT NULL)"}};
            for (const auto& [name, ddl] : tables) {
                auto exists = conn.prepare("SELECT 1 FROM sqlite_master WHERE name = ?1");
                exists.bind(1, name);
                if (!exists.step()) {
                    conn.exec(ddl);
                    conn.exec(std::string("SELECT AddGeometryColumn('") + name +
                              "', 'geom', 27700, 'MULTIPOLYGON', 'XY', 1); SELECT "
                              "AddGeometryColumn('" +
                              name +
                              "', 'geom_wgs84', 4326, 'MULTIPOLYGON', 'XY', 1); SELECT "
                              "CreateSpatialIndex('" +
                              name + "', 'geom')");
                }
            }
            const std::string around = "(SELECT CastToMultiPolygon(BuildMbr(easting - ?2, "
                                       "northing - ?2, easting + ?2, northing + ?2, 27700)) FROM "
                                       "properties WHERE uprn = ?1)";
            auto c = conn.prepare(
                "INSERT INTO planning_constraints (kind, reference, name, source, updated_at, "
                "geom, geom_wgs84) VALUES (?3, ?4, ?5, 'test', '2026-01-01T00:00:00Z', " +
                around + ", Transform(" + around + ", 4326))");
            c.bind(1, uprn).bind(2, 60.0).bind(3, "conservation_area").bind(4, "CA-TEST-1");
            c.bind(5, "Test Conservation Area").run();
            auto far = conn.prepare(
                "INSERT INTO planning_constraints (kind, reference, name, source, updated_at, "
                "geom, geom_wgs84) VALUES ('article_4', 'A4-FAR', 'Elsewhere', 'test', "
                "'2026-01-01T00:00:00Z', CastToMultiPolygon(BuildMbr(300000, 300000, 300100, "
                "300100, 27700)), Transform(CastToMultiPolygon(BuildMbr(300000, 300000, 300100, "
                "300100, 27700)), 4326))");
            far.run();
            for (const auto& [reference, status] :
                 {std::pair{"LLC-TEST-1", "registered"}, std::pair{"LLC-TEST-2", "cancelled"}}) {
                auto l = conn.prepare(
                    "INSERT INTO local_land_charges (reference, register_part, charge_type, "
                    "registered_date, status, source, updated_at, geom, geom_wgs84) VALUES (?3, "
                    "3, 'planning', '2020-05-01', ?4, 'test', '2026-01-01T00:00:00Z', " +
                    around + ", Transform(" + around + ", 4326))");
                l.bind(1, uprn).bind(2, 30.0).bind(3, reference).bind(4, status).run();
            }
        }
        server = new testing::ServerProcess(db_path, {"--no-access-log"});
        // The councillors of the property's ward, through the real importer (the demo has none).
        const auto where = get("/api/my-area?uprn=" + std::to_string(uprn));
        ASSERT_TRUE(where.at("ward").is_object()) << where.dump();
        ward_code = where.at("ward").at("code");
        const auto csv = tmp->path() / "councillors.csv";
        std::ofstream(csv) << "ward,councillor,party,email\n"
                           << ward_code << ",Ada Testcouncillor,Independent,ada@council.example\n"
                           << ward_code << ",Ben Secondcouncillor,Labour,\n";
        std::string out;
        ASSERT_EQ(testing::run_wardmap(
                      {"import", "councillors", csv.string(), "--db", db_path.string()}, &out),
                  0)
            << out;
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }
    static json get(const std::string& target) {
        const auto r = testing::http_get(server->port(), target);
        EXPECT_EQ(r.status, 200) << target << " " << r.body;
        return json::parse(r.body, nullptr, false);
    }
    static std::int64_t sql_int(const std::string& sql) {
        auto conn = store::Database::open(db_path);
        auto q = conn.prepare(sql);
        return q.step() ? q.int64(0) : -1;
    }
    static std::string point_of(std::int64_t u) {
        return "MakePoint((SELECT easting FROM properties WHERE uprn = " + std::to_string(u) +
               "), (SELECT northing FROM properties WHERE uprn = " + std::to_string(u) +
               "), 27700)";
    }

    static inline testing::TempDir* tmp = nullptr;
    static inline std::filesystem::path db_path;
    static inline testing::ServerProcess* server = nullptr;
    static inline std::int64_t uprn = 0;
    static inline std::int64_t planning_uprn = 0;
};

TEST_F(MyAreaApi, APropertyGetsItsWardCouncillorsBinDaysReportsAndBins) {
    const auto doc = get("/api/my-area?uprn=" + std::to_string(uprn));
    const auto& place = doc.at("place");
    EXPECT_EQ(place.at("kind"), "property");
    EXPECT_EQ(place.at("uprn"), uprn);
    EXPECT_FALSE(place.at("address").get<std::string>().empty());

    // The ward is the one the ward service places the property's point in.
    const auto at = get("/api/wards/at?lon=" + place.at("at").at("lon").dump() +
                        "&lat=" + place.at("at").at("lat").dump());
    EXPECT_EQ(doc.at("ward").at("code"), at.at("code")) << at.dump();
    const auto& councillors = doc.at("ward").at("councillors");
    ASSERT_EQ(councillors.size(), 2U) << doc.dump();
    EXPECT_EQ(councillors[0].at("name"), "Ada Testcouncillor");
    EXPECT_EQ(councillors[0].at("party"), "Independent");
    EXPECT_EQ(councillors[0].at("email"), "ada@council.example");
    EXPECT_EQ(councillors[1].at("name"), "Ben Secondcouncillor");

    // Bin days: the Tuesday refuse round's next visit, as /api/schedules gives it.
    const auto& days = doc.at("bin_and_sweeping_days");
    ASSERT_EQ(days.at("in_use"), true) << days.dump();
    const auto schedule = get("/api/schedules?uprn=" + std::to_string(uprn));
    std::set<std::string> expected;
    std::set<std::string> seen;
    for (const auto& a : schedule.at("activities")) {
        expected.insert(a.at("activity").get<std::string>() + " " + a.at("next").dump());
    }
    for (const auto& a : days.at("activities")) {
        seen.insert(a.at("activity").get<std::string>() + " " + a.at("next").dump());
        EXPECT_LE(a.at("coming").size(), 4U);
    }
    EXPECT_EQ(seen, expected);
    bool refuse = false;
    for (const auto& a : days.at("activities")) {
        refuse = refuse || a.at("activity") == "household_waste";
    }
    EXPECT_TRUE(refuse) << days.dump();

    // Open public reports within 500 m, counted here without the spatial index.
    const auto open = sql_int("SELECT count(*) FROM service_requests WHERE is_open = 1 AND "
                              "private = 0 AND ST_Distance(geom, " +
                              point_of(uprn) + ") <= 500");
    const auto& reports = doc.at("reports_nearby");
    EXPECT_EQ(reports.at("open_count"), open);
    EXPECT_GT(open, 0) << "the demo has no open report near the property: the check is empty";
    double last = 0;
    for (const auto& r : reports.at("reports")) {
        EXPECT_LE(r.at("distance_m").get<double>(), 500.0);
        EXPECT_GE(r.at("distance_m").get<double>(), last);
        last = r.at("distance_m");
        std::set<std::string> keys;
        for (const auto& [k, v] : r.items()) {
            keys.insert(k);
        }
        EXPECT_EQ(keys, (std::set<std::string>{"id", "category_code", "category", "status",
                                               "created_at", "updated_at", "distance_m", "at"}));
    }

    // The 5 nearest active litter bins, nearest first, the same 5 as the store says.
    const auto& bins = doc.at("litter_bins");
    ASSERT_EQ(bins.size(), 5U) << bins.dump();
    auto conn = store::Database::open(db_path);
    auto q = conn.prepare("SELECT id FROM street_assets WHERE asset_type = 'litter_bin' AND status "
                          "= 'active' ORDER BY ST_Distance(geom, " +
                          point_of(uprn) + "), id LIMIT 5");
    for (const auto& b : bins) {
        ASSERT_TRUE(q.step());
        EXPECT_EQ(b.at("id"), q.int64(0));
    }
    // Constraints and land charges over the property: the ones the store's polygons contain
    // (counted here with ST_Contains, without the spatial index), which include the ones set up
    // above and not the far one nor the cancelled charge. The demo's own constraint areas may
    // cover the property too.
    const auto covering = [&](const std::string& table, const std::string& where) {
        std::set<std::string> refs;
        auto c = conn.prepare("SELECT reference FROM " + table + " WHERE ST_Contains(geom, " +
                              point_of(uprn) + ")" + where);
        while (c.step()) {
            refs.insert(std::string(c.text(0)));
        }
        return refs;
    };
    const auto references = [](const json& items) {
        std::set<std::string> refs;
        for (const auto& item : items) {
            refs.insert(item.at("reference").get<std::string>());
        }
        return refs;
    };
    ASSERT_EQ(doc.at("constraints").at("in_use"), true) << doc.dump();
    const auto& constraints = doc.at("constraints").at("items");
    EXPECT_EQ(references(constraints), covering("planning_constraints", ""));
    EXPECT_TRUE(references(constraints).contains("CA-TEST-1")) << constraints.dump();
    EXPECT_FALSE(references(constraints).contains("A4-FAR")) << constraints.dump();
    const auto& charges = doc.at("land_charges").at("items");
    EXPECT_EQ(references(charges), covering("local_land_charges", " AND status <> 'cancelled'"));
    EXPECT_TRUE(references(charges).contains("LLC-TEST-1")) << charges.dump();
    EXPECT_FALSE(references(charges).contains("LLC-TEST-2")) << charges.dump();
    for (const auto& charge : charges) {
        if (charge.at("reference") == "LLC-TEST-1") {
            EXPECT_EQ(charge.at("register_part"), 3);
        }
    }
}

TEST_F(MyAreaApi, PlanningOnThePropertyAndWithin200mInTheLast12Months) {
    const auto doc = get("/api/my-area?uprn=" + std::to_string(planning_uprn));
    const auto& planning = doc.at("planning");
    const auto on = sql_int("SELECT count(*) FROM planning_applications WHERE uprn = " +
                            std::to_string(planning_uprn));
    EXPECT_EQ(static_cast<std::int64_t>(planning.at("on_property").size()), on);
    ASSERT_GT(on, 0);
    const auto near =
        sql_int("SELECT count(*) FROM planning_applications WHERE ST_Distance(geom, " +
                point_of(planning_uprn) + ") <= 200 AND received_date >= date('" +
                doc.at("date").get<std::string>() + "', '-12 months')");
    const auto& nearby = planning.at("nearby").at("applications");
    EXPECT_EQ(static_cast<std::int64_t>(nearby.size()), std::min<std::int64_t>(near, 50));
    for (const auto& a : nearby) {
        EXPECT_LE(a.at("distance_m").get<double>(), 200.0);
    }
}

TEST_F(MyAreaApi, APostcodeAndAPointAnswerToo) {
    const auto by_uprn = get("/api/my-area?uprn=" + std::to_string(uprn));
    const std::string postcode = by_uprn.at("place").at("postcode");
    // Lower case and without its space: normalised as the gazetteer does.
    std::string typed;
    for (const char c : postcode) {
        if (c != ' ') {
            typed += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    const auto by_postcode = get("/api/my-area?postcode=" + typed);
    EXPECT_EQ(by_postcode.at("place").at("kind"), "postcode");
    EXPECT_EQ(by_postcode.at("place").at("postcode"), postcode);
    EXPECT_TRUE(by_postcode.at("ward").is_object());
    EXPECT_EQ(by_postcode.at("bin_and_sweeping_days").at("in_use"), false);

    const auto& at = by_uprn.at("place").at("at");
    const auto by_point =
        get("/api/my-area?lon=" + at.at("lon").dump() + "&lat=" + at.at("lat").dump());
    EXPECT_EQ(by_point.at("place").at("kind"), "point");
    EXPECT_EQ(by_point.at("ward").at("code"), by_uprn.at("ward").at("code"));
    EXPECT_EQ(by_point.at("reports_nearby").at("open_count"),
              by_uprn.at("reports_nearby").at("open_count"));
    EXPECT_EQ(by_point.at("litter_bins").at(0).at("id"), by_uprn.at("litter_bins").at(0).at("id"));
}

TEST_F(MyAreaApi, EachRefusalNamesItsField) {
    const std::vector<std::tuple<std::string, int, std::string>> cases = {
        {"/api/my-area", 400, "uprn"},
        {"/api/my-area?uprn=1&postcode=PR7%201DP", 400, "postcode"},
        {"/api/my-area?uprn=1&lon=-2.6&lat=53.6", 400, "lon"},
        {"/api/my-area?lon=-2.6", 400, "lat"},
        {"/api/my-area?lat=53.6", 400, "lon"},
        {"/api/my-area?uprn=abc", 400, "uprn"},
        {"/api/my-area?uprn=0", 400, "uprn"},
        {"/api/my-area?uprn=1000000000000", 400, "uprn"},
        {"/api/my-area?postcode=not-a-postcode", 400, "postcode"},
        {"/api/my-area?lon=500&lat=53.6", 400, "lon"},
        {"/api/my-area?lon=-2.6&lat=nan", 400, "lat"},
        {"/api/my-area?uprn=1&radius=5", 400, "radius"},
        {"/api/my-area?uprn=999999999998", 404, ""},
        {"/api/my-area?postcode=ZZ9%209ZZ", 404, ""},
        // A point outside the borough (Westminster) is in no ward of the council: 404.
        {"/api/my-area?lon=-0.1276&lat=51.5072", 404, ""},
    };
    for (const auto& [target, status, field] : cases) {
        const auto r = testing::http_get(server->port(), target);
        EXPECT_EQ(r.status, status) << target << " " << r.body;
        EXPECT_EQ(r.header("content-type"), "application/problem+json") << target;
        const auto body = json::parse(r.body, nullptr, false);
        ASSERT_TRUE(body.is_object()) << r.body;
        if (!field.empty()) {
            EXPECT_EQ(body.at("errors").at(0).at("name"), field) << target << " " << r.body;
        }
    }
}

TEST_F(MyAreaApi, NoReporterNameOrEmailReachesTheOutput) {
    // Around the places with the most reports: the reporters' names and emails are in the
    // store; none may appear in My area's answer.
    std::set<std::string> personal;
    std::vector<std::int64_t> uprns{uprn, planning_uprn};
    {
        auto conn = store::Database::open(db_path);
        // Whole names, addresses and phone numbers (a first name alone may be part of a
        // street's name).
        auto q = conn.prepare("SELECT first_name || ' ' || last_name, email, phone FROM "
                              "service_request_contacts");
        while (q.step()) {
            for (int c = 0; c < 3; ++c) {
                if (const auto v = q.optional_text(c); v && v->size() >= 5) {
                    personal.insert(*v);
                }
            }
        }
        auto u = conn.prepare("SELECT uprn FROM service_requests WHERE uprn IS NOT NULL AND "
                              "is_open = 1 GROUP BY uprn ORDER BY count(*) DESC LIMIT 8");
        while (u.step()) {
            uprns.push_back(u.int64(0));
        }
    }
    ASSERT_GT(personal.size(), 20U) << "the demo has no reporters: the scan would find nothing";
    // A report made here now, by a named reporter, at the property: it is listed, they are not.
    const auto place = get("/api/my-area?uprn=" + std::to_string(uprn)).at("place").at("at");
    const auto made =
        testing::http_request(server->port(), "POST", "/open311/v2/requests.json",
                              testing::form({{"api_key", "demo-client-key"},
                                             {"service_code", "fly_tipping"},
                                             {"lat", place.at("lat").dump()},
                                             {"long", place.at("lon").dump()},
                                             {"first_name", "Zelda"},
                                             {"last_name", "Privateperson"},
                                             {"email", "zelda.private@example.org"},
                                             {"phone", "07700 900999"},
                                             {"description", "Mattress left by Zelda's gate"},
                                             {"attribute[waste_type][]", "furniture"},
                                             {"attribute[amount]", "car_boot"}}),
                              {{"Content-Type", "application/x-www-form-urlencoded"}});
    ASSERT_EQ(made.status, 200) << made.body;
    const auto made_id =
        std::stoll(json::parse(made.body)[0]["service_request_id"].get<std::string>());
    for (const char* p :
         {"Zelda", "Privateperson", "zelda.private@example.org", "07700 900999", "Mattress"}) {
        personal.insert(p);
    }
    bool listed = false;
    // Kept while walked: a range-for over a member of a temporary would dangle.
    const auto near = get("/api/my-area?uprn=" + std::to_string(uprn));
    for (const auto& r : near.at("reports_nearby").at("reports")) {
        listed = listed || r.at("id") == made_id;
    }
    EXPECT_TRUE(listed) << "the new report " << made_id << " is not among the reports nearby";
    int reports_seen = 0;
    for (const auto u : uprns) {
        const auto r = testing::http_get(server->port(), "/api/my-area?uprn=" + std::to_string(u));
        ASSERT_EQ(r.status, 200) << r.body;
        reports_seen += json::parse(r.body).at("reports_nearby").at("open_count").get<int>();
        for (const auto& p : personal) {
            EXPECT_EQ(r.body.find(p), std::string::npos) << "uprn " << u << " shows '" << p << "'";
        }
    }
    EXPECT_GT(reports_seen, 10);
}

TEST_F(MyAreaApi, TheAtomFeedListsPublicReportsAndPlanningAroundAPropertyOrInAWard) {
    const auto r = testing::http_get(
        server->port(), "/api/alerts/feed.atom?uprn=" + std::to_string(uprn) + "&distance=500");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/atom+xml; charset=utf-8");
    EXPECT_EQ(r.body.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>", 0), 0U);
    EXPECT_NE(r.body.find("<feed xmlns=\"http://www.w3.org/2005/Atom\">"), std::string::npos);
    // As many report entries as public reports within 500 m (at most 50), counted here.
    const auto reports = sql_int("SELECT min(50, count(*)) FROM service_requests WHERE private = "
                                 "0 AND ST_Distance(geom, " +
                                 point_of(uprn) + ") <= 500");
    std::size_t seen = 0;
    for (auto at = r.body.find("urn:wardmap:report:"); at != std::string::npos;
         at = r.body.find("urn:wardmap:report:", at + 1)) {
        ++seen;
    }
    EXPECT_GT(reports, 0);
    EXPECT_LE(static_cast<std::int64_t>(seen), reports);
    EXPECT_GT(seen, 0U);

    const auto code = get("/api/my-area?uprn=" + std::to_string(uprn)).at("ward").at("code");
    const auto ward =
        testing::http_get(server->port(), "/api/alerts/feed.atom?ward=" + code.get<std::string>());
    ASSERT_EQ(ward.status, 200) << ward.body;
    EXPECT_NE(ward.body.find("<entry>"), std::string::npos);

    for (const auto& [target, status] : std::vector<std::pair<std::string, int>>{
             {"/api/alerts/feed.atom", 400},
             {"/api/alerts/feed.atom?uprn=1&ward=E05000001", 400},
             {"/api/alerts/feed.atom?uprn=" + std::to_string(uprn) + "&distance=10", 400},
             {"/api/alerts/feed.atom?ward=E05000001&distance=100", 400},
             {"/api/alerts/feed.atom?ward=%3Cscript%3E", 400},
             {"/api/alerts/feed.atom?ward=E05999999", 404},
             {"/api/alerts/feed.atom?uprn=999999999998", 404}}) {
        EXPECT_EQ(testing::http_get(server->port(), target).status, status) << target;
    }
}

TEST_F(MyAreaApi, AnAlertRequestIsRefusedNamingItsField) {
    const std::vector<std::pair<json, std::string>> cases = {
        {json{{"uprn", uprn}}, "email"},
        {json{{"email", "a@example.org"}}, "uprn"},
        {json{{"email", "a@example.org"}, {"uprn", uprn}, {"ward", "E05000001"}}, "ward"},
        {json{{"email", "a@example.org"}, {"lon", -2.6}}, "lat"},
        {json{{"email", "a@example.org"}, {"uprn", uprn}, {"distance", 9000}}, "distance"},
        {json{{"email", "a@example.org"}, {"uprn", uprn}, {"kinds", {"gossip"}}}, "kinds"},
        {json{{"email", "a@example.org"}, {"uprn", uprn}, {"colour", "red"}}, "colour"},
        {json{{"email", "not an address"}, {"uprn", uprn}}, "email"},
    };
    for (const auto& [body, field] : cases) {
        const auto r = testing::http_request(server->port(), "POST", "/api/alerts", body.dump(),
                                             {{"Content-Type", "application/json"}});
        EXPECT_EQ(r.status, 400) << body.dump() << " " << r.body;
        const auto problem = json::parse(r.body, nullptr, false);
        ASSERT_TRUE(problem.is_object()) << r.body;
        EXPECT_EQ(problem.at("errors").at(0).at("name"), field) << body.dump() << " " << r.body;
    }
    const auto unknown =
        testing::http_request(server->port(), "POST", "/api/alerts",
                              json{{"email", "a@example.org"}, {"uprn", 999999999998}}.dump(),
                              {{"Content-Type", "application/json"}});
    EXPECT_EQ(unknown.status, 404) << unknown.body;
    // A link nobody was sent: a 404 page in the residents' look.
    const auto page = testing::http_get(server->port(), "/api/alerts/confirm/nosuchtoken");
    EXPECT_EQ(page.status, 404);
    EXPECT_NE(page.body.find("Link not valid"), std::string::npos);
}

} // namespace
} // namespace wardmap
