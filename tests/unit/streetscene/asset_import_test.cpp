// `wardmap import assets` on small files written by each test: assets matched by (type,
// reference) and inserted, updated, left unchanged, retired and reinstated; every change in the
// append-only history; points, lines and polygons; columns mapped by option or by name; every
// bad row named by line and field, with the database left as it was.

#include "tests/unit/importers/import_fixture.hpp"

namespace wardmap {
namespace {

using testing::ImportFixture;

// Three bins in Chorley, British National Grid, in a council's CSV export.
constexpr const char* bins_csv = "ASSET_NO,EASTING,NORTHING,MODEL,CAPACITY,CONDITION,INSTALLED\n"
                                 "LB-1,358100.5,417200.25,Heritage,120,GOOD,2019-04-01\n"
                                 "LB-2,358150,417260,Pole mounted,50,Fair,01/06/2015\n"
                                 "LB-3,358190,417300,Dual,,POOR,\n";

class AssetImport : public ImportFixture {
  protected:
    importers::ImportOptions bins(const std::string& content, const char* name = "bins.csv") {
        auto o = options(write(name, content));
        o.asset_type = "litter_bin";
        o.source.crs = importers::SourceCrs::bng;
        o.ref_field = "ASSET_NO";
        o.attribute_fields = {"bin_type=MODEL", "capacity_l=CAPACITY"};
        o.installed_field = "INSTALLED";
        return o;
    }
    std::string history(const std::string& reference) {
        return query_text("SELECT group_concat(change, ',') FROM (SELECT h.change FROM "
                          "street_asset_history h JOIN street_assets a ON a.id = h.asset_id "
                          "WHERE a.reference = '" +
                          reference + "' ORDER BY h.id)");
    }
};

TEST_F(AssetImport, ACsvOfBinsIsStoredInBothCrsWithItsMappedAttributes) {
    const auto report = run("assets", bins(bins_csv));
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(report.inserted, 3);
    EXPECT_EQ(query_int("SELECT count(*) FROM street_assets WHERE asset_type = 'litter_bin' AND "
                        "status = 'active' AND Srid(geom) = 27700 AND Srid(geom_wgs84) = 4326 "
                        "AND GeometryType(geom) = 'POINT'"),
              3);
    EXPECT_EQ(query_text("SELECT X(geom) || ' ' || Y(geom) || ' ' || anchor_e || ' ' || anchor_n "
                         "FROM street_assets WHERE reference = 'LB-1'"),
              "358100.5 417200.25 358100.5 417200.25");
    // OSTN15 puts E 358 100, N 417 200 near 2.63 W, 53.65 N.
    EXPECT_NEAR(std::stod(query_text("SELECT X(geom_wgs84) FROM street_assets WHERE reference = "
                                     "'LB-1'")),
                -2.63, 0.02);
    EXPECT_EQ(query_text("SELECT attributes || '|' || installed_on || '|' || condition || '|' || "
                         "owner FROM street_assets WHERE reference = 'LB-1'"),
              R"({"bin_type":"Heritage","capacity_l":120}|2019-04-01|good|council)");
    // Day-first UK dates, lower-cased conditions, an empty cell left out.
    EXPECT_EQ(query_text("SELECT installed_on || '|' || condition FROM street_assets WHERE "
                         "reference = 'LB-2'"),
              "2015-06-01|fair");
    EXPECT_EQ(query_text("SELECT attributes || '|' || coalesce(installed_on, 'none') FROM "
                         "street_assets WHERE reference = 'LB-3'"),
              R"({"bin_type":"Dual"}|none)");
    EXPECT_EQ(history("LB-1"), "insert");
    EXPECT_EQ(query_text("SELECT source FROM street_asset_history LIMIT 1"),
              "import assets bins.csv");
    EXPECT_EQ(query_text("SELECT kind || ' ' || inserted || ' ' || detail FROM imports"),
              "assets 3 asset type litter_bin (full file)");
    // The litter_bins view of before the register reads them too.
    EXPECT_EQ(query_text("SELECT bin_type || ' ' || capacity_l FROM litter_bins WHERE asset_ref "
                         "= 'LB-1'"),
              "Heritage 120");
}

TEST_F(AssetImport, ChangesAreDetectedByReferenceAndKeptInTheHistory) {
    ASSERT_TRUE(run("assets", bins(bins_csv)).ok);
    // The same file again changes nothing.
    const auto same = run("assets", bins(bins_csv));
    ASSERT_TRUE(same.ok) << same.to_text();
    EXPECT_EQ(same.inserted, 0);
    EXPECT_EQ(same.updated, 0);
    EXPECT_EQ(same.unchanged, 3);
    EXPECT_EQ(same.retired, 0);
    EXPECT_NE(same.to_text().find("unchanged 3, retired 0"), std::string::npos) << same.to_text();
    EXPECT_EQ(query_int("SELECT count(*) FROM street_asset_history"), 3);

    // LB-1 moved and changed condition, LB-2 is gone, LB-4 is new.
    const auto next = run("assets", bins("ASSET_NO,EASTING,NORTHING,MODEL,CAPACITY,CONDITION,"
                                         "INSTALLED\n"
                                         "LB-1,358101,417200.25,Heritage,120,FAIR,2019-04-01\n"
                                         "LB-3,358190,417300,Dual,,POOR,\n"
                                         "LB-4,358250,417350,Dual,240,GOOD,2024-01-15\n"));
    ASSERT_TRUE(next.ok) << next.to_text();
    EXPECT_EQ(next.inserted, 1);
    EXPECT_EQ(next.updated, 1);
    EXPECT_EQ(next.unchanged, 1);
    EXPECT_EQ(next.retired, 1);
    EXPECT_EQ(query_text("SELECT condition || ' ' || X(geom) FROM street_assets WHERE reference "
                         "= 'LB-1'"),
              "fair 358101.0");
    EXPECT_EQ(query_text("SELECT status || ' ' || (removed_on IS NOT NULL) FROM street_assets "
                         "WHERE reference = 'LB-2'"),
              "removed 1");
    EXPECT_EQ(history("LB-1"), "insert,update");
    EXPECT_EQ(history("LB-2"), "insert,retire");
    EXPECT_EQ(query_int("SELECT count(*) FROM litter_bins"), 3) << "retired bins are not shown";
    // The snapshot holds the asset as it was after each change.
    EXPECT_EQ(query_text("SELECT json_extract(snapshot, '$.condition') || ' ' || "
                         "json_extract(snapshot, '$.geometry') FROM street_asset_history h JOIN "
                         "street_assets a ON a.id = h.asset_id WHERE a.reference = 'LB-1' ORDER "
                         "BY h.id LIMIT 1"),
              "good POINT(358100.5 417200.25)");

    // A partial file retires nothing; LB-2 comes back (reinstated) with its old id.
    const auto old_id = query_int("SELECT id FROM street_assets WHERE reference = 'LB-2'");
    auto partial = bins("ASSET_NO,EASTING,NORTHING,MODEL,CAPACITY,CONDITION,INSTALLED\n"
                        "LB-2,358150,417260,Pole mounted,50,Fair,01/06/2015\n");
    partial.partial = true;
    const auto back = run("assets", partial);
    ASSERT_TRUE(back.ok) << back.to_text();
    EXPECT_EQ(back.updated, 1);
    EXPECT_EQ(back.retired, 0);
    EXPECT_EQ(query_int("SELECT id FROM street_assets WHERE reference = 'LB-2' AND status = "
                        "'active' AND removed_on IS NULL"),
              old_id);
    EXPECT_EQ(history("LB-2"), "insert,retire,reinstate");
    EXPECT_EQ(query_int("SELECT count(*) FROM street_assets WHERE status = 'active'"), 4);
}

TEST_F(AssetImport, HistoryIsAppendOnlyAndAssetsAreNeverDeleted) {
    ASSERT_TRUE(run("assets", bins(bins_csv)).ok);
    auto db = open();
    EXPECT_THROW(db.exec("UPDATE street_asset_history SET source = 'x'"), store::StoreError);
    EXPECT_THROW(db.exec("DELETE FROM street_asset_history"), store::StoreError);
    EXPECT_THROW(db.exec("DELETE FROM street_assets"), store::StoreError);
    EXPECT_EQ(query_int("SELECT count(*) FROM street_asset_history"), 3);
}

TEST_F(AssetImport, OtherTypesOnlyRetireTheirOwn) {
    ASSERT_TRUE(run("assets", bins(bins_csv)).ok);
    auto o = options(write("benches.csv", "reference,x,y,material,seats,owner\n"
                                          "BN-1,358000,417000,timber,3,Parish\n"));
    o.asset_type = "bench";
    o.source.crs = importers::SourceCrs::bng;
    const auto report = run("assets", o);
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(report.retired, 0);
    // Columns named as the type's attributes map themselves; an owner column is read.
    EXPECT_EQ(query_text("SELECT attributes || ' ' || owner FROM street_assets WHERE asset_type "
                         "= 'bench'"),
              R"({"material":"timber","seats":3} parish)");
    EXPECT_EQ(query_int("SELECT count(*) FROM street_assets WHERE status = 'active'"), 4);
}

TEST_F(AssetImport, PolygonsAndLinesKeepTheirGeometryWithAnAnchorOnThem) {
    auto grass = options(write("grass.geojson", R"({"type":"FeatureCollection",
"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[
{"type":"Feature","properties":{"ref":"AG-1","cut_type":"mow"},"geometry":{"type":"Polygon","coordinates":[[[358000,417000],[358040,417000],[358040,417020],[358000,417020],[358000,417000]]]}},
{"type":"Feature","properties":{"ref":"AG-2"},"geometry":{"type":"Polygon","coordinates":[[[358100,417000],[358140,417040],[358140,417000],[358100,417040],[358100,417000]]]}}
]})"));
    grass.asset_type = "amenity_grass";
    auto report = run("assets", grass);
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(report.inserted, 2);
    EXPECT_EQ(report.repaired, 1); // the bow tie
    EXPECT_EQ(query_int("SELECT count(*) FROM street_assets WHERE GeometryType(geom) = "
                        "'MULTIPOLYGON' AND ST_Covers(geom, MakePoint(anchor_e, anchor_n, "
                        "27700))"),
              2);
    EXPECT_EQ(query_text("SELECT round(ST_Area(geom)) FROM street_assets WHERE reference = "
                         "'AG-1'"),
              "800.0");

    auto segments = options(write("usrn.geojson", R"({"type":"FeatureCollection",
"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[
{"type":"Feature","properties":{"reference":"44001001","USRN":44001001,"street_name":"Market Street"},"geometry":{"type":"LineString","coordinates":[[358000,417000],[358100,417000],[358100,417100]]}}
]})"));
    segments.asset_type = "street_segment";
    report = run("assets", segments);
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(query_text("SELECT usrn || ' ' || GeometryType(geom) || ' ' || "
                         "ST_Distance(geom, MakePoint(anchor_e, anchor_n, 27700)) FROM "
                         "street_assets WHERE asset_type = 'street_segment'"),
              "44001001 LINESTRING 0.0");
}

TEST_F(AssetImport, BadRowsAreNamedByLineAndFieldAndNothingIsImported) {
    ASSERT_TRUE(run("assets", bins(bins_csv)).ok);
    auto o = bins("ASSET_NO,EASTING,NORTHING,MODEL,CAPACITY,CONDITION,INSTALLED\n"
                  "LB-1,358100.5,417200.25,Heritage,120,GOOD,2019-04-01\n"
                  ",358150,417260,Pole mounted,50,Fair,\n"
                  "LB-5,458150,517260,Pole mounted,50,Fair,\n"
                  "LB-6,358150,417260,Pole mounted,big,Fair,\n"
                  "LB-7,358150,417260,Pole mounted,50,Fair,31/02/2020\n"
                  "LB-1,358150,417260,Pole mounted,50,Fair,\n"
                  "LB-8,east,417260,Pole mounted,50,Fair,\n");
    o.bbox = geo::BBox{350000, 410000, 370000, 430000};
    const auto r = expect_failure("assets", o);
    EXPECT_EQ(r.rejected, 6);
    EXPECT_TRUE(rejected(r, 3, "ASSET_NO", "no asset reference")) << r.to_text();
    EXPECT_TRUE(rejected(r, 4, "EASTING", "outside the council's area")) << r.to_text();
    EXPECT_TRUE(rejected(r, 5, "CAPACITY", "not a whole number")) << r.to_text();
    EXPECT_TRUE(rejected(r, 6, "INSTALLED", "not a date")) << r.to_text();
    EXPECT_TRUE(rejected(r, 7, "ASSET_NO", "duplicate asset reference LB-1")) << r.to_text();
    EXPECT_TRUE(rejected(r, 8, "EASTING", "not a number")) << r.to_text();

    // With --skip-bad the good row is kept, and the refused ones are not retired (they are in
    // the file); LB-2 and LB-3 are.
    o.skip_bad = true;
    const auto kept = run("assets", o);
    ASSERT_TRUE(kept.ok) << kept.to_text();
    EXPECT_EQ(kept.status, "partial");
    EXPECT_EQ(kept.unchanged, 1);
    EXPECT_EQ(kept.retired, 2);
}

TEST_F(AssetImport, AGeometryOfTheWrongKindIsRejected) {
    auto o = options(write("trees.geojson", R"({"type":"FeatureCollection",
"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[
{"type":"Feature","properties":{"reference":"TR-1"},"geometry":{"type":"LineString","coordinates":[[358000,417000],[358100,417000]]}},
{"type":"Feature","properties":{"reference":"TR-2"},"geometry":null}
]})"));
    o.asset_type = "street_tree";
    const auto r = expect_failure("assets", o);
    EXPECT_TRUE(rejected(r, 1, "geometry", "not a point")) << r.to_text();
    EXPECT_TRUE(rejected(r, 2, "geometry", "no geometry")) << r.to_text();
}

TEST_F(AssetImport, OptionsAreCheckedBeforeAnythingIsRead) {
    auto o = options(write("bins.csv", bins_csv));
    EXPECT_NE(expect_failure("assets", o).error.find("--type"), std::string::npos);
    o.asset_type = "lamp_post";
    EXPECT_NE(expect_failure("assets", o).error.find("unknown asset type 'lamp_post'"),
              std::string::npos);
    o.asset_type = "litter_bin";
    o.attribute_fields = {"colour=MODEL"};
    EXPECT_NE(expect_failure("assets", o).error.find("has no attribute 'colour'"),
              std::string::npos);
    o.attribute_fields = {"bin_type"};
    EXPECT_NE(expect_failure("assets", o).error.find("is not NAME=FIELD"), std::string::npos);
    o.attribute_fields = {"bin_type=NOPE"};
    o.source.crs = importers::SourceCrs::bng;
    o.ref_field = "ASSET_NO";
    EXPECT_NE(expect_failure("assets", o).error.find("NOPE"), std::string::npos);
    o.attribute_fields = {};
    o.asset_type = "verge";
    o.x_field = "EASTING";
    o.y_field = "NORTHING";
    EXPECT_NE(expect_failure("assets", o).error.find("need the file's polygon geometry"),
              std::string::npos);
    // A file with no reference column says how to name one.
    auto none = options(write("none.csv", "EASTING,NORTHING\n358000,417000\n"));
    none.asset_type = "bench";
    none.source.crs = importers::SourceCrs::bng;
    EXPECT_NE(expect_failure("assets", none).error.find("--ref-field"), std::string::npos);
}

} // namespace
} // namespace wardmap
