// The GDAL import framework and the wards/postcodes kinds on small files written by each test:
// good imports, and every bad input failing with file/line/field named and the database
// left byte-for-byte as it was.

#include "geo/postcode.hpp"
#include "geo/store/database.hpp"
#include "geo/store/generations.hpp"
#include "geo/store/migrations.hpp"
#include "importers/import.hpp"
#include "tests/support/test_paths.hpp"
#include "tests/unit/importers/import_fixture.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace wardmap {
namespace {

using importers::ImportOptions;
using importers::ImportReport;

// Two adjacent squares in Chorley (lon/lat), and the same area in EPSG:27700.
constexpr const char* wards_wgs84 = R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"WD20CD":"E05000001","WD20NM":"North"},"geometry":{"type":"Polygon","coordinates":[[[-2.64,53.65],[-2.62,53.65],[-2.62,53.66],[-2.64,53.66],[-2.64,53.65]]]}},
{"type":"Feature","properties":{"WD20CD":"E05000002","WD20NM":"South"},"geometry":{"type":"Polygon","coordinates":[[[-2.64,53.64],[-2.62,53.64],[-2.62,53.65],[-2.64,53.65],[-2.64,53.64]]]}}
]})";

constexpr const char* bowtie_27700 = R"({"type":"FeatureCollection",
"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[
{"type":"Feature","properties":{"ons_code":"E05000009","name":"Bowtie"},"geometry":{"type":"Polygon","coordinates":[[[358000,417000],[359000,418000],[359000,417000],[358000,418000],[358000,417000]]]}}
]})";

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

class Import : public wardmap::testing::ImportFixture {
  protected:
    std::int64_t count(const std::string& table) {
        auto db = store::Database::open(m_db);
        return db.query_int("SELECT count(*) FROM " + table).value_or(-1);
    }
    static ImportOptions wards(const std::filesystem::path& p, const char* set = "2020") {
        ImportOptions o;
        o.source.path = p;
        o.set_label = set;
        o.valid_from = "2020-05-07";
        return o;
    }
    /// Runs an import that must fail, and checks the database did not change at all.
    ImportReport expect_failure(const char* kind, const ImportOptions& options) {
        const auto before = snapshot();
        const auto imports_before = count("imports");
        auto report = run(kind, options);
        EXPECT_FALSE(report.ok) << report.to_text();
        EXPECT_EQ(report.status, "failed");
        EXPECT_EQ(snapshot(), before) << "the database changed";
        EXPECT_EQ(count("imports"), imports_before);
        return report;
    }
};

TEST(Postcode, NormalisesAndValidates) {
    EXPECT_EQ(geo::normalise_postcode("PR71AB"), "PR7 1AB");
    EXPECT_EQ(geo::normalise_postcode("pr7 1ab"), "PR7 1AB");
    EXPECT_EQ(geo::normalise_postcode("PR254SE"), "PR25 4SE");
    EXPECT_EQ(geo::normalise_postcode("sw1a 1aa"), "SW1A 1AA");
    EXPECT_FALSE(geo::normalise_postcode("PR7"));
    EXPECT_FALSE(geo::normalise_postcode("HELLO"));
}

TEST_F(Import, WardsFromWgs84GeoJsonFindOnsFieldsAndAreRecorded) {
    const auto report = run("wards", wards(write("w.geojson", wards_wgs84)));
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(report.read, 2);
    EXPECT_EQ(report.inserted, 2);
    EXPECT_EQ(report.sha256.size(), 64U);
    EXPECT_EQ(count("wards"), 2);
    auto db = store::Database::open(m_db);
    // Reprojected to 27700 with OSTN15: Chorley is near E 358 000, N 417 000.
    const auto x = db.query_text("SELECT X(Centroid(geom)) FROM wards WHERE code='E05000001'");
    ASSERT_TRUE(x);
    EXPECT_NEAR(std::stod(*x), 358000, 2000);
    EXPECT_EQ(db.query_text("SELECT status || ' ' || kind || ' ' || inserted FROM imports"),
              "ok wards 2");
    EXPECT_EQ(store::generation(db, "wards"), "1") << "running servers are told to reload";
}

TEST_F(Import, ReimportingASetReplacesItsWards) {
    ASSERT_TRUE(run("wards", wards(write("w.geojson", wards_wgs84))).ok);
    const auto again = run("wards", wards(write("w.geojson", wards_wgs84)));
    ASSERT_TRUE(again.ok) << again.to_text();
    EXPECT_EQ(again.updated, 2);
    EXPECT_EQ(again.inserted, 0);
    EXPECT_EQ(count("wards"), 2);
    EXPECT_EQ(count("boundary_sets"), 1);
}

TEST_F(Import, OverlappingSetNeedsSupersede) {
    ASSERT_TRUE(run("wards", wards(write("w.geojson", wards_wgs84), "2013")).ok);
    auto next = wards(write("w.geojson", wards_wgs84), "2024");
    next.valid_from = "2024-05-02";
    const auto report = expect_failure("wards", next);
    EXPECT_NE(report.error.find("--supersede"), std::string::npos) << report.error;
    next.supersede = true;
    ASSERT_TRUE(run("wards", next).ok);
    auto db = store::Database::open(m_db);
    EXPECT_EQ(db.query_text("SELECT valid_to FROM boundary_sets WHERE label='2013'"), "2024-05-02");
}

TEST_F(Import, InvalidGeometryIsRejectedOrRepaired) {
    auto o = wards(write("bow.geojson", bowtie_27700));
    o.invalid = importers::InvalidGeometry::reject;
    const auto report = expect_failure("wards", o);
    ASSERT_EQ(report.rejections.size(), 1U);
    EXPECT_EQ(report.rejections[0].place.line, 1);
    EXPECT_EQ(report.rejections[0].place.field, "geometry");
    EXPECT_NE(report.rejections[0].reason.find("invalid geometry"), std::string::npos);
    EXPECT_NE(report.rejections[0].place.file.find("bow.geojson"), std::string::npos);
    o.invalid = importers::InvalidGeometry::repair;
    const auto repaired = run("wards", o);
    ASSERT_TRUE(repaired.ok) << repaired.to_text();
    EXPECT_EQ(repaired.repaired, 1);
    EXPECT_EQ(count("wards"), 1);
}

TEST_F(Import, WardsOutsideTheExtentAreRejected) {
    auto o = wards(write("w.geojson", wards_wgs84));
    o.bbox = geo::BBox{400000, 400000, 410000, 410000};
    const auto report = expect_failure("wards", o);
    EXPECT_EQ(report.rejected, 2);
    EXPECT_NE(report.rejections[0].reason.find("extent"), std::string::npos);
}

TEST_F(Import, PostcodeCsvIsNormalisedStoredTwiceAndUpserted) {
    ImportOptions o;
    o.source.path = write("pc.csv", "pc,east,north\npr71ab,358000,417000\nPR7 2CD,358100,417100\n");
    o.source.crs = importers::SourceCrs::bng;
    o.postcode_field = "pc";
    o.x_field = "east";
    o.y_field = "north";
    const auto report = run("postcodes", o);
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(report.inserted, 2);
    {
        auto db = store::Database::open(m_db);
        EXPECT_EQ(db.query_int("SELECT count(*) FROM postcodes WHERE postcode='PR7 1AB' AND "
                               "abs(lon + 2.63) < 0.05 AND abs(lat - 53.65) < 0.05 AND "
                               "X(geom) = 358000 AND geom_wgs84 IS NOT NULL"),
                  1);
    }
    const auto again = run("postcodes", o);
    ASSERT_TRUE(again.ok);
    EXPECT_EQ(again.updated, 2);
    EXPECT_EQ(count("postcodes"), 2);
}

TEST_F(Import, HeaderlessCsvTakesColumnsFromAHeaderFile) {
    ImportOptions o;
    o.source.path = write("pr.csv", "\"PR7 1AB\",10,358000,417000,\"E05005176\"\n");
    o.source.columns = importers::read_columns_file(
        write("headers.csv", "PC,PQ,EA,NO,WC\nPostcode,Quality,Eastings,Northings,Ward\n"));
    o.source.crs = importers::SourceCrs::bng;
    const auto report = run("postcodes", o);
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(count("postcodes"), 1);
}

TEST_F(Import, BadRowsFailTheImportUnlessSkipBad) {
    ImportOptions o;
    o.source.path = write("pc.csv", "Postcode,Eastings,Northings\nPR7 1AB,358000,417000\n"
                                    "NOT A CODE,358000,417000\nPR7 1AB,358000,417000\n"
                                    "PR7 3EF,35x,417000\n");
    o.source.crs = importers::SourceCrs::bng;
    const auto report = expect_failure("postcodes", o);
    ASSERT_EQ(report.rejected, 3);
    EXPECT_EQ(report.rejections[0].place.line, 3);
    EXPECT_EQ(report.rejections[0].place.field, "Postcode");
    EXPECT_NE(report.rejections[1].reason.find("duplicate"), std::string::npos);
    EXPECT_EQ(report.rejections[2].place.line, 5);
    EXPECT_EQ(report.rejections[2].place.field, "Eastings");
    EXPECT_NE(report.to_json().find("\"line\":3"), std::string::npos);
    o.skip_bad = true;
    const auto kept = run("postcodes", o);
    ASSERT_TRUE(kept.ok);
    EXPECT_EQ(kept.status, "partial");
    EXPECT_EQ(kept.inserted, 1);
    EXPECT_EQ(count("postcodes"), 1);
}

TEST_F(Import, Latin1TextNeedsEncoding) {
    // A ward CSV with WKT geometry and a Latin-1 name ("Sóuth" with 0xF3).
    ImportOptions o = wards(write("w.csv", "code,name,WKT\nE05000003,S\xF3uth,"
                                           "\"POLYGON((358000 417000,359000 417000,359000 "
                                           "418000,358000 418000,358000 417000))\"\n"));
    o.source.crs = importers::SourceCrs::bng;
    const auto report = expect_failure("wards", o);
    ASSERT_EQ(report.rejections.size(), 1U);
    EXPECT_EQ(report.rejections[0].place.line, 2);
    EXPECT_EQ(report.rejections[0].place.field, "name");
    EXPECT_NE(report.rejections[0].reason.find("--encoding"), std::string::npos);
    o.source.encoding = "LATIN1";
    const auto ok = run("wards", o);
    ASSERT_TRUE(ok.ok) << ok.to_text();
    auto db = store::Database::open(m_db);
    EXPECT_EQ(db.query_text("SELECT name FROM wards"), "S\xC3\xB3uth");
}

TEST_F(Import, EmptyFileFails) {
    const auto report = expect_failure("wards", wards(write("empty.geojson", "")));
    EXPECT_NE(report.error.find("empty.geojson"), std::string::npos);
    EXPECT_NE(report.error.find("empty"), std::string::npos);
}

TEST_F(Import, TextThatIsNotGeodataFails) {
    const auto report = expect_failure("wards", wards(write("notes.txt", "just some notes\n")));
    EXPECT_NE(report.error.find("notes.txt"), std::string::npos);
    EXPECT_NE(report.error.find("not a vector dataset"), std::string::npos) << report.error;
}

TEST_F(Import, MissingColumnIsNamed) {
    ImportOptions o;
    o.source.path = write("pc.csv", "code,Eastings,Northings\nPR7 1AB,358000,417000\n");
    o.source.crs = importers::SourceCrs::bng;
    const auto report = expect_failure("postcodes", o);
    EXPECT_NE(report.error.find("pc.csv:1"), std::string::npos) << report.error;
    EXPECT_NE(report.error.find("field 'Postcode'"), std::string::npos) << report.error;
    EXPECT_NE(report.error.find("--postcode-field"), std::string::npos) << report.error;
}

TEST_F(Import, MissingCrsIsRefusedUnlessGiven) {
    ImportOptions o;
    o.source.path = write("pc.csv", "Postcode,Eastings,Northings\nPR7 1AB,358000,417000\n");
    const auto report = expect_failure("postcodes", o);
    EXPECT_NE(report.error.find("no CRS"), std::string::npos) << report.error;
    EXPECT_NE(report.error.find("--crs"), std::string::npos);
}

TEST_F(Import, OtherCrsIsRefused) {
    const std::string web_mercator = R"({"type":"FeatureCollection",
"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[
{"type":"Feature","properties":{"code":"E1","name":"X"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]})";
    const auto report = expect_failure("wards", wards(write("m.geojson", web_mercator)));
    EXPECT_NE(report.error.find("unsupported CRS"), std::string::npos) << report.error;
}

TEST(Progress, PrintsPeriodicLinesWhenNotATerminal) {
    testing::TempDir tmp;
    const auto path = tmp.path() / "progress.txt";
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    {
        importers::Progress p(importers::Progress::Mode::automatic, f); // a file: lines
        p.start("import postcodes", 10);
        p.update(10);
        p.finish();
    }
    std::fclose(f);
    const auto text = read_all(path);
    EXPECT_NE(text.find("import postcodes: 10 of 10 rows"), std::string::npos) << text;
    EXPECT_EQ(text.find('\r'), std::string::npos) << "no bar outside a terminal";
}

} // namespace
} // namespace wardmap
