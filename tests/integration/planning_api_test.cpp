// The planning register, the constraint layers and the land charges as the server publishes
// them over the demo borough: every collection answers with its queryables and the store's
// counts, and an application's ward is derived at the date it was received (one imported
// through the CLI as received in 2015, before the 2020 re-warding, gets its 2002-set ward; the
// same site received in 2024 gets its 2020 ward), as a property and as a filter.

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::http_get;

class PlanningCollections : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        std::string out;
        ASSERT_EQ(testing::copy_demo_store(db_path, &out), 0) << out;
        {
            // A property inside a ward of each boundary set (the 2002 set's codes differ).
            auto db = store::Database::open(db_path);
            auto st = db.prepare(
                "SELECT p.lon, p.lat, o.code, n.code FROM properties p "
                "JOIN boundary_sets so ON so.valid_to IS NOT NULL "
                "JOIN wards o ON o.boundary_set_id = so.id "
                "JOIN boundary_sets sn ON sn.valid_to IS NULL "
                "JOIN wards n ON n.boundary_set_id = sn.id "
                "WHERE ST_Contains(o.geom, ST_Buffer(MakePoint(p.easting, p.northing, 27700), 5)) "
                "AND ST_Contains(n.geom, ST_Buffer(MakePoint(p.easting, p.northing, 27700), 5)) "
                "LIMIT 1");
            ASSERT_TRUE(st.step());
            lon = st.real(0);
            lat = st.real(1);
            old_ward = std::string(st.text(2));
            new_ward = std::string(st.text(3));
        }
        char point[80];
        std::snprintf(point, sizeof point, "POINT (%.7f %.7f)", lon, lat);
        const auto csv = tmp->path() / "national.csv";
        std::ofstream(csv) << "reference,description,address-text,point,"
                              "planning-application-type,planning-application-status,"
                              "planning-decision,start-date,decision-date\n"
                              "15/00001/FUL,Old case,1 Test Road,"
                           << point
                           << ",full,decided,approved,2015-06-01,2015-08-01\n"
                              "24/99999/FUL,New case,1 Test Road,"
                           << point << ",full,validated,,2024-06-01,\n";
        ASSERT_EQ(
            testing::run_wardmap(
                {"import", "planning", csv.string(), "--db", db_path.string(), "--quiet"}, &out),
            0)
            << out;
        server = new testing::ServerProcess(db_path, {"--no-access-log"});
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }
    static std::int64_t sql_count(const std::string& sql) {
        auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
        return db.query_int(sql).value_or(-1);
    }
    static json get_json(const std::string& target) {
        const auto r = http_get(server->port(), target);
        EXPECT_EQ(r.status, 200) << target << ": " << r.body;
        return json::parse(r.body);
    }

    static inline testing::TempDir* tmp = nullptr;
    static inline testing::ServerProcess* server = nullptr;
    static inline std::filesystem::path db_path;
    static inline double lon = 0, lat = 0;
    static inline std::string old_ward, new_ward;
};

TEST_F(PlanningCollections, EveryLayerAnswersWithItsQueryables) {
    const std::pair<const char*, const char*> layers[] = {
        {"planning_applications", "SELECT count(*) FROM planning_applications"},
        {"conservation_areas",
         "SELECT count(*) FROM planning_constraints WHERE kind = 'conservation_area'"},
        {"tree_preservation_orders",
         "SELECT count(*) FROM planning_constraints WHERE kind = 'tree_preservation_order'"},
        {"listed_buildings",
         "SELECT count(*) FROM planning_constraints WHERE kind = 'listed_building'"},
        {"article_4_areas", "SELECT count(*) FROM planning_constraints WHERE kind = 'article_4'"},
        {"local_land_charges", "SELECT count(*) FROM local_land_charges"},
    };
    for (const auto& [id, sql] : layers) {
        const auto count = sql_count(sql);
        EXPECT_GT(count, 0) << id << ": the demo borough has some";
        const auto fc = get_json(std::string("/ogc/collections/") + id + "/items?limit=2");
        EXPECT_EQ(fc["numberMatched"], count) << id;
        ASSERT_FALSE(fc["features"].empty()) << id;
        EXPECT_TRUE(fc["features"][0]["properties"]["reference"].is_string()) << id;
        const auto q = get_json(std::string("/ogc/collections/") + id + "/queryables");
        EXPECT_TRUE(q["properties"].contains("reference")) << id;
    }
    const auto listed = get_json("/ogc/collections/listed_buildings/items?grade=II*");
    EXPECT_EQ(listed["numberMatched"], sql_count("SELECT count(*) FROM planning_constraints "
                                                 "WHERE grade = 'II*'"));
    EXPECT_GE(listed["numberMatched"].get<int>(), 1);
}

TEST_F(PlanningCollections, TheWardIsTheOneInForceWhenReceived) {
    ASSERT_NE(old_ward, new_ward);
    const auto old_case = get_json("/ogc/collections/planning_applications/items?reference=" +
                                   std::string("15/00001/FUL"));
    ASSERT_EQ(old_case["numberMatched"], 1);
    EXPECT_EQ(old_case["features"][0]["properties"]["ward_code"], old_ward);
    EXPECT_EQ(old_case["features"][0]["properties"]["status"], "decided");
    const auto new_case = get_json("/ogc/collections/planning_applications/items?reference=" +
                                   std::string("24/99999/FUL"));
    ASSERT_EQ(new_case["numberMatched"], 1);
    EXPECT_EQ(new_case["features"][0]["properties"]["ward_code"], new_ward);
    // As a filter: the old ward finds the 2015 case (the demo's cases are all after 2020).
    const auto in_old =
        get_json("/ogc/collections/planning_applications/items?ward_code=" + old_ward);
    ASSERT_EQ(in_old["numberMatched"], 1);
    EXPECT_EQ(in_old["features"][0]["properties"]["reference"], "15/00001/FUL");
    const auto in_new =
        get_json("/ogc/collections/planning_applications/items?limit=1000&ward_code=" + new_ward);
    bool found = false;
    for (const auto& f : in_new["features"]) {
        found = found || f["properties"]["reference"] == "24/99999/FUL";
        EXPECT_NE(f["properties"]["reference"], "15/00001/FUL");
    }
    EXPECT_TRUE(found);
    // The import logged each first sighting; the demo logged its own.
    EXPECT_EQ(sql_count("SELECT count(*) FROM planning_application_log"),
              sql_count("SELECT count(*) FROM planning_applications"));
}

} // namespace
} // namespace wardmap
