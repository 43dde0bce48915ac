#include "geo/bng_transform.hpp"
#include "geo/errors.hpp"
#include "geo/proj_context.hpp"
#include "tests/support/gb_test_points.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <proj.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

// The built-in OSTN15 against PROJ with OS's NTv2 rendering of OSTN15 (the grid file is in
// ../shared/data/proj, as it is in CI; Debian's proj-data lacks it).
namespace wardmap::geo {
namespace {

using testing::gb_test_points;
using testing::grid_distance_m;
using testing::lonlat_distance_m;

constexpr double required_accuracy_m = 0.1;
constexpr const char* grid_file = "uk_os_OSTN15_NTv2_OSGBtoETRS.tif";

/// The directory PROJ itself takes proj.db from (/usr/share/proj on Debian).
std::filesystem::path system_proj_dir() {
    const ProjContextPtr ctx(proj_context_create());
    const char* db = proj_context_get_database_path(ctx.get());
    return db ? std::filesystem::path(db).parent_path() : std::filesystem::path("/usr/share/proj");
}

TransformOptions ntv2_options(const std::filesystem::path& shared) {
    TransformOptions options;
    options.proj_search_paths = {shared / "proj"};
    options.prefer_proj_grid = true;
    return options;
}

TEST(Ntv2Grid, PreferProjGridPicksTheNtv2GridFromTheSharedDirectory) {
    WARDMAP_REQUIRE_SHARED_DATA(shared);
    const auto t = BngTransform::create(ntv2_options(shared));
    EXPECT_EQ(t->info().method, TransformMethod::ostn15_ntv2_proj);
    EXPECT_STREQ(to_string(t->info().method), "ostn15_ntv2_proj");
    EXPECT_EQ(std::filesystem::path(t->info().source), shared / "proj" / grid_file);
    EXPECT_NE(t->info().name.find("OSGB36 to WGS 84"), std::string::npos) << t->info().name;
    EXPECT_LE(t->info().accuracy_m, 1.0);
    std::cout << "[ metrics  ] NTv2 operation: " << t->info().name << " (accuracy "
              << t->info().accuracy_m << " m)\n";
}

TEST(Ntv2Grid, BuiltInAndNtv2AgreeWithinTenCentimetresBothWays) {
    WARDMAP_REQUIRE_SHARED_DATA(shared);
    const auto builtin = BngTransform::create();
    ASSERT_EQ(builtin->info().method, TransformMethod::ostn15_builtin)
        << "install the Debian package libgeo-coordinates-osgb-perl";
    const auto ntv2 = BngTransform::create(ntv2_options(shared));
    ASSERT_EQ(ntv2->info().method, TransformMethod::ostn15_ntv2_proj);

    double worst_ll = 0;
    double worst_en = 0;
    for (const auto& p : gb_test_points) {
        const LonLat a = builtin->to_wgs84(p);
        const LonLat b = ntv2->to_wgs84(p);
        const double d_ll = lonlat_distance_m(a, b);
        EXPECT_LT(d_ll, required_accuracy_m) << "E " << p.easting << " N " << p.northing;
        worst_ll = std::max(worst_ll, d_ll);

        const double d_en = grid_distance_m(builtin->to_bng(a), ntv2->to_bng(a));
        EXPECT_LT(d_en, required_accuracy_m) << "lon " << a.lon << " lat " << a.lat;
        worst_en = std::max(worst_en, d_en);
    }
    std::cout << "[ metrics  ] built-in vs NTv2 over " << gb_test_points.size()
              << " points: EPSG:27700 -> WGS84 max " << worst_ll * 1000
              << " mm; WGS84 -> EPSG:27700 max " << worst_en * 1000 << " mm\n";
}

// Independent of BngTransform's path handling: plain PROJ, told about both directories.
TEST(Ntv2Grid, PlainProjWithTheGridOnItsSearchPathAgreesWithBuiltIn) {
    WARDMAP_REQUIRE_SHARED_DATA(shared);
    const std::string system_dir = system_proj_dir().string();
    const std::string grid_dir = (shared / "proj").string();
    const char* const paths[] = {system_dir.c_str(), grid_dir.c_str()};
    const ProjContextPtr ctx(proj_context_create());
    proj_context_set_search_paths(ctx.get(), 2, paths);
    const ProjPtr raw(proj_create_crs_to_crs(ctx.get(), "EPSG:27700", "EPSG:4326", nullptr));
    ASSERT_TRUE(raw);
    const ProjPtr pj(proj_normalize_for_visualization(ctx.get(), raw.get()));
    ASSERT_TRUE(pj);
    const auto builtin = BngTransform::create();

    double worst = 0;
    for (const auto& p : gb_test_points) {
        const PJ_COORD out = proj_trans(pj.get(), PJ_FWD, proj_coord(p.easting, p.northing, 0, 0));
        ASSERT_TRUE(std::isfinite(out.xy.x));
        const ProjPtr used(proj_trans_get_last_used_operation(pj.get()));
        ASSERT_TRUE(used);
        ASSERT_NE(std::string(proj_get_name(used.get())).find("OSGB36 to WGS 84 (9)"),
                  std::string::npos)
            << proj_get_name(used.get());
        worst = std::max(worst, lonlat_distance_m({out.xy.x, out.xy.y}, builtin->to_wgs84(p)));
    }
    EXPECT_LT(worst, required_accuracy_m);
}

TEST(Ntv2Grid, OutsideTheNtv2GridIsAGeoError) {
    WARDMAP_REQUIRE_SHARED_DATA(shared);
    const auto ntv2 = BngTransform::create(ntv2_options(shared));
    ASSERT_EQ(ntv2->info().method, TransformMethod::ostn15_ntv2_proj);
    // Inside the National Grid rectangle but east of the NTv2 grid's 2.0 E edge.
    EXPECT_THROW((void)ntv2->to_wgs84({695000, 600000}), GeoError);
    EXPECT_THROW((void)ntv2->to_bng({2.5, 53.0}), GeoError);
    // Still usable afterwards: the error state does not stick.
    EXPECT_NO_THROW((void)ntv2->to_wgs84({400000, 300000}));
}

TEST(Ntv2Grid, Ntv2FormGivesIdenticalResultsFromTwoThreads) {
    WARDMAP_REQUIRE_SHARED_DATA(shared);
    const auto ntv2 = BngTransform::create(ntv2_options(shared));
    ASSERT_EQ(ntv2->info().method, TransformMethod::ostn15_ntv2_proj);
    std::vector<LonLat> expected(gb_test_points.size());
    ntv2->to_wgs84(gb_test_points, expected);
    auto work = [&ntv2](std::vector<LonLat>& out) {
        out.resize(gb_test_points.size());
        for (int round = 0; round < 5; ++round) {
            ntv2->to_wgs84(gb_test_points, out);
        }
    };
    std::vector<LonLat> a;
    std::vector<LonLat> b;
    std::thread ta(work, std::ref(a));
    std::thread tb(work, std::ref(b));
    ta.join();
    tb.join();
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(a[i].lon, expected[i].lon);
        EXPECT_EQ(a[i].lat, expected[i].lat);
        EXPECT_EQ(b[i].lon, expected[i].lon);
        EXPECT_EQ(b[i].lat, expected[i].lat);
    }
}

} // namespace
} // namespace wardmap::geo
