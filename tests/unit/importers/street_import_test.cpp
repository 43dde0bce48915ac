// `wardmap import streets` on small files written by each test: centrelines upserted by USRN,
// the LLPG's descriptor kept, MultiLineStrings merged, and every bad row named by line and
// field with the database left as it was.

#include "tests/unit/importers/import_fixture.hpp"

namespace wardmap {
namespace {

using testing::ImportFixture;

// Two streets in Chorley, WGS84, with the names of OS Open USRN-like files.
constexpr const char* streets_wgs84 = R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"USRN":44001001,"name":"Market Street","town":"Chorley"},"geometry":{"type":"LineString","coordinates":[[-2.630,53.650],[-2.628,53.652]]}},
{"type":"Feature","properties":{"USRN":"44001002","name":"Union Street","town":"Chorley","locality":"Town Centre"},"geometry":{"type":"MultiLineString","coordinates":[[[-2.632,53.650],[-2.631,53.651]],[[-2.631,53.651],[-2.630,53.652]]]}}
]})";

class StreetImport : public ImportFixture {};

TEST_F(StreetImport, CentrelinesAreStoredInBothCrsAndUpsertedByUsrn) {
    const auto o = options(write("s.geojson", streets_wgs84));
    const auto report = run("streets", o);
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(report.inserted, 2);
    EXPECT_EQ(query_int("SELECT count(*) FROM streets WHERE GeometryType(geom) = 'LINESTRING' "
                        "AND Srid(geom) = 27700 AND Srid(geom_wgs84) = 4326"),
              2);
    // Reprojected with OSTN15: Chorley is near E 358 000, N 417 000.
    EXPECT_NEAR(std::stod(query_text("SELECT X(StartPoint(geom)) FROM streets WHERE usrn = "
                                     "44001001")),
                358000, 2000);
    EXPECT_EQ(query_text("SELECT descriptor || '|' || town || '|' || coalesce(locality, '') "
                         "FROM streets WHERE usrn = 44001002"),
              "Union Street|Chorley|Town Centre");
    // The two parts of 44001002 join end to end, so it is one line of three points.
    EXPECT_EQ(query_int("SELECT NumPoints(geom) FROM streets WHERE usrn = 44001002"), 3);
    EXPECT_EQ(query_text("SELECT kind || ' ' || inserted FROM imports"), "streets 2");

    const auto again = run("streets", o);
    ASSERT_TRUE(again.ok) << again.to_text();
    EXPECT_EQ(again.inserted, 0);
    EXPECT_EQ(again.updated, 2);
    EXPECT_EQ(query_int("SELECT count(*) FROM streets"), 2);
}

TEST_F(StreetImport, AKnownStreetKeepsItsDescriptorUnlessTheFileGivesOne) {
    // As the LLPG importer leaves it: a 2-point line from the street record's start and end.
    open().exec("INSERT INTO streets (usrn, descriptor, locality, town, street_type, geom, "
                "geom_wgs84) VALUES (44001001, 'MARKET STREET', NULL, 'CHORLEY', 1, "
                "GeomFromText('LINESTRING(358000 417000, 358100 417100)', 27700), "
                "GeomFromText('LINESTRING(-2.63 53.65, -2.628 53.652)', 4326))");
    auto o = options(write("s.csv", "usrn,street,WKT\n44001001,,\"LINESTRING(358000 417000, "
                                    "358050 417040, 358100 417100)\"\n"));
    o.source.crs = importers::SourceCrs::bng;
    const auto report = run("streets", o);
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(report.updated, 1);
    EXPECT_EQ(query_text("SELECT descriptor || '|' || town || '|' || street_type || '|' || "
                         "NumPoints(geom) FROM streets"),
              "MARKET STREET|CHORLEY|1|3");

    o.source.path = write("s.csv", "usrn,street,WKT\n44001001,Market Street,\"LINESTRING(358000 "
                                   "417000, 358100 417100)\"\n");
    ASSERT_TRUE(run("streets", o).ok);
    EXPECT_EQ(query_text("SELECT descriptor FROM streets"), "Market Street");
}

TEST_F(StreetImport, APartedMultiLineStringKeepsItsLongestPartAndSaysSo) {
    auto o = options(write("s.csv", "USRN,name,WKT\n44001003,Gap Lane,\"MULTILINESTRING((358000 "
                                    "417000, 358100 417000), (358200 417000, 358500 417000))\"\n"));
    o.source.crs = importers::SourceCrs::bng;
    const auto report = run("streets", o);
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(query_text("SELECT AsText(geom) FROM streets"),
              "LINESTRING(358200 417000, 358500 417000)");
    ASSERT_EQ(report.notes.size(), 1U) << report.to_text();
    EXPECT_NE(report.notes[0].find("kept the longest (300 m of 400 m)"), std::string::npos)
        << report.notes[0];
    EXPECT_NE(report.notes[0].find("44001003"), std::string::npos) << report.notes[0];
}

TEST_F(StreetImport, BadRowsAreNamedAndNothingIsImportedUnlessSkipBad) {
    const std::string line = "\"LINESTRING(358000 417000, 358100 417100)\"";
    auto o = options(write("s.csv", "USRN,name,WKT\n"
                                    "44001001,Good Street," +
                                        line +
                                        "\n"
                                        "abc,Letters Street," +
                                        line +
                                        "\n"
                                        "0,Zero Street," +
                                        line +
                                        "\n"
                                        "123456789,Nine Digit Street," +
                                        line +
                                        "\n"
                                        "44001001,Twice Street," +
                                        line +
                                        "\n"
                                        "44001005,Point Street,\"POINT(358000 417000)\"\n"
                                        "44001006,Far Street,\"LINESTRING(400000 400000, "
                                        "400100 400100)\"\n"
                                        "44001007,No Geometry Street,\n"));
    o.source.crs = importers::SourceCrs::bng;
    o.bbox = geo::BBox{350000, 410000, 365000, 425000};
    const auto report = expect_failure("streets", o);
    EXPECT_EQ(report.rejected, 7) << report.to_text();
    EXPECT_TRUE(rejected(report, 3, "USRN", "'abc' is not a USRN")) << report.to_text();
    EXPECT_TRUE(rejected(report, 4, "USRN", "not a USRN")) << report.to_text();
    EXPECT_TRUE(rejected(report, 5, "USRN", "not a USRN")) << report.to_text();
    EXPECT_TRUE(rejected(report, 6, "USRN", "duplicate USRN 44001001 (first at 2)"))
        << report.to_text();
    EXPECT_TRUE(rejected(report, 7, "geometry", "not a line")) << report.to_text();
    EXPECT_TRUE(rejected(report, 8, "geometry", "outside the council's extent"))
        << report.to_text();
    EXPECT_TRUE(rejected(report, 9, "geometry", "no geometry")) << report.to_text();
    EXPECT_NE(report.rejections[0].place.file.find("s.csv"), std::string::npos);

    o.skip_bad = true;
    const auto kept = run("streets", o);
    ASSERT_TRUE(kept.ok) << kept.to_text();
    EXPECT_EQ(kept.status, "partial");
    EXPECT_EQ(query_int("SELECT count(*) FROM streets"), 1);
}

TEST_F(StreetImport, AMissingUsrnColumnIsNamedWithItsOption) {
    auto o = options(write("s.csv", "id,name,WKT\n1,A Street,\"LINESTRING(358000 417000, 358100 "
                                    "417100)\"\n"));
    o.source.crs = importers::SourceCrs::bng;
    const auto report = expect_failure("streets", o);
    EXPECT_NE(report.error.find("field 'USRN'"), std::string::npos) << report.error;
    EXPECT_NE(report.error.find("--usrn-field"), std::string::npos) << report.error;
    o.usrn_field = "id";
    o.name_field = "nom";
    const auto named = expect_failure("streets", o);
    EXPECT_NE(named.error.find("field 'nom'"), std::string::npos) << named.error;
    o.name_field.clear();
    ASSERT_TRUE(run("streets", o).ok);
    EXPECT_EQ(query_text("SELECT usrn || ' ' || descriptor FROM streets"), "1 A Street");
}

TEST_F(StreetImport, PolygonsAreNotStreets) {
    const std::string polygons = R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"USRN":44001001},"geometry":{"type":"Polygon","coordinates":[[[-2.64,53.65],[-2.62,53.65],[-2.62,53.66],[-2.64,53.65]]]}}]})";
    const auto report = expect_failure("streets", options(write("p.geojson", polygons)));
    EXPECT_TRUE(rejected(report, 1, "geometry", "a POLYGON, not a line")) << report.to_text();
}

} // namespace
} // namespace wardmap
