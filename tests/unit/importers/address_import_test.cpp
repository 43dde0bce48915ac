// `wardmap import addresses` on small files written by each test: properties and one address
// each through the gazetteer writer (searchable at once), address parts or single-line text,
// re-imports that change nothing, and every bad row named by line and field.

#include "tests/unit/importers/import_fixture.hpp"

namespace wardmap {
namespace {

using testing::ImportFixture;

// Two properties in Chorley, WGS84 (GeoJSON's default), with the address in parts.
constexpr const char* parts_geojson = R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"UPRN":100010001,"paon":"12","street":"Market Street","town":"Chorley","postcode":"pr71ab","classification":"rd04"},"geometry":{"type":"Point","coordinates":[-2.630,53.650]}},
{"type":"Feature","properties":{"UPRN":"100010002","saon":"Flat 2","paon":"Rose Court","street":"Union Street","locality":"Town Centre","town":"Chorley","postcode":"PR7 1DP"},"geometry":{"type":"Point","coordinates":[-2.631,53.651]}}
]})";

class AddressImport : public ImportFixture {};

TEST_F(AddressImport, PartsFromGeoJsonBecomePropertiesAndSearchableAddresses) {
    const auto o = options(write("a.geojson", parts_geojson));
    const auto report = run("addresses", o);
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(report.read, 2);
    EXPECT_EQ(report.inserted, 2);
    EXPECT_EQ(query_int("SELECT count(*) FROM properties"), 2);
    EXPECT_EQ(query_text("SELECT classification FROM properties WHERE uprn = 100010001"), "RD04");
    EXPECT_EQ(query_text("SELECT classification FROM properties WHERE uprn = 100010002"), "U");
    // Reprojected with OSTN15: Chorley is near E 358 000, N 417 000.
    EXPECT_NEAR(std::stod(query_text("SELECT easting FROM properties WHERE uprn = 100010001")),
                358000, 2000);
    EXPECT_EQ(query_text("SELECT single_line FROM addresses WHERE uprn = 100010001"),
              "12 Market Street, Chorley, PR7 1AB");
    EXPECT_EQ(query_text("SELECT single_line FROM addresses WHERE uprn = 100010002"),
              "Flat 2, Rose Court, Union Street, Town Centre, Chorley, PR7 1DP");
    EXPECT_EQ(query_text("SELECT lpi_key || '|' || pao_start_number || '|' || street || '|' || "
                         "postcode FROM addresses WHERE uprn = 100010001"),
              "ADDR:100010001|12|Market Street|PR7 1AB");
    EXPECT_EQ(query_text("SELECT sao_text || ' ' || sao_start_number || '|' || pao_text FROM "
                         "addresses WHERE uprn = 100010002"),
              "Flat 2|Rose Court");
    EXPECT_EQ(found("market"), 1);
    EXPECT_EQ(found("union"), 1);
    EXPECT_EQ(query_text("SELECT kind || ' ' || inserted FROM imports"), "addresses 2");
}

constexpr const char* single_line_csv =
    "uprn,address,lon,lat\n"
    "100020001,\"12 Market Street, Chorley, PR7 1AB\",-2.630,53.650\n"
    "100020002,\"Flat 2, Rose Court, 14 Union Street, Chorley PR7 1DP\",-2.631,53.651\n"
    "100020003,\"Rose Cottage, Mill Lane, Astley Village, Chorley, PR7 1NP\",-2.632,53.652\n";

TEST_F(AddressImport, SingleLineTextFromCsvIsSplitIntoParts) {
    auto o = options(write("a.csv", single_line_csv));
    o.source.crs = importers::SourceCrs::wgs84;
    const auto report = run("addresses", o);
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(report.inserted, 3);
    EXPECT_EQ(query_text("SELECT pao_start_number || '|' || street || '|' || town || '|' || "
                         "postcode FROM addresses WHERE uprn = 100020001"),
              "12|Market Street|Chorley|PR7 1AB");
    EXPECT_EQ(query_text("SELECT sao_text || sao_start_number || '|' || pao_text || '|' || "
                         "pao_start_number || '|' || street || '|' || town || '|' || postcode "
                         "FROM addresses WHERE uprn = 100020002"),
              "Flat2|Rose Court|14|Union Street|Chorley|PR7 1DP");
    EXPECT_EQ(query_text("SELECT pao_text || '|' || street || '|' || locality || '|' || town || "
                         "'|' || postcode FROM addresses WHERE uprn = 100020003"),
              "Rose Cottage|Mill Lane|Astley Village|Chorley|PR7 1NP");
    EXPECT_EQ(query_text("SELECT single_line FROM addresses WHERE uprn = 100020002"),
              "Flat 2, Rose Court, 14 Union Street, Chorley, PR7 1DP");
    EXPECT_NEAR(std::stod(query_text("SELECT northing FROM properties WHERE uprn = 100020001")),
                417000, 2000);
    EXPECT_EQ(found("market"), 1);
}

TEST_F(AddressImport, ReImportingChangesNothingAndAChangeUpdatesInPlace) {
    auto o = options(write("a.csv", single_line_csv));
    o.source.crs = importers::SourceCrs::wgs84;
    ASSERT_TRUE(run("addresses", o).ok);
    const auto again = run("addresses", o);
    ASSERT_TRUE(again.ok) << again.to_text();
    EXPECT_EQ(again.inserted, 0);
    EXPECT_EQ(again.updated, 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM addresses"), 3);
    EXPECT_EQ(search_index()->size(), 3);

    o.source.path = write("b.csv", "uprn,address,lon,lat\n"
                                   "100020001,\"12 Market Place, Chorley, PR7 1AB\",-2.630,"
                                   "53.650\n");
    const auto changed = run("addresses", o);
    ASSERT_TRUE(changed.ok) << changed.to_text();
    EXPECT_EQ(changed.inserted, 0);
    EXPECT_EQ(changed.updated, 1);
    EXPECT_EQ(query_int("SELECT count(*) FROM addresses"), 3);
    EXPECT_EQ(query_text("SELECT street FROM addresses WHERE uprn = 100020001"), "Market Place");
    EXPECT_EQ(found("market"), 1);
    EXPECT_EQ(found("place"), 1);
}

TEST_F(AddressImport, BadRowsAreNamedAndNothingIsImportedUnlessSkipBad) {
    auto o = options(write("a.csv", "uprn,address,postcode,x,y\n"
                                    "100030001,12 Market Street,PR7 1AB,358000,417000\n"
                                    "abc,13 Market Street,PR7 1AB,358000,417000\n"
                                    "0,14 Market Street,PR7 1AB,358000,417000\n"
                                    "1000000000000,15 Market Street,PR7 1AB,358000,417000\n"
                                    ",16 Market Street,PR7 1AB,358000,417000\n"
                                    "100030001,17 Market Street,PR7 1AB,358000,417000\n"
                                    "100030008,,PR7 1AB,358000,417000\n"
                                    "100030009,19 Market Street,NOTAPC,358000,417000\n"
                                    "100030010,20 Market Street,PR7 1AB,400000,400000\n"
                                    "100030011,21 Market Street,PR7 1AB,,\n"));
    o.source.crs = importers::SourceCrs::bng;
    o.bbox = geo::BBox{350000, 410000, 365000, 425000};
    const auto report = expect_failure("addresses", o);
    EXPECT_EQ(report.rejected, 9) << report.to_text();
    EXPECT_TRUE(rejected(report, 3, "uprn", "'abc' is not a UPRN")) << report.to_text();
    EXPECT_TRUE(rejected(report, 4, "uprn", "not a UPRN")) << report.to_text();
    EXPECT_TRUE(rejected(report, 5, "uprn", "not a UPRN")) << report.to_text();
    EXPECT_TRUE(rejected(report, 6, "uprn", "no UPRN")) << report.to_text();
    EXPECT_TRUE(rejected(report, 7, "uprn", "duplicate UPRN 100030001 (first at 2)"))
        << report.to_text();
    EXPECT_TRUE(rejected(report, 8, "address", "empty address")) << report.to_text();
    EXPECT_TRUE(rejected(report, 9, "postcode", "'NOTAPC' is not a UK postcode"))
        << report.to_text();
    EXPECT_TRUE(rejected(report, 10, "x", "outside the council's extent")) << report.to_text();
    EXPECT_TRUE(rejected(report, 11, "x", "no position")) << report.to_text();
    EXPECT_NE(report.rejections[0].place.file.find("a.csv"), std::string::npos);

    o.skip_bad = true;
    const auto kept = run("addresses", o);
    ASSERT_TRUE(kept.ok) << kept.to_text();
    EXPECT_EQ(kept.status, "partial");
    EXPECT_EQ(query_int("SELECT count(*) FROM properties"), 1);
    EXPECT_EQ(query_int("SELECT count(*) FROM addresses"), 1);
    // Again: the good row is as the store has it, which is no failure.
    const auto replay = run("addresses", o);
    ASSERT_TRUE(replay.ok) << replay.to_text();
    EXPECT_EQ(replay.status, "partial");
    EXPECT_EQ(replay.inserted + replay.updated, 0);
}

TEST_F(AddressImport, AKnownUsrnNamesTheStreetAndAnUnknownOneKeepsTheFileText) {
    open().exec("INSERT INTO streets (usrn, descriptor, locality, town, street_type, geom, "
                "geom_wgs84) VALUES (44001001, 'MARKET STREET', NULL, 'CHORLEY', 1, "
                "GeomFromText('LINESTRING(358000 417000, 358100 417100)', 27700), "
                "GeomFromText('LINESTRING(-2.63 53.65, -2.628 53.652)', 4326))");
    auto o = options(write("a.csv", "UPRN,paon,street,USRN,postcode,x,y\n"
                                    "100050001,12,Market St,44001001,PR7 1AB,358000,417000\n"
                                    "100050002,3,Mill Lane,44009999,PR7 1AB,358010,417010\n"));
    o.source.crs = importers::SourceCrs::bng;
    const auto report = run("addresses", o);
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(query_text("SELECT usrn || '|' || single_line FROM addresses WHERE uprn = "
                         "100050001"),
              "44001001|12 MARKET STREET, CHORLEY, PR7 1AB");
    EXPECT_EQ(query_text("SELECT coalesce(usrn, 'none') || '|' || single_line FROM addresses "
                         "WHERE uprn = 100050002"),
              "none|3 Mill Lane, PR7 1AB");
    ASSERT_EQ(report.notes.size(), 1U) << report.to_text();
    EXPECT_NE(report.notes[0].find("1 address(es) name a USRN"), std::string::npos);
}

TEST_F(AddressImport, NonPointsAndMissingGeometriesAreRejected) {
    const std::string features = R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"UPRN":100040001,"address":"1 Mill Lane, Chorley"},"geometry":{"type":"Polygon","coordinates":[[[-2.64,53.65],[-2.62,53.65],[-2.62,53.66],[-2.64,53.65]]]}},
{"type":"Feature","properties":{"UPRN":100040002,"address":"2 Mill Lane, Chorley"},"geometry":null}]})";
    const auto report = expect_failure("addresses", options(write("p.geojson", features)));
    EXPECT_EQ(report.rejected, 2) << report.to_text();
    EXPECT_TRUE(rejected(report, 1, "geometry", "a POLYGON, not a point")) << report.to_text();
    EXPECT_TRUE(rejected(report, 2, "geometry", "no geometry")) << report.to_text();
}

TEST_F(AddressImport, AFileWithoutAddressColumnsOrUprnIsNamedWithItsOption) {
    auto o = options(write("a.csv", "id,name,x,y\n1,A,358000,417000\n"));
    o.source.crs = importers::SourceCrs::bng;
    const auto no_uprn = expect_failure("addresses", o);
    EXPECT_NE(no_uprn.error.find("--uprn-field"), std::string::npos) << no_uprn.error;
    o.uprn_field = "id";
    const auto no_address = expect_failure("addresses", o);
    EXPECT_NE(no_address.error.find("--address-field"), std::string::npos) << no_address.error;
    o.address_field = "name";
    o.street_field = "name";
    const auto both = expect_failure("addresses", o);
    EXPECT_NE(both.error.find("not both"), std::string::npos) << both.error;
}

} // namespace
} // namespace wardmap
