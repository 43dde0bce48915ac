// Real clients: GDAL's own ogrinfo and ogr2ogr (the OAPIF driver of Debian's GDAL 3.6)
// against the live server, compared with SpatiaLite on the same database.

#include "core/street_asset_types.hpp"

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <set>
#include <string>

namespace wardmap {
namespace {

using nlohmann::json;

/// Runs a shell command; returns its exit status and fills `output` with stdout and stderr.
int run(const std::string& command, std::string& output) {
    output.clear();
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (!pipe) {
        return -1;
    }
    char buf[4096];
    while (fgets(buf, sizeof buf, pipe)) {
        output += buf;
    }
    return pclose(pipe);
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

/// collection id -> the SQL counting its source rows.
const std::vector<std::pair<std::string, std::string>>& collections() {
    static const std::vector<std::pair<std::string, std::string>> list = [] {
        std::vector<std::pair<std::string, std::string>> l = {
            {"wards", "SELECT count(*) FROM wards"},
            {"addresses", "SELECT count(*) FROM properties"},
            {"streets", "SELECT count(*) FROM streets"},
            {"postcodes", "SELECT count(*) FROM postcodes"},
            {"service_requests", "SELECT count(*) FROM service_requests"},
            {"planning_applications", "SELECT count(*) FROM planning_applications"},
            {"litter_bins", "SELECT count(*) FROM litter_bins"},
            {"cemeteries", "SELECT count(*) FROM cemeteries"},
            {"cemetery_sections", "SELECT count(*) FROM cemetery_sections"},
            {"graves", "SELECT count(*) FROM grave_spaces"},
            {"conservation_areas",
             "SELECT count(*) FROM planning_constraints WHERE kind = 'conservation_area'"},
            {"tree_preservation_orders",
             "SELECT count(*) FROM planning_constraints WHERE kind = 'tree_preservation_order'"},
            {"listed_buildings",
             "SELECT count(*) FROM planning_constraints WHERE kind = 'listed_building'"},
            {"article_4_areas",
             "SELECT count(*) FROM planning_constraints WHERE kind = 'article_4'"},
            {"local_land_charges", "SELECT count(*) FROM local_land_charges"},
        };
        // The street-asset register's other types (litter_bins is above).
        for (const auto& type : core::street_asset_types) {
            if (type.collection != "litter_bins") {
                l.emplace_back(type.collection,
                               "SELECT count(*) FROM street_assets WHERE asset_type = '" +
                                   std::string(type.code) + "' AND status = 'active'");
            }
        }
        return l;
    }();
    return list;
}

class OgcApiGdal : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        std::string out;
        have_gdal = run("ogrinfo --version", out) == 0 && run("ogr2ogr --version", out) == 0;
        if (!have_gdal) {
            return;
        }
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        ASSERT_EQ(testing::copy_demo_store(db_path, &out), 0) << out;
        server = new testing::ServerProcess(db_path, {"--no-access-log"});
        url = "OAPIF:http://127.0.0.1:" + std::to_string(server->port()) + "/ogc";
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }
    void SetUp() override {
        if (!have_gdal) {
            GTEST_SKIP() << "GDAL client tests SKIPPED: ogrinfo/ogr2ogr not found (scripts/setup "
                            "installs gdal-bin)";
        }
    }
    static std::int64_t sql_count(const std::string& sql) {
        auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
        return db.query_int(sql).value_or(-1);
    }

    static inline bool have_gdal = false;
    static inline testing::TempDir* tmp = nullptr;
    static inline testing::ServerProcess* server = nullptr;
    static inline std::filesystem::path db_path;
    static inline std::string url;
};

TEST_F(OgcApiGdal, OgrinfoListsEveryCollection) {
    std::string out;
    ASSERT_EQ(run("ogrinfo -ro " + url, out), 0) << out;
    for (const auto& [id, sql] : collections()) {
        EXPECT_NE(out.find(": " + id + " (title:"), std::string::npos) << id << "\n" << out;
    }
    EXPECT_NE(out.find("wards (title: Wards) (Multi Polygon)"), std::string::npos) << out;
}

TEST_F(OgcApiGdal, Ogr2ogrExportsEveryCollectionCompletelyAtEachPageSize) {
    for (const int page : {10, 333, 1000}) {
        for (const auto& [id, sql] : collections()) {
            const auto file = tmp->path() / (id + "_" + std::to_string(page) + ".geojson");
            std::string out;
            ASSERT_EQ(run("ogr2ogr -f GeoJSON -preserve_fid " + file.string() + " " + url + " " +
                              id + " -oo PAGE_SIZE=" + std::to_string(page),
                          out),
                      0)
                << id << " page " << page << ": " << out;
            const auto features = json::parse(std::ifstream(file))["features"];
            std::set<std::int64_t> ids;
            for (const auto& f : features) {
                ids.insert(f["id"].get<std::int64_t>());
            }
            const auto expected = sql_count(sql);
            EXPECT_GT(expected, 0) << id;
            EXPECT_EQ(static_cast<std::int64_t>(features.size()), expected)
                << id << " page " << page;
            EXPECT_EQ(ids.size(), features.size()) << id << " page " << page << ": repeated ids";
            std::filesystem::remove(file);
        }
    }
}

TEST_F(OgcApiGdal, BboxQueryMatchesSpatiaLitesSpatialQuery) {
    const std::string spat = "-2.66 53.63 -2.61 53.66";
    for (const auto& [id, table] :
         {std::pair{"litter_bins", "litter_bins"}, std::pair{"addresses", "properties"}}) {
        std::string out;
        ASSERT_EQ(
            run("ogrinfo -ro -q -al -oo PAGE_SIZE=1000 -spat " + spat + " " + url + " " + id, out),
            0)
            << out;
        const auto expected =
            sql_count(std::string("SELECT count(*) FROM ") + table +
                      " WHERE ST_Intersects(geom_wgs84, BuildMbr(-2.66, 53.63, -2.61, 53.66, "
                      "4326)) = 1");
        EXPECT_GT(expected, 0);
        EXPECT_EQ(static_cast<std::int64_t>(count_of(out, "OGRFeature(")), expected) << id;
    }
}

TEST_F(OgcApiGdal, WhereFilterReachesTheServerAsAQueryParameter) {
    std::string out;
    ASSERT_EQ(run("ogrinfo -ro -q -al -where \"bin_type = 'dog_waste'\" " + url +
                      " litter_bins --config CPL_DEBUG ON",
                  out),
              0)
        << out;
    // GDAL logs each request; the equality must be in the URL, not applied client-side only.
    EXPECT_NE(out.find("/ogc/collections/litter_bins/items?limit=10&bin_type=dog_waste"),
              std::string::npos)
        << out.substr(0, 4000);
    EXPECT_EQ(static_cast<std::int64_t>(count_of(out, "OGRFeature(")),
              sql_count("SELECT count(*) FROM litter_bins WHERE bin_type = 'dog_waste'"));
}

TEST_F(OgcApiGdal, SingleFeatureByFid) {
    std::string out;
    ASSERT_EQ(run("ogrinfo -ro -q -al -fid 17 " + url + " graves", out), 0) << out;
    EXPECT_NE(out.find("OGRFeature(graves):17"), std::string::npos) << out;
}

} // namespace
} // namespace wardmap
