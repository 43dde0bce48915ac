// Boundaries, layers and councillors on the real files in ../shared/data: Chorley's councillors
// joined to its 14 current wards, every Lancashire ward file as its own boundary set (counts
// checked against GDAL's own feature count), and the Chorley GeoPackage read layer by layer.

#include "geo/store/connection_pool.hpp"
#include "geo/store/database.hpp"
#include "geo/store/migrations.hpp"
#include "importers/import.hpp"
#include "server/services/wards/ward_service.hpp"
#include "tests/support/test_paths.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <fstream>
#include <set>

namespace wardmap {
namespace {

importers::ImportReport run(store::Database& db, const char* kind, importers::ImportOptions o) {
    static const auto transform = geo::BngTransform::create();
    importers::Progress quiet(importers::Progress::Mode::quiet);
    return importers::run_import(db, *transform, *importers::find_import_kind(kind), o, quiet);
}

/// Features in a file's first layer, as GDAL counts them (ogrinfo's "Feature Count").
std::int64_t gdal_feature_count(const std::filesystem::path& file) {
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds || ds->GetLayerCount() < 1) {
        return -1;
    }
    return ds->GetLayer(0)->GetFeatureCount(TRUE);
}

std::vector<std::filesystem::path> geojson_files(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().extension() == ".geojson") {
            files.push_back(e.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

TEST(BoundariesRealdata, ChorleysCouncillorsJoinItsFourteenCurrentWards) {
    WARDMAP_REQUIRE_SHARED_DATA(data);
    testing::TempDir tmp;
    const auto path = tmp.path() / "chorley.sqlite";
    store::migrate(path);
    auto db = store::Database::open(path);

    importers::ImportOptions wards;
    wards.source.path = data / "boundaries/chorley_wards_2025_bsc.geojson";
    wards.set_label = "2020";
    wards.valid_from = "2020-05-07";
    auto r = run(db, "wards", wards);
    ASSERT_TRUE(r.ok) << r.to_text();
    ASSERT_EQ(r.inserted, 14);

    const auto json_path = data / "boundaries/chorley_wards_councillors_2026.json";
    importers::ImportOptions councillors;
    councillors.source.path = json_path;
    r = run(db, "councillors", councillors);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.read, 14);
    EXPECT_EQ(r.inserted, 14 * 3);
    EXPECT_EQ(r.rejected, 0);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM (SELECT ward_code FROM councillors "
                           "GROUP BY ward_code HAVING count(*) = 3)"),
              14);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM councillors c JOIN wards w ON w.code = "
                           "c.ward_code AND w.boundary_set_id = c.boundary_set_id"),
              42);

    // Wards listing several parties do not say whose each is: those parties stay empty.
    std::ifstream in(json_path);
    const auto file = nlohmann::json::parse(in);
    std::int64_t unassigned = 0;
    for (const auto& [key, ward] : file.items()) {
        if (ward["parties"].size() > 1) {
            unassigned += static_cast<std::int64_t>(ward["councillors"].size());
        }
    }
    EXPECT_EQ(db.query_int("SELECT count(*) FROM councillors WHERE party IS NULL"), unassigned);

    // Again: nothing changes.
    r = run(db, "councillors", councillors);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.updated, 42);
    EXPECT_EQ(r.inserted + r.deleted, 0);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM councillors"), 42);

    // "Adlington and Anderton" in the councillors file is "Adlington & Anderton" in the
    // boundaries; its code comes from the boundary file as imported.
    const auto code = db.query_text("SELECT code FROM wards WHERE name = 'Adlington & Anderton'");
    ASSERT_TRUE(code);
    store::ConnectionPool pool(path, 1, {});
    services::WardService service(pool, geo::BngTransform::create(),
                                  services::WardIndex::load(pool));
    const auto feature = nlohmann::json::parse(service.ward(*code, std::nullopt));
    const auto& list = feature["properties"]["councillors"];
    ASSERT_EQ(list.size(), 3U) << feature.dump();
    EXPECT_EQ(list[0]["name"], "June Molyneaux");
    EXPECT_EQ(list[0]["party"], "Labour");
    EXPECT_EQ(list[0]["id"], "jmolyneaux");
}

TEST(BoundariesRealdata, EveryLancashireWardFileImportsAsItsOwnBoundarySet) {
    WARDMAP_REQUIRE_SHARED_DATA(data);
    testing::TempDir tmp;
    const auto path = tmp.path() / "lancashire.sqlite";
    store::migrate(path);
    auto db = store::Database::open(path);
    const auto current = geojson_files(data / "boundaries/lancashire_wards_2025_bsc");
    const auto previous = geojson_files(data / "boundaries/lancashire_lad_wards_2013");
    // data/README.md 1.5 and 1.6: 14 current files (13 districts and the county), 13 of 2013.
    ASSERT_EQ(current.size(), 14U);
    ASSERT_EQ(previous.size(), 13U);
    std::vector<std::filesystem::path> files = current;
    files.insert(files.end(), previous.begin(), previous.end());

    std::int64_t total = 0;
    int year = 1990;
    for (const auto& file : files) {
        const std::string label =
            file.parent_path().filename().string() + "/" + file.stem().string();
        importers::ImportOptions o;
        o.source.path = file;
        o.set_label = label;
        // Boundary sets of one database may not overlap in time (they are one council's
        // history); these neighbours' sets get one year each so they can sit side by side.
        o.valid_from = std::to_string(year) + "-01-01";
        o.valid_to = std::to_string(++year) + "-01-01";
        o.bbox = geo::BBox{300000, 390000, 400000, 490000}; // Lancashire and a margin
        const auto r = run(db, "wards", o);
        ASSERT_TRUE(r.ok) << r.to_text();
        const auto expected = gdal_feature_count(file);
        EXPECT_GT(expected, 0) << file;
        EXPECT_EQ(r.inserted, expected) << label;
        auto count = db.prepare("SELECT count(*) FROM wards w JOIN boundary_sets b ON "
                                "b.id = w.boundary_set_id WHERE b.label = ?");
        count.bind(1, label);
        ASSERT_TRUE(count.step());
        EXPECT_EQ(count.int64(0), expected) << label;
        total += expected;
    }
    EXPECT_EQ(db.query_int("SELECT count(*) FROM boundary_sets"), 27);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM wards"), total);
    // README 1.5: the county file holds 80 electoral divisions.
    EXPECT_EQ(db.query_int("SELECT count(*) FROM wards w JOIN boundary_sets b ON b.id = "
                           "w.boundary_set_id WHERE b.label = "
                           "'lancashire_wards_2025_bsc/lancashire_cc'"),
              80);
}

TEST(BoundariesRealdata, ChorleyGeoPackageLayersAreReadByName) {
    WARDMAP_REQUIRE_SHARED_DATA(data);
    testing::TempDir tmp;
    const auto path = tmp.path() / "gpkg.sqlite";
    store::migrate(path);
    auto db = store::Database::open(path);
    const auto gpkg = data / "chorley_layers_epsg27700.gpkg";

    importers::ImportOptions current;
    current.source.path = gpkg;
    current.source.layer = "wards_2025_bsc";
    current.set_label = "2020";
    current.valid_from = "2020-05-07";
    auto r = run(db, "wards", current);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.inserted, 14);
    EXPECT_TRUE(r.notes.empty()) << r.to_text();

    importers::ImportOptions previous = current;
    previous.source.layer = "wards_2013_wd13";
    previous.set_label = "2013";
    previous.valid_from = "2013-05-02";
    previous.valid_to = "2020-05-07";
    r = run(db, "wards", previous);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.inserted, 20);

    importers::ImportOptions postcodes;
    postcodes.source.path = gpkg;
    postcodes.source.layer = "postcodes_codepoint_2014";
    r = run(db, "postcodes", postcodes);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.inserted, 2702);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM postcodes"), 2702);

    importers::ImportOptions missing = postcodes;
    missing.source.layer = "postcodes";
    r = run(db, "postcodes", missing);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("no layer 'postcodes'"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("'postcodes_codepoint_2014'"), std::string::npos) << r.error;
}

} // namespace
} // namespace wardmap
