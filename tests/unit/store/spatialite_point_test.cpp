// The C++ reader of SpatiaLite point blobs agrees with SpatiaLite itself: blobs are made by
// SpatiaLite's own MakePoint/ST_GeomFromText in a real database and read back both ways.

#include "geo/store/database.hpp"
#include "geo/store/migrations.hpp"
#include "geo/store/spatialite_point.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wardmap::store {
namespace {

class SpatialitePointTest : public ::testing::Test {
  protected:
    SpatialitePointTest() : path(tmp.path() / "p.sqlite"), db(open_migrated(path)) {}
    static Database open_migrated(const std::filesystem::path& p) {
        migrate(p);
        return Database::open(p);
    }
    /// The blob SpatiaLite makes for `sql` (one geometry expression).
    std::vector<unsigned char> blob_of(const std::string& sql) {
        auto st = db.prepare("SELECT " + sql);
        EXPECT_TRUE(st.step());
        const auto b = st.blob(0);
        return {b.begin(), b.end()};
    }
    testing::TempDir tmp;
    std::filesystem::path path;
    Database db;
};

TEST_F(SpatialitePointTest, ReadsWhatSqlXAndYRead) {
    for (const char* point :
         {"MakePoint(-2.6167795, 53.6530123, 4326)", "MakePoint(358501.25, 417302.75, 27700)",
          "ST_GeomFromText('POINT Z(1.5 -2.5 30)', 4326)",
          "ST_GeomFromText('POINT M(7 8 9)', 4326)",
          "ST_GeomFromText('POINT ZM(-1e-9 1e9 3 4)', 4326)"}) {
        const auto blob = blob_of(point);
        const auto xy = spatialite_point_xy(blob);
        ASSERT_TRUE(xy) << point;
        auto st = db.prepare(std::string("SELECT X(g), Y(g) FROM (SELECT ") + point + " AS g)");
        ASSERT_TRUE(st.step());
        EXPECT_EQ(xy->first, st.real(0)) << point;
        EXPECT_EQ(xy->second, st.real(1)) << point;
    }
}

TEST_F(SpatialitePointTest, AnythingButAPointIsNotRead) {
    EXPECT_FALSE(spatialite_point_xy(blob_of("ST_GeomFromText('LINESTRING(0 0, 1 1)', 4326)")));
    EXPECT_FALSE(spatialite_point_xy(blob_of("ST_GeomFromText('MULTIPOINT(0 0, 1 1)', 4326)")));
    EXPECT_FALSE(spatialite_point_xy(blob_of("AsBinary(MakePoint(1, 2, 4326))"))) << "WKB";
    EXPECT_FALSE(spatialite_point_xy({})) << "a NULL column";
    auto truncated = blob_of("MakePoint(1, 2, 4326)");
    truncated.pop_back();
    EXPECT_FALSE(spatialite_point_xy(truncated));
}

} // namespace
} // namespace wardmap::store
