// `wardmap import llpg` on small DTF 7.3 and AddressBase Premium files written by each test:
// a full supply, replaying it, change-only files applied twice, and every bad input failing
// with file:line and field named and the database left byte-for-byte as it was.

#include "tests/unit/importers/import_fixture.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

namespace wardmap {
namespace {

using importers::ImportOptions;
using importers::ImportReport;
using testing::ImportFixture;

/// One CSV line from its fields; text fields are given already quoted by the caller.
std::string rec(std::size_t expected_fields, std::initializer_list<std::string> fields) {
    EXPECT_EQ(fields.size(), expected_fields) << "the test wrote a record with a wrong count";
    std::string line;
    bool first = true;
    for (const auto& f : fields) {
        line += (first ? "" : ",") + f;
        first = false;
    }
    return line + "\r\n";
}

std::string q(const std::string& text) {
    return "\"" + text + "\"";
}

std::string header(const char* type = "F") {
    return rec(9, {"10", q("CHORLEY COUNCIL"), "2325", "2026-01-01", "1", "2026-01-01", "00:00:00",
                   q("7.3"), q(type)});
}

std::string trailer(int count = 0) {
    return rec(5, {"99", "0", std::to_string(count), "2026-01-01", "00:00:00"});
}

std::string
street(const char* change, const std::string& usrn, double x = 358000, double y = 417000) {
    return rec(20, {"11",
                    change,
                    "1",
                    usrn,
                    "1",
                    q("2325"),
                    "2",
                    "2026-01-01",
                    "1",
                    "4",
                    "1",
                    "2026-01-01",
                    "2026-01-01",
                    "2026-01-01",
                    "",
                    std::to_string(x),
                    std::to_string(y),
                    std::to_string(x + 200),
                    std::to_string(y),
                    "10"});
}

std::string descriptor(const char* change, const std::string& usrn, const std::string& name) {
    return rec(9,
               {"15", change, "2", usrn, q(name), q(""), q("CHORLEY"), q("LANCASHIRE"), q("ENG")});
}

std::string blpu(const char* change,
                 const std::string& uprn,
                 const std::string& x = "358050",
                 const std::string& y = "417010",
                 const std::string& cls = "RD04") {
    return rec(23,
               {"21", change, "3",    uprn,         "1", "2",          "2026-01-01", q(cls), "", x,
                y,    "1",    "2325", "2026-01-01", "",  "2026-01-01", "2026-01-01", q(""),  "", "",
                "",   "",     ""});
}

struct Lpi {
    std::string uprn;
    std::string key;
    std::string sao_text;
    std::string pao_number;
    std::string pao_text;
    std::string usrn;
    std::string postcode = "PR7 1AB";
    std::string status = "1";
    std::string post_town = "CHORLEY";
};

std::string lpi(const char* change, const Lpi& l) {
    return rec(30, {"24",           change,       "4",          l.uprn, q(l.key),
                    q("ENG"),       l.status,     "2026-01-01", "",     "2026-01-01",
                    "2026-01-01",   "",           q(""),        "",     q(""),
                    q(l.sao_text),  l.pao_number, q(""),        "",     q(""),
                    q(l.pao_text),  l.usrn,       q(""),        q("Y"), q(l.postcode),
                    q(l.post_town), q("Y"),       "",           "",     ""});
}

constexpr const char* market = "10000001";
constexpr const char* church = "10000002";

/// Two streets, three properties, four addresses (one a flat in a named building).
std::string full_supply() {
    return header() + street("I", market) + descriptor("I", market, "MARKET STREET") +
           street("I", church, 358300, 417300) + descriptor("I", church, "CHURCH ROAD") +
           blpu("I", "100001") + blpu("I", "100002", "358060", "417020") +
           blpu("I", "100003", "358310", "417310", "CR07") +
           lpi("I", {"100001", "2325L000001", "FLAT 2", "12", "ROSE COURT", market}) +
           lpi("I", {"100002", "2325L000002", "", "14", "", market}) +
           lpi("I", {"100002", "2325L000003", "", "14", "", market, "PR7 1AB", "8"}) +
           lpi("I", {"100003", "2325L000004", "", "3", "", church, "PR7 2CD"}) + trailer(13);
}

class LlpgImport : public ImportFixture {
  protected:
    ImportOptions llpg(const std::filesystem::path& p) {
        auto o = options(p);
        o.bbox = geo::BBox{350000, 410000, 370000, 425000};
        return o;
    }
    ImportReport load(const std::string& name, const std::string& content) {
        return run("llpg", llpg(write(name, content)));
    }
    std::string single_line(const std::string& lpi_key) {
        return query_text("SELECT single_line FROM addresses WHERE lpi_key = '" + lpi_key + "'");
    }
    /// The store's gazetteer content, row by row, in key order.
    std::string digest() {
        std::string d;
        for (const char* sql :
             {"SELECT group_concat(r, '|') FROM (SELECT usrn || ',' || descriptor || ',' || "
              "ifnull(locality,'') || ',' || town || ',' || street_type || ',' || state || ',' || "
              "AsText(geom) AS r FROM streets ORDER BY usrn)",
              "SELECT group_concat(r, '|') FROM (SELECT uprn || ',' || logical_status || ',' || "
              "classification || ',' || easting || ',' || northing || ',' || lon || ',' || lat || "
              "',' || ifnull(parent_uprn,'') || ',' || AsText(geom) AS r FROM properties ORDER BY "
              "uprn)",
              "SELECT group_concat(r, '|') FROM (SELECT id || ',' || uprn || ',' || lpi_key || ',' "
              "|| logical_status || ',' || ifnull(usrn,'') || ',' || single_line || ',' || "
              "ifnull(postcode,'') AS r FROM addresses ORDER BY id)",
              "SELECT value FROM wardmap_meta WHERE key = 'addresses_generation'"}) {
            d += query_text(sql) + "\n";
        }
        return d;
    }
    ImportReport expect_llpg_failure(const std::string& name, const std::string& content) {
        return expect_failure("llpg", llpg(write(name, content)));
    }
};

TEST_F(LlpgImport, FullSupplyLoadsStreetsPropertiesAddressesAndSearch) {
    const auto report = load("full.csv", full_supply());
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(report.status, "ok");
    EXPECT_EQ(report.read, 11);
    EXPECT_EQ(report.rejected, 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM streets"), 2);
    EXPECT_EQ(query_int("SELECT count(*) FROM properties"), 3);
    EXPECT_EQ(query_int("SELECT count(*) FROM addresses"), 4);
    EXPECT_EQ(query_text("SELECT descriptor || '/' || town FROM streets WHERE usrn = 10000001"),
              "MARKET STREET/CHORLEY");
    EXPECT_EQ(single_line("2325L000001"), "FLAT 2, ROSE COURT, 12 MARKET STREET, CHORLEY, PR7 1AB");
    EXPECT_EQ(single_line("2325L000002"), "14 MARKET STREET, CHORLEY, PR7 1AB");
    EXPECT_EQ(single_line("2325L000004"), "3 CHURCH ROAD, CHORLEY, PR7 2CD");
    EXPECT_EQ(query_text("SELECT classification FROM properties WHERE uprn = 100003"), "CR07");
    EXPECT_EQ(query_text("SELECT easting || ',' || northing FROM properties WHERE uprn = 100001"),
              "358050.0,417010.0");
    // Search: the historical LPI (status 8) is kept but not searchable.
    EXPECT_EQ(search_index()->size(), 3);
    auto market_ids = search_index()->search({"market"}, false, 10);
    std::sort(market_ids.begin(), market_ids.end());
    EXPECT_EQ(market_ids,
              (std::vector<std::int64_t>{
                  query_int("SELECT id FROM addresses WHERE lpi_key = '2325L000001'"),
                  query_int("SELECT id FROM addresses WHERE lpi_key = '2325L000002'")}));
    EXPECT_EQ(found("church"), 1);
    EXPECT_EQ(found("pr71ab"), 2);
    EXPECT_EQ(query_int("SELECT count(*) FROM imports WHERE kind = 'llpg' AND status = 'ok'"), 1);
}

TEST_F(LlpgImport, ReplayingAFullSupplyChangesNothing) {
    ASSERT_TRUE(load("full.csv", full_supply()).ok);
    const auto before = digest();
    const auto again = load("full.csv", full_supply());
    ASSERT_TRUE(again.ok) << again.to_text();
    EXPECT_EQ(again.inserted, 0);
    EXPECT_EQ(again.updated, 0);
    EXPECT_EQ(again.deleted, 0);
    EXPECT_EQ(digest(), before);
}

TEST_F(LlpgImport, ChangeOnlyFileUpdatesAndDeletesAndIsIdempotent) {
    ASSERT_TRUE(load("full.csv", full_supply()).ok);
    const auto key2 = query_int("SELECT id FROM addresses WHERE lpi_key = '2325L000002'");
    const auto change = header("C") + descriptor("U", market, "HIGH STREET") +
                        blpu("U", "100001", "358070", "417030") +
                        lpi("D", {"100002", "2325L000002", "", "14", "", market}) +
                        blpu("D", "100003") + trailer(6);
    const auto first = load("change.csv", change);
    ASSERT_TRUE(first.ok) << first.to_text();
    EXPECT_GE(first.updated, 2);
    EXPECT_EQ(first.deleted, 2);
    EXPECT_EQ(single_line("2325L000001"), "FLAT 2, ROSE COURT, 12 HIGH STREET, CHORLEY, PR7 1AB");
    EXPECT_EQ(single_line("2325L000003"), "14 HIGH STREET, CHORLEY, PR7 1AB");
    EXPECT_EQ(query_text("SELECT easting || ',' || northing FROM properties WHERE uprn = 100001"),
              "358070.0,417030.0");
    EXPECT_EQ(query_text("SELECT round(X(geom)) FROM properties WHERE uprn = 100001"), "358070.0");
    EXPECT_EQ(query_int("SELECT count(*) FROM addresses WHERE lpi_key = '2325L000002'"), 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM properties WHERE uprn = 100003"), 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM addresses WHERE uprn = 100003"), 0);
    const auto high = search_index()->search({"high"}, false, 10);
    EXPECT_EQ(std::count(high.begin(), high.end(), key2), 0);
    EXPECT_EQ(found("church"), 0);
    EXPECT_EQ(found("market"), 0);
    EXPECT_EQ(found("high"), 1);
    EXPECT_EQ(static_cast<std::int64_t>(search_index()->size()), 1);
    const auto once = digest();
    const auto second = load("change.csv", change);
    ASSERT_TRUE(second.ok) << second.to_text();
    EXPECT_EQ(second.inserted, 0);
    EXPECT_EQ(second.deleted, 0);
    EXPECT_EQ(digest(), once);
}

TEST_F(LlpgImport, RenamingAStreetKeepsAnAddressesOwnPostTown) {
    ASSERT_TRUE(load("full.csv", full_supply()).ok);
    Lpi euxton{"100002", "2325L000005", "", "16", "", market};
    euxton.post_town = "EUXTON";
    ASSERT_TRUE(load("add.csv", header("C") + lpi("I", euxton) + trailer()).ok);
    EXPECT_EQ(single_line("2325L000005"), "16 MARKET STREET, EUXTON, PR7 1AB");
    const auto rename =
        load("rename.csv", header("C") + descriptor("U", market, "HIGH STREET") + trailer());
    ASSERT_TRUE(rename.ok) << rename.to_text();
    EXPECT_EQ(single_line("2325L000005"), "16 HIGH STREET, EUXTON, PR7 1AB");
    EXPECT_EQ(single_line("2325L000002"), "14 HIGH STREET, CHORLEY, PR7 1AB");
    EXPECT_EQ(query_text("SELECT town FROM addresses WHERE lpi_key = '2325L000005'"), "EUXTON");
    // Sending the same LPI again after the rename changes nothing.
    const auto again = load("add.csv", header("C") + lpi("I", euxton) + trailer());
    ASSERT_TRUE(again.ok) << again.to_text();
    EXPECT_EQ(again.updated, 0);
}

// ---- bad input: each fails naming the line and field; the database is unchanged ----

class LlpgBadInput : public LlpgImport {
  protected:
    void SetUp() override {
        LlpgImport::SetUp();
        ASSERT_TRUE(load("full.csv", full_supply()).ok);
    }
    /// A change file whose line 2 is `bad`.
    ImportReport bad_line(const std::string& bad) {
        return expect_llpg_failure("bad.csv", header("C") + bad + trailer());
    }
};

TEST_F(LlpgBadInput, WrongFieldCount) {
    const auto r =
        bad_line("21,I,3,100009,1,2,2026-01-01,\"RD04\",,358050,417010,1,2325,2026-01-01\r\n");
    EXPECT_TRUE(rejected(r, 2, "", "record 21 has 14 fields")) << r.to_text();
    EXPECT_NE(r.rejections.at(0).place.file.find("bad.csv"), std::string::npos);
}

TEST_F(LlpgBadInput, BadChangeType) {
    const auto r = bad_line(blpu("X", "100009"));
    EXPECT_TRUE(rejected(r, 2, "CHANGE_TYPE", "'X' is not I")) << r.to_text();
}

TEST_F(LlpgBadInput, UprnOutOfRange) {
    const auto r = bad_line(blpu("I", "1000000000000"));
    EXPECT_TRUE(rejected(r, 2, "UPRN", "out of range")) << r.to_text();
    const auto zero = bad_line(blpu("I", "0"));
    EXPECT_TRUE(rejected(zero, 2, "UPRN", "out of range")) << zero.to_text();
}

TEST_F(LlpgBadInput, CoordinatesOutsideTheGridOrTheExtent) {
    const auto grid = bad_line(blpu("I", "100009", "800000", "417010"));
    EXPECT_TRUE(rejected(grid, 2, "X_COORDINATE", "outside British National Grid"))
        << grid.to_text();
    const auto extent = bad_line(blpu("I", "100009", "400000", "417010"));
    EXPECT_TRUE(rejected(extent, 2, "X_COORDINATE", "outside the council's extent"))
        << extent.to_text();
}

TEST_F(LlpgBadInput, LpiBeforeItsBlpu) {
    const auto r = expect_llpg_failure(
        "bad.csv", header("C") + lpi("I", {"100009", "2325L000009", "", "20", "", market}) +
                       blpu("I", "100009") + trailer());
    EXPECT_TRUE(rejected(r, 2, "UPRN", "no BLPU (record 21) 100009")) << r.to_text();
}

TEST_F(LlpgBadInput, DescriptorForAnUnknownStreet) {
    const auto r = bad_line(descriptor("I", "10000099", "NOWHERE LANE"));
    EXPECT_TRUE(rejected(r, 2, "USRN", "no street (record 11) 10000099")) << r.to_text();
}

TEST_F(LlpgBadInput, HeaderNotFirst) {
    const auto r = expect_llpg_failure("bad.csv", blpu("I", "100009") + header() + trailer());
    EXPECT_NE(r.error.find("bad.csv:1"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("RECORD_IDENTIFIER"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("header (record 10)"), std::string::npos) << r.error;
}

TEST_F(LlpgBadInput, RecordAfterTheTrailer) {
    const auto r = expect_llpg_failure("bad.csv", header("C") + trailer() + blpu("I", "100009"));
    EXPECT_NE(r.error.find("bad.csv:3"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("after the trailer"), std::string::npos) << r.error;
}

TEST_F(LlpgBadInput, MissingTrailerIsATruncatedFile) {
    const auto r = expect_llpg_failure("bad.csv", header("C") + blpu("I", "100009"));
    EXPECT_NE(r.error.find("bad.csv:2"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("truncated"), std::string::npos) << r.error;
}

TEST_F(LlpgBadInput, EmptyFile) {
    const auto r = expect_llpg_failure("empty.csv", "");
    EXPECT_NE(r.error.find("empty.csv"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("empty"), std::string::npos) << r.error;
}

TEST_F(LlpgBadInput, GeoJsonIsNotATransferFile) {
    const auto r =
        expect_llpg_failure("wards.geojson", "{\"type\":\"FeatureCollection\",\"features\":[]}\n");
    EXPECT_NE(r.error.find("wards.geojson:1"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("not a gazetteer transfer"), std::string::npos) << r.error;
}

TEST_F(LlpgBadInput, Latin1WithoutEncodingFailsNamingTheField) {
    // "CAFÉ" in Latin-1 in PAO_TEXT, the 21st field.
    const auto r = bad_line(lpi("I", {"100001", "2325L000009", "", "", "CAF\xC9 ROYAL", market}));
    EXPECT_NE(r.error.find("bad.csv:2"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("field 21"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("UTF-8"), std::string::npos) << r.error;
}

TEST_F(LlpgImport, Latin1WithEncodingLoadsAsUtf8) {
    ASSERT_TRUE(load("full.csv", full_supply()).ok);
    auto o = llpg(write("latin1.csv",
                        header("C") +
                            lpi("I", {"100001", "2325L000009", "", "", "CAF\xC9 ROYAL", market}) +
                            trailer()));
    o.source.encoding = "LATIN1";
    const auto r = run("llpg", o);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(single_line("2325L000009"), "CAF\xC3\x89 ROYAL, MARKET STREET, CHORLEY, PR7 1AB");
    EXPECT_EQ(found("cafe"), 1);
}

TEST_F(LlpgImport, SkipBadKeepsTheGoodRows) {
    auto o = llpg(write("mixed.csv",
                        header() + street("I", market) + descriptor("I", market, "MARKET STREET") +
                            blpu("I", "100001") + blpu("Q", "100002") +
                            blpu("I", "100003", "900000", "417000") +
                            lpi("I", {"100001", "2325L000001", "", "1", "", market}) +
                            lpi("I", {"100002", "2325L000002", "", "2", "", market}) + trailer()));
    const auto strict = expect_failure("llpg", o);
    EXPECT_EQ(strict.rejected, 3);
    o.skip_bad = true;
    const auto r = run("llpg", o);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.status, "partial");
    EXPECT_EQ(r.rejected, 3);
    EXPECT_TRUE(rejected(r, 5, "CHANGE_TYPE", "'Q'")) << r.to_text();
    EXPECT_TRUE(rejected(r, 6, "X_COORDINATE", "outside British National Grid")) << r.to_text();
    EXPECT_TRUE(rejected(r, 8, "UPRN", "no BLPU (record 21) 100002")) << r.to_text();
    EXPECT_EQ(query_int("SELECT count(*) FROM properties"), 1);
    EXPECT_EQ(single_line("2325L000001"), "1 MARKET STREET, CHORLEY, PR7 1AB");
    EXPECT_EQ(static_cast<std::int64_t>(search_index()->size()), 1);
}

TEST_F(LlpgImport, AddressBasePremiumLayout) {
    // ABP: 24-field street, 13-field descriptor, 19-field BLPU with a postcode locator and no
    // class, 26-field LPI without postcode, record 32 for the class, other types skipped.
    const std::string abp_street =
        rec(24, {"11",    "I",          "1",          "10000001", "1",      "2325",
                 "2",     "2020-01-01", "1",          "4",        "1",      "2020-01-01",
                 "",      "2020-01-01", "2020-01-01", "358000",   "417000", "53.65",
                 "-2.63", "358200",     "417000",     "53.65",    "-2.62",  "10"});
    const std::string abp_descriptor =
        rec(13, {"15", "I", "2", "10000001", q("MARKET STREET"), q(""), q("CHORLEY"),
                 q("LANCASHIRE"), q("ENG"), "2020-01-01", "", "2020-01-01", "2020-01-01"});
    const std::string abp_blpu =
        rec(19, {"21", "I", "3", "100001", "1", "2", "2020-01-01", "", "358050", "417010", "1",
                 "2325", "2020-01-01", "", "2020-01-01", "2020-01-01", q("D"), q("PR71AB"), "0"});
    const std::string abp_lpi =
        rec(26, {"24",         "I",        "4",          "100001", q("2325L000001"),
                 q("ENG"),     "1",        "2020-01-01", "",       "2020-01-01",
                 "2020-01-01", "",         q(""),        "",       q(""),
                 q(""),        "12",       q(""),        "",       q(""),
                 q(""),        "10000001", "1",          q(""),    q(""),
                 q("Y")});
    const std::string abp_class =
        rec(12, {"32", "I", "5", "100001", q("2325C000001"), q("RD04"), q("AddressBase Premium"),
                 "1.0", "2020-01-01", "", "2020-01-01", "2020-01-01"});
    const std::string organisation =
        rec(6, {"31", "I", "6", "100001", q("2325O000001"), q("ACME")});
    const auto r = load("abp.csv", header() + abp_street + abp_descriptor + abp_blpu + abp_lpi +
                                       abp_class + organisation + trailer(8));
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.read, 5);
    EXPECT_EQ(single_line("2325L000001"), "12 MARKET STREET, CHORLEY, PR7 1AB");
    EXPECT_EQ(query_text("SELECT classification FROM properties WHERE uprn = 100001"), "RD04");
    EXPECT_EQ(query_text("SELECT postcode FROM addresses WHERE uprn = 100001"), "PR7 1AB");
    bool skipped = false;
    for (const auto& n : r.notes) {
        skipped = skipped || n.find("31 x1") != std::string::npos;
    }
    EXPECT_TRUE(skipped) << r.to_text();
    EXPECT_NE(r.detail.find("AddressBase Premium"), std::string::npos) << r.detail;
}

TEST_F(LlpgImport, AddressBasePremiumBlpuWithLatLonAndATrailerCountNote) {
    // 22-field BLPU: lat, lon after X, Y, a country, and the postcode locator at field 21.
    const std::string blpu22 =
        rec(22, {"21",         "I",    "1",          "100001",     "1",     "2",
                 "2020-01-01", "",     "358050",     "417010",     "53.65", "-2.63",
                 "1",          "2325", q("E"),       "2020-01-01", "",      "2020-01-01",
                 "2020-01-01", q("D"), q("PR7 2CD"), "0"});
    const std::string lpi26 = rec(26, {"24",
                                       "I",
                                       "2",
                                       "100001",
                                       q("2325L000001"),
                                       q("ENG"),
                                       "1",
                                       "2020-01-01",
                                       "",
                                       "2020-01-01",
                                       "2020-01-01",
                                       "",
                                       q(""),
                                       "",
                                       q(""),
                                       q(""),
                                       "7",
                                       q(""),
                                       "",
                                       q(""),
                                       q("MILL HOUSE"),
                                       "",
                                       "1",
                                       q(""),
                                       q(""),
                                       q("Y")});
    const auto r = load("abp22.csv", header() + blpu22 + lpi26 + trailer(999));
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(single_line("2325L000001"), "MILL HOUSE, 7, PR7 2CD");
    EXPECT_EQ(query_text("SELECT classification || ' ' || easting FROM properties"), "U 358050.0");
    bool note = false;
    for (const auto& n : r.notes) {
        note = note || n.find("the trailer says 999 records, the file has 4") != std::string::npos;
    }
    EXPECT_TRUE(note) << r.to_text();
}

} // namespace
} // namespace wardmap
