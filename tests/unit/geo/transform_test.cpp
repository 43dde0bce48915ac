#include "geo/bng_transform.hpp"
#include "geo/errors.hpp"
#include "geo/ostn15.hpp"
#include "geo/proj_context.hpp"
#include "geo/transverse_mercator.hpp"
#include "tests/support/gb_test_points.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <locale>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace wardmap::geo {
namespace {

using testing::gb_test_points;
using testing::grid_distance_m;
using testing::lonlat_distance_m;

constexpr double required_accuracy_m = 0.1;

double dms(double deg, double min, double sec) {
    return deg + min / 60.0 + sec / 3600.0;
}

/// Sets (or unsets, with nullopt) an environment variable for one scope. Tests run one at a
/// time, and nothing else reads the environment meanwhile.
class ScopedEnv {
  public:
    ScopedEnv(const char* name, const std::optional<std::string>& value) : m_name(name) {
        if (const char* old = std::getenv(name)) {
            m_old = old;
        }
        if (value) {
            ::setenv(name, value->c_str(), 1);
        } else {
            ::unsetenv(name);
        }
    }
    ~ScopedEnv() {
        if (m_old) {
            ::setenv(m_name.c_str(), m_old->c_str(), 1);
        } else {
            ::unsetenv(m_name.c_str());
        }
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

  private:
    std::string m_name;
    std::optional<std::string> m_old;
};

/// PROJ as a fresh machine has it: no PROJ_DATA/PROJ_LIB pointing at extra grid directories.
struct PlainProjEnvironment {
    ScopedEnv proj_data{"PROJ_DATA", std::nullopt};
    ScopedEnv proj_lib{"PROJ_LIB", std::nullopt};
};

/// Where PROJ (with the environment as it is now) would find the NTv2 grid, if anywhere.
std::optional<std::filesystem::path> findable_ntv2_grid() {
    auto dirs = default_proj_search_paths();
    dirs.push_back(std::filesystem::current_path()); // PROJ also looks in the CWD
    for (const auto& dir : dirs) {
        const auto candidate = dir / "uk_os_OSTN15_NTv2_OSGBtoETRS.tif";
        std::error_code ec;
        if (std::filesystem::exists(candidate, ec)) {
            return candidate;
        }
    }
    return std::nullopt;
}

// Ellipsoids, projection and OS's worked example: "A guide to coordinate systems in Great
// Britain", annex C (Airy 1830, National Grid): 52°39'27.2531"N 1°43'4.5177"E <->
// E 651409.903, N 313177.270.
TEST(TransverseMercator, ReproducesOsWorkedExampleForward) {
    const TransverseMercator tm(airy_1830, national_grid);
    const EastNorth en = tm.forward({dms(1, 43, 4.5177), dms(52, 39, 27.2531)});
    EXPECT_NEAR(en.easting, 651409.903, 0.001);
    EXPECT_NEAR(en.northing, 313177.270, 0.001);
}

TEST(TransverseMercator, ReproducesOsWorkedExampleInverse) {
    const TransverseMercator tm(airy_1830, national_grid);
    const LonLat ll = tm.inverse({651409.903, 313177.270});
    // The guide quotes 4 decimals of an arc-second (~3 mm).
    EXPECT_NEAR(ll.lat, dms(52, 39, 27.2531), 0.00005 / 3600.0);
    EXPECT_NEAR(ll.lon, dms(1, 43, 4.5177), 0.00005 / 3600.0);
}

// The Redfearn series is OS's definition, truncated: its error grows with distance from the
// central meridian, to ~1 cm at the grid's far western corners (all open sea).
TEST(TransverseMercator, RoundTripsToTwoMillimetresWithin300KmOfTheCentralMeridian) {
    for (const Ellipsoid& ellipsoid : {airy_1830, grs80}) {
        const TransverseMercator tm(ellipsoid, national_grid);
        double worst_near = 0;
        double worst_all = 0;
        for (double e = 0; e <= 700000; e += 20000) {
            for (double n = 0; n <= 1250000; n += 25000) {
                const double d = grid_distance_m(tm.forward(tm.inverse({e, n})), {e, n});
                worst_all = std::max(worst_all, d);
                if (std::abs(e - 400000) <= 300000) {
                    worst_near = std::max(worst_near, d);
                }
            }
        }
        EXPECT_LT(worst_near, 0.002) << "ellipsoid a=" << ellipsoid.a;
        EXPECT_LT(worst_all, 0.02) << "ellipsoid a=" << ellipsoid.a;
    }
}

TEST(TransverseMercator, CentralMeridianAndTrueOriginMapToTheFalseOrigin) {
    const TransverseMercator tm(grs80, national_grid);
    const EastNorth origin = tm.forward({-2.0, 49.0});
    EXPECT_NEAR(origin.easting, 400000.0, 1e-6);
    EXPECT_NEAR(origin.northing, -100000.0, 1e-6);
}

// --- Accuracy against an independent implementation on the same OS data -------------------

/// What Geo::Coordinates::OSGB (Debian's libgeo-coordinates-osgb-perl) says for one point.
struct OracleRow {
    LonLat lonlat;       ///< grid_to_ll(E, N)
    EastNorth from_perl; ///< ll_to_grid(grid_to_ll(E, N)), i.e. the forward direction
};

/// Runs perl once for every point: the module is a separate implementation of OSTN15 (GPL
/// Perl) reading the same OS shift files, so agreement checks our algorithm, not the data.
struct PerlOracle {
    std::vector<EastNorth> points;
    std::vector<OracleRow> rows;
    std::string error; // non-empty when perl or the module is unusable: the tests then FAIL

    static PerlOracle run(const std::vector<EastNorth>& points) {
        PerlOracle oracle;
        oracle.points = points;
        const testing::TempDir tmp;
        const auto in_path = tmp.path() / "points.txt";
        const auto out_path = tmp.path() / "oracle.txt";
        const auto err_path = tmp.path() / "stderr.txt";
        {
            std::ofstream in(in_path);
            in.imbue(std::locale::classic());
            in.precision(17);
            for (const auto& p : points) {
                in << p.easting << ' ' << p.northing << '\n';
            }
        }
        const std::string script = "my ($e, $n) = split; my ($lat, $lon) = grid_to_ll($e, $n);"
                                   " my ($e2, $n2) = ll_to_grid($lat, $lon);"
                                   " printf(\"%.12f %.12f %.4f %.4f\\n\", $lon, $lat, $e2, $n2);";
        const std::string command = "perl -MGeo::Coordinates::OSGB=grid_to_ll,ll_to_grid -ne '" +
                                    script + "' '" + in_path.string() + "' > '" +
                                    out_path.string() + "' 2> '" + err_path.string() + "'";
        const int status = std::system(command.c_str());
        if (status != 0) {
            std::ifstream err(err_path);
            std::stringstream text;
            text << err.rdbuf();
            oracle.error = "perl oracle failed (status " + std::to_string(status) +
                           "); install the Debian package libgeo-coordinates-osgb-perl. " +
                           text.str();
            return oracle;
        }
        std::ifstream out(out_path);
        out.imbue(std::locale::classic());
        OracleRow row;
        while (out >> row.lonlat.lon >> row.lonlat.lat >> row.from_perl.easting >>
               row.from_perl.northing) {
            oracle.rows.push_back(row);
        }
        if (oracle.rows.size() != points.size()) {
            oracle.error = "perl oracle printed " + std::to_string(oracle.rows.size()) +
                           " rows for " + std::to_string(points.size()) + " points";
        }
        return oracle;
    }
};

class Ostn15Accuracy : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        std::vector<EastNorth> points(gb_test_points.begin(), gb_test_points.end());
        // Far out at sea near the grid's corners: OSTN15 has real values there too.
        points.push_back({1000.5, 1000.5});
        points.push_back({699000.5, 1249000.5});
        points.push_back({699000.5, 1000.5});
        points.push_back({1000.5, 1249000.5});
        s_oracle = new PerlOracle(PerlOracle::run(points));
        try {
            s_transform = BngTransform::create();
        } catch (const GeoError& e) {
            s_oracle->error += std::string(" BngTransform::create failed: ") + e.what();
        }
    }
    static void TearDownTestSuite() {
        delete s_oracle;
        s_oracle = nullptr;
        s_transform.reset();
    }

    static PerlOracle* s_oracle;
    static std::shared_ptr<const BngTransform> s_transform;
};

PerlOracle* Ostn15Accuracy::s_oracle = nullptr;
std::shared_ptr<const BngTransform> Ostn15Accuracy::s_transform;

TEST_F(Ostn15Accuracy, DefaultTransformIsTheBuiltInOstn15) {
    ASSERT_NE(s_transform, nullptr) << s_oracle->error;
    EXPECT_EQ(s_transform->info().method, TransformMethod::ostn15_builtin);
    EXPECT_STREQ(to_string(s_transform->info().method), "ostn15_builtin");
    EXPECT_DOUBLE_EQ(s_transform->info().accuracy_m, 0.1);
    EXPECT_NE(s_transform->info().name.find("OSTN15"), std::string::npos);
}

TEST_F(Ostn15Accuracy, GridToWgs84MatchesPerlOracleWithinTenCentimetres) {
    ASSERT_TRUE(s_oracle->error.empty()) << s_oracle->error;
    double worst = 0;
    for (std::size_t i = 0; i < s_oracle->points.size(); ++i) {
        const LonLat ours = s_transform->to_wgs84(s_oracle->points[i]);
        const double d = lonlat_distance_m(ours, s_oracle->rows[i].lonlat);
        EXPECT_LT(d, required_accuracy_m)
            << "E " << s_oracle->points[i].easting << " N " << s_oracle->points[i].northing;
        worst = std::max(worst, d);
    }
    std::cout << "[ metrics  ] built-in vs perl, EPSG:27700 -> WGS84: max " << worst * 1000
              << " mm over " << s_oracle->points.size() << " points\n";
}

TEST_F(Ostn15Accuracy, Wgs84ToGridMatchesPerlOracleWithinTenCentimetres) {
    ASSERT_TRUE(s_oracle->error.empty()) << s_oracle->error;
    double worst = 0;
    for (std::size_t i = 0; i < s_oracle->points.size(); ++i) {
        const OracleRow& row = s_oracle->rows[i];
        const EastNorth ours = s_transform->to_bng(row.lonlat);
        const double d = grid_distance_m(ours, row.from_perl);
        EXPECT_LT(d, required_accuracy_m) << "lon " << row.lonlat.lon << " lat " << row.lonlat.lat;
        worst = std::max(worst, d);
    }
    std::cout << "[ metrics  ] built-in vs perl, WGS84 -> EPSG:27700: max " << worst * 1000
              << " mm over " << s_oracle->points.size() << " points\n";
}

TEST_F(Ostn15Accuracy, PlainProjHelmertIsMetresOffSoTheOracleCanFail) {
    ASSERT_TRUE(s_oracle->error.empty()) << s_oracle->error;
    const PlainProjEnvironment plain;
    ASSERT_FALSE(findable_ntv2_grid()) << "precondition: the NTv2 grid must not be on PROJ's path";
    TransformOptions options;
    options.ostn15_dir = "/nonexistent/ostn15";
    options.allow_approximate = true;
    const auto helmert = BngTransform::create(options);
    ASSERT_EQ(helmert->info().method, TransformMethod::helmert_approximate);

    double worst = 0;
    std::size_t beyond = 0;
    for (std::size_t i = 0; i < gb_test_points.size(); ++i) {
        const double d =
            lonlat_distance_m(helmert->to_wgs84(gb_test_points[i]), s_oracle->rows[i].lonlat);
        worst = std::max(worst, d);
        beyond += d > 0.3 ? 1 : 0;
    }
    std::cout << "[ metrics  ] PROJ Helmert vs perl: max " << worst << " m; " << beyond << " of "
              << gb_test_points.size() << " points beyond 0.3 m\n";
    EXPECT_GT(worst, 0.3);
    EXPECT_GT(beyond, gb_test_points.size() / 2);
}

TEST_F(Ostn15Accuracy, RoundTripIsStableToTwoMillimetres) {
    ASSERT_NE(s_transform, nullptr) << s_oracle->error;
    double worst = 0;
    for (const auto& p : gb_test_points) {
        worst = std::max(worst, grid_distance_m(s_transform->to_bng(s_transform->to_wgs84(p)), p));
    }
    EXPECT_LT(worst, 0.002); // the TM series' own round-trip error, worst in the far west
}

TEST_F(Ostn15Accuracy, BatchGivesTheSameAnswersAsSinglePoints) {
    ASSERT_NE(s_transform, nullptr) << s_oracle->error;
    std::vector<LonLat> out(gb_test_points.size());
    s_transform->to_wgs84(gb_test_points, out);
    for (std::size_t i = 0; i < gb_test_points.size(); ++i) {
        const LonLat one = s_transform->to_wgs84(gb_test_points[i]);
        EXPECT_EQ(out[i].lon, one.lon);
        EXPECT_EQ(out[i].lat, one.lat);
    }
    std::vector<LonLat> too_short(3);
    EXPECT_THROW(s_transform->to_wgs84(gb_test_points, too_short), std::invalid_argument);
}

// --- Coverage -----------------------------------------------------------------------------

TEST_F(Ostn15Accuracy, PointsOutsideCoverageThrow) {
    ASSERT_NE(s_transform, nullptr) << s_oracle->error;
    const auto& t = *s_transform;
    EXPECT_THROW((void)t.to_wgs84({-1000, 500000}), GeoError);
    EXPECT_THROW((void)t.to_wgs84({400000, 1250500}), GeoError);
    EXPECT_THROW((void)t.to_wgs84({700001, 300000}), GeoError);
    // Inside the OSGB36 rectangle, but the ETRS89 position it stands for is west of it.
    EXPECT_THROW((void)t.to_wgs84({50, 500000}), GeoError);
    EXPECT_THROW((void)t.to_wgs84({std::nan(""), 500000}), GeoError);
    EXPECT_THROW((void)t.to_bng({10.0, 45.0}), GeoError);  // Italy
    EXPECT_THROW((void)t.to_bng({-20.0, 55.0}), GeoError); // Atlantic
    EXPECT_THROW((void)t.to_bng({-9.3, 49.8}), GeoError);  // in the window, west of E=0
    EXPECT_THROW((void)t.to_bng({170.0, 55.0}), GeoError); // far from the central meridian
    EXPECT_THROW((void)t.to_bng({std::nan(""), 55.0}), GeoError);
    try {
        (void)t.to_wgs84({-1000, 500000});
    } catch (const GeoError& e) {
        EXPECT_NE(std::string(e.what()).find("outside OSTN15 coverage"), std::string::npos)
            << e.what();
    }
}

TEST_F(Ostn15Accuracy, TheGridsFarEdgesAreInsideCoverage) {
    const auto dir = Ostn15Grid::find_default_dir();
    ASSERT_TRUE(dir) << "install the Debian package libgeo-coordinates-osgb-perl";
    const auto grid = std::make_shared<Ostn15Grid>(*dir);
    EXPECT_NO_THROW((void)grid->shift_at({700000, 1250000}));
    EXPECT_NO_THROW((void)grid->shift_at({0, 0}));
    EXPECT_THROW((void)grid->shift_at({700000.001, 0}), GeoError);
}

// --- Choosing a method --------------------------------------------------------------------

TEST(BngTransformCreate, WithoutAnyOstn15DataAndNoApproximationItThrowsSayingHowToFix) {
    const PlainProjEnvironment plain;
    ASSERT_FALSE(findable_ntv2_grid()) << "precondition: the NTv2 grid must not be on PROJ's path";
    TransformOptions options;
    options.ostn15_dir = "/nonexistent/ostn15";
    try {
        (void)BngTransform::create(options);
        FAIL() << "expected GeoError";
    } catch (const GeoError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("/nonexistent/ostn15"), std::string::npos) << message;
        EXPECT_NE(message.find("libgeo-coordinates-osgb-perl"), std::string::npos) << message;
        EXPECT_NE(message.find("uk_os_OSTN15_NTv2_OSGBtoETRS.tif"), std::string::npos) << message;
        EXPECT_NE(message.find("PROJ_DATA"), std::string::npos) << message;
    }
}

TEST(BngTransformCreate, AllowApproximateFallsBackToTheHelmertAndSaysSo) {
    const PlainProjEnvironment plain;
    ASSERT_FALSE(findable_ntv2_grid()) << "precondition: the NTv2 grid must not be on PROJ's path";
    TransformOptions options;
    options.ostn15_dir = "/nonexistent/ostn15";
    options.allow_approximate = true;
    const auto t = BngTransform::create(options);
    EXPECT_EQ(t->info().method, TransformMethod::helmert_approximate);
    EXPECT_STREQ(to_string(t->info().method), "helmert_approximate");
    EXPECT_GE(t->info().accuracy_m, 1.0);
    EXPECT_NE(t->info().name.find("OSGB36 to WGS 84"), std::string::npos) << t->info().name;
    // The Helmert is held to the same area as the built-in transform.
    EXPECT_THROW((void)t->to_wgs84({-1000, 500000}), GeoError);
    EXPECT_THROW((void)t->to_bng({10.0, 45.0}), GeoError);
}

TEST(BngTransformCreate, PreferProjGridFallsBackToBuiltInWhenTheGridIsMissing) {
    const PlainProjEnvironment plain;
    ASSERT_FALSE(findable_ntv2_grid()) << "precondition: the NTv2 grid must not be on PROJ's path";
    TransformOptions options;
    options.prefer_proj_grid = true;
    EXPECT_EQ(BngTransform::create(options)->info().method, TransformMethod::ostn15_builtin);
}

TEST(BngTransformCreate, MethodNamesAreStable) {
    EXPECT_STREQ(to_string(TransformMethod::ostn15_builtin), "ostn15_builtin");
    EXPECT_STREQ(to_string(TransformMethod::ostn15_ntv2_proj), "ostn15_ntv2_proj");
    EXPECT_STREQ(to_string(TransformMethod::helmert_approximate), "helmert_approximate");
}

// --- Loading the data ---------------------------------------------------------------------

TEST(Ostn15GridLoading, FindsTheDebianDataAndHonoursTheEnvironmentOverride) {
    {
        const ScopedEnv unset("WARDMAP_OSTN15_DIR", std::nullopt);
        const auto dir = Ostn15Grid::find_default_dir();
        ASSERT_TRUE(dir) << "install the Debian package libgeo-coordinates-osgb-perl";
        EXPECT_TRUE(Ostn15Grid::has_data_files(*dir));
    }
    const ScopedEnv set("WARDMAP_OSTN15_DIR", "/somewhere/else");
    EXPECT_EQ(Ostn15Grid::find_default_dir(), std::filesystem::path("/somewhere/else"));
}

TEST(Ostn15GridLoading, AWrongSizedFileIsAGeoErrorNamingTheFile) {
    const testing::TempDir tmp;
    const auto east = tmp.path() / "ostn_east_shift_82140";
    std::ofstream(east, std::ios::binary) << "too short";
    std::ofstream(tmp.path() / "ostn_north_shift_-84180", std::ios::binary) << "too short";
    ASSERT_TRUE(Ostn15Grid::has_data_files(tmp.path()));
    try {
        const Ostn15Grid grid(tmp.path());
        FAIL() << "expected GeoError";
    } catch (const GeoError& e) {
        EXPECT_NE(std::string(e.what()).find(east.string()), std::string::npos) << e.what();
    }
    // Present but broken data is an error, not a reason to fall back silently.
    TransformOptions options;
    options.ostn15_dir = tmp.path();
    options.allow_approximate = true;
    EXPECT_THROW((void)BngTransform::create(options), GeoError);
}

TEST(Ostn15GridLoading, AMissingFileIsAGeoErrorNamingTheDirectory) {
    const testing::TempDir tmp;
    std::ofstream(tmp.path() / "ostn_east_shift_82140", std::ios::binary) << "x";
    EXPECT_FALSE(Ostn15Grid::has_data_files(tmp.path()));
    try {
        const Ostn15Grid grid(tmp.path());
        FAIL() << "expected GeoError";
    } catch (const GeoError& e) {
        EXPECT_NE(std::string(e.what()).find(tmp.path().string()), std::string::npos) << e.what();
    }
}

// --- Threads ------------------------------------------------------------------------------

void expect_identical_from_two_threads(const BngTransform& t) {
    std::vector<LonLat> expected;
    for (const auto& p : gb_test_points) {
        expected.push_back(t.to_wgs84(p));
    }
    auto work = [&t](std::vector<LonLat>& out, std::vector<EastNorth>& back) {
        for (int round = 0; round < 5; ++round) {
            out.clear();
            back.clear();
            for (const auto& p : gb_test_points) {
                out.push_back(t.to_wgs84(p));
                back.push_back(t.to_bng(out.back()));
            }
        }
    };
    std::vector<LonLat> a;
    std::vector<LonLat> b;
    std::vector<EastNorth> a_back;
    std::vector<EastNorth> b_back;
    std::thread ta(work, std::ref(a), std::ref(a_back));
    std::thread tb(work, std::ref(b), std::ref(b_back));
    ta.join();
    tb.join();
    ASSERT_EQ(a.size(), expected.size());
    ASSERT_EQ(b.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(a[i].lon, expected[i].lon);
        EXPECT_EQ(a[i].lat, expected[i].lat);
        EXPECT_EQ(b[i].lon, expected[i].lon);
        EXPECT_EQ(b[i].lat, expected[i].lat);
        EXPECT_EQ(a_back[i].easting, b_back[i].easting);
        EXPECT_EQ(a_back[i].northing, b_back[i].northing);
    }
}

TEST(BngTransformThreads, BuiltInGivesIdenticalResultsFromTwoThreads) {
    const auto t = BngTransform::create();
    ASSERT_EQ(t->info().method, TransformMethod::ostn15_builtin);
    expect_identical_from_two_threads(*t);
}

TEST(BngTransformThreads, ProjFormGivesIdenticalResultsFromTwoThreads) {
    const PlainProjEnvironment plain;
    TransformOptions options;
    options.ostn15_dir = "/nonexistent/ostn15";
    options.allow_approximate = true;
    const auto t = BngTransform::create(options);
    expect_identical_from_two_threads(*t);
}

} // namespace
} // namespace wardmap::geo
