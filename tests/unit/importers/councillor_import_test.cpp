// `wardmap import councillors` from JSON (Chorley's shape, and an array with codes) and CSV:
// wards matched by code or normalised name in the current (or --set) boundary set, re-imports
// replacing only the wards in the file, and every bad entry named.

#include "importers/ward_matcher.hpp"
#include "tests/unit/importers/import_fixture.hpp"

namespace wardmap {
namespace {

using testing::ImportFixture;

// Two wards with ONS-style "&" names in EPSG:27700.
constexpr const char* wards_27700 = R"({"type":"FeatureCollection",
"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[
{"type":"Feature","properties":{"ons_code":"E05013064","name":"Adlington & Anderton"},"geometry":{"type":"Polygon","coordinates":[[[358000,417000],[359000,417000],[359000,418000],[358000,418000],[358000,417000]]]}},
{"type":"Feature","properties":{"ons_code":"E05013072","name":"Clayton East, Brindle & Hoghton"},"geometry":{"type":"Polygon","coordinates":[[[359000,417000],[360000,417000],[360000,418000],[359000,418000],[359000,417000]]]}}
]})";

// The shape of chorley_wards_councillors_2026.json: keyed by name, "and" for "&".
constexpr const char* chorley_shape = R"({
  "Adlington and Anderton": {"name": "Adlington and Anderton",
    "councillors": ["June Molyneaux", "Kim Snape", "Peter Wilson"],
    "councillor_ids": ["jmolyneaux", "ksnape", "pwilson"],
    "parties": ["Labour"], "primary_party": "Labour", "color": "#DC241F"},
  "Clayton East, Brindle and Hoghton": {"name": "Clayton East, Brindle and Hoghton",
    "councillors": ["Irene Amahwe", "Michelle Beach"],
    "councillor_ids": ["iamahwe", "mbeach"],
    "parties": ["Conservative", "Labour"], "primary_party": "Labour", "color": "#DC241F"}
})";

class CouncillorImport : public ImportFixture {
  protected:
    void SetUp() override {
        ImportFixture::SetUp();
        auto o = options(write("wards.geojson", wards_27700));
        o.set_label = "2020";
        o.valid_from = "2020-05-07";
        ASSERT_TRUE(run("wards", o).ok);
    }
    std::string councillors(const std::string& code) {
        return query_text("SELECT group_concat(name || ':' || coalesce(party, '-') || ':' || "
                          "coalesce(councillor_ref, '-'), ', ') FROM (SELECT * FROM councillors "
                          "WHERE ward_code = '" +
                          code + "' ORDER BY sort_order)");
    }
};

TEST(WardNames, NormaliseCaseAmpersandsPunctuationAndSpacing) {
    using importers::normalise_ward_name;
    EXPECT_EQ(normalise_ward_name("Clayton East, Brindle & Hoghton"),
              "clayton east brindle and hoghton");
    EXPECT_EQ(normalise_ward_name("  CLAYTON EAST BRINDLE AND  HOGHTON "),
              "clayton east brindle and hoghton");
    EXPECT_EQ(normalise_ward_name("Clayton-le-Woods North"), "clayton le woods north");
    EXPECT_EQ(normalise_ward_name("St Mary's"), normalise_ward_name("St Marys"));
    EXPECT_EQ(normalise_ward_name("Ynys Môn"), "ynys m\xC3\xB4n");
}

TEST_F(CouncillorImport, ChorleyShapedJsonMatchesWardsByNormalisedName) {
    const auto report = run("councillors", options(write("c.json", chorley_shape)));
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(report.read, 2);
    EXPECT_EQ(report.inserted, 5);
    EXPECT_EQ(report.detail, "5 councillors in 2 wards of boundary set 2020");
    EXPECT_EQ(councillors("E05013064"),
              "June Molyneaux:Labour:jmolyneaux, Kim Snape:Labour:ksnape, "
              "Peter Wilson:Labour:pwilson");
    // Two parties for two councillors, but the file does not say whose: none is guessed.
    EXPECT_EQ(councillors("E05013072"), "Irene Amahwe:-:iamahwe, Michelle Beach:-:mbeach");
    ASSERT_EQ(report.notes.size(), 1U) << report.to_text();
    EXPECT_NE(report.notes[0].find("Clayton East, Brindle & Hoghton"), std::string::npos);
    EXPECT_EQ(query_text("SELECT kind || ' ' || status FROM imports ORDER BY id DESC LIMIT 1"),
              "councillors ok");
}

TEST_F(CouncillorImport, ReimportingIsIdempotentAndTouchesOnlyTheWardsInTheFile) {
    const auto o = options(write("c.json", chorley_shape));
    ASSERT_TRUE(run("councillors", o).ok);
    const auto again = run("councillors", o);
    ASSERT_TRUE(again.ok) << again.to_text();
    EXPECT_EQ(again.inserted, 0);
    EXPECT_EQ(again.updated, 5);
    EXPECT_EQ(again.deleted, 0);
    EXPECT_EQ(query_int("SELECT count(*) FROM councillors"), 5);

    // A by-election in one ward: an array with codes and per-councillor parties.
    const auto by_election = run("councillors", options(write("b.json", R"([
  {"code": "E05013064", "name": "Adlington & Anderton", "councillors": [
    {"name": "June Molyneaux", "party": "Labour", "id": 17},
    {"name": "New Person", "party": "Green Party", "email": "new.person@example.org"},
    {"name": "Peter Wilson", "party": "Labour"}]}
])")));
    ASSERT_TRUE(by_election.ok) << by_election.to_text();
    EXPECT_EQ(by_election.inserted, 1);
    EXPECT_EQ(by_election.updated, 2);
    EXPECT_EQ(by_election.deleted, 1);
    EXPECT_EQ(councillors("E05013064"),
              "June Molyneaux:Labour:17, New Person:Green Party:-, Peter Wilson:Labour:-");
    EXPECT_EQ(query_text("SELECT email FROM councillors WHERE name = 'New Person'"),
              "new.person@example.org");
    EXPECT_EQ(councillors("E05013072"), "Irene Amahwe:-:iamahwe, Michelle Beach:-:mbeach");
}

TEST_F(CouncillorImport, UnknownWardsAndBadEntriesAreNamedAndNothingIsImported) {
    const auto report = expect_failure("councillors", options(write("c.json", R"({
  "Adlington and Anderton": {"councillors": ["June Molyneaux"], "councillor_ids": ["a", "b"]},
  "Nowhere Ward": {"name": "Nowhere Ward", "councillors": ["A Person"]},
  "Coded": {"code": "E05999999", "councillors": ["B Person"]},
  "Clayton East, Brindle & Hoghton": {"councillors": ["C Person", ""]}
})")));
    EXPECT_EQ(report.rejected, 4) << report.to_text();
    EXPECT_TRUE(rejected(report, 1, "\"Adlington and Anderton\".councillor_ids",
                         "as long as 'councillors' (1)"))
        << report.to_text();
    EXPECT_TRUE(rejected(report, 2, "\"Nowhere Ward\".name",
                         "unknown ward 'Nowhere Ward': no ward of boundary set '2020'"))
        << report.to_text();
    EXPECT_TRUE(rejected(report, 3, "\"Coded\".code", "unknown ward code 'E05999999'"))
        << report.to_text();
    EXPECT_TRUE(
        rejected(report, 4, "\"Clayton East, Brindle & Hoghton\".councillors[1]", "needs a name"))
        << report.to_text();
    EXPECT_EQ(query_int("SELECT count(*) FROM councillors"), 0);
}

TEST_F(CouncillorImport, InvalidJsonNamesItsLine) {
    const auto report = expect_failure("councillors", options(write("c.json", "{\n  \"A\": {\n"
                                                                              "    \"x\": ,\n}")));
    EXPECT_NE(report.error.find("c.json:3: not valid JSON"), std::string::npos) << report.error;
    const auto scalar = expect_failure("councillors", options(write("s.json", "42")));
    EXPECT_NE(scalar.error.find("expected a JSON object keyed by ward name"), std::string::npos)
        << scalar.error;
}

TEST_F(CouncillorImport, CsvRowsMatchByCodeOrNameInTheNamedSet) {
    auto o = options(write("c.csv", "ward,councillor,party,email\n"
                                    "E05013064,June Molyneaux,Labour,june@example.org\n"
                                    "adlington and anderton,Kim Snape,Labour,\n"
                                    "Clayton East Brindle and Hoghton,Irene Amahwe,Labour,\n"));
    o.set_label = "2020";
    const auto report = run("councillors", o);
    ASSERT_TRUE(report.ok) << report.to_text();
    EXPECT_EQ(report.read, 3);
    EXPECT_EQ(report.inserted, 3);
    EXPECT_EQ(councillors("E05013064"), "June Molyneaux:Labour:-, Kim Snape:Labour:-");
    EXPECT_EQ(query_text("SELECT email FROM councillors WHERE name = 'June Molyneaux'"),
              "june@example.org");

    o.set_label = "1999";
    const auto no_set = expect_failure("councillors", o);
    EXPECT_NE(no_set.error.find("no boundary set '1999'"), std::string::npos) << no_set.error;
}

TEST_F(CouncillorImport, BadCsvRowsAndColumnsAreNamed) {
    auto o = options(write("c.csv", "ward_name,name,party\n"
                                    "Adlington & Anderton,June Molyneaux,Labour\n"
                                    "Atlantis,A Person,Labour\n"
                                    "Adlington and Anderton,june molyneaux,Labour\n"
                                    ",B Person,Labour\n"
                                    "Coppull,,Labour\n"));
    const auto report = expect_failure("councillors", o);
    EXPECT_EQ(report.rejected, 4) << report.to_text();
    EXPECT_TRUE(rejected(report, 3, "ward_name", "unknown ward 'Atlantis'")) << report.to_text();
    EXPECT_TRUE(rejected(report, 4, "name", "listed twice for ward E05013064 (first at 2)"))
        << report.to_text();
    EXPECT_TRUE(rejected(report, 5, "ward_name", "empty ward")) << report.to_text();
    EXPECT_TRUE(rejected(report, 6, "ward_name", "unknown ward 'Coppull'")) << report.to_text();

    o.source.path = write("n.csv", "ward,councillor\nCoppull,A Person\n");
    const auto no_party = expect_failure("councillors", o);
    EXPECT_NE(no_party.error.find("field 'party'"), std::string::npos) << no_party.error;
    EXPECT_NE(no_party.error.find("--party-field"), std::string::npos) << no_party.error;
}

TEST(CouncillorImportWithoutWards, NeedsABoundarySetInForce) {
    testing::TempDir tmp;
    const auto db_path = tmp.path() / "w.sqlite";
    store::migrate(db_path);
    const auto file = tmp.path() / "c.json";
    std::ofstream(file) << chorley_shape;
    auto db = store::Database::open(db_path);
    importers::ImportOptions o;
    o.source.path = file;
    importers::Progress quiet(importers::Progress::Mode::quiet);
    const auto transform = geo::BngTransform::create();
    const auto report = importers::run_import(
        db, *transform, *importers::find_import_kind("councillors"), o, quiet);
    EXPECT_FALSE(report.ok);
    EXPECT_NE(report.error.find("no boundary set is in force"), std::string::npos) << report.error;
    EXPECT_NE(report.error.find("c.json"), std::string::npos) << report.error;
}

// The same nlohmann out_of_range fuzz/catalogue_service.cpp found (a number beyond a double)
// is a plain "not valid JSON" failure here too, not a library message.
TEST_F(CouncillorImport, ANumberBeyondADoubleIsInvalidJson) {
    const auto report = expect_failure(
        "councillors", options(write("n.json", R"({"A": {"councillors": [1e999]}})")));
    EXPECT_NE(report.error.find("n.json: not valid JSON: number overflow"), std::string::npos)
        << report.error;
}

} // namespace
} // namespace wardmap
