// `wardmap import empty-properties FILE` through the real framework (run_import) on a fresh
// migrated store with three gazetteer properties, from CSV files written here: good rows are
// registered with their status and owner, each kind of bad row is rejected with file, line and
// field (all or nothing, or --skip-bad), a re-import updates what changed and keeps the rest,
// and --map reads other column names. And the pure row parser, field by field.

#include "importers/empty_property_rows.hpp"
#include "tests/unit/importers/import_fixture.hpp"

#include <gtest/gtest.h>

#include <set>

namespace wardmap::testing {
namespace {

using importers::EmptyPropertyFields;
using importers::parse_empty_property_row;
using importers::RowProblem;

EmptyPropertyFields good_fields() {
    return {{"uprn", "100010012345"},      {"source", "Council Tax"},
            {"empty_since", "03/02/2025"}, {"furnished", "Yes"},
            {"status", "back-in-use"},     {"risk", "HIGH"},
            {"owner_name", "A Owner"},     {"owner_email", "a.owner@example.org"},
            {"notes", "Boarded up"}};
}

TEST(EmptyPropertyRow, ReadsTheWordsCouncilsWrite) {
    std::vector<RowProblem> problems;
    const auto r = parse_empty_property_row(good_fields(), "2026-12-07", problems);
    ASSERT_TRUE(r) << (problems.empty() ? "" : problems[0].field + ": " + problems[0].reason);
    EXPECT_EQ(r->uprn, 100010012345);
    EXPECT_EQ(r->source, "council_tax");
    EXPECT_EQ(r->empty_since, "2025-02-03");
    EXPECT_TRUE(r->furnished);
    EXPECT_EQ(r->status, "back_in_use");
    EXPECT_EQ(r->risk, "high");
    EXPECT_EQ(r->owner_name, "A Owner");
    EXPECT_EQ(r->owner_email, "a.owner@example.org");
    EXPECT_FALSE(r->owner_phone);
    EXPECT_TRUE(r->has_owner());
    EXPECT_EQ(r->notes, "Boarded up");
    // Optional fields blank: no status (a new entry starts monitoring), no owner.
    auto f = good_fields();
    f["status"] = " ";
    f.erase("owner_name");
    f.erase("owner_email");
    f["furnished"] = "n";
    f["empty_since"] = "2026-12-07"; // today is allowed
    const auto bare = parse_empty_property_row(f, "2026-12-07", problems);
    ASSERT_TRUE(bare);
    EXPECT_FALSE(bare->status);
    EXPECT_FALSE(bare->has_owner());
    EXPECT_FALSE(bare->furnished);
}

TEST(EmptyPropertyRow, NamesEveryBadField) {
    const EmptyPropertyFields bad{
        {"uprn", "12ab"},          {"source", "neighbour"},          {"empty_since", "2026-12-08"},
        {"furnished", "partly"},   {"status", "demolished"},         {"risk", "extreme"},
        {"owner_email", "nobody"}, {"notes", std::string(2001, 'x')}};
    std::vector<RowProblem> problems;
    EXPECT_FALSE(parse_empty_property_row(bad, "2026-12-07", problems));
    std::set<std::string> fields;
    for (const auto& p : problems) {
        fields.insert(p.field);
        EXPECT_FALSE(p.reason.empty());
        EXPECT_EQ(p.reason.find("nobody"), std::string::npos) << "no personal data quoted";
    }
    EXPECT_EQ(fields, (std::set<std::string>{"uprn", "source", "empty_since", "furnished", "status",
                                             "risk", "owner_email", "notes"}));
    for (const char* uprn : {"", "0", "-5", "1000000000000", "1.5"}) {
        auto f = good_fields();
        f["uprn"] = uprn;
        problems.clear();
        EXPECT_FALSE(parse_empty_property_row(f, "2026-12-07", problems)) << uprn;
        ASSERT_EQ(problems.size(), 1U) << uprn;
        EXPECT_EQ(problems[0].field, "uprn");
    }
    for (const char* date : {"", "31/02/2025", "2025-13-01", "yesterday"}) {
        auto f = good_fields();
        f["empty_since"] = date;
        problems.clear();
        EXPECT_FALSE(parse_empty_property_row(f, "2026-12-07", problems)) << date;
        ASSERT_EQ(problems.size(), 1U) << date;
        EXPECT_EQ(problems[0].field, "empty_since");
    }
    auto f = good_fields();
    f["owner_name"] = std::string("A\x01Owner");
    problems.clear();
    EXPECT_FALSE(parse_empty_property_row(f, "2026-12-07", problems));
    ASSERT_EQ(problems.size(), 1U);
    EXPECT_EQ(problems[0].field, "owner_name");
}

class EmptyPropertyImport : public ImportFixture {
  protected:
    void SetUp() override {
        ImportFixture::SetUp();
        auto db = open();
        for (const auto uprn : {101, 102, 103}) {
            db.exec("INSERT INTO properties (uprn, classification, easting, northing, lon, lat, "
                    "geom, geom_wgs84) VALUES (" +
                    std::to_string(uprn) +
                    ", 'RD04', 358050, 418010, -2.6, 53.65, MakePoint(358050, 418010, 27700), "
                    "MakePoint(-2.6, 53.65, 4326))");
        }
    }
    static constexpr const char* header =
        "UPRN,source,empty_since,furnished,status,risk,owner_name,owner_phone,notes\n";
};

TEST_F(EmptyPropertyImport, BadRowsAreRejectedWithFileLineAndField) {
    const auto csv = write(
        "empty.csv", std::string(header) + "101,council_tax,2025-01-10,no,,high,A Owner,01257 "
                                           "515151,Garden overgrown\n"              // 2 ok
                                           "999,survey,2025-01-10,no,,low,,,\n"     // 3 gazetteer
                                           "102,rumour,2025-01-10,no,,low,,,\n"     // 4 source
                                           "102,survey,2099-01-10,no,,low,,,\n"     // 5 future
                                           "102,survey,2025-01-10,maybe,,low,,,\n"  // 6 furnished
                                           "102,survey,2025-01-10,no,sold,low,,,\n" // 7 status
                                           "101,survey,2025-01-10,no,,low,,,\n"     // 8 repeated
                                           "103,complaint,10/06/2024,yes,engaged,medium,,,\n"); // 9
    const auto r = expect_failure("empty-properties", options(csv));
    EXPECT_EQ(r.read, 8);
    EXPECT_EQ(r.rejected, 6);
    EXPECT_TRUE(rejected(r, 3, "UPRN", "not a property of the gazetteer")) << r.to_text();
    EXPECT_TRUE(rejected(r, 4, "source", "must be one of")) << r.to_text();
    EXPECT_TRUE(rejected(r, 5, "empty_since", "after today")) << r.to_text();
    EXPECT_TRUE(rejected(r, 6, "furnished", "yes or no")) << r.to_text();
    EXPECT_TRUE(rejected(r, 7, "status", "must be one of")) << r.to_text();
    EXPECT_TRUE(rejected(r, 8, "UPRN", "is on line 2 already")) << r.to_text();
    for (const auto& x : r.rejections) {
        EXPECT_EQ(x.place.file, csv.string());
    }
    EXPECT_EQ(query_int("SELECT count(*) FROM empty_properties"), 0);

    auto o = options(csv);
    o.skip_bad = true;
    const auto kept = run("empty-properties", o);
    ASSERT_TRUE(kept.ok) << kept.to_text();
    EXPECT_EQ(kept.status, "partial");
    EXPECT_EQ(kept.inserted, 2);
    EXPECT_EQ(kept.rejected, 6);
    EXPECT_EQ(query_text("SELECT source || ' ' || empty_since || ' ' || furnished || ' ' || risk "
                         "|| ' ' || notes FROM empty_properties WHERE uprn = 101"),
              "council_tax 2025-01-10 0 high Garden overgrown");
    EXPECT_EQ(query_text("SELECT empty_since || ' ' || furnished FROM empty_properties WHERE "
                         "uprn = 103"),
              "2024-06-10 1");
    // A new entry's status: the file's, else monitoring, logged as registered.
    EXPECT_EQ(query_text("SELECT group_concat(e.uprn || ':' || l.status || ':' || l.note, ' ') "
                         "FROM empty_property_status_log l JOIN empty_properties e ON e.id = "
                         "l.property_id ORDER BY e.uprn"),
              "101:monitoring:registered 103:engaged:registered");
    // The owner goes to the owners' table only.
    EXPECT_EQ(query_text("SELECT o.name || ' / ' || o.phone FROM empty_property_owners o JOIN "
                         "empty_properties e ON e.id = o.property_id WHERE e.uprn = 101"),
              "A Owner / 01257 515151");
    EXPECT_EQ(query_int("SELECT count(*) FROM empty_property_owners"), 1);
    EXPECT_EQ(query_int("SELECT count(*) FROM imports WHERE kind = 'empty-properties'"), 1);
}

TEST_F(EmptyPropertyImport, AReimportUpdatesWhatChangedAndDeletesNothing) {
    auto first = run("empty-properties",
                     options(write("a.csv", std::string(header) +
                                                "101,council_tax,2025-01-10,no,,high,A Owner,,\n"
                                                "102,survey,2025-02-01,yes,,low,,,Quiet\n"
                                                "103,complaint,2025-03-01,no,,medium,,,\n")));
    ASSERT_TRUE(first.ok) << first.to_text();
    EXPECT_EQ(first.inserted, 3);
    const auto id101 = query_int("SELECT id FROM empty_properties WHERE uprn = 101");
    // 101: risk and status change, owner replaced; 102 as it was (blank notes keep its notes);
    // 103 not in the file: kept.
    auto again = run(
        "empty-properties",
        options(write("b.csv", std::string(header) + "101,council_tax,2025-01-10,no,enforcement,"
                                                     "medium,B Owner,07700 900123,\n"
                                                     "102,survey,2025-02-01,yes,,low,,,\n")));
    ASSERT_TRUE(again.ok) << again.to_text();
    EXPECT_EQ(again.inserted, 0);
    EXPECT_EQ(again.updated, 1);
    EXPECT_EQ(again.unchanged, 1);
    EXPECT_EQ(query_int("SELECT id FROM empty_properties WHERE uprn = 101"), id101);
    EXPECT_EQ(query_text("SELECT risk FROM empty_properties WHERE uprn = 101"), "medium");
    EXPECT_EQ(query_text("SELECT group_concat(status || ':' || note, ' ') FROM (SELECT * FROM "
                         "empty_property_status_log WHERE property_id = " +
                         std::to_string(id101) + " ORDER BY id)"),
              "monitoring:registered enforcement:import");
    EXPECT_EQ(query_text("SELECT name || ' / ' || phone FROM empty_property_owners WHERE "
                         "property_id = " +
                         std::to_string(id101)),
              "B Owner / 07700 900123");
    EXPECT_EQ(query_text("SELECT notes FROM empty_properties WHERE uprn = 102"), "Quiet");
    EXPECT_EQ(query_int("SELECT count(*) FROM empty_properties"), 3);
    // The same file once more: nothing changes.
    auto same = run("empty-properties",
                    options(write("b2.csv", std::string(header) + "101,council_tax,2025-01-10,"
                                                                  "no,enforcement,medium,B "
                                                                  "Owner,07700 900123,\n")));
    ASSERT_TRUE(same.ok) << same.to_text();
    EXPECT_EQ(same.unchanged, 1);
    EXPECT_EQ(same.updated, 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM empty_property_status_log"), 4);
}

TEST_F(EmptyPropertyImport, ColumnsAreMappedAndAMissingOneIsNamed) {
    auto o = options(write("m.csv", "PROP_REF,HOW,VOID_FROM,FURN,LEVEL\n"
                                    "102,Survey,01/04/2025,N,Low\n"));
    o.field_map = {"uprn=PROP_REF", "source=HOW", "empty_since=VOID_FROM", "furnished=FURN",
                   "risk=LEVEL"};
    const auto r = run("empty-properties", o);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(query_text("SELECT source || ' ' || empty_since || ' ' || risk FROM "
                         "empty_properties WHERE uprn = 102"),
              "survey 2025-04-01 low");
    // Without the mapping the risk column is not found: the import fails naming it.
    o.field_map = {"uprn=PROP_REF", "source=HOW", "empty_since=VOID_FROM", "furnished=FURN"};
    EXPECT_NE(expect_failure("empty-properties", o).error.find("no risk column"),
              std::string::npos);
    o.field_map = {"colour=X"};
    EXPECT_NE(expect_failure("empty-properties", o).error.find("not a field of this kind"),
              std::string::npos);
}

} // namespace
} // namespace wardmap::testing
