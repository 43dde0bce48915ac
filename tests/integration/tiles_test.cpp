// OGC API - Tiles (/ogc/.../tiles) on the real server over the demo borough: the documents,
// real tiles decoded with the test reader (tests/support/mvt_reader.hpp) and counted against
// SpatiaLite, privacy, caching, invalidation on a store write, tile sizes at zooms 10-16, and
// GDAL's MVT driver reading a served tile.

#include "geo/store/database.hpp"
#include "geo/tile_matrix.hpp"
#include "geo/vector_tile.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mvt_reader.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::decode_tile;
using testing::find_layer;
using testing::http_get;
using testing::MvtLayer;

constexpr const char* mvt = "application/vnd.mapbox-vector-tile";

class Tiles : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        const auto point = testing::make_demo_store(db_path);
        ASSERT_TRUE(point);
        here = *point;
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
    static json get_json(const std::string& target) {
        const auto r = http_get(port(), target);
        EXPECT_EQ(r.status, 200) << target << ": " << r.body;
        return json::parse(r.body);
    }
    /// The tile at zoom z holding (lon, lat).
    static geo::TileId tile_at(int z, double lon, double lat) {
        double x = 0;
        double y = 0;
        geo::lonlat_to_tile({z, 0, 0}, 1, lon, lat, x, y);
        return {z, static_cast<int>(x), static_cast<int>(y)};
    }
    static std::string path(const std::string& root, const geo::TileId& t) {
        return root + "/tiles/WebMercatorQuad/" + std::to_string(t.z) + "/" + std::to_string(t.y) +
               "/" + std::to_string(t.x);
    }
    /// Fetches and decodes a tile, expecting 200 and the MVT media type.
    static std::vector<MvtLayer> get_tile(const std::string& target) {
        const auto r = http_get(port(), target);
        EXPECT_EQ(r.status, 200) << target << ": " << r.body;
        EXPECT_EQ(r.header("content-type"), mvt) << target;
        return decode_tile(r.body);
    }
    /// SQL over the rows of `table` whose WGS84 point lies in `box`.
    static std::string in_box(const geo::BBox& box) {
        return "MbrMinX(geom_wgs84) BETWEEN " + std::to_string(box.min_x) + " AND " +
               std::to_string(box.max_x) + " AND MbrMinY(geom_wgs84) BETWEEN " +
               std::to_string(box.min_y) + " AND " + std::to_string(box.max_y);
    }

    static inline testing::TempDir* tmp = nullptr;
    static inline testing::ServerProcess* server = nullptr;
    static inline std::filesystem::path db_path;
    static inline testing::DemoPoint here;
};

void expect_problem(const testing::HttpResponse& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << r.body;
}

TEST_F(Tiles, DocumentsDescribeTheMatrixSetAndTilesets) {
    const auto sets = get_json("/ogc/tileMatrixSets");
    ASSERT_EQ(sets["tileMatrixSets"].size(), 1U);
    EXPECT_EQ(sets["tileMatrixSets"][0]["id"], "WebMercatorQuad");
    const auto quad = get_json("/ogc/tileMatrixSets/WebMercatorQuad");
    EXPECT_EQ(quad["crs"], "http://www.opengis.net/def/crs/EPSG/0/3857");
    ASSERT_EQ(quad["tileMatrices"].size(), 25U);
    EXPECT_EQ(quad["tileMatrices"][16]["matrixWidth"], 65536);

    const auto conformance = get_json("/ogc/conformance")["conformsTo"];
    for (const char* c : {"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
                          "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
                          "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
                          "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets"}) {
        EXPECT_NE(std::find(conformance.begin(), conformance.end(), c), conformance.end()) << c;
    }
    const auto api = get_json("/ogc/api")["paths"];
    EXPECT_TRUE(api.contains("/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}"));
    EXPECT_TRUE(api.contains(
        "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}"));
    const auto has_link = [](const json& doc, const std::string& href_end) {
        for (const auto& l : doc["links"]) {
            const std::string href = l["href"];
            if (href.ends_with(href_end)) {
                return true;
            }
        }
        return false;
    };
    EXPECT_TRUE(has_link(get_json("/ogc"), "/ogc/tiles"));
    EXPECT_TRUE(has_link(get_json("/ogc"), "/ogc/tileMatrixSets"));
    EXPECT_TRUE(has_link(get_json("/ogc/collections/streets"), "/collections/streets/tiles"));
    const auto list = get_json("/ogc/collections/streets/tiles");
    EXPECT_EQ(list["tilesets"][0]["dataType"], "vector");

    const auto basemap = get_json("/ogc/tiles/WebMercatorQuad");
    std::set<std::string> layers;
    for (const auto& l : basemap["layers"]) {
        layers.insert(l["id"].get<std::string>());
    }
    EXPECT_EQ(layers, (std::set<std::string>{"wards", "cemeteries", "cemetery_sections", "streets",
                                             "addresses"}));
    EXPECT_EQ(basemap["minzoom"], 8);
    EXPECT_EQ(basemap["maxzoom"], 18);
    ASSERT_EQ(basemap["bounds"].size(), 4U);
    EXPECT_LT(basemap["bounds"][0].get<double>(), here.lon);
    EXPECT_GT(basemap["bounds"][3].get<double>(), here.lat);
    const std::string tiles_url = basemap["tiles"][0];
    EXPECT_TRUE(tiles_url.ends_with("/ogc/tiles/WebMercatorQuad/{z}/{y}/{x}")) << tiles_url;
    // The metadata lists exactly the properties the tiles carry.
    for (const auto& l : basemap["vector_layers"]) {
        if (l["id"] == "addresses") {
            EXPECT_EQ(l["fields"].size(), 2U) << l.dump();
            EXPECT_TRUE(l["fields"].contains("house"));
            EXPECT_EQ(l["minzoom"], 16);
        }
    }
}

TEST_F(Tiles, TheBasemapShowsStreetsWardsAndEveryAddressPointAtZoom16) {
    const auto t = tile_at(16, here.lon, here.lat);
    const auto layers = get_tile(path("/ogc", t));
    const auto* wards = find_layer(layers, "wards");
    const auto* streets = find_layer(layers, "streets");
    const auto* addresses = find_layer(layers, "addresses");
    ASSERT_TRUE(wards && streets && addresses);
    EXPECT_EQ(wards->features.at(0).type, 3);
    EXPECT_TRUE(wards->features.at(0).properties.contains("name"));
    bool named = false;
    for (const auto& f : streets->features) {
        EXPECT_EQ(f.type, 2);
        named = named || f.properties.contains("descriptor");
        EXPECT_TRUE(f.properties.contains("street_type"));
    }
    EXPECT_TRUE(named);
    // Every property in the buffered tile, once, with its UPRN and house number only.
    const auto box = geo::tile_bounds_lonlat(t, 64.0 / 4096);
    EXPECT_EQ(static_cast<std::int64_t>(addresses->features.size()),
              sql_count("SELECT count(*) FROM properties WHERE " + in_box(box)));
    bool numbered = false;
    for (const auto& f : addresses->features) {
        EXPECT_EQ(f.type, 1);
        for (const auto& [key, value] : f.properties) {
            EXPECT_TRUE(key == "uprn" || key == "house") << key;
        }
        numbered = numbered || f.properties.contains("house");
    }
    EXPECT_TRUE(numbered);
    // At zoom 15 the basemap has no address points yet.
    const auto z15 = get_tile(path("/ogc", tile_at(15, here.lon, here.lat)));
    EXPECT_FALSE(find_layer(z15, "addresses"));
    EXPECT_TRUE(find_layer(z15, "streets"));
}

TEST_F(Tiles, APrivateRequestOrPropertyNeverEntersATile) {
    auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
    auto stmt = db.prepare("SELECT MbrMinX(geom_wgs84), MbrMinY(geom_wgs84) FROM "
                           "service_requests WHERE private = 1 LIMIT 1");
    double lon = here.lon;
    double lat = here.lat;
    if (stmt.step()) {
        lon = stmt.real(0);
        lat = stmt.real(1);
    }
    const auto t = tile_at(16, lon, lat);
    const auto layers = get_tile(path("/ogc/collections/service_requests", t));
    const auto box = geo::tile_bounds_lonlat(t, 64.0 / 4096);
    const auto public_count =
        sql_count("SELECT count(*) FROM service_requests WHERE private = 0 AND " + in_box(box));
    const auto* requests = find_layer(layers, "service_requests");
    EXPECT_EQ(requests ? static_cast<std::int64_t>(requests->features.size()) : 0, public_count);
    if (!requests) {
        return;
    }
    const std::set<std::string> allowed = {"category_code", "category",   "group",
                                           "status",        "ward_code",  "usrn",
                                           "created_at",    "updated_at", "closed_at"};
    for (const auto& f : requests->features) {
        for (const auto& [key, value] : f.properties) {
            EXPECT_TRUE(allowed.contains(key)) << key << " is not a public property";
        }
        EXPECT_EQ(
            sql_count("SELECT private FROM service_requests WHERE id = " + std::to_string(f.id)), 0)
            << "request " << f.id << " is private";
    }
}

TEST_F(Tiles, DensePointsAreClusteredAtLowZoomWithCounts) {
    const auto t = tile_at(12, here.lon, here.lat);
    const auto layers = get_tile(path("/ogc/collections/addresses", t));
    const auto* addresses = find_layer(layers, "addresses");
    ASSERT_TRUE(addresses);
    std::int64_t total = 0;
    for (const auto& f : addresses->features) {
        ASSERT_EQ(f.properties.size(), 1U);
        total += static_cast<std::int64_t>(std::get<std::uint64_t>(f.properties.at("count")));
    }
    // A cluster counts the points in its own tile (no buffer: neighbours count theirs).
    const auto box = geo::tile_bounds_lonlat(t);
    EXPECT_EQ(total, sql_count("SELECT count(*) FROM properties WHERE " + in_box(box)));
    EXPECT_LT(addresses->features.size(), 1025U);
}

TEST_F(Tiles, ETagsGzipAndAStoreWriteChangeTheTile) {
    const auto t = tile_at(16, here.lon, here.lat);
    const std::string target = path("/ogc/collections/streets", t);
    const auto first = http_get(port(), target);
    ASSERT_EQ(first.status, 200);
    const auto etag = first.header("etag");
    ASSERT_FALSE(etag.empty());
    EXPECT_EQ(http_get(port(), target, {{"If-None-Match", etag}}).status, 304);
    {
        // A tile big enough to be worth compressing (address points with every property).
        const std::string big = path("/ogc/collections/addresses", tile_at(15, here.lon, here.lat));
        const auto plain = http_get(port(), big);
        ASSERT_GE(plain.body.size(), 1024U);
        const auto zipped = http_get(port(), big, {{"Accept-Encoding", "gzip"}});
        EXPECT_EQ(zipped.header("content-encoding"), "gzip");
        EXPECT_LT(zipped.body.size(), plain.body.size());
        EXPECT_EQ(testing::gunzip(zipped.body), plain.body);
        // Again, from the cache (its gzip form made once).
        const auto again = http_get(port(), big, {{"Accept-Encoding", "gzip"}});
        EXPECT_EQ(testing::gunzip(again.body), plain.body);
    }

    const auto layers = decode_tile(first.body);
    const auto* streets = find_layer(layers, "streets");
    ASSERT_TRUE(streets && !streets->features.empty());
    const auto usrn = streets->features[0].id;
    std::string name;
    {
        auto db = store::Database::open(db_path);
        name = db.query_text("SELECT descriptor FROM streets WHERE usrn = " + std::to_string(usrn))
                   .value_or("");
        db.exec("UPDATE streets SET descriptor = 'TILE TEST ROAD' WHERE usrn = " +
                std::to_string(usrn));
    }
    const auto changed = http_get(port(), target, {{"If-None-Match", etag}});
    EXPECT_EQ(changed.status, 200);
    EXPECT_NE(changed.header("etag"), etag);
    const auto now = decode_tile(changed.body);
    bool renamed = false;
    for (const auto& f : find_layer(now, "streets")->features) {
        if (f.id == usrn) {
            renamed = std::get<std::string>(f.properties.at("descriptor")) == "TILE TEST ROAD";
        }
    }
    EXPECT_TRUE(renamed);
    {
        auto db = store::Database::open(db_path);
        auto put_back = db.prepare("UPDATE streets SET descriptor = ? WHERE usrn = ?");
        put_back.bind(1, name);
        put_back.bind(2, static_cast<std::int64_t>(usrn));
        put_back.run();
    }
}

TEST_F(Tiles, BadIndicesAndUnknownNamesAreProblems) {
    expect_problem(http_get(port(), "/ogc/tiles/WebMercatorQuad/25/0/0"), 400);
    expect_problem(http_get(port(), "/ogc/tiles/WebMercatorQuad/10/1024/0"), 400);
    expect_problem(http_get(port(), "/ogc/tiles/WebMercatorQuad/10/0/1024"), 400);
    expect_problem(http_get(port(), "/ogc/tiles/WebMercatorQuad/10/x/0"), 400);
    expect_problem(http_get(port(), "/ogc/tiles/WebMercatorQuad/10/-1/0"), 400);
    expect_problem(http_get(port(), "/ogc/tiles/WebMercatorQuad/7/0/0"), 404);  // below range
    expect_problem(http_get(port(), "/ogc/tiles/WebMercatorQuad/19/0/0"), 404); // above range
    expect_problem(http_get(port(), "/ogc/tiles/OSGB/10/0/0"), 404);
    expect_problem(http_get(port(), "/ogc/tileMatrixSets/OSGB"), 404);
    expect_problem(http_get(port(), "/ogc/collections/nothing/tiles"), 404);
    expect_problem(http_get(port(), "/ogc/collections/nothing/tiles/WebMercatorQuad/10/0/0"), 404);
    expect_problem(http_get(port(), "/ogc/tiles/WebMercatorQuad/10/0/0?f=png"), 400);
    expect_problem(http_get(port(), "/ogc/tiles/WebMercatorQuad/10/0/0?zoom=3"), 400);
    expect_problem(http_get(port(), "/ogc/tiles/WebMercatorQuad/10/0/0", {{"Accept", "text/html"}}),
                   406);
    // A tile of the world far from the borough is empty, not missing.
    const auto empty = http_get(port(), "/ogc/tiles/WebMercatorQuad/10/0/0");
    EXPECT_EQ(empty.status, 200);
    EXPECT_TRUE(empty.body.empty());
}

TEST_F(Tiles, EveryBasemapTileOverTheBoroughIsUnder500KBAtZooms10To16) {
    const auto meta = get_json("/ogc/tiles/WebMercatorQuad");
    const auto b = meta["bounds"];
    std::int64_t tiles = 0;
    for (int z = 10; z <= 16; ++z) {
        const auto nw = tile_at(z, b[0].get<double>(), b[3].get<double>());
        const auto se = tile_at(z, b[2].get<double>(), b[1].get<double>());
        std::size_t largest = 0;
        std::size_t total = 0;
        int count = 0;
        for (int x = nw.x; x <= se.x; ++x) {
            for (int y = nw.y; y <= se.y; ++y) {
                const auto r = http_get(port(), path("/ogc", {z, x, y}));
                ASSERT_EQ(r.status, 200) << z << "/" << y << "/" << x;
                largest = std::max(largest, r.body.size());
                total += r.body.size();
                ++count;
                EXPECT_LT(r.body.size(), 500U * 1024) << "tile " << z << "/" << y << "/" << x;
            }
        }
        tiles += count;
        std::cout << "basemap zoom " << z << ": " << count << " tiles, largest " << largest
                  << " B, mean " << total / static_cast<std::size_t>(count) << " B\n";
    }
    EXPECT_GT(tiles, 1000);
}

int run(const std::string& command, std::string& out) {
    out.clear();
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (!pipe) {
        return -1;
    }
    char buffer[4096];
    while (const std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) {
        out.append(buffer, n);
    }
    return pclose(pipe);
}

TEST_F(Tiles, GdalsMvtDriverReadsAServedTile) {
    std::string out;
    if (run("ogrinfo --version", out) != 0) {
        GTEST_SKIP() << "ogrinfo not found (scripts/setup installs gdal-bin)";
    }
    const auto t = tile_at(16, here.lon, here.lat);
    const auto r = http_get(port(), path("/ogc", t));
    ASSERT_EQ(r.status, 200);
    // GDAL's MVT driver takes z/x/y from a file's path (z/x/y.pbf).
    const auto dir = tmp->path() / "mvt" / std::to_string(t.z) / std::to_string(t.x);
    std::filesystem::create_directories(dir);
    const auto file = dir / (std::to_string(t.y) + ".pbf");
    std::ofstream(file, std::ios::binary) << r.body;
    ASSERT_EQ(run("ogrinfo -ro -so -al " + file.string(), out), 0) << out;
    const auto layers = decode_tile(r.body);
    for (const auto& layer : layers) {
        const auto at = out.find("Layer name: " + layer.name + "\n");
        ASSERT_NE(at, std::string::npos) << layer.name << "\n" << out;
        const auto count_at = out.find("Feature Count: ", at);
        ASSERT_NE(count_at, std::string::npos);
        EXPECT_EQ(std::stoul(out.substr(count_at + 15)), layer.features.size()) << layer.name;
    }
    EXPECT_NE(out.find("house: String"), std::string::npos) << out;
}

TEST_F(Tiles, ExportTilesWritesAnMbtilesPackageGdalReads) {
    const auto out = tmp->path() / "borough.mbtiles";
    const auto wardmap = testing::binary_dir() / "server" / "cli" / "wardmap";
    std::string said;
    ASSERT_EQ(run(wardmap.string() + " export tiles " + out.string() + " --db " + db_path.string() +
                      " --zooms 10-16",
                  said),
              0)
        << said;
    EXPECT_NE(said.find("tiles: wrote"), std::string::npos) << said;
    ASSERT_TRUE(std::filesystem::exists(out));
    EXPECT_FALSE(std::filesystem::exists(out.string() + ".part"));

    auto package = store::Database::open(out, {.mode = store::OpenMode::read_only});
    EXPECT_EQ(package.query_text("SELECT value FROM metadata WHERE name = 'format'"), "pbf");
    EXPECT_EQ(package.query_text("SELECT value FROM metadata WHERE name = 'minzoom'"), "10");
    EXPECT_EQ(package.query_text("SELECT value FROM metadata WHERE name = 'maxzoom'"), "16");
    EXPECT_NE(package.query_text("SELECT value FROM metadata WHERE name = 'json'")
                  .value_or("")
                  .find("\"vector_layers\""),
              std::string::npos);
    // Every property once across the zoom-16 tiles (each tile's own part, not its buffer),
    // rows flipped to TMS; and a tile in the package is the tile the server serves.
    std::set<std::uint64_t> uprns;
    auto rows = package.prepare("SELECT tile_column, tile_row, tile_data FROM tiles WHERE "
                                "zoom_level = 16");
    int checked = 0;
    while (rows.step()) {
        const int x = static_cast<int>(rows.int64(0));
        const int y = (1 << 16) - 1 - static_cast<int>(rows.int64(1));
        const auto blob = rows.blob(2);
        const std::string bytes =
            testing::gunzip(std::string(reinterpret_cast<const char*>(blob.data()), blob.size()));
        if (checked < 3) {
            EXPECT_EQ(http_get(port(), path("/ogc", {16, x, y})).body, bytes) << x << "/" << y;
            ++checked;
        }
        const auto layers = decode_tile(bytes);
        if (const auto* a = find_layer(layers, "addresses")) {
            for (const auto& f : a->features) {
                const auto& p = f.parts.at(0).points.at(0);
                if (p.x >= 0 && p.y >= 0 && p.x < 4096 && p.y < 4096) {
                    uprns.insert(f.id);
                }
            }
        }
    }
    EXPECT_EQ(checked, 3);
    // Points on a tile's very edge may round onto the neighbour's side: allow a handful.
    const auto all = sql_count("SELECT count(*) FROM properties");
    EXPECT_GE(static_cast<std::int64_t>(uprns.size()), all - 20) << uprns.size() << " of " << all;
    EXPECT_LE(static_cast<std::int64_t>(uprns.size()), all);
    std::cout << "export: " << uprns.size() << " of " << all
              << " address points in zoom 16 tiles\n";

    // Bad options say what is wrong and leave no file.
    const auto bad = tmp->path() / "bad.mbtiles";
    for (const char* options :
         {" --zooms 5-20", " --zooms ten", " --bbox 1,2,3", " --tileset nothing"}) {
        EXPECT_NE(run(wardmap.string() + " export tiles " + bad.string() + " --db " +
                          db_path.string() + options,
                      said),
                  0)
            << options << ": " << said;
        EXPECT_FALSE(said.empty()) << options;
        EXPECT_FALSE(std::filesystem::exists(bad)) << options;
    }

    std::string out_text;
    if (run("ogrinfo --version", out_text) != 0) {
        GTEST_SKIP() << "ogrinfo not found (scripts/setup installs gdal-bin)";
    }
    ASSERT_EQ(run("ogrinfo -ro -so " + out.string() + " addresses", out_text), 0) << out_text;
    EXPECT_NE(out_text.find("using driver `MBTiles'"), std::string::npos) << out_text;
    EXPECT_NE(out_text.find("house: String"), std::string::npos) << out_text;
    const auto at = out_text.find("Feature Count: ");
    ASSERT_NE(at, std::string::npos) << out_text;
    // GDAL counts per tile, so points in a neighbour's buffer count twice: at least all.
    EXPECT_GE(std::stoll(out_text.substr(at + 15)), all);
}

} // namespace
} // namespace wardmap
