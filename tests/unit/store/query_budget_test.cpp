// Query deadlines: a runaway statement is interrupted within its budget and surfaces as
// QueryTimeout; pooled connections carry a request's deadline only while leased.

#include "geo/store/connection_pool.hpp"
#include "geo/store/database.hpp"
#include "geo/store/migrations.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace wardmap::store {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Counts to a billion: minutes of work, all of it inside one sqlite3_step.
constexpr const char* runaway = "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c "
                                "WHERE n < 1000000000) SELECT count(*) FROM c";

class QueryBudgetTest : public ::testing::Test {
  protected:
    QueryBudgetTest() : path(tmp.path() / "t.sqlite") { migrate(path); }
    testing::TempDir tmp;
    std::filesystem::path path;
};

TEST_F(QueryBudgetTest, ARunawayStatementIsInterruptedAtItsDeadline) {
    auto db = Database::open(path);
    const auto started = Clock::now();
    db.set_deadline(started + milliseconds(200));
    auto statement = db.prepare(runaway);
    try {
        statement.step();
        FAIL() << "the count finished";
    } catch (const QueryTimeout& e) {
        EXPECT_EQ(e.sqlite_code(), SQLITE_INTERRUPT);
        EXPECT_FALSE(e.is_busy());
    }
    const auto took = Clock::now() - started;
    EXPECT_GE(took, milliseconds(200));
    EXPECT_LT(took, milliseconds(700))
        << "the handler is checked often enough (slack for a loaded CI)";

    // The connection is usable afterwards, and without a deadline nothing is interrupted.
    db.set_deadline(std::nullopt);
    EXPECT_EQ(db.query_int("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c "
                           "WHERE n < 200000) SELECT count(*) FROM c"),
              200000);
}

TEST_F(QueryBudgetTest, ExecAndAPastDeadlineAreInterruptedToo) {
    auto db = Database::open(path);
    db.set_deadline(Clock::now() - milliseconds(1));
    EXPECT_THROW(db.exec(runaway), QueryTimeout);
    // Statements shorter than the progress interval are never checked.
    EXPECT_EQ(db.query_int("SELECT 1"), 1);
}

TEST_F(QueryBudgetTest, PooledConnectionsTakeTheLeasingThreadsBudgetAndDropItOnRelease) {
    ConnectionPool pool(path, 1, {});
    {
        auto lease = pool.acquire();
        EXPECT_FALSE(lease->deadline()) << "no budget on this thread";
    }
    {
        const QueryBudget budget(milliseconds(150));
        auto lease = pool.acquire();
        ASSERT_TRUE(lease->deadline());
        EXPECT_EQ(*lease->deadline(), *QueryBudget::current_deadline());
        const auto started = Clock::now();
        EXPECT_THROW(lease->query_int(runaway), QueryTimeout);
        EXPECT_LT(Clock::now() - started, milliseconds(650));
    }
    EXPECT_FALSE(QueryBudget::current_deadline());
    // The next lease (another request, or none) does not inherit the spent deadline.
    auto lease = pool.acquire();
    EXPECT_FALSE(lease->deadline());
    EXPECT_EQ(lease->query_int("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c "
                               "WHERE n < 100000) SELECT count(*) FROM c"),
              100000);
}

TEST_F(QueryBudgetTest, BudgetsNestAndTheTighterDeadlineWins) {
    const QueryBudget outer(milliseconds(5000));
    const auto outer_deadline = *QueryBudget::current_deadline();
    {
        const QueryBudget inner(milliseconds(10));
        EXPECT_LT(*QueryBudget::current_deadline(), outer_deadline);
    }
    EXPECT_EQ(*QueryBudget::current_deadline(), outer_deadline);
    {
        const QueryBudget looser(milliseconds(60000));
        EXPECT_EQ(*QueryBudget::current_deadline(), outer_deadline);
    }
}

} // namespace
} // namespace wardmap::store
