// The importers on Chorley's real files (../shared/data): the 2013 (20) and 2020 (14) ward
// sets as two versioned boundary sets, and the 2,702 Code-Point Open postcodes of 2014, most of
// which fall in the 2013 ward Code-Point names for them.

#include "geo/postcode.hpp"
#include "geo/store/database.hpp"
#include "geo/store/migrations.hpp"
#include "importers/import.hpp"
#include "server/services/wards/ward_index.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

namespace wardmap {
namespace {

importers::ImportReport run(store::Database& db,
                            const geo::BngTransform& t,
                            const char* kind,
                            const importers::ImportOptions& o) {
    importers::Progress quiet(importers::Progress::Mode::quiet);
    return importers::run_import(db, t, *importers::find_import_kind(kind), o, quiet);
}

TEST(ImportRealdata, ChorleyWardsAndCodePointPostcodesAgree) {
    WARDMAP_REQUIRE_SHARED_DATA(data);
    testing::TempDir tmp;
    const auto path = tmp.path() / "chorley.sqlite";
    store::migrate(path);
    auto db = store::Database::open(path);
    const auto transform = geo::BngTransform::create();

    importers::ImportOptions wd13;
    wd13.source.path = data / "boundaries/chorley_wards_2013_wd13_epsg27700.geojson";
    wd13.set_label = "2013";
    wd13.valid_from = "2013-05-02";
    auto r = run(db, *transform, "wards", wd13);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.inserted, 20);

    importers::ImportOptions wd20;
    wd20.source.path = data / "boundaries/chorley_wards_2025_bsc.geojson"; // WGS84
    wd20.set_label = "2020";
    wd20.valid_from = "2020-05-07";
    wd20.supersede = true;
    r = run(db, *transform, "wards", wd20);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.inserted, 14);

    importers::ImportOptions pc;
    pc.source.path = data / "postcodes/codepoint_open_2014_chorley_E07000118.csv";
    pc.source.columns =
        importers::read_columns_file(data / "postcodes/Code-Point_Open_Column_Headers.csv");
    pc.source.crs = importers::SourceCrs::bng;
    r = run(db, *transform, "postcodes", pc);
    ASSERT_TRUE(r.ok) << r.to_text();
    EXPECT_EQ(r.inserted, 2702);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM postcodes"), 2702);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM imports"), 3);

    const auto index = services::WardIndex::load(db);
    const core::Date in_2014{2014, 6, 1};
    const core::Date in_2024{2024, 6, 1};
    EXPECT_EQ(index->boundary_set_count(), 2U);

    // The expected ward of each postcode comes from the file itself (Admin_ward_code).
    std::ifstream csv(pc.source.path);
    std::string line;
    std::getline(csv, line); // header
    std::map<std::string, std::string> ward_of;
    while (std::getline(csv, line)) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        std::vector<std::string> cols;
        std::stringstream ss(line);
        for (std::string c; std::getline(ss, c, ',');) {
            cols.push_back(c);
        }
        ASSERT_EQ(cols.size(), 10U) << line;
        ward_of[*geo::normalise_postcode(cols[0])] = cols[9];
    }
    ASSERT_EQ(ward_of.size(), 2702U);

    auto st = db.prepare("SELECT postcode, easting, northing FROM postcodes");
    int agree = 0;
    int in_current = 0;
    while (st.step()) {
        const geo::EastNorth p{st.real(1), st.real(2)};
        const auto* w = index->find(p, in_2014);
        if (w != nullptr && w->code == ward_of[std::string(st.text(0))]) {
            ++agree;
        }
        if (const auto* now = index->find(p, in_2024); now && now->boundary_set == "2020") {
            ++in_current;
        }
    }
    EXPECT_GE(agree, 2690) << "postcodes in the 2013 ward Code-Point gives them";
    EXPECT_GE(in_current, 2600) << "postcodes in a current (2020) ward";
}

} // namespace
} // namespace wardmap
