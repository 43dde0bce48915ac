#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <strings.h>

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
        ASSERT_EQ(testing::run_wardmap({"demo-data", "--db", db.string()}, &output), 0) << output;
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

} // namespace
} // namespace wardmap
