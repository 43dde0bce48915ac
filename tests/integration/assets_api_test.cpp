// The street-asset register as the server publishes it, over the demo borough: every asset type
// a collection with its queryables (items, filters, tiles), only active assets, the ward of each
// derived from the boundaries in force (the same answer /api/wards/at gives), and an import
// through the CLI reaching the running server's collections.

#include "core/street_asset_types.hpp"

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

#include <fstream>
#include <set>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::http_get;

class AssetCollections : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        std::string out;
        ASSERT_EQ(testing::copy_demo_store(db_path, &out), 0) << out;
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

    static inline testing::TempDir* tmp = nullptr;
    static inline testing::ServerProcess* server = nullptr;
    static inline std::filesystem::path db_path;
};

TEST_F(AssetCollections, EveryAssetTypeIsACollectionWithItsQueryables) {
    std::set<std::string> listed;
    const auto collections = get_json("/ogc/collections");
    for (const auto& c : collections["collections"]) {
        listed.insert(c["id"].get<std::string>());
    }
    for (const auto& type : core::street_asset_types) {
        const std::string id(type.collection);
        EXPECT_TRUE(listed.contains(id)) << id;
        const auto active = sql_count("SELECT count(*) FROM street_assets WHERE asset_type = '" +
                                      std::string(type.code) + "' AND status = 'active'");
        EXPECT_GT(active, 0) << "the demo borough has " << type.code;
        const auto fc = get_json("/ogc/collections/" + id + "/items?limit=2");
        EXPECT_EQ(fc["numberMatched"], active) << id;
        ASSERT_FALSE(fc["features"].empty()) << id;
        const auto& p = fc["features"][0]["properties"];
        EXPECT_TRUE(p["asset_ref"].is_string()) << id;
        EXPECT_TRUE(p["ward_code"].is_string()) << id << ": every demo asset is in a ward";
        for (const auto& a : type.attributes) {
            EXPECT_TRUE(p.contains(std::string(a.name))) << id << "." << a.name;
        }
        const auto q = get_json("/ogc/collections/" + id + "/queryables")["properties"];
        EXPECT_TRUE(q.contains("ward_code")) << id;
        for (const auto& a : type.attributes) {
            EXPECT_TRUE(q.contains(std::string(a.name))) << id << "." << a.name;
        }
        // The collection's extent is its own assets', inside the borough.
        const auto meta = get_json("/ogc/collections/" + id);
        const auto box = meta["extent"]["spatial"]["bbox"][0];
        EXPECT_NEAR(box[0].get<double>(), -2.65, 0.3) << id;
        EXPECT_NEAR(box[3].get<double>(), 53.65, 0.2) << id;
    }
    EXPECT_EQ(get_json("/ogc/collections/verges/queryables")["properties"]["geometry"]["format"],
              "geometry-multipolygon");
    EXPECT_EQ(
        get_json(
            "/ogc/collections/street_segments/items?limit=1")["features"][0]["geometry"]["type"],
        "LineString");
}

TEST_F(AssetCollections, TheWardOfAnAssetIsTheOneThePointLookupGives) {
    for (const char* collection : {"benches", "litter_bins", "amenity_grass", "street_trees"}) {
        const auto fc = get_json(std::string("/ogc/collections/") + collection +
                                 "/items?limit=4&crs=http://www.opengis.net/def/crs/EPSG/0/27700");
        for (const auto& f : fc["features"]) {
            const auto id = f["id"].get<std::int64_t>();
            auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
            auto st = db.prepare("SELECT anchor_e, anchor_n FROM street_assets WHERE id = ?");
            st.bind(1, id);
            ASSERT_TRUE(st.step());
            const auto at = get_json("/api/wards/at?x=" + std::to_string(st.real(0)) +
                                     "&y=" + std::to_string(st.real(1)) + "&crs=EPSG:27700");
            EXPECT_EQ(f["properties"]["ward_code"], at["code"]) << collection << " " << id;
        }
    }
}

TEST_F(AssetCollections, AWardFilterFindsTheAssetsOfAWardToday) {
    const auto first = get_json("/ogc/collections/litter_bins/items?limit=1");
    const std::string ward = first["features"][0]["properties"]["ward_code"];
    const auto fc = get_json("/ogc/collections/litter_bins/items?limit=1000&ward_code=" + ward);
    EXPECT_EQ(fc["numberMatched"],
              sql_count("SELECT count(*) FROM litter_bins WHERE ward_code = '" + ward + "'"));
    for (const auto& f : fc["features"]) {
        EXPECT_EQ(f["properties"]["ward_code"], ward);
    }
    const auto cql = get_json("/ogc/collections/benches/items?limit=1&filter=" +
                              testing::url_encode("ward_code = '" + ward + "' AND seats >= 3"));
    EXPECT_GT(cql["numberMatched"].get<std::int64_t>(), 0);
}

TEST_F(AssetCollections, AssetTypesAreTiledWithTheirPublicProperties) {
    auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
    auto st = db.prepare("SELECT X(PointOnSurface(geom_wgs84)), Y(PointOnSurface(geom_wgs84)) "
                         "FROM street_assets WHERE asset_type = 'play_area' ORDER BY id LIMIT 1");
    ASSERT_TRUE(st.step());
    double x = 0;
    double y = 0;
    geo::lonlat_to_tile({16, 0, 0}, 1, st.real(0), st.real(1), x, y);
    const auto r = http_get(port(), "/ogc/collections/play_areas/tiles/WebMercatorQuad/16/" +
                                        std::to_string(static_cast<int>(y)) + "/" +
                                        std::to_string(static_cast<int>(x)));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto layers = testing::decode_tile(r.body);
    const auto* play = testing::find_layer(layers, "play_areas");
    ASSERT_NE(play, nullptr);
    ASSERT_FALSE(play->features.empty());
    std::set<std::string> keys;
    for (const auto& [key, value] : play->features[0].properties) {
        keys.insert(key);
    }
    EXPECT_TRUE(keys.contains("asset_ref"));
    EXPECT_TRUE(keys.contains("equipment_count"));
}

TEST(AssetImportServed, AnImportReachesTheRunningServerAndRetiredAssetsLeaveTheMap) {
    testing::TempDir tmp;
    const auto db_path = tmp.path() / "demo.sqlite";
    std::string out;
    ASSERT_EQ(testing::copy_demo_store(db_path, &out), 0) << out;
    testing::ServerProcess server(db_path, {"--no-access-log"});
    const auto get = [&server](const std::string& target) {
        const auto r = http_get(server.port(), target);
        EXPECT_EQ(r.status, 200) << target << ": " << r.body;
        return json::parse(r.body);
    };
    const auto before = get("/ogc/collections/grit_bins/items?limit=1")["numberMatched"];
    ASSERT_GT(before.get<std::int64_t>(), 1);
    // One grit bin, placed where the first demo grit bin is (inside the borough).
    double e = 0;
    double n = 0;
    {
        auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
        auto st = db.prepare("SELECT X(geom), Y(geom) FROM street_assets WHERE asset_type = "
                             "'grit_bin' ORDER BY id LIMIT 1");
        ASSERT_TRUE(st.step());
        e = st.real(0) + 3;
        n = st.real(1);
    }
    const auto file = tmp.path() / "grit.csv";
    std::ofstream(file) << "ref,x,y,capacity_l,filled_on\nGB-NEW-1," << std::to_string(e) << ","
                        << std::to_string(n) << ",350,15/11/2026\n";
    const std::vector<std::string> common = {"import",         "assets", file.string(), "--db",
                                             db_path.string(), "--type", "grit_bin",    "--crs",
                                             "EPSG:27700",     "--quiet"};
    auto partial = common;
    partial.push_back("--partial");
    ASSERT_EQ(testing::run_wardmap(partial, &out), 0) << out;
    const auto added = get("/ogc/collections/grit_bins/items?asset_ref=GB-NEW-1");
    ASSERT_EQ(added["numberMatched"], 1);
    const auto& p = added["features"][0]["properties"];
    EXPECT_EQ(p["capacity_l"], 350);
    EXPECT_EQ(p["filled_on"], "2026-11-15");
    EXPECT_EQ(p["owner"], "council");
    EXPECT_EQ(get("/ogc/collections/grit_bins/items?limit=1")["numberMatched"],
              before.get<std::int64_t>() + 1);
    // The same file as the whole register retires every other grit bin.
    ASSERT_EQ(testing::run_wardmap(common, &out), 0) << out;
    EXPECT_NE(out.find("retired " + before.dump()), std::string::npos) << out;
    EXPECT_EQ(get("/ogc/collections/grit_bins/items?limit=1")["numberMatched"], 1);
    EXPECT_EQ(get("/ogc/collections/benches/items?limit=1")["numberMatched"].get<std::int64_t>() >
                  0,
              true)
        << "other types are untouched";
}

} // namespace
} // namespace wardmap
