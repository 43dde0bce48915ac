// `wardmap import planning` on Chorley's real planning applications (../shared/data/planning:
// PlanIt's scrape of the council's register, 109 distinct applications of Feb 2024 - Mar 2025)
// in both of its forms, with no code written for them: the CSV, then PlanIt's JSON (430 records,
// each application repeated) which must find the same register: nothing changed, nothing
// logged twice.

#include "geo/store/database.hpp"
#include "geo/store/migrations.hpp"
#include "importers/import.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

namespace wardmap {
namespace {

importers::ImportReport run(const std::filesystem::path& db, const importers::ImportOptions& o) {
    static const auto transform = geo::BngTransform::create();
    auto store = store::Database::open(db);
    importers::Progress quiet(importers::Progress::Mode::quiet);
    return importers::run_import(store, *transform, *importers::find_import_kind("planning"), o,
                                 quiet);
}

TEST(PlanningRealdata, ChorleyPlanitCsvThenJsonAreOneRegister) {
    WARDMAP_REQUIRE_SHARED_DATA(data);
    const auto csv = data / "planning/chorley_planning_applications_planit.csv";
    const auto json = data / "planning/chorley_planning_applications_planit.json";
    if (!std::filesystem::exists(csv) || !std::filesystem::exists(json)) {
        GTEST_SKIP() << "SKIPPED: ../shared/data/planning/chorley_planning_applications_planit.* "
                        "is absent";
    }
    testing::TempDir tmp;
    const auto path = tmp.path() / "planning.sqlite";
    store::migrate(path);
    importers::ImportOptions o;
    o.source.path = csv;
    auto r = run(path, o);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.detail, "planning applications (planit format)");
    EXPECT_EQ(r.read, 109);
    EXPECT_EQ(r.inserted, 109);
    EXPECT_EQ(r.rejected, 0);

    auto db = store::Database::open(path);
    const auto count = [&](const std::string& where) {
        return db.query_int("SELECT count(*) FROM planning_applications WHERE " + where)
            .value_or(-1);
    };
    // The README's states: Permitted 81, Conditions 8, Rejected 5, Withdrawn 5, Undecided 10.
    EXPECT_EQ(count("status = 'decided' AND decision = 'approved'"), 89);
    EXPECT_EQ(count("status = 'decided' AND decision = 'refused'"), 5);
    EXPECT_EQ(count("status = 'withdrawn'"), 5);
    EXPECT_EQ(count("status = 'pending'"), 10);
    EXPECT_EQ(count("received_date BETWEEN '2024-02-01' AND '2025-03-01'"), 109);
    EXPECT_EQ(count("reference = '25/00200/FULHH' AND postcode = 'PR7 7GG' AND decided_date = "
                    "'2025-10-07' AND documentation_url LIKE 'https://planning.chorley.gov.uk/%'"),
              1);
    // Every point lies in Chorley (EPSG:27700, roughly 350-370 km E, 405-425 km N).
    EXPECT_EQ(count("ST_X(geom) BETWEEN 350000 AND 370000 AND ST_Y(geom) BETWEEN 405000 AND "
                    "425000"),
              109);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM planning_application_log"), 109);

    o.source.path = json;
    r = run(path, o);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.read, 430);
    EXPECT_EQ(r.inserted, 0);
    EXPECT_EQ(r.updated, 0);
    EXPECT_EQ(r.unchanged, 430);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM planning_application_log"), 109);
}

} // namespace
} // namespace wardmap
