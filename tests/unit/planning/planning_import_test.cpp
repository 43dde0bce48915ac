// `wardmap import planning|constraints|land-charges` through the real framework on a fresh
// store, and the planning row parser: a national-format CSV and GeoJSON the test writes (site
// boundary kept, point derived from it when absent), PlanIt CSV and JSON, each kind of bad row
// rejected with file, line and field (all or nothing, or --skip-bad), re-imports matched by
// reference with the status log appended only when the status or decision changed.

#include "importers/planning_rows.hpp"
#include "tests/unit/importers/import_fixture.hpp"

#include <gtest/gtest.h>

namespace wardmap::testing {
namespace {

using importers::PlanningFormat;

TEST(PlanningRow, KnownCodesOfBothFormats) {
    using importers::national_outcome;
    using importers::planit_outcome;
    EXPECT_EQ(planit_outcome("Permitted")->decision, "approved");
    EXPECT_EQ(planit_outcome("Conditions")->status, "decided");
    EXPECT_EQ(planit_outcome("Rejected")->decision, "refused");
    EXPECT_EQ(planit_outcome("Withdrawn")->status, "withdrawn");
    EXPECT_EQ(planit_outcome("undecided")->status, "pending");
    EXPECT_FALSE(planit_outcome("Other"));
    EXPECT_FALSE(planit_outcome("Maybe"));
    EXPECT_EQ(national_outcome("validated", "")->status, "pending");
    EXPECT_FALSE(national_outcome("validated", "")->decision);
    EXPECT_EQ(national_outcome("decided", "refused")->decision, "refused");
    EXPECT_EQ(national_outcome("", "approved")->status, "decided");
    EXPECT_EQ(national_outcome("Under Appeal", "refused")->status, "appeal");
    // A decision on a case still called pending: the decision is the later fact.
    EXPECT_EQ(national_outcome("pending", "granted")->status, "decided");
    std::string which;
    EXPECT_FALSE(national_outcome("lost-in-the-post", "", &which));
    EXPECT_EQ(which, "status");
    EXPECT_FALSE(national_outcome("decided", "probably", &which));
    EXPECT_EQ(which, "decision");
}

TEST(PlanningRow, DatesFormatsAndDetection) {
    using importers::parse_planning_date;
    EXPECT_EQ(parse_planning_date("2024-03-01"), "2024-03-01");
    EXPECT_EQ(parse_planning_date("01/03/2024"), "2024-03-01");
    EXPECT_EQ(parse_planning_date("2024-03-01T10:00:00Z"), "2024-03-01");
    EXPECT_FALSE(parse_planning_date("2024-02-30"));
    EXPECT_FALSE(parse_planning_date("March 2024"));
    EXPECT_EQ(importers::detect_planning_format({"reference", "start-date"}),
              PlanningFormat::national);
    EXPECT_EQ(importers::detect_planning_format({"uid", "address", "state", "start_date"}),
              PlanningFormat::planit);
    EXPECT_FALSE(importers::detect_planning_format({"id", "name"}));
}

TEST(PlanningRow, NamesEveryBadField) {
    importers::PlanningFields f{{"reference", ""},
                                {"status", "lost"},
                                {"received_date", "2024-13-01"},
                                {"decided_date", "yesterday"},
                                {"uprn", "12ab"},
                                {"lat", "95"},
                                {"lon", "-2.6"},
                                {"documentation_url", "ftp://x"}};
    std::vector<importers::PlanningProblem> problems;
    EXPECT_FALSE(importers::parse_planning_row(f, PlanningFormat::national, problems));
    std::set<std::string> fields;
    for (const auto& p : problems) {
        fields.insert(p.field);
    }
    EXPECT_EQ(fields, (std::set<std::string>{"reference", "status", "received_date", "decided_date",
                                             "uprn", "lat", "documentation_url"}));
    problems.clear();
    importers::PlanningFields early{{"reference", "24/1/FUL"},
                                    {"status", "Permitted"},
                                    {"received_date", "2024-05-01"},
                                    {"decided_date", "2024-04-01"}};
    EXPECT_FALSE(importers::parse_planning_row(early, PlanningFormat::planit, problems));
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].field, "decided_date");
}

/// A point a little inside Chorley (WGS84) and a small square site around another.
constexpr const char* national_header =
    "reference,name,description,address-text,uprn,point,geometry,planning-application-type,"
    "planning-application-status,planning-decision,planning-decision-type,start-date,"
    "decision-date,documentation-url,entry-date\n";

class PlanningImport : public ImportFixture {
  protected:
    importers::ImportReport
    import_csv(const std::string& name, const std::string& body, bool skip_bad = false) {
        auto o = options(write(name, body));
        o.skip_bad = skip_bad;
        return run("planning", o);
    }
    std::int64_t log_rows(const std::string& reference) {
        return query_int("SELECT count(*) FROM planning_application_log WHERE reference = '" +
                         reference + "'");
    }
};

TEST_F(PlanningImport, NationalCsvWithPointsAndSiteBoundaries) {
    const auto r = import_csv(
        "national.csv",
        std::string(national_header) +
            "24/00100/FUL,,Erection of a garage,1 Park Road Chorley,100010000001,"
            "POINT (-2.6290 53.6530),,full-planning-permission,decided,approved,delegated,"
            "2024-01-15,2024-03-01,https://planning.example.org/24-00100,2024-03-02\n"
            "24/00101/OUT,Land off Mill Lane,,Land off Mill Lane,,,"
            "\"POLYGON ((-2.640 53.660, -2.638 53.660, -2.638 53.661, -2.640 53.661, -2.640 "
            "53.660))\",outline-planning-permission,validated,,,01/02/2024,,,\n"
            "24/00102/HOU,,Rear extension,3 Park Road,,POINT (-2.6295 53.6531),,householder,"
            "under-appeal,refused,committee,2024-02-10T09:00:00,2024-04-20,,\n");
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.inserted, 3);
    EXPECT_EQ(r.detail, "planning applications (national format)");
    EXPECT_EQ(query_text("SELECT status || '/' || decision || '/' || decision_type || '/' || "
                         "uprn || '/' || documentation_url FROM planning_applications WHERE "
                         "reference = '24/00100/FUL'"),
              "decided/approved/delegated/100010000001/https://planning.example.org/24-00100");
    // The outline application's description comes from its name; its point from its site.
    EXPECT_EQ(query_text("SELECT description || '/' || status || '/' || received_date || '/' || "
                         "(decision IS NULL) FROM planning_applications WHERE reference = "
                         "'24/00101/OUT'"),
              "Land off Mill Lane/pending/2024-02-01/1");
    EXPECT_EQ(query_int("SELECT ST_Within(geom, site_geom) FROM planning_applications WHERE "
                        "reference = '24/00101/OUT'"),
              1);
    EXPECT_EQ(query_int("SELECT count(*) FROM planning_applications WHERE site_geom IS NULL"), 2);
    EXPECT_EQ(query_text("SELECT status FROM planning_applications WHERE reference = "
                         "'24/00102/HOU'"),
              "appeal");
    // Stored in 27700 with the WGS84 copy of the same point (OSTN15 both ways, within 1e-6°).
    EXPECT_EQ(query_int("SELECT abs(ST_X(geom_wgs84) + 2.629) < 1e-6 AND abs(ST_Y(geom_wgs84) - "
                        "53.653) < 1e-6 AND ST_X(geom) BETWEEN 350000 AND 370000 FROM "
                        "planning_applications WHERE reference = '24/00100/FUL'"),
              1);
    // Each first sighting is logged once, dated when it happened.
    EXPECT_EQ(query_int("SELECT count(*) FROM planning_application_log"), 3);
    EXPECT_EQ(query_text("SELECT event_date FROM planning_application_log WHERE reference = "
                         "'24/00100/FUL'"),
              "2024-03-01");
}

TEST_F(PlanningImport, NationalGeoJsonSiteIsTheFeatureGeometry) {
    const std::string json = R"json({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"reference":"24/00200/FUL","description":"New dwelling",
"address-text":"Plot 1 Moor Road","planning-application-status":"decided",
"planning-decision":"refused","start-date":"2024-05-01","decision-date":"2024-07-01"},
"geometry":{"type":"Polygon","coordinates":[[[-2.650,53.640],[-2.648,53.640],[-2.648,53.641],
[-2.650,53.641],[-2.650,53.640]]]}},
{"type":"Feature","properties":{"reference":"24/00201/ADV","description":"Sign",
"address-text":"1 Market St","planning-application-status":"withdrawn",
"start-date":"2024-05-02","point":"POINT (-2.62 53.65)"},"geometry":null}]})json";
    auto r = run("planning", options(write("apps.geojson", json)));
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.inserted, 2);
    EXPECT_EQ(query_int("SELECT count(*) FROM planning_applications WHERE reference = "
                        "'24/00200/FUL' AND site_geom IS NOT NULL AND site_geom_wgs84 IS NOT NULL "
                        "AND ST_Within(geom, site_geom) AND decision = 'refused'"),
              1);
    EXPECT_EQ(query_text("SELECT status || coalesce(decision, '-') FROM planning_applications "
                         "WHERE reference = '24/00201/ADV'"),
              "withdrawn-");
}

TEST_F(PlanningImport, EachBadRowKindNamesFileLineAndField) {
    const std::string body =
        std::string(national_header) +
        "24/1/FUL,,Good,1 Road,,POINT (-2.63 53.65),,full,decided,approved,,2024-01-01,"
        "2024-02-01,,\n"
        "24/2/FUL,,Bad status,2 Road,,POINT (-2.63 53.65),,full,lost-in-the-post,,,2024-01-01,,"
        ",\n"
        "24/3/FUL,,Bad date,3 Road,,POINT (-2.63 53.65),,full,validated,,,31/02/2024,,,\n"
        "24/4/FUL,,Bad decision,4 Road,,POINT (-2.63 53.65),,full,decided,maybe,,2024-01-01,,,\n"
        "24/5/FUL,,No place,5 Road,,,,full,validated,,,2024-01-01,,,\n"
        "24/6/FUL,,Bad point,6 Road,,POINT (oops),,full,validated,,,2024-01-01,,,\n";
    auto o = options(write("bad.csv", body));
    const auto failed = expect_failure("planning", o);
    EXPECT_EQ(failed.rejected, 5);
    EXPECT_TRUE(rejected(failed, 3, "planning-application-status", "unknown")) << failed.to_text();
    EXPECT_TRUE(rejected(failed, 4, "start-date", "not a date")) << failed.to_text();
    EXPECT_TRUE(rejected(failed, 5, "planning-decision", "unknown")) << failed.to_text();
    EXPECT_TRUE(rejected(failed, 6, "point", "no location")) << failed.to_text();
    EXPECT_TRUE(rejected(failed, 7, "point", "not WKT")) << failed.to_text();
    EXPECT_NE(failed.rejections[0].place.file.find("bad.csv"), std::string::npos);

    o.skip_bad = true;
    const auto partial = run("planning", o);
    EXPECT_TRUE(partial.ok) << partial.to_text();
    EXPECT_EQ(partial.status, "partial");
    EXPECT_EQ(partial.inserted, 1);
    EXPECT_EQ(partial.rejected, 5);
    EXPECT_EQ(query_int("SELECT count(*) FROM planning_applications"), 1);
}

TEST_F(PlanningImport, ReimportAppendsToTheLogOnlyWhenStatusOrDecisionChanged) {
    const auto v1 = std::string(national_header) +
                    "24/9/FUL,,Garage,9 Road,,POINT (-2.63 53.65),,full,validated,,,2024-01-01,,"
                    ",\n"
                    "24/10/FUL,,Porch,10 Road,,POINT (-2.631 53.65),,full,validated,,,"
                    "2024-01-02,,,\n";
    auto r = import_csv("v1.csv", v1);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.inserted, 2);
    r = import_csv("v1-again.csv", v1);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.inserted, 0);
    EXPECT_EQ(r.updated, 0);
    EXPECT_EQ(r.unchanged, 2);
    EXPECT_EQ(log_rows("24/9/FUL"), 1);
    // 24/9 is decided; 24/10 only gets a new description: updated, not logged.
    const auto v2 = std::string(national_header) +
                    "24/9/FUL,,Garage,9 Road,,POINT (-2.63 53.65),,full,decided,approved,,"
                    "2024-01-01,2024-02-20,,\n"
                    "24/10/FUL,,Porch and canopy,10 Road,,POINT (-2.631 53.65),,full,validated,,"
                    ",2024-01-02,,,\n";
    r = import_csv("v2.csv", v2);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.updated, 2);
    EXPECT_EQ(log_rows("24/9/FUL"), 2);
    EXPECT_EQ(log_rows("24/10/FUL"), 1);
    EXPECT_EQ(query_text("SELECT group_concat(status || ':' || coalesce(decision, '-') || ':' || "
                         "event_date, ' ') FROM (SELECT * FROM planning_application_log WHERE "
                         "reference = '24/9/FUL' ORDER BY id)"),
              "pending:-:2024-01-01 decided:approved:2024-02-20");
    EXPECT_EQ(query_text("SELECT source FROM planning_application_log ORDER BY id DESC LIMIT 1"),
              "import planning v2.csv");
    // The log is append-only.
    auto db = open();
    EXPECT_THROW(db.exec("UPDATE planning_application_log SET status = 'x'"), std::exception);
    EXPECT_THROW(db.exec("DELETE FROM planning_application_log"), std::exception);
}

TEST_F(PlanningImport, PlanitCsvAndJsonAreTheSameRegister) {
    const std::string csv =
        "uid,address,postcode,lat,lng,description,type,size,state,start_date,decided_date,ward,"
        "url\n"
        "25/00001/FULHH,1 Test Close Chorley PR7 1AA,PR7 1AA,53.65,-2.63,Rear extension,Full,"
        "Small,Permitted,2025-01-02,2025-02-03,Chorley East,https://example.org/1\n"
        "25/00002/TPO,Wood Lane,,53.651,-2.631,Fell one oak,Trees,Small,Undecided,2025-01-03,,"
        "Chorley East,https://example.org/2\n";
    auto r = import_csv("planit.csv", csv);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.inserted, 2);
    EXPECT_EQ(r.detail, "planning applications (planit format)");
    const std::string json =
        R"({"meta":{},"applications":[
{"uid":"25/00001/FULHH","address":"1 Test Close Chorley PR7 1AA","postcode":"PR7 1AA",
"lat":53.65,"lng":-2.63,"description":"Rear extension","type":"Full","size":"Small",
"state":"Permitted","start_date":"2025-01-02","decided_date":"2025-02-03","ward":"Chorley East",
"url":"https://example.org/1"},
{"uid":"25/00002/TPO","address":"Wood Lane","postcode":"","lat":53.651,"lng":-2.631,
"description":"Fell one oak","type":"Trees","size":"Small","state":"Rejected",
"start_date":"2025-01-03","decided_date":"2025-02-28","ward":"Chorley East",
"url":"https://example.org/2"},
{"uid":"25/00003/FUL","lat":53.65,"lng":-2.63,"state":"Sideways","start_date":"2025-01-04"}]})";
    auto o = options(write("planit.json", json));
    o.skip_bad = true;
    r = run("planning", o);
    EXPECT_EQ(r.unchanged, 1) << r.to_text();
    EXPECT_EQ(r.updated, 1);
    EXPECT_EQ(r.rejected, 1);
    ASSERT_FALSE(r.rejections.empty());
    EXPECT_EQ(r.rejections[0].place.line, 3); // the third application of the array
    EXPECT_EQ(r.rejections[0].place.field, "status");
    EXPECT_EQ(log_rows("25/00001/FULHH"), 1);
    EXPECT_EQ(log_rows("25/00002/TPO"), 2);
    // The file's ward column is not read: the ward is derived, never stored.
    EXPECT_EQ(query_int("SELECT count(*) FROM pragma_table_info('planning_applications') WHERE "
                        "name = 'ward_code'"),
              0);
}

TEST_F(PlanningImport, FormatAndMapOptionsAreChecked) {
    auto o = options(write("x.csv", "a,b\n1,2\n"));
    o.planning_format = "dutch";
    EXPECT_NE(run("planning", o).error.find("--format"), std::string::npos);
    o.planning_format.clear();
    o.field_map = {"colour=b"};
    EXPECT_NE(run("planning", o).error.find("not a field of planning"), std::string::npos);
    o.field_map.clear();
    EXPECT_NE(run("planning", o).error.find("--format national|planit"), std::string::npos);
    // --map names a council's own columns.
    o = options(write("own.csv", "CASE,STATE,RECEIVED,X,Y\n24/7/FUL,Permitted,2024-01-01,-2.63,"
                                 "53.65\n"));
    o.planning_format = "planit";
    o.field_map = {"reference=CASE", "status=STATE", "received_date=RECEIVED", "lon=X", "lat=Y"};
    const auto r = run("planning", o);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.inserted, 1);
}

TEST_F(PlanningImport, ConstraintsAndLandCharges) {
    const std::string ca = R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"reference":"CA1","name":"Town Centre","designation-date":
"1975-06-01"},"geometry":{"type":"Polygon","coordinates":[[[-2.64,53.65],[-2.62,53.65],
[-2.62,53.66],[-2.64,53.66],[-2.64,53.65]]]}},
{"type":"Feature","properties":{"reference":"CA2","name":"Bad date","designation-date":
"1975-13-01"},"geometry":{"type":"Polygon","coordinates":[[[-2.64,53.65],[-2.62,53.65],
[-2.62,53.66],[-2.64,53.66],[-2.64,53.65]]]}},
{"type":"Feature","properties":{"reference":"CA3","name":"A point"},"geometry":{"type":
"Point","coordinates":[-2.63,53.655]}}]})";
    auto o = options(write("ca.geojson", ca));
    o.constraint_kind = "conservation_area";
    o.skip_bad = true;
    auto r = run("constraints", o);
    EXPECT_EQ(r.inserted, 1) << r.to_text();
    EXPECT_EQ(r.rejected, 2);
    EXPECT_TRUE(rejected(r, 2, "designation-date", "not a date")) << r.to_text();
    EXPECT_TRUE(rejected(r, 3, "geometry", "not a polygon")) << r.to_text();
    r = run("constraints", o); // again: the same reference is updated
    EXPECT_EQ(r.updated, 1);
    EXPECT_EQ(query_int("SELECT count(*) FROM planning_constraints WHERE kind = "
                        "'conservation_area' AND geom_wgs84 IS NOT NULL"),
              1);
    o.constraint_kind = "green_belt";
    EXPECT_NE(run("constraints", o).error.find("--kind"), std::string::npos);

    const std::string llc = R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"reference":"LLC-1","register-part":"3","charge-type":
"planning-agreement","description":"s.106 agreement","registration-date":"12/04/2019",
"originating-authority":"Chorley Council"},"geometry":{"type":"Polygon","coordinates":
[[[-2.64,53.65],[-2.63,53.65],[-2.63,53.655],[-2.64,53.655],[-2.64,53.65]]]}},
{"type":"Feature","properties":{"reference":"LLC-2","register-part":"13","charge-type":"x",
"registration-date":"2019-01-01"},"geometry":{"type":"Polygon","coordinates":
[[[-2.64,53.65],[-2.63,53.65],[-2.63,53.655],[-2.64,53.655],[-2.64,53.65]]]}}]})";
    auto l = options(write("llc.geojson", llc));
    const auto failed = expect_failure("land-charges", l);
    EXPECT_TRUE(rejected(failed, 2, "register-part", "1 to 12")) << failed.to_text();
    l.skip_bad = true;
    r = run("land-charges", l);
    EXPECT_EQ(r.inserted, 1) << r.to_text();
    EXPECT_EQ(query_text("SELECT register_part || '/' || charge_type || '/' || registered_date || "
                         "'/' || status FROM local_land_charges"),
              "3/planning-agreement/2019-04-12/registered");
}

} // namespace
} // namespace wardmap::testing
