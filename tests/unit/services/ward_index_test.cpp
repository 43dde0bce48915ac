#include "geo/bng_transform.hpp"
#include "geo/store/migrations.hpp"
#include "importers/demo/demo_borough.hpp"
#include "server/services/wards/ward_index.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

namespace wardmap::services {
namespace {

using store::Database;

core::Date day(const char* iso) {
    return *core::parse_iso_date(iso);
}

std::string code_at(const WardIndex& index, double e, double n, const char* date) {
    const auto* ward = index.find({e, n}, day(date));
    return ward ? ward->code : std::string();
}

std::string square(double x0, double y0, double x1, double y1) {
    const auto p = [](double x, double y) { return std::to_string(x) + " " + std::to_string(y); };
    return "MULTIPOLYGON(((" + p(x0, y0) + "," + p(x1, y0) + "," + p(x1, y1) + "," + p(x0, y1) +
           "," + p(x0, y0) + ")))";
}

void add_ward(Database& db, int set, const std::string& code, const std::string& wkt) {
    // The WGS84 copy is not what the index reads; any valid multipolygon will do.
    auto stmt = db.prepare("INSERT INTO wards (boundary_set_id, code, name, geom, geom_wgs84) "
                           "VALUES (?1, ?2, ?3, GeomFromText(?4, 27700), GeomFromText("
                           "'MULTIPOLYGON(((-2.7 53.6,-2.6 53.6,-2.6 53.7,-2.7 53.6)))', 4326))");
    stmt.bind(1, set).bind(2, code).bind(3, "Ward " + code).bind(4, wkt);
    stmt.run();
}

// Two boundary sets over a 2 x 1 km block at E 350000, N 410000:
//   2002-05-02 .. 2020-05-07: West E05000001 | East E05000002 (split at E 351000)
//   2020-05-07 .. now:        North E05000010 / South E05000011 (split at N 410500)
class WardIndexTest : public ::testing::Test {
  protected:
    void SetUp() override {
        path = tmp.path() / "wards.sqlite";
        store::migrate(path);
        auto db = Database::open(path);
        db.exec("INSERT INTO boundary_sets (id, label, valid_from, valid_to) VALUES "
                "(1, 'old', '2002-05-02', '2020-05-07'), (2, 'new', '2020-05-07', NULL)");
        add_ward(db, 1, "E05000001", square(350000, 410000, 351000, 411000));
        add_ward(db, 1, "E05000002", square(351000, 410000, 352000, 411000));
        add_ward(db, 2, "E05000011", square(350000, 410000, 352000, 410500));
        add_ward(db, 2, "E05000010", square(350000, 410500, 352000, 411000));
        index = WardIndex::load(db);
    }

    testing::TempDir tmp;
    std::filesystem::path path;
    std::shared_ptr<const WardIndex> index;
};

TEST_F(WardIndexTest, LoadsEveryWardOfEverySet) {
    EXPECT_EQ(index->wards().size(), 4U);
    EXPECT_EQ(index->boundary_set_count(), 2U);
}

TEST_F(WardIndexTest, FindsTheWardHoldingAPointOnADate) {
    const auto* ward = index->find({350500, 410250}, day("2023-01-01"));
    ASSERT_NE(ward, nullptr);
    EXPECT_EQ(ward->code, "E05000011");
    EXPECT_EQ(ward->name, "Ward E05000011");
    EXPECT_EQ(ward->boundary_set, "new");
    EXPECT_EQ(ward->valid_from, "2020-05-07");
    EXPECT_FALSE(ward->valid_to.has_value());
    EXPECT_EQ(code_at(*index, 351500, 410750, "2023-01-01"), "E05000010");
    EXPECT_EQ(code_at(*index, 351500, 410750, "2019-06-01"), "E05000002");
    EXPECT_EQ(code_at(*index, 350500, 410250, "2019-06-01"), "E05000001");
}

TEST_F(WardIndexTest, ValidFromIsInclusiveAndValidToExclusive) {
    EXPECT_EQ(code_at(*index, 350500, 410250, "2020-05-06"), "E05000001");
    EXPECT_EQ(code_at(*index, 350500, 410250, "2020-05-07"), "E05000011");
    EXPECT_EQ(code_at(*index, 350500, 410250, "2002-05-02"), "E05000001");
    EXPECT_EQ(code_at(*index, 350500, 410250, "2002-05-01"), ""); // before any set
}

TEST_F(WardIndexTest, PointsOutsideEveryWardHaveNone) {
    EXPECT_EQ(code_at(*index, 349999, 410500, "2023-01-01"), "");
    EXPECT_EQ(code_at(*index, 351000, 411001, "2019-06-01"), "");
    EXPECT_EQ(code_at(*index, 0, 0, "2019-06-01"), "");
    EXPECT_EQ(index->find({std::nan(""), 410500}, day("2019-06-01")), nullptr);
}

TEST_F(WardIndexTest, EdgesAndCornersGoToTheLowestCodeThatCoversThem) {
    // The shared edge of West and East, and a corner on the outer boundary.
    EXPECT_EQ(code_at(*index, 351000, 410500, "2019-06-01"), "E05000001");
    EXPECT_EQ(code_at(*index, 351000, 411000, "2019-06-01"), "E05000001");
    EXPECT_EQ(code_at(*index, 352000, 410000, "2019-06-01"), "E05000002");
    // North (E05000010) and South (E05000011) share N 410500; the outer edge belongs too.
    EXPECT_EQ(code_at(*index, 350700, 410500, "2023-01-01"), "E05000010");
    EXPECT_EQ(code_at(*index, 350000, 410200, "2023-01-01"), "E05000011");
}

TEST_F(WardIndexTest, ThreadsLookingUpAtOnceGetTheSameAnswers) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> e(349800, 352200), n(409800, 411200);
    std::vector<geo::EastNorth> points(20000);
    for (auto& p : points) {
        p = {e(rng), n(rng)};
    }
    const auto lookup_all = [&](std::vector<std::string>& out) {
        out.clear();
        for (std::size_t i = 0; i < points.size(); ++i) {
            const auto* w = index->find(points[i], day(i % 2 ? "2019-06-01" : "2023-01-01"));
            out.push_back(w ? w->code : "");
        }
    };
    std::vector<std::string> expected;
    lookup_all(expected);
    std::vector<std::vector<std::string>> results(4);
    std::vector<std::thread> threads;
    for (auto& r : results) {
        threads.emplace_back([&lookup_all, &r] { lookup_all(r); });
    }
    for (auto& t : threads) {
        t.join();
    }
    for (const auto& r : results) {
        EXPECT_EQ(r, expected);
    }
}

TEST_F(WardIndexTest, AReloadedIndexIsANewInstanceWithItsOwnTrees) {
    EXPECT_EQ(code_at(*index, 353000, 410500, "2023-01-01"), ""); // caches the old trees here
    {
        auto db = Database::open(path);
        add_ward(db, 2, "E05000012", square(352000, 410000, 354000, 411000));
        auto fresh = WardIndex::load(db);
        EXPECT_NE(fresh->generation(), index->generation());
        EXPECT_EQ(code_at(*fresh, 353000, 410500, "2023-01-01"), "E05000012");
        EXPECT_EQ(code_at(*index, 353000, 410500, "2023-01-01"), ""); // the old one is unchanged
    }
    // The fresh index is gone; another one built now must not pick up stale trees.
    auto db = Database::open(path);
    auto again = WardIndex::load(db);
    EXPECT_EQ(code_at(*again, 353000, 410500, "2023-01-01"), "E05000012");
}

// A few thousand random points across the demo borough, on both boundary sets: the index
// agrees with SpatiaLite's own ST_Contains through the R*Tree.
TEST(WardIndexDemo, AgreesWithSpatiaLiteOnTheDemoBorough) {
    testing::TempDir tmp;
    const auto path = tmp.path() / "demo.sqlite";
    store::migrate(path);
    auto db = Database::open(path);
    const auto transform = geo::BngTransform::create();
    importers::generate_demo_borough(db, *transform);
    const auto index = WardIndex::load(db);
    ASSERT_EQ(index->wards().size(), 34U);

    auto peer =
        db.prepare("SELECT w.code FROM wards w JOIN boundary_sets b ON b.id = w.boundary_set_id "
                   "WHERE w.id IN (SELECT pkid FROM idx_wards_geom WHERE xmin <= ?1 AND xmax >= ?1 "
                   "AND ymin <= ?2 AND ymax >= ?2) "
                   "AND b.valid_from <= ?3 AND (b.valid_to IS NULL OR b.valid_to > ?3) "
                   "AND ST_Contains(w.geom, MakePoint(?1, ?2, 27700)) ORDER BY w.code");
    std::mt19937_64 rng(2320);
    std::uniform_real_distribution<double> e(345600, 366300), n(410900, 428500);
    int inside = 0;
    for (int i = 0; i < 4000; ++i) {
        const double x = e(rng), y = n(rng);
        const char* date = i % 2 ? "2019-06-01" : "2024-06-01";
        peer.reset();
        peer.bind(1, x).bind(2, y).bind(3, date);
        std::vector<std::string> codes;
        while (peer.step()) {
            codes.emplace_back(peer.text(0));
        }
        ASSERT_LE(codes.size(), 1U) << "wards overlap at " << x << " " << y;
        const std::string expected = codes.empty() ? "" : codes[0];
        EXPECT_EQ(code_at(*index, x, y, date), expected) << x << " " << y << " " << date;
        inside += expected.empty() ? 0 : 1;
    }
    // The extent is the borough's bounding box: most points, not all, are in a ward.
    EXPECT_GT(inside, 1000);
    EXPECT_LT(inside, 4000);
}

} // namespace
} // namespace wardmap::services
