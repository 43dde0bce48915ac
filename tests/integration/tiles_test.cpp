// OGC API - Tiles (/ogc/.../tiles) on the real server over the demo borough: the documents,
// real tiles decoded with the test reader (tests/support/mvt_reader.hpp) and counted against
// SpatiaLite, privacy, clusters' counts, caching, invalidation on a store write, tile sizes at
// every zoom, bad paths, and GDAL's MVT and MBTiles drivers reading what we serve and export.

#include "core/tokens.hpp"

#include "geo/store/database.hpp"
#include "geo/tile_matrix.hpp"
#include "geo/vector_tile.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mvt_reader.hpp"
#include "tests/support/pmtiles_reader.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <thread>

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

TEST_F(Tiles, DensePointsAreClusteredAtEveryLowZoomWithCountsThatAddUpToTheStore) {
    auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
    auto first_bin = db.prepare("SELECT MbrMinX(geom_wgs84), MbrMinY(geom_wgs84) FROM "
                                "litter_bins ORDER BY id LIMIT 1");
    ASSERT_TRUE(first_bin.step());
    const double bin_lon = first_bin.real(0);
    const double bin_lat = first_bin.real(1);
    struct Case {
        const char* collection;
        const char* table;
        double lon;
        double lat;
        int cluster_below; // addresses, the densest layer, cluster one zoom further
    };
    for (const auto& c : {Case{"addresses", "properties", here.lon, here.lat, 16},
                          Case{"litter_bins", "litter_bins", bin_lon, bin_lat, 15}}) {
        for (int z = 8; z < c.cluster_below; ++z) {
            const auto t = tile_at(z, c.lon, c.lat);
            const auto target = path(std::string("/ogc/collections/") + c.collection, t);
            const auto layers = get_tile(target);
            const auto* layer = find_layer(layers, c.collection);
            ASSERT_TRUE(layer) << target;
            std::int64_t total = 0;
            for (const auto& f : layer->features) {
                ASSERT_EQ(f.type, 1) << target;
                ASSERT_EQ(f.properties.size(), 1U) << target;
                total +=
                    static_cast<std::int64_t>(std::get<std::uint64_t>(f.properties.at("count")));
            }
            // A cluster counts the points in its own tile (no buffer: neighbours count theirs).
            const auto box = geo::tile_bounds_lonlat(t);
            EXPECT_EQ(total, sql_count(std::string("SELECT count(*) FROM ") + c.table + " WHERE " +
                                       in_box(box)))
                << target;
            EXPECT_LE(layer->features.size(), 1024U) << target; // 32 x 32 cells at most
        }
        // From there every point is itself, with its properties.
        const auto first = tile_at(c.cluster_below, c.lon, c.lat);
        const auto layers = get_tile(path(std::string("/ogc/collections/") + c.collection, first));
        const auto* layer = find_layer(layers, c.collection);
        ASSERT_TRUE(layer);
        EXPECT_FALSE(layer->features.at(0).properties.contains("count"));
        EXPECT_EQ(static_cast<std::int64_t>(layer->features.size()),
                  sql_count(std::string("SELECT count(*) FROM ") + c.table + " WHERE " +
                            in_box(geo::tile_bounds_lonlat(first, 64.0 / 4096))));
    }
}

TEST_F(Tiles, ClusterCountsFollowAStoreWriteBeforeAndAfterTheirIndexIsRebuilt) {
    const auto t = tile_at(12, here.lon, here.lat);
    const std::string target = path("/ogc/collections/addresses", t);
    const auto box = geo::tile_bounds_lonlat(t);
    const auto total = [&] {
        std::int64_t n = 0;
        // Kept: a range-for over a member of get_tile's temporary would outlive it.
        const auto layers = get_tile(target);
        for (const auto& f : find_layer(layers, "addresses")->features) {
            n += static_cast<std::int64_t>(std::get<std::uint64_t>(f.properties.at("count")));
        }
        return n;
    };
    const auto store = [&] {
        return sql_count("SELECT count(*) FROM properties WHERE " + in_box(box));
    };
    const std::int64_t before = store();
    ASSERT_GT(before, 0);
    EXPECT_EQ(total(), before); // the layer's first clustered tile builds its index
    // A property in the tile moves a degree east: it leaves the tile at once (the tile reads
    // the rows while the index is rebuilt) and after the rebuild; moved back, it returns.
    const auto uprn =
        sql_count("SELECT uprn FROM properties WHERE " + in_box(box) + " ORDER BY uprn LIMIT 1");
    std::string wkt;
    {
        auto db = store::Database::open(db_path);
        wkt = db.query_text("SELECT AsText(geom_wgs84) FROM properties WHERE uprn = " +
                            std::to_string(uprn))
                  .value_or("");
        db.exec("UPDATE properties SET geom_wgs84 = MakePoint(X(geom_wgs84) + 1, Y(geom_wgs84), "
                "4326) WHERE uprn = " +
                std::to_string(uprn));
    }
    ASSERT_EQ(store(), before - 1);
    for (int i = 0; i < 20; ++i) {
        ASSERT_EQ(total(), before - 1) << "request " << i;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    {
        auto db = store::Database::open(db_path);
        db.exec("UPDATE properties SET geom_wgs84 = GeomFromText('" + wkt +
                "', 4326) WHERE uprn = " + std::to_string(uprn));
    }
    for (int i = 0; i < 20; ++i) {
        ASSERT_EQ(total(), before) << "request " << i;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
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
        const std::string big = path("/ogc/collections/addresses", tile_at(16, here.lon, here.lat));
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
    // Indices that are not whole numbers as the path writes them, or beyond the set.
    for (const char* bad : {"010/0/0", "-0/0/0", "+10/0/0", "1e1/0/0", "10.0/0/0", "10/0x1/0",
                            "10/0/%201", "99999999999/0/0", "24/16777216/0", "24/0/16777216"}) {
        expect_problem(http_get(port(), std::string("/ogc/tiles/WebMercatorQuad/") + bad), 400);
    }
    // The same on a collection's tiles: the collection, the matrix set, the zoom range.
    const std::string streets = "/ogc/collections/streets/tiles/";
    expect_problem(http_get(port(), streets + "WebMercatorQuad/25/0/0"), 400);
    expect_problem(http_get(port(), streets + "WebMercatorQuad/10/1024/0"), 400);
    expect_problem(http_get(port(), streets + "WebMercatorQuad/10/0/1024"), 400);
    expect_problem(http_get(port(), streets + "WebMercatorQuad/ten/0/0"), 400);
    expect_problem(http_get(port(), streets + "WebMercatorQuad/7/0/0"), 404);
    expect_problem(http_get(port(), streets + "WebMercatorQuad/19/0/0"), 404);
    expect_problem(http_get(port(), streets + "WebMercatorQuad/24/0/0"), 404);
    expect_problem(http_get(port(), streets + "OSGB/10/0/0"), 404);
    expect_problem(http_get(port(), streets + "OSGB"), 404);
    expect_problem(http_get(port(), "/ogc/collections/Streets/tiles/WebMercatorQuad/10/0/0"), 404);
    {
        // The problem names the parameter it refuses.
        const auto r = http_get(port(), streets + "WebMercatorQuad/10/0/1024");
        EXPECT_NE(r.body.find("tileCol"), std::string::npos) << r.body;
        const auto z = http_get(port(), streets + "WebMercatorQuad/19/0/0");
        EXPECT_NE(z.body.find("8 to 18"), std::string::npos) << z.body;
    }
    // The edges of the range are tiles: zoom 8 and zoom 18, far from the borough, empty.
    for (const char* edge : {"8/0/0", "18/262143/262143"}) {
        const auto r = http_get(port(), streets + "WebMercatorQuad/" + edge);
        EXPECT_EQ(r.status, 200) << edge;
        EXPECT_TRUE(r.body.empty()) << edge;
    }
    expect_problem(http_get(port(), "/ogc/tiles/WebMercatorQuad/10/0/0?f=png"), 400);
    expect_problem(http_get(port(), "/ogc/tiles/WebMercatorQuad/10/0/0?zoom=3"), 400);
    expect_problem(http_get(port(), "/ogc/tiles/WebMercatorQuad/10/0/0", {{"Accept", "text/html"}}),
                   406);
    // A tile of the world far from the borough is empty, not missing.
    const auto empty = http_get(port(), "/ogc/tiles/WebMercatorQuad/10/0/0");
    EXPECT_EQ(empty.status, 200);
    EXPECT_TRUE(empty.body.empty());
}

TEST_F(Tiles, NoTileOfAnyTilesetIsOver500KBAtAnyZoomOfItsRange) {
    // Every tile over each tileset's bounds, at every zoom of its range while a zoom has at
    // most `every` tiles; past that (zooms 17 and 18 of the basemap and the big collections),
    // the children of the heaviest tiles of the zoom above, where the data is densest.
    constexpr std::size_t every = 3000;
    constexpr std::size_t heaviest = 24;
    std::vector<std::string> roots = {"/ogc"};
    const auto collections = get_json("/ogc/collections");
    for (const auto& c : collections["collections"]) {
        roots.push_back("/ogc/collections/" + c["id"].get<std::string>());
    }
    std::int64_t fetched = 0;
    for (const auto& root : roots) {
        const auto meta = http_get(port(), root + "/tiles/WebMercatorQuad");
        if (meta.status == 404) {
            continue; // a collection without tiles
        }
        ASSERT_EQ(meta.status, 200) << root;
        const auto doc = json::parse(meta.body);
        if (!doc.contains("bounds")) {
            continue; // no data
        }
        const auto b = doc["bounds"];
        const int min_zoom = doc["minzoom"];
        const int max_zoom = doc["maxzoom"];
        EXPECT_EQ(min_zoom, 8) << root;
        EXPECT_EQ(max_zoom, 18) << root;
        std::vector<std::pair<std::size_t, geo::TileId>> sizes; // of the zoom above
        for (int z = min_zoom; z <= max_zoom; ++z) {
            const auto nw = tile_at(z, b[0].get<double>(), b[3].get<double>());
            const auto se = tile_at(z, b[2].get<double>(), b[1].get<double>());
            std::vector<geo::TileId> todo;
            const auto count = static_cast<std::size_t>(se.x - nw.x + 1) *
                               static_cast<std::size_t>(se.y - nw.y + 1);
            if (count <= every) {
                for (int x = nw.x; x <= se.x; ++x) {
                    for (int y = nw.y; y <= se.y; ++y) {
                        todo.push_back({z, x, y});
                    }
                }
            } else {
                std::sort(sizes.begin(), sizes.end(),
                          [](const auto& l, const auto& r) { return l.first > r.first; });
                sizes.resize(std::min(sizes.size(), heaviest));
                for (const auto& [size, parent] : sizes) {
                    for (int dx = 0; dx < 2; ++dx) {
                        for (int dy = 0; dy < 2; ++dy) {
                            todo.push_back({z, parent.x * 2 + dx, parent.y * 2 + dy});
                        }
                    }
                }
            }
            sizes.clear();
            std::size_t largest = 0;
            for (const auto& t : todo) {
                const auto r = http_get(port(), path(root, t));
                ASSERT_EQ(r.status, 200) << path(root, t);
                EXPECT_LT(r.body.size(), 500U * 1024) << path(root, t);
                largest = std::max(largest, r.body.size());
                sizes.emplace_back(r.body.size(), t);
                ++fetched;
            }
            std::cout << root << " zoom " << z << ": " << todo.size() << " of " << count
                      << " tiles, largest " << largest << " B\n";
        }
    }
    EXPECT_GT(fetched, 5000);
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

/// What GDAL reads from a vector tile file or a tile package, layer by layer: the features
/// it returns (geometry decoded) and the values of one integer field.
struct GdalLayer {
    std::int64_t features = 0;
    std::multiset<std::int64_t> values;
};

std::map<std::string, GdalLayer> gdal_read(const std::filesystem::path& file,
                                           const char* driver,
                                           const std::vector<std::string>& options,
                                           const char* field) {
    GDALAllRegister();
    const char* const drivers[] = {driver, nullptr};
    std::vector<const char*> open_options;
    for (const auto& o : options) {
        open_options.push_back(o.c_str());
    }
    open_options.push_back(nullptr);
    GDALDatasetUniquePtr ds(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                              drivers, open_options.data(), nullptr));
    std::map<std::string, GdalLayer> out;
    EXPECT_TRUE(ds) << file << ": " << CPLGetLastErrorMsg();
    if (!ds) {
        return out;
    }
    EXPECT_STREQ(ds->GetDriver()->GetDescription(), driver);
    for (auto* layer : ds->GetLayers()) {
        auto& l = out[layer->GetName()];
        for (const auto& feature : *layer) {
            ++l.features;
            EXPECT_NE(feature->GetGeometryRef(), nullptr) << layer->GetName();
            const int i = feature->GetFieldIndex(field);
            if (i >= 0 && feature->IsFieldSetAndNotNull(i)) {
                l.values.insert(feature->GetFieldAsInteger64(i));
            }
        }
    }
    return out;
}

/// Our reader's integer values of `field` in a layer.
std::multiset<std::int64_t> field_values(const MvtLayer& layer, const std::string& field) {
    std::multiset<std::int64_t> out;
    for (const auto& f : layer.features) {
        if (const auto it = f.properties.find(field); it != f.properties.end()) {
            if (const auto* v = std::get_if<std::int64_t>(&it->second)) {
                out.insert(*v);
            } else if (const auto* u = std::get_if<std::uint64_t>(&it->second)) {
                out.insert(static_cast<std::int64_t>(*u));
            }
        }
    }
    return out;
}

TEST_F(Tiles, GdalsMvtDriverReadsServedTilesOfTheBasemapAndCollections) {
    // A litter bin's and a public report's places, so their tiles are not empty.
    auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
    const auto place = [&db](const std::string& table, const std::string& where) {
        auto stmt = db.prepare("SELECT MbrMinX(geom_wgs84), MbrMinY(geom_wgs84) FROM " + table +
                               " WHERE " + where + " ORDER BY rowid LIMIT 1");
        EXPECT_TRUE(stmt.step()) << table;
        return std::pair{stmt.real(0), stmt.real(1)};
    };
    const auto [bin_lon, bin_lat] = place("litter_bins", "1");
    const auto [report_lon, report_lat] = place("service_requests", "private = 0");
    struct Case {
        std::string root;
        geo::TileId tile;
        const char* table = nullptr; ///< unclustered points: GDAL's count against the store
        const char* where = "1";
    };
    const std::vector<Case> cases = {
        {"/ogc", tile_at(16, here.lon, here.lat), "properties"},
        {"/ogc", tile_at(14, here.lon, here.lat)},
        {"/ogc", tile_at(10, here.lon, here.lat)},
        {"/ogc/collections/streets", tile_at(15, here.lon, here.lat)},
        {"/ogc/collections/wards", tile_at(11, here.lon, here.lat)},
        {"/ogc/collections/addresses", tile_at(16, here.lon, here.lat), "properties"},
        {"/ogc/collections/addresses", tile_at(13, here.lon, here.lat)},
        {"/ogc/collections/litter_bins", tile_at(17, bin_lon, bin_lat), "litter_bins"},
        {"/ogc/collections/litter_bins", tile_at(12, bin_lon, bin_lat)},
        {"/ogc/collections/service_requests", tile_at(16, report_lon, report_lat),
         "service_requests", "private = 0"},
    };
    std::size_t layers_seen = 0;
    for (const auto& c : cases) {
        const std::string target = path(c.root, c.tile);
        const auto r = http_get(port(), target);
        ASSERT_EQ(r.status, 200) << target;
        ASSERT_FALSE(r.body.empty()) << target;
        // GDAL's MVT driver takes z/x/y from a file's path (z/x/y.pbf).
        const auto dir = tmp->path() / "mvt" / c.root.substr(1) / std::to_string(c.tile.z) /
                         std::to_string(c.tile.x);
        std::filesystem::create_directories(dir);
        const auto file = dir / (std::to_string(c.tile.y) + ".pbf");
        std::ofstream(file, std::ios::binary) << r.body;
        // CLIP=NO: the buffer's features too, as our reader sees them.
        const auto gdal = gdal_read(file, "MVT", {"CLIP=NO"}, "uprn");
        const auto ours = decode_tile(r.body);
        ASSERT_EQ(gdal.size(), ours.size()) << target;
        for (const auto& layer : ours) {
            const auto it = gdal.find(layer.name);
            ASSERT_NE(it, gdal.end()) << target << ": GDAL has no layer " << layer.name;
            EXPECT_EQ(it->second.features, static_cast<std::int64_t>(layer.features.size()))
                << target << " " << layer.name;
            EXPECT_EQ(it->second.values, field_values(layer, "uprn"))
                << target << " " << layer.name;
            ++layers_seen;
        }
        if (c.table) {
            const auto box = geo::tile_bounds_lonlat(c.tile, 64.0 / 4096);
            const std::string layer = c.root == "/ogc" ? "addresses" : c.root.substr(17);
            ASSERT_TRUE(gdal.contains(layer)) << target;
            EXPECT_EQ(gdal.at(layer).features,
                      sql_count(std::string("SELECT count(*) FROM ") + c.table + " WHERE " +
                                c.where + " AND " + in_box(box)))
                << target;
        }
    }
    EXPECT_GE(layers_seen, cases.size() + 3); // the basemap's tiles have several layers each
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
    std::map<std::string, std::int64_t> features_at_16; // by layer, buffers included
    std::multiset<std::int64_t> uprns_at_16;
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
        for (const auto& layer : layers) {
            features_at_16[layer.name] += static_cast<std::int64_t>(layer.features.size());
            const auto values = field_values(layer, "uprn");
            uprns_at_16.insert(values.begin(), values.end());
        }
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

    // GDAL's MBTiles driver reads the package's zoom 16 as our reader does: the same layers,
    // features and UPRNs (CLIP=NO keeps each tile's buffer, as our reader does).
    const auto gdal = gdal_read(out, "MBTiles", {"ZOOM_LEVEL=16", "CLIP=NO"}, "uprn");
    ASSERT_EQ(gdal.size(), features_at_16.size());
    std::multiset<std::int64_t> gdal_uprns;
    for (const auto& [name, count] : features_at_16) {
        ASSERT_TRUE(gdal.contains(name)) << name;
        EXPECT_EQ(gdal.at(name).features, count) << name;
        gdal_uprns.insert(gdal.at(name).values.begin(), gdal.at(name).values.end());
    }
    EXPECT_EQ(gdal_uprns, uprns_at_16);
    EXPECT_EQ(static_cast<std::int64_t>(
                  std::set<std::int64_t>(gdal_uprns.begin(), gdal_uprns.end()).size()),
              all)
        << "every address point, by UPRN, in GDAL's reading of zoom 16";

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

TEST_F(Tiles, ExportTilesWritesAPmtilesArchiveHoldingTheMbtilesPackagesTiles) {
    const auto wardmap = testing::binary_dir() / "server" / "cli" / "wardmap";
    const auto pm = tmp->path() / "borough.pmtiles";
    const auto mb = tmp->path() / "same.mbtiles";
    std::string said;
    for (const auto& file : {pm, mb}) {
        ASSERT_EQ(run(wardmap.string() + " export tiles " + file.string() + " --db " +
                          db_path.string() + " --zooms 10-16",
                      said),
                  0)
            << said;
        EXPECT_NE(said.find(file == pm ? "(PMTiles, basemap" : "(MBTiles, basemap"),
                  std::string::npos)
            << said;
        EXPECT_FALSE(std::filesystem::exists(file.string() + ".part"));
        EXPECT_FALSE(std::filesystem::exists(file.string() + ".data.part"));
    }
    std::ifstream in(pm, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto archive = testing::read_pmtiles(bytes);
    EXPECT_EQ(archive.version, 3);
    EXPECT_EQ(archive.tile_type, 1);        // MVT
    EXPECT_EQ(archive.tile_compression, 2); // gzip
    EXPECT_EQ(archive.clustered, 1);
    EXPECT_EQ(archive.min_zoom, 10);
    EXPECT_EQ(archive.max_zoom, 16);
    EXPECT_LE(archive.root_offset + archive.root_length, 16384U);
    EXPECT_EQ(archive.data_offset + archive.data_length, bytes.size());
    EXPECT_EQ(archive.addressed_tiles, archive.tiles.size());
    // The header's bounds are the MBTiles package's, to the 10^-7 degree.
    auto package = store::Database::open(mb, {.mode = store::OpenMode::read_only});
    double b[4];
    ASSERT_EQ(std::sscanf(package.query_text("SELECT value FROM metadata WHERE name = 'bounds'")
                              .value_or("")
                              .c_str(),
                          "%lf,%lf,%lf,%lf", &b[0], &b[1], &b[2], &b[3]),
              4);
    EXPECT_NEAR(archive.min_lon_e7, b[0] * 1e7, 1);
    EXPECT_NEAR(archive.min_lat_e7, b[1] * 1e7, 1);
    EXPECT_NEAR(archive.max_lon_e7, b[2] * 1e7, 1);
    EXPECT_NEAR(archive.max_lat_e7, b[3] * 1e7, 1);
    const auto meta = json::parse(archive.metadata);
    EXPECT_EQ(meta["vector_layers"],
              json::parse(package.query_text("SELECT value FROM metadata WHERE name = 'json'")
                              .value_or("{}"))["vector_layers"]);
    // The same tiles, byte for byte once unzipped (rows flipped back from TMS).
    auto rows = package.prepare("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles");
    std::size_t n = 0;
    while (rows.step()) {
        const int z = static_cast<int>(rows.int64(0));
        const int x = static_cast<int>(rows.int64(1));
        const int y = (1 << z) - 1 - static_cast<int>(rows.int64(2));
        const auto blob = rows.blob(3);
        const auto it = archive.tiles.find({z, x, y});
        ASSERT_NE(it, archive.tiles.end()) << z << "/" << x << "/" << y;
        EXPECT_EQ(
            testing::gunzip(it->second),
            testing::gunzip(std::string(reinterpret_cast<const char*>(blob.data()), blob.size())))
            << z << "/" << x << "/" << y;
        ++n;
    }
    EXPECT_EQ(n, archive.tiles.size());
    EXPECT_GT(n, 1000U);
    // And a tile of the archive is the tile the server serves.
    const auto& [last, stored] = *archive.tiles.rbegin();
    EXPECT_EQ(
        http_get(port(), path("/ogc", {std::get<0>(last), std::get<1>(last), std::get<2>(last)}))
            .body,
        testing::gunzip(stored));
    std::cout << "pmtiles: " << archive.tiles.size() << " tiles, " << bytes.size() << " bytes, "
              << archive.leaf_directories << " leaf directories\n";

    // protomaps' own reader (the `pmtiles` npm package, as a web map reads an archive) finds
    // every tile of the MBTiles package, byte for byte, and none that is not there.
    const auto tools = testing::source_dir() / "tests/integration/pmtiles";
    if (!std::filesystem::exists(tools / "node_modules/pmtiles") ||
        std::system("node --version >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "PMTiles reader SKIPPED: node or the pmtiles package missing (run "
                        "scripts/setup, which npm-installs it in "
                     << tools.string() << ")";
    }
    std::map<std::string, std::string> expected; // "z/x/y" -> SHA-256 of the tile, or "null"
    auto all_tiles =
        package.prepare("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles");
    while (all_tiles.step()) {
        const int z = static_cast<int>(all_tiles.int64(0));
        const int x = static_cast<int>(all_tiles.int64(1));
        const int y = (1 << z) - 1 - static_cast<int>(all_tiles.int64(2));
        const auto blob = all_tiles.blob(3);
        expected[std::to_string(z) + "/" + std::to_string(x) + "/" + std::to_string(y)] =
            core::sha256_hex(testing::gunzip(
                std::string(reinterpret_cast<const char*>(blob.data()), blob.size())));
    }
    expected["10/0/0"] = "null";         // far from the borough
    expected["9/255/170"] = "null";      // below the package's zooms
    expected["17/65000/43000"] = "null"; // above them
    const auto list = tmp->path() / "tiles.txt";
    {
        std::ofstream out(list);
        for (const auto& [zxy_text, hash] : expected) {
            auto text = zxy_text;
            std::replace(text.begin(), text.end(), '/', ' ');
            out << text << "\n";
        }
    }
    std::string said_by_node;
    ASSERT_EQ(run("node " + (tools / "read.mjs").string() + " " + pm.string() + " " + list.string(),
                  said_by_node),
              0)
        << said_by_node;
    const auto read = json::parse(said_by_node);
    EXPECT_EQ(read["header"]["specVersion"], 3);
    EXPECT_EQ(read["header"]["minZoom"], 10);
    EXPECT_EQ(read["header"]["maxZoom"], 16);
    EXPECT_EQ(read["header"]["tileType"], 1);
    EXPECT_EQ(read["header"]["numAddressedTiles"], archive.tiles.size());
    EXPECT_EQ(read["metadata"]["vector_layers"], meta["vector_layers"]);
    ASSERT_EQ(read["tiles"].size(), expected.size());
    for (const auto& [zxy_text, hash] : expected) {
        const auto& got = read["tiles"][zxy_text];
        EXPECT_EQ(got.is_null() ? "null" : got.get<std::string>(), hash) << zxy_text;
    }
}

TEST_F(Tiles, APmtilesArchiveTooBigForItsRootHasLeafDirectoriesThatReadersFollow) {
    // Zooms 16-18 over the borough: tens of thousands of tiles, more than a root directory holds.
    const auto tools = testing::source_dir() / "tests/integration/pmtiles";
    const auto wardmap = testing::binary_dir() / "server" / "cli" / "wardmap";
    const auto pm = tmp->path() / "zooms16to18.pmtiles";
    std::string said;
    ASSERT_EQ(run(wardmap.string() + " export tiles " + pm.string() + " --db " + db_path.string() +
                      " --zooms 16-18",
                  said),
              0)
        << said;
    std::ifstream in(pm, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto archive = testing::read_pmtiles(bytes);
    EXPECT_GT(archive.leaf_directories, 1);
    EXPECT_GT(archive.leaves_length, 0U);
    EXPECT_GT(archive.tiles.size(), 10000U);
    EXPECT_EQ(archive.addressed_tiles, archive.tiles.size());
    // Every 40th tile is the tile the server serves; protomaps' reader finds the same bytes.
    std::map<std::string, std::string> expected;
    std::size_t i = 0;
    for (const auto& [zxy, stored] : archive.tiles) {
        if (i++ % 40 != 0) {
            continue;
        }
        const auto& [z, x, y] = zxy;
        const auto served = http_get(port(), path("/ogc", {z, x, y}));
        ASSERT_EQ(served.status, 200);
        ASSERT_EQ(testing::gunzip(stored), served.body) << z << "/" << x << "/" << y;
        expected[std::to_string(z) + " " + std::to_string(x) + " " + std::to_string(y)] =
            core::sha256_hex(served.body);
    }
    std::cout << "pmtiles zooms 16-18: " << archive.tiles.size() << " tiles, "
              << archive.leaf_directories << " leaf directories, " << bytes.size() << " bytes\n";
    if (!std::filesystem::exists(tools / "node_modules/pmtiles") ||
        std::system("node --version >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "PMTiles reader SKIPPED: node or the pmtiles package missing (run "
                        "scripts/setup, which npm-installs it in "
                     << tools.string() << ")";
    }
    const auto list = tmp->path() / "zoom18.txt";
    {
        std::ofstream out(list);
        for (const auto& [zxy, hash] : expected) {
            out << zxy << "\n";
        }
    }
    ASSERT_EQ(run("node " + (tools / "read.mjs").string() + " " + pm.string() + " " + list.string(),
                  said),
              0)
        << said;
    const auto read = json::parse(said);
    EXPECT_EQ(read["header"]["leafDirectoryLength"], archive.leaves_length);
    for (const auto& [zxy, hash] : expected) {
        auto key = zxy;
        std::replace(key.begin(), key.end(), ' ', '/');
        const auto& got = read["tiles"][key];
        EXPECT_EQ(got.is_null() ? "null" : got.get<std::string>(), hash) << key;
    }
}

} // namespace
} // namespace wardmap
