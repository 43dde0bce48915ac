#include "geo/store/migrations.hpp"
#include "importers/dtf_writer.hpp"
#include "importers/llpg_export.hpp"
#include "tests/support/dtf_records.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

namespace wardmap::importers {
namespace {

using testing::DtfRecord;
using testing::read_dtf;

/// Fields per record as the table in docs/llpg-format.md gives them for DTF 7.3.
const std::map<int, std::size_t> dtf73_fields = {{10, 9},  {11, 20}, {15, 9},
                                                 {21, 23}, {24, 30}, {99, 5}};

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

DtfHeader header() {
    DtfHeader h;
    h.custodian_name = "CHORLEY BOROUGH COUNCIL";
    h.custodian_code = 2320;
    h.process_date = "2026-11-01";
    h.entry_date = "2026-11-01";
    h.time_stamp = "12:34:56";
    return h;
}

StreetRecord street(std::int64_t usrn) {
    StreetRecord s;
    s.usrn = usrn;
    s.swa_org_ref_naming = 2320;
    s.state = 2;
    s.state_date = s.record_entry_date = s.last_update_date = s.start_date = "2026-11-01";
    s.start_x = 358500.126;
    s.start_y = 417500;
    s.end_x = 358600.5;
    s.end_y = 417600.004;
    return s;
}

BlpuRecord blpu(std::int64_t uprn) {
    BlpuRecord b;
    b.uprn = uprn;
    b.blpu_class = "RD04";
    b.x = 358510.25;
    b.y = 417510.75;
    b.local_custodian_code = 2320;
    b.start_date = b.last_update_date = b.entry_date = "2026-11-01";
    return b;
}

LpiRecord lpi(std::int64_t uprn, std::int64_t usrn) {
    LpiRecord l;
    l.uprn = uprn;
    l.usrn = usrn;
    l.lpi_key = "2320L000000001";
    l.start_date = l.entry_date = l.last_update_date = "2026-11-01";
    l.sao = parse_addressable_object("FLAT 2");
    l.pao = parse_addressable_object("12A-14");
    l.pao.text = "ROSE COURT";
    l.postcode = "PR7 1AB";
    l.post_town = "CHORLEY";
    return l;
}

/// A small file with every record type, and its records read back.
class DtfWriterFile : public ::testing::Test {
  protected:
    std::vector<DtfRecord> write_small(DtfWriterOptions options = {}) {
        DtfWriter w(m_path, header(), options);
        w.write(street(44000001));
        w.write(street(44000002));
        DescriptorRecord d;
        d.usrn = 44000001;
        d.descriptor = "ST THOMAS'S \"NEW\" ROAD";
        d.town = "CHORLEY";
        d.administrative_area = "LANCASHIRE";
        w.write(d);
        d.usrn = 44000002;
        d.descriptor = "MARKET STREET";
        d.locality = "EUXTON";
        w.write(d);
        w.write(blpu(100010000001));
        w.write(blpu(100010000002));
        w.write(lpi(100010000001, 44000001));
        w.write(lpi(100010000002, 44000002));
        w.close();
        EXPECT_EQ(w.records(), 10);
        return read_dtf(m_path);
    }
    testing::TempDir m_tmp;
    std::filesystem::path m_path = m_tmp.path() / "llpg.csv";
};

TEST_F(DtfWriterFile, EveryRecordHasTheFieldCountOfTheFormatTable) {
    const auto records = write_small();
    ASSERT_EQ(records.size(), 10U);
    for (const auto& r : records) {
        ASSERT_TRUE(dtf73_fields.contains(r.id())) << r.line;
        EXPECT_EQ(r.fields.size(), dtf73_fields.at(r.id())) << r.line;
    }
}

TEST_F(DtfWriterFile, HeaderFirstThenStreetsDescriptorsBlpusLpisAndTrailerLast) {
    const auto records = write_small();
    std::vector<int> ids;
    for (const auto& r : records) {
        ids.push_back(r.id());
    }
    EXPECT_EQ(ids, (std::vector<int>{10, 11, 11, 15, 15, 21, 21, 24, 24, 99}));
    const auto& h = records.front().fields;
    EXPECT_EQ(h[1], "CHORLEY BOROUGH COUNCIL");
    EXPECT_EQ(h[2], "2320");
    EXPECT_EQ(h[3], "2026-11-01");
    EXPECT_EQ(h[6], "12:34:56");
    EXPECT_EQ(h[7], "7.3");
    EXPECT_EQ(h[8], "F");
    const auto& t = records.back().fields;
    EXPECT_EQ(t[2], "10") << "the trailer counts every record, header and trailer included";
    EXPECT_EQ(t[3], "2026-11-01");
    // PRO_ORDER runs 1, 2, ... over the data records.
    for (std::size_t i = 1; i + 1 < records.size(); ++i) {
        EXPECT_EQ(records[i].fields[1], "I");
        EXPECT_EQ(records[i].fields[2], std::to_string(i));
    }
}

TEST_F(DtfWriterFile, TextIsQuotedWithInnerQuotesDoubledAndEmptyValuesAreEmpty) {
    write_small();
    const std::string text = read_all(m_path);
    EXPECT_NE(
        text.find(R"(15,"I",3,44000001,"ST THOMAS'S ""NEW"" ROAD",,"CHORLEY","LANCASHIRE","ENG")"),
        std::string::npos)
        << text;
    const auto records = read_dtf(m_path);
    EXPECT_EQ(records[3].fields[4], "ST THOMAS'S \"NEW\" ROAD");
    EXPECT_TRUE(records[3].quoted[4]);
    EXPECT_EQ(records[3].fields[5], "");
    EXPECT_FALSE(records[3].quoted[5]);
    EXPECT_EQ(records[4].fields[5], "EUXTON");
    // Numbers and dates are bare.
    EXPECT_FALSE(records[3].quoted[3]);
    EXPECT_FALSE(records[1].quoted[7]);
}

TEST_F(DtfWriterFile, CoordinatesHaveTwoDecimals) {
    const auto records = write_small();
    const auto& s = records[1].fields;
    EXPECT_EQ(s[15], "358500.13");
    EXPECT_EQ(s[16], "417500.00");
    EXPECT_EQ(s[17], "358600.50");
    EXPECT_EQ(s[18], "417600.00");
    EXPECT_EQ(s[19], "10");
    const auto& b = records[5].fields;
    EXPECT_EQ(b[3], "100010000001");
    EXPECT_EQ(b[7], "RD04");
    EXPECT_EQ(b[9], "358510.25");
    EXPECT_EQ(b[10], "417510.75");
}

TEST_F(DtfWriterFile, LpiCarriesTheSaoAndPaoParts) {
    const auto records = write_small();
    const auto& l = records[7].fields;
    EXPECT_EQ(l[4], "2320L000000001");
    EXPECT_EQ(l[5], "ENG");
    EXPECT_EQ(l[11], "2"); // SAO_START_NUMBER
    EXPECT_EQ(l[15], "FLAT");
    EXPECT_EQ(l[16], "12"); // PAO_START_NUMBER
    EXPECT_EQ(l[17], "A");
    EXPECT_EQ(l[18], "14");
    EXPECT_EQ(l[19], "");
    EXPECT_EQ(l[20], "ROSE COURT");
    EXPECT_EQ(l[21], "44000001");
    EXPECT_EQ(l[24], "PR7 1AB");
    EXPECT_EQ(l[25], "CHORLEY");
}

TEST_F(DtfWriterFile, LinesEndInCrlfByDefaultOrLfWhenAsked) {
    write_small();
    std::string text = read_all(m_path);
    std::size_t crlf = 0, lf = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++lf;
            crlf += i > 0 && text[i - 1] == '\r' ? 1 : 0;
        }
    }
    EXPECT_EQ(lf, 10U);
    EXPECT_EQ(crlf, 10U);
    write_small({.line_ending = LineEnding::lf});
    text = read_all(m_path);
    EXPECT_EQ(text.find('\r'), std::string::npos);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 10);
}

TEST_F(DtfWriterFile, LineBreaksInsideTextCannotSplitARecord) {
    {
        DtfWriter w(m_path, header());
        DescriptorRecord d;
        d.usrn = 1;
        d.descriptor = "MILL\r\nLANE";
        d.town = "CHORLEY";
        w.write(d);
        w.close();
    }
    const auto records = read_dtf(m_path);
    ASSERT_EQ(records.size(), 3U);
    EXPECT_EQ(records[1].fields[4], "MILL  LANE");
}

TEST_F(DtfWriterFile, RecordsOutOfOrderAreRefused) {
    DtfWriter w(m_path, header());
    w.write(blpu(1));
    EXPECT_THROW(w.write(street(1)), std::logic_error);
    EXPECT_NO_THROW(w.write(lpi(1, 1)));
    EXPECT_THROW(w.write(blpu(2)), std::logic_error);
}

TEST_F(DtfWriterFile, KeysOutOfRangeAreRefused) {
    DtfWriter w(m_path, header());
    EXPECT_THROW(w.write(street(0)), DtfError);
    EXPECT_THROW(w.write(street(100000000)), DtfError);
    EXPECT_THROW(w.write(blpu(1000000000000)), DtfError);
    EXPECT_THROW(w.write(lpi(1, 0)), DtfError);
}

TEST_F(DtfWriterFile, AnUnclosedWriterLeavesNoFile) {
    {
        DtfWriter w(m_path, header());
        w.write(street(1));
    }
    EXPECT_FALSE(std::filesystem::exists(m_path));
    EXPECT_TRUE(std::filesystem::is_empty(m_tmp.path()));
}

// ---- the store's gazetteer written out ----------------------------------------------------

LlpgExportOptions on(std::string date, std::optional<int> code = {}, std::string name = {}) {
    LlpgExportOptions o;
    o.date = std::move(date);
    o.custodian_code = code;
    o.custodian_name = std::move(name);
    return o;
}

class LlpgExport : public ::testing::Test {
  protected:
    void SetUp() override {
        store::migrate(m_db_path);
        auto db = store::Database::open(m_db_path);
        db.exec(R"sql(
INSERT INTO wardmap_meta (key, value) VALUES ('custodian_name', 'CHORLEY COUNCIL');
INSERT INTO streets (usrn, descriptor, locality, town, street_type, state, geom, geom_wgs84)
VALUES
 (44000002, 'Market Street', NULL, 'Chorley', 1, 2,
  GeomFromText('LINESTRING(358500 417500, 358550 417520, 358600 417600)', 27700),
  GeomFromText('LINESTRING(-2.63 53.65, -2.62 53.66)', 4326)),
 (44000001, 'St Thomas''s "Old" Road', 'Euxton', 'Chorley', 1, 2,
  GeomFromText('LINESTRING(355000 418000, 355100 418100)', 27700),
  GeomFromText('LINESTRING(-2.67 53.66, -2.66 53.67)', 4326));
INSERT INTO properties (uprn, logical_status, classification, easting, northing, lon, lat,
                        parent_uprn, blpu_state, geom, geom_wgs84)
VALUES
 (100010000003, 1, 'RD06', 358520.5, 417510.25, -2.63, 53.65, NULL, 2,
  MakePoint(358520.5, 417510.25, 27700), MakePoint(-2.63, 53.65, 4326)),
 (100010000001, 1, 'RD04', 355050, 418060, -2.67, 53.66, NULL, NULL,
  MakePoint(355050, 418060, 27700), MakePoint(-2.67, 53.66, 4326)),
 (100010000002, 6, 'RD02', 355060, 418070, -2.67, 53.66, 100010000001, NULL,
  MakePoint(355060, 418070, 27700), MakePoint(-2.67, 53.66, 4326));
-- Demo-style rows: only saon/paon. A structured row: sao_*/pao_* set, saon/paon differ on purpose.
INSERT INTO addresses (id, uprn, lpi_key, logical_status, saon, paon, usrn, street, locality,
                       town, postcode, single_line)
VALUES
 (1, 100010000001, NULL, 1, NULL, '12A', 44000001, 'St Thomas''s "Old" Road', 'Euxton',
  'Chorley', 'PR7 6AB', '12A St Thomas''s "Old" Road, Euxton, Chorley, PR7 6AB'),
 (2, 100010000002, '2320L000000002', 6, NULL, 'Rose Cottage', 44000001, NULL, 'Euxton',
  NULL, NULL, 'Rose Cottage, St Thomas''s "Old" Road, Euxton, Chorley'),
 (3, 100010000003, '2320L000000003', 1, 'Flat 3', '14', 44000002, 'Market Street', NULL,
  'Chorley', 'PR7 1AB', 'Flat 3, 14 Market Street, Chorley, PR7 1AB'),
 (4, 100010000001, '2320L000000004', 3, NULL, '12A', 44000001, 'St Thomas''s "Old" Road',
  'Euxton', 'Chorley', 'PR7 6AB', 'alternative');
UPDATE addresses SET sao_text = 'FLAT', sao_start_number = 3, pao_start_number = 14,
  pao_end_number = 16, pao_end_suffix = 'B', pao_text = 'ROSE COURT', saon = 'ignored',
  paon = 'ignored' WHERE id = 3;
)sql");
    }

    std::vector<DtfRecord> export_records() {
        auto db = store::Database::open(m_db_path, {.mode = store::OpenMode::read_only});
        m_summary = export_llpg(db, m_out, on("2026-11-01"));
        return read_dtf(m_out);
    }

    testing::TempDir m_tmp;
    std::filesystem::path m_db_path = m_tmp.path() / "w.sqlite";
    std::filesystem::path m_out = m_tmp.path() / "out.csv";
    LlpgExportSummary m_summary;
};

TEST_F(LlpgExport, WritesHeaderFirstTrailerLastAndEveryRowOnce) {
    const auto records = export_records();
    ASSERT_GE(records.size(), 2U);
    EXPECT_EQ(records.front().id(), 10);
    EXPECT_EQ(records.back().id(), 99);
    EXPECT_EQ(records.back().fields[2], std::to_string(records.size()));
    std::map<int, int> counts;
    for (const auto& r : records) {
        ++counts[r.id()];
        EXPECT_EQ(r.fields.size(), dtf73_fields.at(r.id())) << r.line;
    }
    EXPECT_EQ(counts, (std::map<int, int>{{10, 1}, {11, 2}, {15, 2}, {21, 3}, {24, 4}, {99, 1}}));
    EXPECT_EQ(m_summary.blpus, 3);
    EXPECT_EQ(m_summary.lpis, 4);
    EXPECT_EQ(m_summary.records, 13);
    // Defaults: custodian code 2320, the name from wardmap_meta.
    EXPECT_EQ(records.front().fields[1], "CHORLEY COUNCIL");
    EXPECT_EQ(records.front().fields[2], "2320");
}

TEST_F(LlpgExport, EveryBlpuHasItsLpisAndEveryLpiItsStreet) {
    const auto records = export_records();
    std::set<std::string> usrns, blpus, lpi_uprns;
    for (const auto& r : records) {
        if (r.id() == 11) {
            usrns.insert(r.fields[3]);
        } else if (r.id() == 21) {
            blpus.insert(r.fields[3]);
        } else if (r.id() == 24) {
            lpi_uprns.insert(r.fields[3]);
            EXPECT_TRUE(usrns.contains(r.fields[21])) << r.line;
        }
    }
    EXPECT_EQ(blpus, lpi_uprns);
}

TEST_F(LlpgExport, StreetEndsAreTheFirstAndLastPointOfItsLine) {
    const auto records = export_records();
    // Streets in USRN order; descriptors after all of them.
    EXPECT_EQ(records[1].fields[3], "44000001");
    EXPECT_EQ(records[2].fields[3], "44000002");
    const auto& s = records[2].fields;
    EXPECT_EQ(s[15], "358500.00");
    EXPECT_EQ(s[16], "417500.00");
    EXPECT_EQ(s[17], "358600.00");
    EXPECT_EQ(s[18], "417600.00");
    EXPECT_EQ(s[5], "2320"); // SWA_ORG_REF_NAMING
    const auto& d = records[3].fields;
    EXPECT_EQ(d[0], "15");
    EXPECT_EQ(d[4], "St Thomas's \"Old\" Road");
    EXPECT_EQ(d[5], "Euxton");
    EXPECT_EQ(d[6], "Chorley");
}

TEST_F(LlpgExport, BlpusCarryClassCoordinatesStateAndParent) {
    const auto records = export_records();
    std::map<std::string, std::vector<std::string>> by_uprn;
    for (const auto& r : records) {
        if (r.id() == 21) {
            by_uprn[r.fields[3]] = r.fields;
        }
    }
    const auto& flat = by_uprn.at("100010000003");
    EXPECT_EQ(flat[4], "1");
    EXPECT_EQ(flat[5], "2");
    EXPECT_EQ(flat[6], "2026-11-01");
    EXPECT_EQ(flat[7], "RD06");
    EXPECT_EQ(flat[9], "358520.50");
    EXPECT_EQ(flat[10], "417510.25");
    const auto& cottage = by_uprn.at("100010000002");
    EXPECT_EQ(cottage[4], "6");
    EXPECT_EQ(cottage[5], "");
    EXPECT_EQ(cottage[8], "100010000001");
}

TEST_F(LlpgExport, LpisComeFromStructuredColumnsOrTheParsedSaonPaon) {
    const auto records = export_records();
    std::vector<std::vector<std::string>> lpis;
    for (const auto& r : records) {
        if (r.id() == 24) {
            lpis.push_back(r.fields);
        }
    }
    ASSERT_EQ(lpis.size(), 4U);
    // Ordered by UPRN, then address id.
    const auto& parsed = lpis[0];
    EXPECT_EQ(parsed[3], "100010000001");
    EXPECT_EQ(parsed[4], "2320L000000001") << "a missing key is made from the custodian and id";
    EXPECT_EQ(parsed[16], "12");
    EXPECT_EQ(parsed[17], "A");
    EXPECT_EQ(parsed[20], "");
    EXPECT_EQ(parsed[24], "PR7 6AB");
    EXPECT_EQ(parsed[25], "Chorley");
    EXPECT_EQ(parsed[23], "Y");
    EXPECT_EQ(lpis[1][4], "2320L000000004");
    EXPECT_EQ(lpis[1][6], "3");
    const auto& named = lpis[2];
    EXPECT_EQ(named[6], "6");
    EXPECT_EQ(named[16], "");
    EXPECT_EQ(named[20], "Rose Cottage");
    EXPECT_EQ(named[24], "");
    EXPECT_EQ(named[23], "N") << "no postcode: not a postal address";
    EXPECT_EQ(named[25], "Chorley") << "post town falls back to the street's town";
    const auto& structured = lpis[3];
    EXPECT_EQ(structured[11], "3");
    EXPECT_EQ(structured[15], "FLAT");
    EXPECT_EQ(structured[16], "14");
    EXPECT_EQ(structured[18], "16");
    EXPECT_EQ(structured[19], "B");
    EXPECT_EQ(structured[20], "ROSE COURT");
    EXPECT_EQ(structured[21], "44000002");
}

TEST_F(LlpgExport, OptionsOverrideTheCustodianAndTheSameDateGivesTheSameFile) {
    auto db = store::Database::open(m_db_path, {.mode = store::OpenMode::read_only});
    export_llpg(db, m_out, on("2026-01-02", 4, "X"));
    const auto first = read_all(m_out);
    export_llpg(db, m_out, on("2026-01-02", 4, "X"));
    EXPECT_EQ(read_all(m_out), first);
    const auto records = read_dtf(m_out);
    EXPECT_EQ(records.front().fields[1], "X");
    EXPECT_EQ(records.front().fields[2], "4");
    EXPECT_EQ(records.front().fields[3], "2026-01-02");
    EXPECT_THROW(export_llpg(db, m_out, on("1 Nov")), std::invalid_argument);
}

TEST_F(LlpgExport, RefusesADatabaseThatIsNotAWardmapOne) {
    const auto other = m_tmp.path() / "other.sqlite";
    {
        auto db = store::Database::open(other, {.mode = store::OpenMode::create});
        db.exec("CREATE TABLE x (y)");
    }
    auto db = store::Database::open(other, {.mode = store::OpenMode::read_only});
    EXPECT_THROW(export_llpg(db, m_out, on("2026-11-01")), store::StoreError);
    EXPECT_FALSE(std::filesystem::exists(m_out));
}

} // namespace
} // namespace wardmap::importers
