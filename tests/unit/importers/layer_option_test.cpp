// --layer on a two-layer GeoPackage written with GDAL by the test: the named layer is read, a
// missing one is an error listing those that exist, and without --layer the first is read and
// the report says which and what else the file holds.

#include "tests/unit/importers/import_fixture.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

namespace wardmap {
namespace {

using testing::ImportFixture;

void add_feature(OGRLayer& layer,
                 const std::vector<std::pair<const char*, const char*>>& fields,
                 const char* wkt) {
    OGRFeature feature(layer.GetLayerDefn());
    for (const auto& [name, value] : fields) {
        feature.SetField(name, value);
    }
    OGRGeometry* geometry = nullptr;
    ASSERT_EQ(OGRGeometryFactory::createFromWkt(wkt, layer.GetSpatialRef(), &geometry),
              OGRERR_NONE);
    feature.SetGeometryDirectly(geometry);
    ASSERT_EQ(layer.CreateFeature(&feature), OGRERR_NONE);
}

OGRLayer& add_layer(GDALDataset& ds,
                    const char* name,
                    OGRwkbGeometryType type,
                    const std::vector<const char*>& fields) {
    OGRSpatialReference bng;
    bng.importFromEPSG(27700);
    OGRLayer* layer = ds.CreateLayer(name, &bng, type, nullptr);
    for (const char* f : fields) {
        OGRFieldDefn defn(f, OFTString);
        layer->CreateField(&defn);
    }
    return *layer;
}

class LayerOption : public ImportFixture {
  protected:
    void SetUp() override {
        ImportFixture::SetUp();
        GDALAllRegister();
        m_gpkg = m_tmp.path() / "council.gpkg";
        GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
        ASSERT_NE(driver, nullptr);
        GDALDatasetUniquePtr ds(driver->Create(m_gpkg.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        ASSERT_TRUE(ds);
        auto& wards = add_layer(*ds, "wards_2020", wkbPolygon, {"code", "name"});
        add_feature(wards, {{"code", "E05013064"}, {"name", "North"}},
                    "POLYGON((358000 417000,359000 417000,359000 418000,358000 418000,"
                    "358000 417000))");
        add_feature(wards, {{"code", "E05013065"}, {"name", "South"}},
                    "POLYGON((358000 416000,359000 416000,359000 417000,358000 417000,"
                    "358000 416000))");
        auto& streets = add_layer(*ds, "streets", wkbLineString, {"usrn", "street"});
        add_feature(streets, {{"usrn", "44001001"}, {"street", "Market Street"}},
                    "LINESTRING(358100 417100,358200 417300)");
    }
    importers::ImportOptions from_gpkg(const char* layer) {
        auto o = options(m_gpkg);
        o.source.layer = layer;
        o.set_label = "2020";
        o.valid_from = "2020-05-07";
        return o;
    }
    std::filesystem::path m_gpkg;
};

TEST_F(LayerOption, TheNamedLayerIsRead) {
    const auto streets = run("streets", from_gpkg("streets"));
    ASSERT_TRUE(streets.ok) << streets.to_text();
    EXPECT_EQ(streets.inserted, 1);
    EXPECT_TRUE(streets.notes.empty()) << streets.to_text();
    EXPECT_EQ(query_text("SELECT descriptor FROM streets WHERE usrn = 44001001"), "Market Street");
    const auto wards = run("wards", from_gpkg("wards_2020"));
    ASSERT_TRUE(wards.ok) << wards.to_text();
    EXPECT_EQ(wards.inserted, 2);
}

TEST_F(LayerOption, AMissingLayerIsAnErrorListingTheLayers) {
    const auto report = expect_failure("wards", from_gpkg("wards_2013"));
    EXPECT_NE(report.error.find("council.gpkg"), std::string::npos) << report.error;
    EXPECT_NE(report.error.find("no layer 'wards_2013'"), std::string::npos) << report.error;
    EXPECT_NE(report.error.find("'wards_2020', 'streets'"), std::string::npos) << report.error;
}

TEST_F(LayerOption, WithoutLayerTheFirstIsReadAndTheReportSaysSo) {
    const auto report = run("wards", from_gpkg(""));
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(report.inserted, 2);
    ASSERT_FALSE(report.notes.empty());
    EXPECT_EQ(report.notes[0], "the file has 2 layers; read the first, 'wards_2020', not "
                               "'streets' (choose one with --layer)");
    // Rows of a file of several layers name their layer.
    auto o = from_gpkg("");
    o.usrn_field = "code";
    const auto lines = expect_failure("streets", o);
    ASSERT_FALSE(lines.rejections.empty()) << lines.to_text();
    EXPECT_NE(lines.rejections[0].place.file.find("council.gpkg (layer wards_2020)"),
              std::string::npos)
        << lines.to_text();
}

} // namespace
} // namespace wardmap
