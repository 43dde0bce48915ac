// `wardmap import llpg` on the public AddressBase Premium samples in ../shared/data/addresses:
// the Dundee extract loads (ABP layouts, classification from record 32, other types skipped),
// and the sample with bad rows fails naming each bad line, leaving the database unchanged.

#include "tests/unit/importers/import_fixture.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wardmap {
namespace {

class LlpgRealdata : public testing::ImportFixture {
  protected:
    importers::ImportOptions dundee(const std::filesystem::path& file) {
        auto o = options(file);
        o.bbox = geo::BBox{300000, 700000, 400000, 800000};
        return o;
    }
};

TEST_F(LlpgRealdata, DundeeAddressBasePremiumSampleImports) {
    WARDMAP_REQUIRE_SHARED_DATA(data);
    const auto report =
        run("llpg", dundee(data / "addresses/addressbase_premium_sample_dundee_alphagov.csv"));
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(report.rejected, 0);
    EXPECT_EQ(query_text("SELECT easting || ',' || northing FROM properties "
                         "WHERE uprn = 9059007610"),
              "346782.0,732382.0");
    EXPECT_EQ(query_text("SELECT classification FROM properties WHERE uprn = 9059007610"), "RD");
    EXPECT_EQ(query_text("SELECT descriptor || '/' || locality || '/' || town FROM streets "
                         "WHERE usrn = 7803555"),
              "WEST QUEEN STREET/BROUGHTY FERRY/DUNDEE");
    EXPECT_EQ(query_text("SELECT lpi_key || ' ' || postcode FROM addresses "
                         "WHERE uprn = 9059007610"),
              "9059L000006573 DD5 3BZ");
    std::string notes;
    for (const auto& n : report.notes) {
        notes += n + "\n";
    }
    EXPECT_NE(notes.find("23 x1"), std::string::npos) << notes;
    EXPECT_NE(notes.find("28 x1"), std::string::npos) << notes;
    EXPECT_NE(notes.find("31 x1"), std::string::npos) << notes;
    EXPECT_NE(report.detail.find("AddressBase Premium"), std::string::npos) << report.detail;
}

TEST_F(LlpgRealdata, SampleWithBadRowsFailsNamingEachLine) {
    WARDMAP_REQUIRE_SHARED_DATA(data);
    const auto report = expect_failure(
        "llpg", dundee(data / "addresses/addressbase_premium_sample_with_bad_rows_alphagov.csv"));
    EXPECT_EQ(report.rejected, 4) << report.to_text();
    EXPECT_TRUE(rejected(report, 3, "USRN", "no street (record 11) 7803555")) << report.to_text();
    EXPECT_TRUE(rejected(report, 2, "", "record 32 has 2 fields")) << report.to_text();
    EXPECT_TRUE(rejected(report, 4, "", "record 15 has 2 fields")) << report.to_text();
    EXPECT_TRUE(rejected(report, 9, "UPRN", "no BLPU (record 21) 117076025")) << report.to_text();
    for (const auto& r : report.rejections) {
        EXPECT_NE(r.place.file.find("with_bad_rows"), std::string::npos) << r.place.file;
    }
    EXPECT_EQ(query_int("SELECT count(*) FROM properties"), 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM addresses"), 0);
}

} // namespace
} // namespace wardmap
