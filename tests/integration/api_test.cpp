#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <strings.h>
#include <utility>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::http_get;
using testing::http_request;
using testing::HttpConnection;

// One demo borough and one real server process for the whole suite.
class Api : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        const auto db = tmp->path() / "demo.sqlite";
        std::string output;
        ASSERT_EQ(testing::copy_demo_store(db, &output), 0) << output;
        server = new testing::ServerProcess(db, {"--no-access-log"});
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }
    static std::uint16_t port() { return server->port(); }

    static inline testing::TempDir* tmp = nullptr;
    static inline testing::ServerProcess* server = nullptr;
};

void expect_problem(const testing::HttpResponse& r, int status, const std::string& name = "") {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
    const auto body = json::parse(r.body);
    EXPECT_EQ(body["status"], status);
    EXPECT_FALSE(body["detail"].get<std::string>().empty());
    if (!name.empty()) {
        ASSERT_TRUE(body.contains("errors")) << r.body;
        EXPECT_EQ(body["errors"][0]["name"], name) << r.body;
    }
}

TEST_F(Api, HealthzReportsOstn15SchemaAndSyntheticData) {
    auto r = http_get(port(), "/healthz");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json");
    const auto body = json::parse(r.body);
    EXPECT_EQ(body["status"], "ok");
    EXPECT_EQ(body["database"], "ok");
    EXPECT_EQ(body["schema_version"], body["schema_expected"]);
    const std::string method = body["transformation"]["method"];
    EXPECT_TRUE(method == "ostn15_builtin" || method == "ostn15_ntv2_proj") << method;
    EXPECT_LE(body["transformation"]["accuracy_m"].get<double>(), 0.1);
    EXPECT_EQ(body["dataset"], "demo");
    EXPECT_EQ(body["synthetic"], true);
    EXPECT_FALSE(r.header("x-request-id").empty());
}

TEST_F(Api, CurrentWardsAreGeoJsonInChorley) {
    auto r = http_get(port(), "/api/wards");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/geo+json");
    const auto doc = json::parse(r.body);
    ASSERT_EQ(doc["features"].size(), 14U);
    for (const auto& f : doc["features"]) {
        EXPECT_TRUE(f["properties"]["code"].get<std::string>().starts_with("E050130"));
        const auto& ring = f["geometry"]["coordinates"][0][0];
        for (const auto& p : ring) {
            EXPECT_GT(p[0].get<double>(), -2.9);
            EXPECT_LT(p[0].get<double>(), -2.4);
            EXPECT_GT(p[1].get<double>(), 53.5);
            EXPECT_LT(p[1].get<double>(), 53.8);
        }
    }
}

TEST_F(Api, WardsAreVersionedByDateAndTheDateIsPercentDecoded) {
    const auto before = json::parse(http_get(port(), "/api/wards?date=2019-06-01").body);
    EXPECT_EQ(before["features"].size(), 20U);
    const auto encoded = json::parse(http_get(port(), "/api/wards?date=2019%2D06%2D01").body);
    EXPECT_EQ(encoded["features"].size(), 20U);
    const auto after = json::parse(http_get(port(), "/api/wards?date=2020-05-07").body);
    EXPECT_EQ(after["features"].size(), 14U);
    // An empty parameter is the same as an absent one.
    EXPECT_EQ(json::parse(http_get(port(), "/api/wards?date=").body)["features"].size(), 14U);
}

TEST_F(Api, BadParametersAreProblemsNamingTheParameter) {
    expect_problem(http_get(port(), "/api/wards?date=2019-02-30"), 400, "date");
    expect_problem(http_get(port(), "/api/wards?date=yesterday"), 400, "date");
    expect_problem(http_get(port(), "/api/wards?date=%zz"), 400);
}

TEST_F(Api, UnknownRoutesAndMethods) {
    expect_problem(http_get(port(), "/api/nothing-here"), 404);
    auto r = http_request(port(), "DELETE", "/api/wards", "");
    expect_problem(r, 405);
    EXPECT_NE(r.header("allow").find("GET"), std::string::npos);
}

TEST_F(Api, TransformRoundTripsThroughOstn15) {
    const std::string body = R"({"crs":"EPSG:27700","points":[[358000,417500],[346000,411000]]})";
    auto r = http_request(port(), "POST", "/api/transform", body,
                          {{"Content-Type", "application/json"}});
    ASSERT_EQ(r.status, 200) << r.body;
    const auto wgs = json::parse(r.body);
    EXPECT_EQ(wgs["crs"], "EPSG:4326");
    const double lon = wgs["points"][0][0];
    const double lat = wgs["points"][0][1];
    EXPECT_NEAR(lon, -2.63, 0.05);
    EXPECT_NEAR(lat, 53.65, 0.05);
    json back_request = {{"crs", "EPSG:4326"}, {"points", wgs["points"]}};
    auto back = json::parse(http_request(port(), "POST", "/api/transform", back_request.dump(),
                                         {{"Content-Type", "application/json"}})
                                .body);
    EXPECT_NEAR(back["points"][0][0].get<double>(), 358000, 0.01);
    EXPECT_NEAR(back["points"][0][1].get<double>(), 417500, 0.01);
}

TEST_F(Api, BadBodiesAreClearErrors) {
    const std::vector<std::pair<std::string, std::string>> as_json = {
        {"Content-Type", "application/json"}};
    auto malformed =
        http_request(port(), "POST", "/api/transform", R"({"crs": "EPSG:27700",)", as_json);
    expect_problem(malformed, 400, "body");
    expect_problem(http_request(port(), "POST", "/api/transform",
                                R"({"crs":"EPSG:2157","points":[[1,2]]})", as_json),
                   400, "crs");
    expect_problem(http_request(port(), "POST", "/api/transform",
                                R"({"crs":"EPSG:27700","points":[[1,"x"]]})", as_json),
                   400, "points[0]");
    expect_problem(http_request(port(), "POST", "/api/transform",
                                R"({"crs":"EPSG:4326","points":[[45,10]]})", as_json),
                   400, "points[0]");
    expect_problem(
        http_request(port(), "POST", "/api/transform", "{}", {{"Content-Type", "text/plain"}}),
        415);
    const std::string large(600 * 1024, ' ');
    expect_problem(http_request(port(), "POST", "/api/transform", large, as_json), 413);
}

TEST_F(Api, AFarOversizedBodyIsRefusedAndTheServerCarriesOn) {
    // Past Pistache's own buffer limit Pistache answers 413 itself (nginx's
    // client_max_body_size answers first in production); the server must survive it.
    const std::string huge(4 * 1024 * 1024, ' ');
    try {
        auto r = http_request(port(), "POST", "/api/transform", huge,
                              {{"Content-Type", "application/json"}});
        EXPECT_EQ(r.status, 413);
    } catch (const std::exception&) {
        // The server may close the connection before reading the whole body.
    }
    EXPECT_EQ(http_get(port(), "/healthz").status, 200);
}

TEST_F(Api, KeepAliveServesManyRequestsOnOneConnection) {
    HttpConnection connection(port());
    for (int i = 0; i < 5; ++i) {
        auto r = connection.request("GET", "/healthz");
        EXPECT_EQ(r.status, 200);
        EXPECT_TRUE(strcasecmp(r.header("connection").c_str(), "keep-alive") == 0)
            << r.header("connection");
    }
    auto closing = connection.request("GET", "/healthz", "", {{"Connection", "close"}});
    EXPECT_TRUE(strcasecmp(closing.header("connection").c_str(), "close") == 0);
}

TEST_F(Api, StaticFilesWithEtagGzipAndNoTraversal) {
    auto page = http_get(port(), "/");
    ASSERT_EQ(page.status, 200);
    EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
    const auto etag = page.header("etag");
    ASSERT_FALSE(etag.empty());
    EXPECT_EQ(http_get(port(), "/", {{"If-None-Match", etag}}).status, 304);
    auto packed = http_get(port(), "/", {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(packed.header("content-encoding"), "gzip");
    EXPECT_EQ(testing::gunzip(packed.body), page.body);
    expect_problem(http_get(port(), "/%2e%2e/%2e%2e/etc/passwd"), 404);
    expect_problem(http_get(port(), "/..%2F..%2Fetc%2Fpasswd"), 404);
}

TEST_F(Api, MetricsArePrometheusText) {
    http_get(port(), "/healthz");
    auto r = http_get(port(), "/metrics");
    ASSERT_EQ(r.status, 200);
    EXPECT_TRUE(r.header("content-type").starts_with("text/plain"));
    EXPECT_NE(
        r.body.find(R"(wardmap_http_requests_total{route="/healthz",method="GET",status="200"})"),
        std::string::npos);
    EXPECT_NE(r.body.find("wardmap_http_request_duration_seconds_bucket{route=\"/healthz\""),
              std::string::npos);
    EXPECT_NE(r.body.find("wardmap_db_pool_connections{state=\"idle\"}"), std::string::npos);
    EXPECT_NE(r.body.find("wardmap_uptime_seconds"), std::string::npos);
}

TEST_F(Api, HeadIsAnsweredLikeGetWithoutABody) {
    HttpConnection connection(port());
    auto r = connection.request("HEAD", "/healthz");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(connection.request("GET", "/healthz").status, 200); // the stream stays in sync
}

// ---- /api/wards/{code} and /api/wards/at ----

// Even-odd test over every ring (holes too): an oracle independent of GEOS and SpatiaLite.
bool in_polygon(const json& multipolygon, double x, double y) {
    bool inside = false;
    for (const auto& polygon : multipolygon["coordinates"]) {
        for (const auto& ring : polygon) {
            for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
                const double xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
                if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) {
                    inside = !inside;
                }
            }
        }
    }
    return inside;
}

// The area centroid of a feature's largest outer ring (shoelace formula).
std::pair<double, double> centroid(const json& feature) {
    double best_area = 0, cx = 0, cy = 0;
    for (const auto& polygon : feature["geometry"]["coordinates"]) {
        const auto& ring = polygon[0];
        double a = 0, x = 0, y = 0;
        for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
            const double x0 = ring[i][0], y0 = ring[i][1], x1 = ring[i + 1][0], y1 = ring[i + 1][1];
            const double cross = x0 * y1 - x1 * y0;
            a += cross;
            x += (x0 + x1) * cross;
            y += (y0 + y1) * cross;
        }
        if (std::abs(a) > best_area) {
            best_area = std::abs(a);
            cx = x / (3 * a);
            cy = y / (3 * a);
        }
    }
    return {cx, cy};
}

std::string at_url(double lon, double lat, const std::string& extra = "") {
    char buffer[128];
    std::snprintf(buffer, sizeof buffer, "/api/wards/at?lon=%.7f&lat=%.7f", lon, lat);
    return buffer + extra;
}

// Each ward's centroid, when its own polygon holds it, resolves to that ward on that date.
void expect_centroids_resolve(std::uint16_t port, const std::string& date) {
    const auto wards = json::parse(http_get(port, "/api/wards?date=" + date).body);
    int checked = 0;
    for (const auto& f : wards["features"]) {
        const auto [lon, lat] = centroid(f);
        if (!in_polygon(f["geometry"], lon, lat)) {
            continue; // a crescent-shaped ward: its centroid lies in a neighbour
        }
        auto r = http_get(port, at_url(lon, lat, "&date=" + date));
        ASSERT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(r.header("content-type"), "application/json");
        const auto body = json::parse(r.body);
        EXPECT_EQ(body["code"], f["properties"]["code"]) << lon << " " << lat;
        EXPECT_EQ(body["name"], f["properties"]["name"]);
        EXPECT_EQ(body["boundary_set"], f["properties"]["boundary_set"]);
        EXPECT_EQ(body["valid_from"], f["properties"]["valid_from"]);
        EXPECT_EQ(body["valid_to"], f["properties"]["valid_to"]);
        EXPECT_EQ(body["date"], date);
        EXPECT_FALSE(body.contains("geometry"));
        ++checked;
    }
    EXPECT_GE(checked, static_cast<int>(wards["features"].size()) * 2 / 3);
}

TEST_F(Api, EveryWardCentroidResolvesToItsWardOnBothBoundarySets) {
    expect_centroids_resolve(port(), "2024-06-01");
    expect_centroids_resolve(port(), "2019-06-01");
}

TEST_F(Api, WardAtIsVersionedByDateAndDefaultsToToday) {
    const auto old_wards = json::parse(http_get(port(), "/api/wards?date=2019-06-01").body);
    const auto& ward = old_wards["features"][0];
    const auto [lon, lat] = centroid(ward);
    ASSERT_TRUE(in_polygon(ward["geometry"], lon, lat));
    const auto before = json::parse(http_get(port(), at_url(lon, lat, "&date=2020-05-06")).body);
    EXPECT_EQ(before["code"], ward["properties"]["code"]);
    EXPECT_EQ(before["valid_to"], "2020-05-07");
    const auto after = json::parse(http_get(port(), at_url(lon, lat, "&date=2020-05-07")).body);
    EXPECT_TRUE(after["code"].get<std::string>().starts_with("E050130")) << after;
    EXPECT_TRUE(after["valid_to"].is_null());
    const auto today = json::parse(http_get(port(), at_url(lon, lat)).body);
    EXPECT_EQ(today["code"], after["code"]);
}

TEST_F(Api, WardAtTakesBritishNationalGridAndCanAddTheGeometry) {
    const auto wards = json::parse(http_get(port(), "/api/wards").body);
    const auto& ward = wards["features"][1];
    const auto [lon, lat] = centroid(ward);
    ASSERT_TRUE(in_polygon(ward["geometry"], lon, lat));
    const auto wgs = json::parse(http_get(port(), at_url(lon, lat)).body);
    const double e = wgs["easting"], n = wgs["northing"];
    EXPECT_GT(e, 345600);
    EXPECT_LT(e, 366300);
    EXPECT_GT(n, 410900);
    EXPECT_LT(n, 428500);
    auto bng = http_get(port(), "/api/wards/at?crs=EPSG:27700&x=" + std::to_string(e) +
                                    "&y=" + std::to_string(n));
    ASSERT_EQ(bng.status, 200) << bng.body;
    EXPECT_EQ(json::parse(bng.body)["code"], ward["properties"]["code"]);
    auto with_geometry = http_get(port(), at_url(lon, lat, "&geometry=true"));
    ASSERT_EQ(with_geometry.status, 200);
    const auto body = json::parse(with_geometry.body);
    EXPECT_EQ(body["geometry"]["type"], "MultiPolygon");
    EXPECT_EQ(body["geometry"], ward["geometry"]);
    EXPECT_FALSE(json::parse(http_get(port(), at_url(lon, lat, "&geometry=false")).body)
                     .contains("geometry"));
}

TEST_F(Api, APointInNoWardIsANotFoundProblem) {
    // Central London: in Great Britain, far outside the borough.
    auto r = http_get(port(), at_url(-0.1276, 51.5072, "&date=2019-06-01"));
    expect_problem(r, 404);
    const auto body = json::parse(r.body);
    EXPECT_EQ(body["type"], "urn:wardmap:problem:not-found");
    EXPECT_NE(body["detail"].get<std::string>().find("in no ward of this council on 2019-06-01"),
              std::string::npos)
        << r.body;
    // Inside the borough, but before the first boundary set.
    const auto wards = json::parse(http_get(port(), "/api/wards").body);
    const auto [lon, lat] = centroid(wards["features"][0]);
    expect_problem(http_get(port(), at_url(lon, lat, "&date=1990-01-01")), 404);
    expect_problem(http_get(port(), "/api/wards/at?crs=EPSG:27700&x=1000&y=1000"), 404);
}

TEST_F(Api, WardAtParametersAreCheckedAndNamed) {
    const std::string at = "/api/wards/at";
    expect_problem(http_get(port(), at), 400, "lon");
    expect_problem(http_get(port(), at + "?lat=53.65"), 400, "lon");
    expect_problem(http_get(port(), at + "?lon=-2.63"), 400, "lat");
    expect_problem(http_get(port(), at + "?lon=-2.63&lat="), 400, "lat");
    expect_problem(http_get(port(), at + "?lon=west&lat=53.65"), 400, "lon");
    expect_problem(http_get(port(), at + "?lon=-2.63&lat=53.65x"), 400, "lat");
    expect_problem(http_get(port(), at + "?lon=nan&lat=53.65"), 400, "lon");
    expect_problem(http_get(port(), at + "?lon=-2.63&lat=inf"), 400, "lat");
    expect_problem(http_get(port(), at + "?lon=200&lat=53.65"), 400, "lon");
    expect_problem(http_get(port(), at + "?lon=-2.63&lat=-91"), 400, "lat");
    expect_problem(http_get(port(), at + "?lon=10&lat=45"), 400, "lon"); // outside OSTN15
    expect_problem(http_get(port(), at + "?lon=-2.63&lat=53.65&date=2019-02-30"), 400, "date");
    expect_problem(http_get(port(), at + "?lon=-2.63&lat=53.65&date=today"), 400, "date");
    expect_problem(http_get(port(), at + "?lon=-2.63&lat=53.65&crs=EPSG:2157"), 400, "crs");
    expect_problem(http_get(port(), at + "?lon=-2.63&lat=53.65&geometry=yes"), 400, "geometry");
    expect_problem(http_get(port(), at + "?lon=-2.63&lat=53.65&x=358000"), 400, "x");
    expect_problem(http_get(port(), at + "?crs=EPSG:27700&lon=358000&lat=417500"), 400, "lon");
    expect_problem(http_get(port(), at + "?crs=EPSG:27700&y=417500"), 400, "x");
    expect_problem(http_get(port(), at + "?crs=EPSG:27700&x=358000"), 400, "y");
    expect_problem(http_get(port(), at + "?crs=EPSG:27700&x=-5&y=417500"), 400, "x");
    expect_problem(http_get(port(), at + "?crs=EPSG:27700&x=358000&y=2e6"), 400, "y");
}

TEST_F(Api, OneWardByCodeIsAFeatureOfItsBoundarySet) {
    const auto current = json::parse(http_get(port(), "/api/wards").body)["features"][0];
    const std::string code = current["properties"]["code"];
    auto r = http_get(port(), "/api/wards/" + code);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/geo+json");
    auto feature = json::parse(r.body);
    EXPECT_EQ(feature["type"], "Feature");
    EXPECT_EQ(feature["id"], current["id"]);
    // One ward adds its councillors (streets_api_test.cpp) to what the list gives.
    EXPECT_TRUE(feature["properties"]["councillors"].is_array());
    feature["properties"].erase("councillors");
    EXPECT_EQ(feature["properties"], current["properties"]);
    EXPECT_EQ(feature["geometry"], current["geometry"]);
    EXPECT_EQ(http_get(port(), "/api/wards/" + code + "?date=2024-06-01").status, 200);

    // A retired code resolves without a date, and on a date its set was valid, not after.
    const auto old =
        json::parse(http_get(port(), "/api/wards?date=2019-06-01").body)["features"][0];
    const std::string old_code = old["properties"]["code"];
    auto retired = json::parse(http_get(port(), "/api/wards/" + old_code).body);
    retired["properties"].erase("councillors");
    EXPECT_EQ(retired["properties"], old["properties"]);
    EXPECT_EQ(retired["properties"]["valid_to"], "2020-05-07");
    EXPECT_EQ(http_get(port(), "/api/wards/" + old_code + "?date=2019-06-01").status, 200);
    auto gone = http_get(port(), "/api/wards/" + old_code + "?date=2020-05-07");
    expect_problem(gone, 404);
    EXPECT_NE(json::parse(gone.body)["detail"].get<std::string>().find(old_code),
              std::string::npos);
    expect_problem(http_get(port(), "/api/wards/" + code + "?date=2019-06-01"), 404);

    auto unknown = http_get(port(), "/api/wards/E05999999");
    expect_problem(unknown, 404);
    EXPECT_EQ(json::parse(unknown.body)["type"], "urn:wardmap:problem:not-found");
    EXPECT_NE(json::parse(unknown.body)["detail"].get<std::string>().find("E05999999"),
              std::string::npos);
    expect_problem(http_get(port(), "/api/wards/" + code + "?date=2019-13-01"), 400, "date");
}

} // namespace
} // namespace wardmap
