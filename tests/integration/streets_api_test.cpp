// GET /api/streets/{usrn} and the councillors of GET /api/wards/{code}, on the real server: the
// demo borough, plus a street and councillors loaded with `wardmap import` before it starts.

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::http_get;

constexpr const char* imported_usrn = "99000001";

class StreetsApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        const auto db = tmp->path() / "demo.sqlite";
        std::string output;
        ASSERT_EQ(testing::copy_demo_store(db, &output), 0) << output;
        {
            auto conn = store::Database::open(db);
            auto busiest = conn.prepare("SELECT usrn, count(*) FROM addresses "
                                        "WHERE usrn IS NOT NULL GROUP BY usrn "
                                        "ORDER BY 2 DESC, 1 LIMIT 1");
            ASSERT_TRUE(busiest.step());
            demo_usrn = std::to_string(busiest.int64(0));
            demo_address_count = busiest.int64(1);
            // A line between points inside two neighbouring current wards crosses both.
            auto pair = conn.prepare(
                "SELECT a.code, b.code, X(PointOnSurface(a.geom)), Y(PointOnSurface(a.geom)), "
                "X(PointOnSurface(b.geom)), Y(PointOnSurface(b.geom)) "
                "FROM wards a JOIN wards b ON a.boundary_set_id = b.boundary_set_id "
                "AND a.code < b.code JOIN boundary_sets s ON s.id = a.boundary_set_id "
                "WHERE s.valid_to IS NULL AND ST_Touches(a.geom, b.geom) "
                "ORDER BY a.code, b.code LIMIT 1");
            ASSERT_TRUE(pair.step());
            ward_a = std::string(pair.text(0));
            ward_b = std::string(pair.text(1));
            std::ofstream(tmp->path() / "streets.csv")
                << "USRN,name,town,WKT\n"
                << imported_usrn << ",Test Way,Chorley,\"LINESTRING(" << pair.real(2) << " "
                << pair.real(3) << ", " << pair.real(4) << " " << pair.real(5) << ")\"\n";
        }
        ASSERT_EQ(testing::run_wardmap({"import", "streets", (tmp->path() / "streets.csv").string(),
                                        "--crs", "EPSG:27700", "--quiet", "--db", db.string()},
                                       &output),
                  0)
            << output;
        std::ofstream(tmp->path() / "councillors.json")
            << R"([{"code":")" << ward_a << R"(","councillors":[)"
            << R"({"name":"June Molyneaux","party":"Labour","id":"jmolyneaux"},)"
            << R"({"name":"Kim Snape","party":"Labour","id":"ksnape"},)"
            << R"({"name":"Peter Wilson","party":"Labour","id":"pwilson"}]}])";
        ASSERT_EQ(testing::run_wardmap({"import", "councillors",
                                        (tmp->path() / "councillors.json").string(), "--quiet",
                                        "--db", db.string()},
                                       &output),
                  0)
            << output;
        server = new testing::ServerProcess(db, {"--no-access-log"});
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }
    static std::uint16_t port() { return server->port(); }

    static inline testing::TempDir* tmp = nullptr;
    static inline testing::ServerProcess* server = nullptr;
    static inline std::string demo_usrn;
    static inline std::int64_t demo_address_count = 0;
    static inline std::string ward_a;
    static inline std::string ward_b;
};

void expect_problem(const testing::HttpResponse& r, int status, const std::string& name = "") {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
    const auto body = json::parse(r.body);
    EXPECT_EQ(body["status"], status);
    if (!name.empty()) {
        ASSERT_TRUE(body.contains("errors")) << r.body;
        EXPECT_EQ(body["errors"][0]["name"], name) << r.body;
    }
}

TEST_F(StreetsApi, AStreetIsAWgs84FeatureWithItsAddressCountAndType) {
    const auto r = http_get(port(), "/api/streets/" + demo_usrn);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/geo+json");
    EXPECT_EQ(r.header("content-crs"), "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>");
    const auto f = json::parse(r.body);
    EXPECT_EQ(f["type"], "Feature");
    EXPECT_EQ(f["geometry"]["type"], "LineString");
    for (const auto& p : f["geometry"]["coordinates"]) {
        EXPECT_NEAR(p[0].get<double>(), -2.63, 0.3);
        EXPECT_NEAR(p[1].get<double>(), 53.65, 0.2);
    }
    const auto& props = f["properties"];
    EXPECT_EQ(std::to_string(props["usrn"].get<std::int64_t>()), demo_usrn);
    EXPECT_EQ(props["address_count"], demo_address_count);
    EXPECT_TRUE(props["descriptor"].is_string());
    EXPECT_TRUE(props["town"].is_string());
    const int type = props["street_type"];
    const std::string label = props["street_type_label"];
    EXPECT_TRUE(type == 1 ? label == "Designated street name" : !label.empty()) << label;
    EXPECT_TRUE(props["state"].is_number());
    EXPECT_TRUE(props["wards"].is_array());
    EXPECT_FALSE(f.contains("crs"));
}

TEST_F(StreetsApi, BritishNationalGridOnRequestInEitherSpelling) {
    for (const char* crs : {"EPSG:27700", "http://www.opengis.net/def/crs/EPSG/0/27700"}) {
        const auto r = http_get(port(), "/api/streets/" + demo_usrn + "?crs=" + crs);
        ASSERT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(r.header("content-crs"), "<http://www.opengis.net/def/crs/EPSG/0/27700>");
        const auto f = json::parse(r.body);
        EXPECT_EQ(f["crs"]["properties"]["name"], "urn:ogc:def:crs:EPSG::27700");
        for (const auto& p : f["geometry"]["coordinates"]) {
            EXPECT_NEAR(p[0].get<double>(), 358000, 20000);
            EXPECT_NEAR(p[1].get<double>(), 417000, 20000);
        }
    }
}

TEST_F(StreetsApi, AnImportedStreetNamesTheWardsItCrosses) {
    const auto r = http_get(port(), std::string("/api/streets/") + imported_usrn);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto props = json::parse(r.body)["properties"];
    EXPECT_EQ(props["descriptor"], "Test Way");
    EXPECT_EQ(props["town"], "Chorley");
    EXPECT_TRUE(props["locality"].is_null());
    EXPECT_EQ(props["address_count"], 0);
    std::vector<std::string> codes;
    for (const auto& w : props["wards"]) {
        codes.push_back(w["code"]);
        EXPECT_FALSE(w["name"].get<std::string>().empty());
    }
    EXPECT_NE(std::find(codes.begin(), codes.end(), ward_a), codes.end()) << r.body;
    EXPECT_NE(std::find(codes.begin(), codes.end(), ward_b), codes.end()) << r.body;
}

TEST_F(StreetsApi, UnknownAndMalformedUsrnsAreProblems) {
    expect_problem(http_get(port(), "/api/streets/12"), 404);
    expect_problem(http_get(port(), "/api/streets/abc"), 400, "usrn");
    expect_problem(http_get(port(), "/api/streets/0"), 400, "usrn");
    expect_problem(http_get(port(), "/api/streets/123456789"), 400, "usrn");
    expect_problem(http_get(port(), "/api/streets/" + demo_usrn + "?crs=EPSG:3857"), 400, "crs");
}

TEST_F(StreetsApi, AWardListsItsCouncillorsInOrder) {
    const auto r = http_get(port(), "/api/wards/" + ward_a);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto c = json::parse(r.body)["properties"]["councillors"];
    ASSERT_EQ(c.size(), 3U) << r.body;
    EXPECT_EQ(c[0]["name"], "June Molyneaux");
    EXPECT_EQ(c[0]["party"], "Labour");
    EXPECT_EQ(c[0]["id"], "jmolyneaux");
    EXPECT_EQ(c[2]["name"], "Peter Wilson");
}

TEST_F(StreetsApi, AWardWithoutCouncillorsHasAnEmptyList) {
    const auto r = http_get(port(), "/api/wards/" + ward_b);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto props = json::parse(r.body)["properties"];
    ASSERT_TRUE(props.contains("councillors")) << r.body;
    EXPECT_TRUE(props["councillors"].is_array());
    EXPECT_TRUE(props["councillors"].empty());
}

} // namespace
} // namespace wardmap
