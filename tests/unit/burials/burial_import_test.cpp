// `wardmap import cemeteries|sections|graves|burial-register` through the real framework on a
// fresh store, and the register's pure row and age parsers: the rows a register can hold are
// read, and an unknown grave, a burial before the death, an age that does not parse and a grave
// over capacity are each rejected with file, line and field (all or nothing, or --skip-bad).

#include "importers/burial_register_rows.hpp"
#include "tests/unit/importers/import_fixture.hpp"

#include <gtest/gtest.h>

namespace wardmap::testing {
namespace {

using importers::parse_burial_age;
using importers::parse_register_date;

TEST(BurialAge, ParsesTheFormsRegistersUse) {
    struct Case {
        const char* text;
        std::optional<int> y, m, w, d;
    };
    const Case cases[] = {
        {"72", 72, {}, {}, {}},    {" 72 years ", 72, {}, {}, {}},
        {"72y", 72, {}, {}, {}},   {"3 months", {}, 3, {}, {}},
        {"6m", {}, 6, {}, {}},     {"2 weeks 3 days", {}, {}, 2, 3},
        {"1y 2m", 1, 2, {}, {}},   {"1 yr, 2 mths and 4 days", 1, 2, {}, 4},
        {"5 Days", {}, {}, {}, 5}, {"10 hours", {}, {}, {}, 0},
        {"0", 0, {}, {}, {}},
    };
    for (const auto& c : cases) {
        const auto a = parse_burial_age(c.text);
        ASSERT_TRUE(a) << c.text;
        EXPECT_EQ(a->years, c.y) << c.text;
        EXPECT_EQ(a->months, c.m) << c.text;
        EXPECT_EQ(a->weeks, c.w) << c.text;
        EXPECT_EQ(a->days, c.d) << c.text;
    }
    EXPECT_FALSE(parse_burial_age("")->known());
    EXPECT_FALSE(parse_burial_age("unknown")->known());
    for (const char* bad : {"seventy", "72 furlongs", "131", "3 months 2 months", "-4", "24 months",
                            "4 4", "years", "1.5", "72?"}) {
        EXPECT_FALSE(parse_burial_age(bad)) << bad;
    }
}

TEST(RegisterDate, IsoAndUkOrderOnlyRealDays) {
    EXPECT_EQ(parse_register_date("1931-03-12"), "1931-03-12");
    EXPECT_EQ(parse_register_date("12/03/1931"), "1931-03-12");
    EXPECT_EQ(parse_register_date("2/3/1931"), "1931-03-02");
    EXPECT_FALSE(parse_register_date("30/02/1931"));
    EXPECT_FALSE(parse_register_date("03/12/31"));
    EXPECT_FALSE(parse_register_date("12-03-1931"));
}

TEST(RegisterRow, NamesEveryBadField) {
    importers::RegisterFields f{
        {"register_number", "x"}, {"grave", ""},  {"buried_on", "01/01/1950"},
        {"surname", "Rigby"},     {"age", "old"}, {"died_on", "05/01/1950"},
        {"kind", "urn"}};
    std::vector<importers::RowProblem> problems;
    EXPECT_FALSE(importers::parse_register_row(f, problems));
    std::set<std::string> fields;
    for (const auto& p : problems) {
        fields.insert(p.field);
    }
    EXPECT_EQ(fields,
              (std::set<std::string>{"register_number", "grave", "age", "buried_on", "kind"}));
    problems.clear();
    importers::RegisterFields stillborn{
        {"register_number", "4"}, {"grave", "BG-1"}, {"buried_on", "2001-05-02"},
        {"surname", "Rigby"},     {"age", "S.B."},   {"kind", "CR"}};
    const auto r = importers::parse_register_row(stillborn, problems);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->stillborn);
    EXPECT_EQ(r->kind, "cremated_remains");
}

class BurialImport : public ImportFixture {
  protected:
    importers::ImportOptions bng(const std::filesystem::path& p) {
        auto o = options(p);
        o.source.crs = importers::SourceCrs::bng;
        return o;
    }
    static std::string square(double x, double y, double w, double h) {
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "{\"type\":\"Polygon\",\"coordinates\":[[[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f],"
                      "[%.1f,%.1f],[%.1f,%.1f]]]}",
                      x, y, x + w, y, x + w, y + h, x, y + h, x, y);
        return buf;
    }
    static std::string feature(const std::string& props, const std::string& geometry) {
        return "{\"type\":\"Feature\",\"properties\":" + props + ",\"geometry\":" + geometry + "}";
    }
    static std::string collection(const std::vector<std::string>& features) {
        std::string s = "{\"type\":\"FeatureCollection\",\"features\":[";
        for (std::size_t i = 0; i < features.size(); ++i) {
            s += (i ? "," : "") + features[i];
        }
        return s + "]}";
    }
    void load_plan() {
        auto c = bng(
            write("c.geojson", collection({feature("{\"CEM_NAME\":\"Test Cemetery\",\"address\":"
                                                   "\"Test Road\",\"opened\":1900}",
                                                   square(358000, 418000, 100, 100))})));
        c.field_map = {"name=CEM_NAME"};
        auto r = run("cemeteries", c);
        ASSERT_TRUE(r.ok) << r.to_text();
        auto o = bng(write("s.geojson",
                           collection({feature("{\"name\":\"Section A\",\"code\":\"A\",\"kind\":"
                                               "\"traditional\",\"consecrated\":\"yes\"}",
                                               square(358000, 418000, 50, 100))})));
        o.cemetery = "Test Cemetery";
        r = run("sections", o);
        ASSERT_TRUE(r.ok) << r.to_text();
        std::vector<std::string> graves;
        for (int k = 1; k <= 3; ++k) {
            graves.push_back(feature("{\"section\":\"A\",\"PLOT_NO\":\"A-" + std::to_string(k) +
                                         "\",\"capacity\":" + (k == 3 ? "1" : "2") + "}",
                                     square(358001 + k * 2, 418001, 1.2, 2.4)));
        }
        o = bng(write("g.geojson", collection(graves)));
        o.cemetery = "Test Cemetery";
        o.field_map = {"grave_number=PLOT_NO"};
        r = run("graves", o);
        ASSERT_TRUE(r.ok) << r.to_text();
        EXPECT_EQ(r.inserted, 3);
    }
};

TEST_F(BurialImport, ThePlanLoadsWithFieldMappingsAndAReplayUpdates) {
    load_plan();
    EXPECT_EQ(query_int("SELECT count(*) FROM grave_spaces WHERE grave_type = 'private' AND "
                        "ST_SRID(geom) = 27700 AND geom_wgs84 IS NOT NULL"),
              3);
    EXPECT_EQ(query_int("SELECT consecrated FROM cemetery_sections"), 1);
    EXPECT_EQ(query_int("SELECT count(*) FROM burial_registers"), 1);
    // A mapping to a field that is not in the file, or to a name the kind does not have.
    auto o = options(write("g2.geojson", "{}"));
    o.field_map = {"colour=X"};
    EXPECT_NE(expect_failure("graves", o).error.find("not a field of this kind"),
              std::string::npos);
}

TEST_F(BurialImport, BadRegisterRowsAreRejectedWithFileLineAndField) {
    load_plan();
    const auto csv = write("register.csv",
                           "register_number,grave,buried_on,died_on,surname,forenames,age,kind\n"
                           "1,A-1,12/03/1931,08/03/1931,Hindle,Mary,72,coffin\n" // line 2
                           "2,A-9,13/03/1931,,Rigby,John,60,coffin\n"            // unknown
                           "3,A-1,01/01/1950,05/01/1950,Sumner,Ada,80,coffin\n"  // before death
                           "4,A-2,02/02/1950,,Marsden,Fred,seventy,coffin\n"     // age
                           "5,A-3,03/03/1950,,Heaton,Alice,3 months,coffin\n"    // ok (line 6)
                           "6,A-3,04/04/1951,,Heaton,Walter,44,coffin\n");       // over capacity
    auto o = options(csv);
    o.cemetery = "Test Cemetery";
    const auto r = expect_failure("burial-register", o);
    EXPECT_EQ(r.rejected, 4);
    EXPECT_TRUE(rejected(r, 3, "grave", "unknown grave 'A-9'")) << r.to_text();
    EXPECT_TRUE(rejected(r, 4, "buried_on", "before the death")) << r.to_text();
    EXPECT_TRUE(rejected(r, 5, "age", "does not parse")) << r.to_text();
    EXPECT_TRUE(rejected(r, 7, "grave", "over capacity")) << r.to_text();
    EXPECT_EQ(query_int("SELECT count(*) FROM interments"), 0);

    o.skip_bad = true;
    const auto kept = run("burial-register", o);
    EXPECT_TRUE(kept.ok) << kept.to_text();
    EXPECT_EQ(kept.status, "partial");
    EXPECT_EQ(kept.inserted, 2);
    EXPECT_EQ(query_int("SELECT count(*) FROM interments"), 2);
    EXPECT_EQ(query_text("SELECT age_months FROM interments WHERE surname = 'Heaton'"), "3");
    // The public search's name keys (0021) come with the rows kept, none with those rejected.
    EXPECT_EQ(query_int("SELECT count(*) FROM interment_names"), 2);
    EXPECT_EQ(query_int("SELECT count(*) FROM interment_name_keys k JOIN interments i ON i.id = "
                        "k.interment_id WHERE i.surname = 'Heaton' AND k.key = 'HTN'"),
              1);
}

TEST_F(BurialImport, RegisterNumbersOnlyGoUp) {
    load_plan();
    auto o = options(write("r1.csv", "register_number,grave,buried_on,surname\n"
                                     "100,A-1,1931-03-12,Hindle\n"
                                     "101,A-1,1931-04-12,Hindle\n"));
    o.cemetery = "Test Cemetery";
    ASSERT_TRUE(run("burial-register", o).ok);
    o = options(write("r2.csv", "register_number,grave,buried_on,surname\n"
                                "101,A-2,1931-05-12,Rigby\n"));
    o.cemetery = "Test Cemetery";
    const auto r = expect_failure("burial-register", o);
    EXPECT_TRUE(rejected(r, 2, "register_number", "does not come after")) << r.to_text();
}

} // namespace
} // namespace wardmap::testing
