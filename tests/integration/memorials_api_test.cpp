// Memorials, their safety inspections, disinterments and the capacity forecast over real HTTP
// against the demo borough: every route refuses the public (401) and staff of other teams
// (403); bad bodies are a 400 naming the field; the due list is GeoJSON for a map with the
// demo's overdue and laid-flat memorials on it, paged; the capacity report's available graves
// agree with the public graves layer's derived statuses.

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/signed_in.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::HttpResponse;

using testing::Credentials;
using testing::field_of;

class MemorialsApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        ASSERT_TRUE(testing::make_demo_store(db_path));
        server = new testing::ServerProcess(db_path, {"--no-access-log"});
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }
    static Credentials sign_in(const std::string& email, const std::string& password) {
        return testing::sign_in(server->port(), email, password);
    }
    static Credentials officer() {
        static const auto c = sign_in("bereavement@demo.wardmap.test", "Demo-bereavement-1");
        return c;
    }
    static Credentials street() {
        static const auto c = sign_in("streetscene@demo.wardmap.test", "Demo-streetscene-1");
        return c;
    }
    static HttpResponse get(const std::string& target, const Credentials& who = {}) {
        return testing::get_as(server->port(), target, who);
    }
    static HttpResponse post(const std::string& target, const json& body, const Credentials& who) {
        return testing::send_json_as(server->port(), "POST", target, body, who);
    }
    static std::int64_t sql_int(const std::string& sql) { return testing::sql_int(db_path, sql); }
    static std::string sql_text(const std::string& sql) { return testing::sql_text(db_path, sql); }

    static testing::TempDir* tmp;
    static std::filesystem::path db_path;
    static testing::ServerProcess* server;
};
testing::TempDir* MemorialsApi::tmp = nullptr;
std::filesystem::path MemorialsApi::db_path;
testing::ServerProcess* MemorialsApi::server = nullptr;

TEST_F(MemorialsApi, EveryRouteIsTheBereavementTeamsOnly) {
    const std::vector<std::pair<std::string, std::string>> routes = {
        {"GET", "/api/burials/graves/1/memorials"},
        {"POST", "/api/burials/graves/1/memorials"},
        {"POST", "/api/burials/memorials/1/inspections"},
        {"GET", "/api/burials/memorials/due?status=overdue"},
        {"POST", "/api/burials/interments/1/disinterments"},
        {"GET", "/api/burials/capacity"}};
    for (const auto& [method, target] : routes) {
        const auto anon = method == "GET" ? get(target) : post(target, json::object(), {});
        EXPECT_EQ(anon.status, 401) << method << " " << target << ": " << anon.body;
        const auto other =
            method == "GET" ? get(target, street()) : post(target, json::object(), street());
        EXPECT_EQ(other.status, 403) << method << " " << target << ": " << other.body;
    }
}

TEST_F(MemorialsApi, AMemorialIsRecordedAndInspectedAndItsNextDueDerived) {
    const auto grave = sql_int("SELECT id FROM grave_spaces WHERE grave_type = 'private' AND "
                               "unavailable_reason IS NULL ORDER BY id LIMIT 1");
    const std::string base = "/api/burials/graves/" + std::to_string(grave) + "/memorials";
    auto r = post(base,
                  {{"memorial_type", "headstone"},
                   {"permit_number", "MP/2026/T1"},
                   {"mason", "Chorley Memorials Ltd"},
                   {"inscription", "Test inscription"},
                   {"erected_on", "2021-04-01"}},
                  officer());
    ASSERT_EQ(r.status, 201) << r.body;
    const auto id = json::parse(r.body)["id"].get<std::int64_t>();
    const std::string inspections = "/api/burials/memorials/" + std::to_string(id) + "/inspections";
    r = post(inspections,
             {{"inspected_on", "2026-02-02"},
              {"inspector", "Memorial team"},
              {"result", "fail"},
              {"risk_category", 2},
              {"action", "staked"}},
             officer());
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(json::parse(r.body)["next_due"], "2027-02-02"); // medium risk: a year on
    r = get(base, officer());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("cache-control"), "no-store");
    const auto list = json::parse(r.body)["memorials"];
    const auto mine =
        std::find_if(list.begin(), list.end(), [&](const json& m) { return m["id"] == id; });
    ASSERT_NE(mine, list.end()) << r.body;
    EXPECT_EQ((*mine)["next_due"], "2027-02-02");
    EXPECT_EQ((*mine)["inspections"].size(), 1U);
    EXPECT_EQ((*mine)["inspections"][0]["action"], "staked");

    // 400 naming the field; 404 for what is not there.
    EXPECT_EQ(field_of(post(base, {{"mason", "X"}}, officer())), "memorial_type");
    EXPECT_EQ(field_of(post(base, {{"memorial_type", "obelisk"}}, officer())), "memorial_type");
    EXPECT_EQ(field_of(post(base, {{"memorial_type", "tablet"}, {"erected_on", "2021-02-30"}},
                            officer())),
              "erected_on");
    EXPECT_EQ(field_of(post(inspections,
                            {{"inspected_on", "2026-02-02"}, {"inspector", "T"}, {"result", "ok"}},
                            officer())),
              "result");
    EXPECT_EQ(
        field_of(post(inspections,
                      {{"inspected_on", "2026-02-02"}, {"inspector", "T"}, {"result", "fail"}},
                      officer())),
        "risk_category");
    EXPECT_EQ(field_of(post(inspections,
                            {{"inspected_on", "2026-02-02"},
                             {"inspector", "T"},
                             {"result", "fail"},
                             {"risk_category", 1}},
                            officer())),
              "action"); // immediate risk must be made safe
    EXPECT_EQ(field_of(post(inspections, {{"inspector", "T"}, {"result", "pass"}}, officer())),
              "inspected_on");
    EXPECT_EQ(post(base, json::array(), officer()).status, 400);
    EXPECT_EQ(post("/api/burials/graves/99999999/memorials", {{"memorial_type", "vase"}}, officer())
                  .status,
              404);
    EXPECT_EQ(post("/api/burials/memorials/99999999/inspections",
                   {{"inspected_on", "2026-02-02"}, {"inspector", "T"}, {"result", "pass"}},
                   officer())
                  .status,
              404);
}

TEST_F(MemorialsApi, TheDueListIsGeoJsonWithTheDemosOverdueMemorials) {
    auto r = get("/api/burials/memorials/due?status=overdue&limit=5000", officer());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/geo+json");
    const auto fc = json::parse(r.body);
    const std::string today = fc["on"];
    ASSERT_GT(fc["numberMatched"].get<int>(), 10) << "the demo has overdue memorials";
    EXPECT_EQ(fc["numberReturned"], fc["numberMatched"]);
    // Each one's next due date follows from its latest inspection by the rule (docs/burials.md).
    int checked = 0;
    for (const auto& f : fc["features"]) {
        const auto& p = f["properties"];
        EXPECT_EQ(f["geometry"]["type"], "Point");
        EXPECT_LT(p["next_due"].get<std::string>(), today);
        EXPECT_FALSE(p.contains("inscription"));
        if (p["last_inspected_on"].is_null() || checked >= 25) {
            continue;
        }
        ++checked;
        const bool fail = p["last_result"] == "fail";
        const int risk = p["last_risk_category"];
        const char* step = fail && risk == 1   ? "+1 months"
                           : fail && risk == 2 ? "+1 years"
                                               : "+5 years";
        EXPECT_EQ(p["next_due"],
                  sql_text("SELECT date('" + p["last_inspected_on"].get<std::string>() + "', '" +
                           step + "')"))
            << p.dump();
    }
    EXPECT_GT(checked, 0);
    EXPECT_GT(sql_int("SELECT count(*) FROM memorials"), 200);
    EXPECT_GT(sql_int("SELECT count(*) FROM memorial_inspections WHERE action = 'laid_flat'"), 0);

    // Paging: two pages of 3 follow on without overlap.
    const auto p1 =
        json::parse(get("/api/burials/memorials/due?status=overdue&limit=3", officer()).body);
    ASSERT_EQ(p1["numberReturned"], 3);
    ASSERT_EQ(p1["links"][0]["rel"], "next");
    const auto p2 = json::parse(get(p1["links"][0]["href"].get<std::string>(), officer()).body);
    ASSERT_EQ(p2["numberReturned"], 3);
    EXPECT_NE(p1["features"][2]["id"], p2["features"][0]["id"]);
    EXPECT_EQ(p2["features"][0]["id"], fc["features"][3]["id"]);

    // Due within a year: from today on, none overdue.
    const auto due = json::parse(
        get("/api/burials/memorials/due?status=due&within=365&limit=5000", officer()).body);
    EXPECT_GT(due["numberMatched"].get<int>(), 0);
    for (const auto& f : due["features"]) {
        EXPECT_GE(f["properties"]["next_due"].get<std::string>(), today);
    }
    EXPECT_EQ(field_of(get("/api/burials/memorials/due?status=late", officer())), "status");
    EXPECT_EQ(field_of(get("/api/burials/memorials/due?within=-1", officer())), "within");
    EXPECT_EQ(field_of(get("/api/burials/memorials/due?limit=0", officer())), "limit");
    EXPECT_EQ(field_of(get("/api/burials/memorials/due?on=soon", officer())), "on");
    EXPECT_EQ(field_of(get("/api/burials/memorials/due?colour=red", officer())), "colour");
}

TEST_F(MemorialsApi, ADisintermentNeedsALicenceAndHappensOnce) {
    const auto interment = sql_int("SELECT i.id FROM interments i WHERE NOT EXISTS (SELECT 1 FROM "
                                   "disinterments d WHERE d.interment_id = i.id) AND i.buried_on "
                                   "< '2000-01-01' ORDER BY i.id LIMIT 1");
    const auto other = sql_int("SELECT id FROM grave_spaces ORDER BY id DESC LIMIT 1");
    const std::string target =
        "/api/burials/interments/" + std::to_string(interment) + "/disinterments";
    EXPECT_EQ(field_of(post(target, {{"disinterred_on", "2026-01-10"}}, officer())),
              "licence_reference");
    EXPECT_EQ(field_of(post(target, {{"licence_reference", "L"}}, officer())), "disinterred_on");
    EXPECT_EQ(field_of(post(target,
                            {{"disinterred_on", "2026-01-10"},
                             {"licence_reference", "L"},
                             {"reinterred_grave_id", "twelve"}},
                            officer())),
              "reinterred_grave_id");
    const json body = {{"disinterred_on", "2026-01-10"},
                       {"licence_reference", "MoJ 2026/0042"},
                       {"reinterred_grave_id", other},
                       {"reinterred_on", "2026-01-11"}};
    EXPECT_EQ(post("/api/burials/interments/99999999/disinterments", body, officer()).status, 404);
    auto r = post(target, body, officer());
    ASSERT_EQ(r.status, 201) << r.body;
    r = post(target, body, officer());
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_NE(r.body.find("already_disinterred"), std::string::npos) << r.body;
    EXPECT_EQ(sql_text("SELECT licence_reference FROM disinterments WHERE interment_id = " +
                       std::to_string(interment)),
              "MoJ 2026/0042");
}

TEST_F(MemorialsApi, TheCapacityReportAgreesWithTheDerivedStatusesAndForecastsYearsToFull) {
    auto r = get("/api/burials/capacity", officer());
    ASSERT_EQ(r.status, 200) << r.body;
    const auto doc = json::parse(r.body);
    ASSERT_EQ(doc["cemeteries"].size(), 2U);
    EXPECT_EQ(doc["rate_years"].size(), 5U);
    // The public layer's derived statuses, per cemetery.
    const auto fc =
        json::parse(get("/ogc/collections/graves/items?limit=10000&status=available").body);
    int available = 0;
    for (const auto& c : doc["cemeteries"]) {
        available += c["available"].get<int>();
        int sections = 0;
        for (const auto& s : c["sections"]) {
            sections += s["available"].get<int>();
        }
        EXPECT_EQ(sections, c["available"].get<int>());
        EXPECT_EQ(c["burials_per_year"].size(), 10U);
        EXPECT_GT(c["current_rate"].get<double>(), 0) << c["name"];
        EXPECT_TRUE(c["at_current_rate"]["full_year"].is_number()) << c.dump();
        EXPECT_TRUE(c["at_officer_rate"].is_null());
    }
    EXPECT_EQ(available, fc["numberReturned"].get<int>());

    // The officer's rate: per cemetery, and one section's own.
    const auto& first = doc["cemeteries"][0];
    const auto section = first["sections"][0]["id"].get<std::int64_t>();
    r = get("/api/burials/capacity?rate=10&section_rate=" + std::to_string(section) + ":2.5",
            officer());
    ASSERT_EQ(r.status, 200) << r.body;
    const auto with = json::parse(r.body)["cemeteries"][0];
    EXPECT_EQ(with["officer_rate"], 10.0);
    const int left = with["available"];
    EXPECT_NEAR(with["at_officer_rate"]["years_to_full"].get<double>(), left / 10.0, 0.05);
    EXPECT_EQ(with["sections"][0]["officer_rate"], 2.5);
    EXPECT_EQ(field_of(get("/api/burials/capacity?rate=fast", officer())), "rate");
    EXPECT_EQ(field_of(get("/api/burials/capacity?rate=-1", officer())), "rate");
    EXPECT_EQ(field_of(get("/api/burials/capacity?section_rate=1-2", officer())), "section_rate");
    EXPECT_EQ(field_of(get("/api/burials/capacity?section_rate=99999:1", officer())),
              "section_rate");
    EXPECT_EQ(field_of(get("/api/burials/capacity?years=0", officer())), "years");
}

} // namespace
} // namespace wardmap
