// OGC API - Features (/ogc) on the real server over the demo borough: documents, paging,
// CRS, filters, caching headers and bad input, each checked against SpatiaLite's own answer.

#include "core/street_asset_types.hpp"

#include "geo/store/database.hpp"
#include "server/services/burials/grave_status.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::http_get;

constexpr const char* crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
constexpr const char* epsg27700 = "http://www.opengis.net/def/crs/EPSG/0/27700";
// A box over central Chorley, in CRS84.
constexpr double box[4] = {-2.66, 53.63, -2.61, 53.66};

class OgcApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        std::string output;
        ASSERT_EQ(testing::copy_demo_store(db_path, &output), 0) << output;
        server = new testing::ServerProcess(db_path, {"--no-access-log"});
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }
    static std::uint16_t port() { return server->port(); }
    static std::int64_t sql_count(const std::string& sql) {
        auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
        return db.query_int(sql).value_or(-1);
    }
    static json get_json(const std::string& target, int status = 200) {
        const auto r = http_get(port(), target);
        EXPECT_EQ(r.status, status) << target << ": " << r.body;
        return json::parse(r.body);
    }

    static inline testing::TempDir* tmp = nullptr;
    static inline testing::ServerProcess* server = nullptr;
    static inline std::filesystem::path db_path;
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

/// Percent-encodes a query value (everything but RFC 3986 unreserved characters).
std::string encode(const std::string& value) {
    std::string out;
    for (const unsigned char c : value) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

std::string href(const json& links, const std::string& rel) {
    for (const auto& l : links) {
        if (l["rel"] == rel) {
            return l["href"];
        }
    }
    return "";
}

/// The path and query of an absolute link to this server.
std::string target_of(const std::string& link) {
    const auto at = link.find("/ogc");
    return at == std::string::npos ? link : link.substr(at);
}

std::string bbox_text() {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%.2f,%.2f,%.2f,%.2f", box[0], box[1], box[2], box[3]);
    return buf;
}

TEST_F(OgcApi, LandingPageLinksEveryResourceWithRelAndType) {
    const auto r = http_get(port(), "/ogc/");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json");
    const auto links = json::parse(r.body)["links"];
    // Absolute, from the Host header the client sent.
    EXPECT_EQ(href(links, "service-desc").rfind("http://127.0.0.1", 0), 0U) << links;
    EXPECT_TRUE(href(links, "service-desc").ends_with("/ogc/api"));
    EXPECT_TRUE(href(links, "conformance").ends_with("/ogc/conformance"));
    EXPECT_TRUE(href(links, "data").ends_with("/ogc/collections"));
    for (const auto& l : links) {
        EXPECT_TRUE(l.contains("type") && l.contains("rel")) << l;
    }
    // Behind a proxy: its scheme, host and path prefix.
    const auto proxied = http_get(port(), "/ogc",
                                  {{"X-Forwarded-Proto", "https"},
                                   {"X-Forwarded-Host", "gis.chorley.gov.uk"},
                                   {"X-Forwarded-Prefix", "/maps/"}});
    EXPECT_EQ(href(json::parse(proxied.body)["links"], "data"),
              "https://gis.chorley.gov.uk/maps/ogc/collections");
    // A malformed forwarded host is ignored, not echoed.
    const auto bad = http_get(port(), "/ogc", {{"X-Forwarded-Host", "evil.org/\"><script>"}});
    EXPECT_EQ(href(json::parse(bad.body)["links"], "data").find("evil"), std::string::npos);
}

TEST_F(OgcApi, ConformanceListsCoreCrsAndFiltering) {
    const auto c = get_json("/ogc/conformance")["conformsTo"];
    for (const char* cls :
         {"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
          "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
          "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
          "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
          "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
          "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
          "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
          "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text"}) {
        EXPECT_NE(std::find(c.begin(), c.end(), cls), c.end()) << cls;
    }
}

TEST_F(OgcApi, ApiDocumentValidatesAsOpenApi30) {
    const auto r = http_get(port(), "/ogc/api");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "application/vnd.oai.openapi+json;version=3.0");
    const auto api = json::parse(r.body);
    // GDAL 3.6 turns -where equalities into these parameters.
    bool declared = false;
    for (const auto& p : api["paths"]["/collections/litter_bins/items"]["get"]["parameters"]) {
        declared = declared || (p.contains("name") && p["name"] == "bin_type");
    }
    EXPECT_TRUE(declared);
    const auto tools = testing::source_dir() / "tests/integration/openapi";
    if (!std::filesystem::exists(tools / "node_modules/@apidevtools/swagger-parser") ||
        std::system("node --version >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "OpenAPI validation SKIPPED: node or @apidevtools/swagger-parser missing "
                        "(run scripts/setup, which npm-installs it in "
                     << tools.string() << ")";
    }
    const auto file = tmp->path() / "api.json";
    std::ofstream(file) << r.body;
    const std::string cmd =
        "node " + (tools / "validate.js").string() + " " + file.string() + " 2>&1";
    FILE* pipe = popen(cmd.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string out;
    char buf[512];
    while (fgets(buf, sizeof buf, pipe)) {
        out += buf;
    }
    EXPECT_EQ(pclose(pipe), 0) << out;
    EXPECT_NE(out.find("valid: OpenAPI 3.0"), std::string::npos) << out;
    // The validator itself must be able to fail.
    std::ofstream(file) << R"({"openapi":"3.0.3","info":{},"paths":{}})";
    EXPECT_NE(std::system(("node " + (tools / "validate.js").string() + " " + file.string() +
                           " >/dev/null 2>&1")
                              .c_str()),
              0);
}

TEST_F(OgcApi, CollectionsListEveryLayerWithExtentAndCrs) {
    const auto doc = get_json("/ogc/collections");
    std::set<std::string> ids;
    for (const auto& c : doc["collections"]) {
        ids.insert(c["id"]);
        EXPECT_EQ(c["storageCrs"], epsg27700);
        EXPECT_EQ(c["crs"][0], crs84);
        const auto b = c["extent"]["spatial"]["bbox"][0];
        EXPECT_NEAR(b[0].get<double>(), -2.65, 0.3) << c["id"];
        EXPECT_NEAR(b[1].get<double>(), 53.65, 0.2) << c["id"];
        EXPECT_NE(href(c["links"], "items"), "") << c["id"];
    }
    std::set<std::string> expected = {"wards",
                                      "addresses",
                                      "streets",
                                      "postcodes",
                                      "service_requests",
                                      "planning_applications",
                                      "cemeteries",
                                      "cemetery_sections",
                                      "graves",
                                      "conservation_areas",
                                      "tree_preservation_orders",
                                      "listed_buildings",
                                      "article_4_areas",
                                      "local_land_charges"};
    for (const auto& type : core::street_asset_types) { // litter_bins and the register's others
        expected.emplace(type.collection);
    }
    EXPECT_EQ(ids, expected);
    const auto one = get_json("/ogc/collections/wards");
    EXPECT_EQ(one["extent"]["temporal"]["interval"][0][1], nullptr); // current set: open
}

TEST_F(OgcApi, QueryablesAreAJsonSchemaOfThePublicProperties) {
    const auto r = http_get(port(), "/ogc/collections/service_requests/queryables");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "application/schema+json");
    const auto q = json::parse(r.body);
    EXPECT_EQ(q["$schema"], "https://json-schema.org/draft/2020-12/schema");
    EXPECT_EQ(q["additionalProperties"], false);
    EXPECT_EQ(q["properties"]["created_at"]["format"], "date-time");
    EXPECT_EQ(q["properties"]["geometry"]["format"], "geometry-point");
    EXPECT_FALSE(q["properties"].contains("description")); // never public
}

TEST_F(OgcApi, ServiceRequestsArePublicViewOnly) {
    const auto f = get_json("/ogc/collections/service_requests/items?limit=1")["features"][0];
    for (const char* hidden : {"description", "address", "uprn", "source"}) {
        EXPECT_FALSE(f["properties"].contains(hidden)) << hidden;
    }
}

TEST_F(OgcApi, ItemsDefaultToTenWithExactNumberMatchedAndLinks) {
    const auto r = http_get(port(), "/ogc/collections/litter_bins/items");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "application/geo+json");
    EXPECT_EQ(r.header("content-crs"), std::string("<") + crs84 + ">");
    const auto fc = json::parse(r.body);
    EXPECT_EQ(fc["features"].size(), 10U);
    EXPECT_EQ(fc["numberReturned"], 10);
    EXPECT_EQ(fc["numberMatched"], sql_count("SELECT count(*) FROM litter_bins"));
    EXPECT_TRUE(fc["features"][0]["id"].is_number_integer());
    EXPECT_NE(href(fc["links"], "self"), "");
    EXPECT_NE(href(fc["links"], "next"), "");
}

TEST_F(OgcApi, CursorPagingVisitsEveryFeatureOnceKeepingOtherParameters) {
    const std::string first =
        "/ogc/collections/graves/items?limit=333&filter=status%20IN%20('available','"
        "in_use')";
    std::set<std::int64_t> seen;
    std::size_t total = 0;
    std::string next = first;
    int pages = 0;
    while (!next.empty() && pages < 100) {
        const auto fc = get_json(next);
        for (const auto& f : fc["features"]) {
            seen.insert(f["id"].get<std::int64_t>());
            EXPECT_TRUE(f["properties"]["status"] == "available" ||
                        f["properties"]["status"] == "in_use");
            ++total;
        }
        next = target_of(href(fc["links"], "next"));
        if (!next.empty()) {
            EXPECT_NE(next.find("limit=333"), std::string::npos) << next;
            EXPECT_NE(next.find("filter="), std::string::npos) << next;
        }
        ++pages;
    }
    // The status is derived (services/burials/grave_status.cpp): the same expression, run
    // here directly on the file, counts what the filtered pages must hold.
    const auto expected =
        sql_count("SELECT count(*) FROM grave_spaces g WHERE " +
                  services::grave_status_sql("g", "date('now')") + " IN ('available','in_use')");
    EXPECT_GT(expected, 333);
    EXPECT_EQ(static_cast<std::int64_t>(total), expected);
    EXPECT_EQ(seen.size(), total);
}

TEST_F(OgcApi, OffsetPagingIsAcceptedAndStable) {
    const auto a = get_json("/ogc/collections/streets/items?limit=5&offset=5");
    const auto b = get_json("/ogc/collections/streets/items?limit=10");
    ASSERT_EQ(a["features"].size(), 5U);
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(a["features"][i]["id"], b["features"][i + 5]["id"]);
    }
    EXPECT_FALSE(a.contains("numberMatched")); // only on first pages
}

TEST_F(OgcApi, LimitIsCheckedAndClamped) {
    expect_problem(http_get(port(), "/ogc/collections/litter_bins/items?limit=0"), 400, "limit");
    expect_problem(http_get(port(), "/ogc/collections/litter_bins/items?limit=-5"), 400, "limit");
    expect_problem(http_get(port(), "/ogc/collections/litter_bins/items?limit=ten"), 400, "limit");
    const auto fc = get_json("/ogc/collections/graves/items?limit=99999999999999999999");
    EXPECT_EQ(fc["numberReturned"], sql_count("SELECT count(*) FROM grave_spaces"));
    EXPECT_LE(fc["numberReturned"].get<int>(), 10000);
    EXPECT_EQ(href(fc["links"], "next"), "");
}

TEST_F(OgcApi, BboxMatchesSpatiaLitesOwnQueryForEveryIndexKind) {
    char sql_box[160];
    std::snprintf(sql_box, sizeof sql_box, "BuildMbr(%.2f, %.2f, %.2f, %.2f, 4326)", box[0], box[1],
                  box[2], box[3]);
    // litter_bins has a WGS84 R*Tree; properties only the grid one.
    for (const auto& [collection, table] :
         {std::pair{"litter_bins", "litter_bins"}, std::pair{"addresses", "properties"},
          std::pair{"streets", "streets"}}) {
        const auto fc = get_json(std::string("/ogc/collections/") + collection +
                                 "/items?limit=10000&bbox=" + bbox_text());
        const auto expected = sql_count(std::string("SELECT count(*) FROM ") + table +
                                        " WHERE ST_Intersects(geom_wgs84, " + sql_box + ") = 1");
        EXPECT_GT(expected, 0) << collection;
        EXPECT_EQ(fc["numberReturned"], std::min<std::int64_t>(expected, 10000)) << collection;
        // Above FeatureService::count_cap (10,000) a filtered count is omitted, not guessed.
        if (expected <= 10000) {
            EXPECT_EQ(fc["numberMatched"], expected) << collection;
        } else {
            EXPECT_FALSE(fc.contains("numberMatched")) << collection;
        }
    }
    // The same box as EPSG:4326 (lat,lon) and as a 3857 box select the same features.
    char latlon[128];
    std::snprintf(latlon, sizeof latlon, "%.2f,%.2f,%.2f,%.2f", box[1], box[0], box[3], box[2]);
    const auto a = get_json("/ogc/collections/litter_bins/items?bbox=" + bbox_text());
    const auto b = get_json(std::string("/ogc/collections/litter_bins/items?bbox=") + latlon +
                            "&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326");
    EXPECT_EQ(a["numberMatched"], b["numberMatched"]);
    // In the grid: a box around one bin finds it.
    auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
    auto bin = db.prepare("SELECT id, X(geom), Y(geom) FROM litter_bins ORDER BY id LIMIT 1");
    ASSERT_TRUE(bin.step());
    char grid[160];
    std::snprintf(grid, sizeof grid, "%.1f,%.1f,%.1f,%.1f", bin.real(1) - 1, bin.real(2) - 1,
                  bin.real(1) + 1, bin.real(2) + 1);
    const auto g = get_json(std::string("/ogc/collections/litter_bins/items?bbox=") + grid +
                            "&bbox-crs=" + epsg27700);
    ASSERT_EQ(g["numberReturned"], 1);
    EXPECT_EQ(g["features"][0]["id"], bin.int64(0));
}

std::set<std::int64_t> ids_of(const json& fc) {
    std::set<std::int64_t> out;
    for (const auto& f : fc["features"]) {
        out.insert(f["id"].get<std::int64_t>());
    }
    return out;
}

/// A double as text that parses back to the same double (SQL and the bbox parameter alike).
std::string exact(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

// Point layers answer a bbox with the R*Tree and a coordinate comparison instead of
// ST_Intersects; the features must still be exactly SpatiaLite's, points on an edge or a
// corner of the box included, for a WGS84 R*Tree (litter_bins, planning_applications), the
// grid R*Tree only (addresses), a grid box, and a CQL2 BBOX.
TEST_F(OgcApi, PointBboxesEqualSpatiaLitesQueryEvenOnTheEdges) {
    auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
    const auto sql_ids = [&db](const std::string& sql) {
        std::set<std::int64_t> out;
        auto stmt = db.prepare(sql);
        while (stmt.step()) {
            out.insert(stmt.int64(0));
        }
        return out;
    };
    for (const auto& [collection, table, id] :
         {std::tuple{"litter_bins", "litter_bins", "id"},
          std::tuple{"planning_applications", "planning_applications", "id"},
          std::tuple{"addresses", "properties", "uprn"}}) {
        auto p =
            db.prepare(std::string("SELECT ") + id + ", X(geom_wgs84), Y(geom_wgs84), " +
                       "X(geom), Y(geom) FROM " + table + " ORDER BY " + id + " LIMIT 1 OFFSET 3");
        ASSERT_TRUE(p.step()) << collection;
        const std::int64_t corner_id = p.int64(0);
        const double lon = p.real(1), lat = p.real(2), e = p.real(3), n = p.real(4);
        const std::string items =
            std::string("/ogc/collections/") + collection + "/items?limit=10000";
        // The point on the lower-left corner, on the upper-right corner, on the left edge.
        const std::vector<std::array<double, 4>> boxes = {
            {lon, lat, lon + 0.01, lat + 0.01},
            {lon - 0.01, lat - 0.01, lon, lat},
            {lon, lat - 0.005, lon + 0.02, lat + 0.005},
        };
        for (const auto& b : boxes) {
            const std::string text =
                exact(b[0]) + "," + exact(b[1]) + "," + exact(b[2]) + "," + exact(b[3]);
            const auto fc = get_json(items + "&bbox=" + text);
            const auto expected =
                sql_ids(std::string("SELECT ") + id + " FROM " + table +
                        " WHERE ST_Intersects(geom_wgs84, BuildMbr(" + text + ", 4326)) = 1");
            EXPECT_EQ(ids_of(fc), expected) << collection << " bbox=" << text;
            EXPECT_EQ(fc["numberMatched"], expected.size()) << collection << " bbox=" << text;
            if (b[0] == lon || b[2] == lon) {
                EXPECT_TRUE(expected.count(corner_id)) << collection << " bbox=" << text;
            }
        }
        // A grid box with the point on its lower edge, and one just above it.
        for (const double bottom : {n, std::nextafter(n, 1e9)}) {
            const std::string text =
                exact(e - 40) + "," + exact(bottom) + "," + exact(e + 40) + "," + exact(n + 80);
            const auto fc = get_json(items + "&bbox=" + text + "&bbox-crs=" + epsg27700);
            const auto expected =
                sql_ids(std::string("SELECT ") + id + " FROM " + table +
                        " WHERE ST_Intersects(geom, BuildMbr(" + text + ", 27700)) = 1");
            EXPECT_EQ(ids_of(fc), expected) << collection << " grid bbox=" << text;
            EXPECT_EQ(expected.count(corner_id), bottom == n ? 1U : 0U) << collection;
        }
        // CQL2's BBOX literal takes the same path.
        const std::string text =
            exact(lon) + "," + exact(lat) + "," + exact(lon + 0.01) + "," + exact(lat + 0.01);
        const auto fc =
            get_json(items + "&filter=" + encode("S_INTERSECTS(geometry, BBOX(" + text + "))"));
        EXPECT_EQ(ids_of(fc),
                  sql_ids(std::string("SELECT ") + id + " FROM " + table +
                          " WHERE ST_Intersects(geom_wgs84, BuildMbr(" + text + ", 4326)) = 1"))
            << collection;
    }
}

// numberMatched: exact from the table when unfiltered, exact below the cap when filtered,
// omitted above it (a first page never counts more than count_cap matches).
TEST(OgcApiCount, NumberMatchedIsExactBelowTheCapAndOmittedAbove) {
    testing::TempDir tmp;
    const auto path = tmp.path() / "big.sqlite";
    std::string output;
    ASSERT_EQ(testing::copy_demo_store(path, &output), 0) << output;
    constexpr int copies = 10'001; // FeatureService::count_cap is 10,000
    {
        auto db = store::Database::open(path);
        db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
                std::to_string(copies) +
                ") INSERT INTO street_assets (asset_type, reference, usrn, installed_on, "
                "attributes, anchor_e, anchor_n, changed_at, changed_by, geom, geom_wgs84) "
                "SELECT 'litter_bin', 'COPY-' || i, b.usrn, b.installed_on, "
                "json_set(b.attributes, '$.bin_type', 'copy'), b.anchor_e, b.anchor_n, "
                "b.changed_at, 'test', b.geom, b.geom_wgs84 FROM n, (SELECT * FROM street_assets "
                "WHERE asset_type = 'litter_bin' ORDER BY id LIMIT 1) b");
    }
    auto db = store::Database::open(path, {.mode = store::OpenMode::read_only});
    const auto total = db.query_int("SELECT count(*) FROM litter_bins").value_or(-1);
    auto first = db.prepare("SELECT X(geom_wgs84), Y(geom_wgs84) FROM litter_bins ORDER BY id "
                            "LIMIT 1");
    ASSERT_TRUE(first.step());
    const double lon = first.real(0), lat = first.real(1);
    testing::ServerProcess server(path, {"--no-access-log"});
    const auto get = [&server](const std::string& target) {
        const auto r = http_get(server.port(), target);
        EXPECT_EQ(r.status, 200) << target << ": " << r.body;
        return json::parse(r.body);
    };
    const std::string items = "/ogc/collections/litter_bins/items";
    EXPECT_EQ(get(items)["numberMatched"], total);
    // Around the copied bin: more than count_cap matches.
    const std::string around = exact(lon - 1e-6) + "," + exact(lat - 1e-6) + "," +
                               exact(lon + 1e-6) + "," + exact(lat + 1e-6);
    const auto many = get(items + "?bbox=" + around);
    EXPECT_FALSE(many.contains("numberMatched")) << many.dump().substr(0, 300);
    EXPECT_EQ(many["numberReturned"], 10);
    EXPECT_NE(href(many["links"], "next"), "");
    const auto copied = get(items + "?bin_type=copy");
    EXPECT_FALSE(copied.contains("numberMatched"));
    // Fewer than the cap: exact.
    const auto others = get(items + "?filter=" + encode("bin_type <> 'copy'"));
    EXPECT_EQ(others["numberMatched"], total - copies);
}

TEST_F(OgcApi, OutputCrsFollowsTheAuthoritysAxisOrder) {
    auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
    auto bin = db.prepare("SELECT id, X(geom), Y(geom), X(geom_wgs84), Y(geom_wgs84) FROM "
                          "litter_bins ORDER BY id LIMIT 1");
    ASSERT_TRUE(bin.step());
    const std::string item = "/ogc/collections/litter_bins/items/" + std::to_string(bin.int64(0));
    const auto grid = http_get(port(), item + "?crs=" + epsg27700);
    EXPECT_EQ(grid.header("content-crs"), std::string("<") + epsg27700 + ">");
    const auto g = json::parse(grid.body)["geometry"]["coordinates"];
    EXPECT_NEAR(g[0].get<double>(), bin.real(1), 0.01);
    EXPECT_NEAR(g[1].get<double>(), bin.real(2), 0.01);
    const auto latlon = get_json(item + "?crs=http://www.opengis.net/def/crs/EPSG/0/4326");
    EXPECT_NEAR(latlon["geometry"]["coordinates"][0].get<double>(), bin.real(4), 1e-7);
    EXPECT_NEAR(latlon["geometry"]["coordinates"][1].get<double>(), bin.real(3), 1e-7);
    const auto lonlat = get_json(item);
    EXPECT_NEAR(lonlat["geometry"]["coordinates"][0].get<double>(), bin.real(3), 1e-7);
    const auto merc = get_json(item + "?crs=http://www.opengis.net/def/crs/EPSG/0/3857");
    EXPECT_NEAR(merc["geometry"]["coordinates"][0].get<double>(), bin.real(3) * 111319.49, 1);
    EXPECT_EQ(href(lonlat["links"], "collection").find("/ogc/collections/litter_bins") !=
                  std::string::npos,
              true);
    expect_problem(http_get(port(), item + "?crs=EPSG:2157"), 400, "crs");
    expect_problem(http_get(port(), "/ogc/collections/litter_bins/items?bbox=1,2,3,4&bbox-crs=x"),
                   400, "bbox-crs");
}

TEST_F(OgcApi, DatetimePicksTheWardsInForce) {
    const auto old = get_json("/ogc/collections/wards/items?limit=100&datetime=2019-06-01");
    EXPECT_EQ(old["numberMatched"], 20);
    const auto now = get_json("/ogc/collections/wards/items?limit=100&datetime=" +
                              std::string("2024-01-01T12:00:00Z"));
    EXPECT_EQ(now["numberMatched"], 14);
    const auto span = get_json("/ogc/collections/wards/items?limit=100&datetime=2019-01-01/..");
    EXPECT_EQ(span["numberMatched"], 34);
    const auto bins = get_json("/ogc/collections/litter_bins/items?datetime=../2010-12-31");
    EXPECT_EQ(bins["numberMatched"],
              sql_count("SELECT count(*) FROM litter_bins WHERE installed_on <= '2010-12-31'"));
    expect_problem(http_get(port(), "/ogc/collections/wards/items?datetime=yesterday"), 400,
                   "datetime");
}

TEST_F(OgcApi, QueryableParametersAndCql2MatchSql) {
    const auto eq = get_json("/ogc/collections/litter_bins/items?bin_type=dog_waste&limit=1");
    EXPECT_EQ(eq["numberMatched"],
              sql_count("SELECT count(*) FROM litter_bins WHERE bin_type = 'dog_waste'"));
    const auto cql = get_json("/ogc/collections/litter_bins/items?limit=1&filter=" +
                              encode("capacity_l BETWEEN 50 AND 80 AND NOT bin_type LIKE "
                                     "'dog%' AND S_INTERSECTS(geometry, BBOX(" +
                                     bbox_text() + "))"));
    EXPECT_EQ(cql["numberMatched"],
              sql_count("SELECT count(*) FROM litter_bins WHERE capacity_l BETWEEN 50 AND 80 "
                        "AND bin_type NOT LIKE 'dog%' AND ST_Intersects(geom_wgs84, BuildMbr(" +
                        bbox_text() + ", 4326)) = 1"));
    const auto casei = get_json("/ogc/collections/cemeteries/items?filter=" +
                                encode("CASEI(name) LIKE '%cemetery%' OR opened IS NULL"));
    EXPECT_EQ(casei["numberMatched"], 2);
}

TEST_F(OgcApi, BadInputIs400Or404WithAProblem) {
    expect_problem(http_get(port(), "/ogc/collections/litter_bins/items?colour=red"), 400,
                   "colour");
    expect_problem(http_get(port(), "/ogc/collections?limit=5"), 400, "limit");
    expect_problem(http_get(port(), "/ogc/collections/litter_bins/items?bbox=1,2,3"), 400, "bbox");
    expect_problem(http_get(port(), "/ogc/collections/litter_bins/items?bbox=-2,54,-3,53"), 400,
                   "bbox");
    expect_problem(http_get(port(), "/ogc/collections/litter_bins/items?bbox=-200,53,-2,54"), 400,
                   "bbox");
    const auto syntax =
        http_get(port(), "/ogc/collections/litter_bins/items?filter=" + encode("bin_type = "));
    expect_problem(syntax, 400, "filter");
    EXPECT_NE(syntax.body.find("character 12"), std::string::npos) << syntax.body;
    const auto hidden = http_get(port(), "/ogc/collections/service_requests/items?filter=" +
                                             encode("description LIKE '%'"));
    expect_problem(hidden, 400, "filter");
    EXPECT_NE(hidden.body.find("not a queryable"), std::string::npos);
    expect_problem(http_get(port(), "/ogc/collections/service_requests/items?description=x"), 400,
                   "description");
    expect_problem(http_get(port(), "/ogc/collections/litter_bins/items?capacity_l=big"), 400,
                   "capacity_l");
    expect_problem(http_get(port(), "/ogc/collections/litter_bins/items?filter-lang=cql-json"), 400,
                   "filter-lang");
    expect_problem(http_get(port(), "/ogc/collections/nope"), 404);
    expect_problem(http_get(port(), "/ogc/collections/nope/items"), 404);
    expect_problem(http_get(port(), "/ogc/collections/litter_bins/items/99999999"), 404);
    expect_problem(http_get(port(), "/ogc/collections/litter_bins/items/abc"), 404);
    expect_problem(http_get(port(), "/ogc/collections", {{"Accept", "text/html"}}), 406);
    expect_problem(http_get(port(), "/ogc/collections?f=html"), 400, "f");
}

TEST_F(OgcApi, GzipEtagAndCorsForWebMaps) {
    const std::string target = "/ogc/collections/litter_bins/items?limit=100";
    const auto plain = http_get(port(), target);
    EXPECT_EQ(plain.header("access-control-allow-origin"), "*");
    const std::string etag = plain.header("etag");
    ASSERT_FALSE(etag.empty());
    const auto zipped = http_get(port(), target, {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(zipped.header("content-encoding"), "gzip");
    EXPECT_LT(zipped.body.size(), plain.body.size());
    const auto again = json::parse(testing::gunzip(zipped.body));
    EXPECT_EQ(again["features"], json::parse(plain.body)["features"]);
    const auto cached = http_get(port(), target, {{"If-None-Match", etag}});
    EXPECT_EQ(cached.status, 304);
    EXPECT_TRUE(cached.body.empty());
    const auto other =
        http_get(port(), "/ogc/collections/litter_bins/items?limit=99", {{"If-None-Match", etag}});
    EXPECT_EQ(other.status, 200);
    const auto preflight = testing::http_request(
        port(), "OPTIONS", target, "",
        {{"Origin", "https://example.org"}, {"Access-Control-Request-Method", "GET"}});
    EXPECT_EQ(preflight.status, 204);
    EXPECT_EQ(preflight.header("access-control-allow-origin"), "*");
    EXPECT_NE(preflight.header("access-control-allow-methods").find("GET"), std::string::npos);
    const auto error = http_get(port(), "/ogc/collections/nope");
    EXPECT_EQ(error.header("access-control-allow-origin"), "*");
}

TEST_F(OgcApi, PagesComeFromThePageCacheUntilTheStoreChanges) {
    const std::string target = "/ogc/collections/litter_bins/items?limit=5";
    const auto first = http_get(port(), target);
    ASSERT_EQ(first.status, 200) << first.body;
    std::this_thread::sleep_for(std::chrono::milliseconds(1100)); // past timeStamp's second
    const auto second = http_get(port(), target);
    EXPECT_EQ(second.body, first.body) << "the same page, timeStamp and all";
    EXPECT_EQ(second.header("etag"), first.header("etag"));
    EXPECT_EQ(http_get(port(), target, {{"If-None-Match", first.header("etag")}}).status, 304);
    const auto metrics = http_get(port(), "/metrics").body;
    EXPECT_NE(metrics.find("wardmap_page_cache_requests_total{result=\"hit\"} "),
              std::string::npos);
    EXPECT_EQ(metrics.find("wardmap_page_cache_requests_total{result=\"hit\"} 0\n"),
              std::string::npos);

    const auto bin = json::parse(first.body)["features"][0];
    const std::int64_t id = bin["id"];
    const auto capacity = bin["properties"]["capacity_l"];
    {
        // Another process's commit (an import, say) reaches the next request.
        auto db = store::Database::open(db_path);
        db.exec("UPDATE street_assets SET attributes = json_set(attributes, '$.capacity_l', "
                "4321) WHERE id = " +
                std::to_string(id));
    }
    const auto changed = http_get(port(), target);
    EXPECT_NE(changed.header("etag"), first.header("etag"));
    EXPECT_EQ(json::parse(changed.body)["features"][0]["properties"]["capacity_l"], 4321);
    EXPECT_EQ(http_get(port(), target, {{"If-None-Match", first.header("etag")}}).status, 200);
    const auto single = get_json("/ogc/collections/litter_bins/items/" + std::to_string(id));
    EXPECT_EQ(single["properties"]["capacity_l"], 4321);
    {
        auto db = store::Database::open(db_path);
        auto put_back = db.prepare("UPDATE street_assets SET attributes = json_set(attributes, "
                                   "'$.capacity_l', ?) WHERE id = ?");
        if (capacity.is_null()) {
            put_back.bind_null(1);
        } else {
            put_back.bind(1, capacity.get<std::int64_t>());
        }
        put_back.bind(2, id);
        put_back.run();
    }
    EXPECT_EQ(get_json("/ogc/collections/litter_bins/items/" +
                       std::to_string(id))["properties"]["capacity_l"],
              capacity);
}

} // namespace
} // namespace wardmap
