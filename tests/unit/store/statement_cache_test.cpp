#include "geo/store/data_version.hpp"
#include "geo/store/database.hpp"
#include "geo/store/migrations.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wardmap::store {
namespace {

class StatementCacheTest : public ::testing::Test {
  protected:
    StatementCacheTest() : path(tmp.path() / "t.sqlite"), db(open_migrated(path)) {
        db.exec("CREATE TABLE t (x INTEGER, y TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b');");
    }
    static Database open_migrated(const std::filesystem::path& p) {
        migrate(p);
        return Database::open(p);
    }
    testing::TempDir tmp;
    std::filesystem::path path;
    Database db;
};

TEST_F(StatementCacheTest, AReusedStatementStartsUnboundAndFromTheTop) {
    {
        auto st = db.prepare_cached("SELECT x FROM t WHERE y = ? ORDER BY x");
        st.bind(1, "b");
        ASSERT_TRUE(st.step());
        EXPECT_EQ(st.int64(0), 2);
        // Dropped mid-result: the next user must not continue from here.
    }
    auto st = db.prepare_cached("SELECT x FROM t WHERE y = ? ORDER BY x");
    EXPECT_FALSE(st.step()) << "the old binding ('b') was cleared: y = NULL matches nothing";
    st.reset();
    st.bind(1, "a");
    ASSERT_TRUE(st.step());
    EXPECT_EQ(st.int64(0), 1);
}

TEST_F(StatementCacheTest, TheSameTextTwiceAtOnceGetsTwoStatements) {
    const std::string sql = "SELECT x FROM t ORDER BY x";
    auto outer = db.prepare_cached(sql);
    ASSERT_TRUE(outer.step());
    EXPECT_EQ(outer.int64(0), 1);
    {
        auto inner = db.prepare_cached(sql); // must not reset `outer`
        ASSERT_TRUE(inner.step());
        EXPECT_EQ(inner.int64(0), 1);
    }
    ASSERT_TRUE(outer.step());
    EXPECT_EQ(outer.int64(0), 2) << "the outer statement kept its place";
}

TEST_F(StatementCacheTest, ManyDifferentTextsStayCorrectPastTheCacheSize) {
    for (std::size_t round = 0; round < 2; ++round) {
        for (std::size_t i = 0; i < Database::statement_cache_size * 2; ++i) {
            auto st = db.prepare_cached("SELECT " + std::to_string(i) + " + x FROM t WHERE x = 1");
            ASSERT_TRUE(st.step());
            EXPECT_EQ(st.int64(0), static_cast<std::int64_t>(i) + 1);
        }
    }
}

TEST_F(StatementCacheTest, ACachedStatementFollowsASchemaChange) {
    {
        auto st = db.prepare_cached("SELECT * FROM t WHERE x = 1");
        ASSERT_TRUE(st.step());
        EXPECT_EQ(st.column_count(), 2);
    }
    db.exec("ALTER TABLE t ADD COLUMN z INTEGER DEFAULT 7");
    auto st = db.prepare_cached("SELECT * FROM t WHERE x = 1");
    ASSERT_TRUE(st.step());
    EXPECT_EQ(st.column_count(), 3);
    EXPECT_EQ(st.int64(2), 7);
}

TEST_F(StatementCacheTest, TheDataVersionMovesWithEveryCommitByAnyoneElseOnly) {
    DataVersion version(path);
    const auto start = version.current();
    EXPECT_EQ(version.current(), start) << "nothing committed";
    db.exec("INSERT INTO t VALUES (3, 'c')");
    const auto after_one = version.current();
    EXPECT_NE(after_one, start);
    EXPECT_EQ(version.current(), after_one);
    {
        Transaction tx(db);
        db.exec("INSERT INTO t VALUES (4, 'd')");
        EXPECT_EQ(version.current(), after_one) << "not committed yet";
        tx.commit();
    }
    EXPECT_NE(version.current(), after_one);
}

} // namespace
} // namespace wardmap::store
