#include "geo/store/migrations.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace wardmap::store {
namespace {

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

TEST(Migrations, AreOrderedAndStartAtOne) {
    ASSERT_FALSE(migrations().empty());
    int expected = 1;
    for (const auto& m : migrations()) {
        EXPECT_EQ(m.version, expected++) << m.name;
    }
}

TEST(Migrations, CreateANewSpatialDatabaseAtTheLatestVersion) {
    testing::TempDir tmp;
    const auto path = tmp.path() / "new.sqlite";
    const auto result = migrate(path);
    EXPECT_TRUE(result.created);
    EXPECT_EQ(result.to_version, latest_schema_version());
    EXPECT_FALSE(std::filesystem::exists(tmp.path() / "new.sqlite.creating"));
    auto db = Database::open(path);
    EXPECT_EQ(schema_version(db), latest_schema_version());
    EXPECT_EQ(db.query_int("PRAGMA application_id"), application_id);
    // Geometry in 27700 with an R*Tree, and a WGS84 copy.
    EXPECT_EQ(db.query_int("SELECT srid FROM geometry_columns WHERE f_table_name = 'wards' AND "
                           "f_geometry_column = 'geom'"),
              27700);
    EXPECT_EQ(db.query_int("SELECT spatial_index_enabled FROM geometry_columns WHERE "
                           "f_table_name = 'wards' AND f_geometry_column = 'geom_wgs84'"),
              1);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM sqlite_master WHERE name = 'idx_properties_geom'"),
              1);
}

TEST(Migrations, AreIdempotent) {
    testing::TempDir tmp;
    const auto path = tmp.path() / "db.sqlite";
    migrate(path);
    const auto again = migrate(path);
    EXPECT_FALSE(again.created);
    EXPECT_EQ(again.from_version, again.to_version);
}

TEST(Migrations, RefuseAFileThatIsNotADatabaseAndLeaveItAlone) {
    testing::TempDir tmp;
    const auto path = tmp.path() / "garbage.sqlite";
    std::ofstream(path, std::ios::binary) << std::string(8192, 'x');
    const auto before = read_all(path);
    EXPECT_THROW(migrate(path), StoreError);
    EXPECT_EQ(read_all(path), before);
}

TEST(Migrations, RefuseSomeoneElsesSqliteDatabase) {
    testing::TempDir tmp;
    const auto path = tmp.path() / "other.sqlite";
    {
        auto db = Database::open(path, {.mode = OpenMode::create});
        db.exec("CREATE TABLE accounts (id INTEGER)");
    }
    try {
        migrate(path);
        FAIL() << "expected StoreError";
    } catch (const StoreError& e) {
        EXPECT_NE(std::string(e.what()).find("not a wardmap database"), std::string::npos);
    }
    auto db = Database::open(path);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM sqlite_master WHERE name = 'wards'"), 0);
}

TEST(Migrations, RefuseASchemaNewerThanThisBuild) {
    testing::TempDir tmp;
    const auto path = tmp.path() / "future.sqlite";
    migrate(path);
    {
        auto db = Database::open(path);
        db.exec("PRAGMA user_version = 9999");
    }
    EXPECT_THROW(migrate(path), StoreError);
}

TEST(Migrations, FailedCreationLeavesNoFileBehind) {
    testing::TempDir tmp;
    const auto path = tmp.path() / "no-such-dir" / "db.sqlite";
    EXPECT_THROW(migrate(path), StoreError);
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
}

} // namespace
} // namespace wardmap::store
