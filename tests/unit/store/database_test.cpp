#include "geo/store/bulk_journal.hpp"
#include "geo/store/checkpointer.hpp"
#include "geo/store/connection_pool.hpp"
#include "geo/store/data_version.hpp"
#include "geo/store/database.hpp"
#include "geo/store/migrations.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

namespace wardmap::store {
namespace {

class DatabaseTest : public ::testing::Test {
  protected:
    DatabaseTest() : path(tmp.path() / "t.sqlite") { migrate(path); }
    testing::TempDir tmp;
    std::filesystem::path path;
};

TEST_F(DatabaseTest, ABulkJournalIsUsedOnlyWhileNobodyElseHasTheDatabaseOpen) {
    auto db = Database::open(path);
    {
        const BulkJournal journal(db);
        EXPECT_TRUE(journal.active());
        EXPECT_EQ(db.query_text("PRAGMA journal_mode"), "delete");
        Transaction tx(db);
        db.exec("CREATE TABLE t (x)");
        db.exec("INSERT INTO t VALUES (1)");
        tx.commit();
    }
    EXPECT_EQ(db.query_text("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(db.query_int("PRAGMA busy_timeout"), 5000) << "the timeout is put back";

    auto other = Database::open(path); // a server, say
    EXPECT_EQ(other.query_int("SELECT count(*) FROM t"), 1);
    const auto started = std::chrono::steady_clock::now();
    {
        const BulkJournal journal(db);
        EXPECT_FALSE(journal.active());
        EXPECT_EQ(db.query_text("PRAGMA journal_mode"), "wal");
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2))
        << "it does not wait for the other connection";
    EXPECT_EQ(db.query_int("PRAGMA busy_timeout"), 5000);
}

TEST_F(DatabaseTest, StatementsBindAndReadEveryType) {
    auto db = Database::open(path);
    db.exec("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)");
    const std::vector<unsigned char> blob = {0, 1, 2, 255};
    db.prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?)")
        .bind(1, std::int64_t{1} << 40)
        .bind(2, 2.5)
        .bind(3, std::string_view("Caf\xC3\xA9"))
        .bind(4, std::span<const unsigned char>(blob))
        .bind_null(5)
        .run();
    auto s = db.prepare("SELECT i, r, s, b, n FROM t");
    ASSERT_TRUE(s.step());
    EXPECT_EQ(s.int64(0), std::int64_t{1} << 40);
    EXPECT_DOUBLE_EQ(s.real(1), 2.5);
    EXPECT_EQ(s.text(2), "Caf\xC3\xA9");
    EXPECT_EQ(std::vector<unsigned char>(s.blob(3).begin(), s.blob(3).end()), blob);
    EXPECT_TRUE(s.is_null(4));
    EXPECT_FALSE(s.optional_text(4));
    EXPECT_FALSE(s.step());
}

TEST_F(DatabaseTest, SpatialiteFunctionsWorkOnEveryConnection) {
    auto db = Database::open(path);
    EXPECT_EQ(db.query_text("SELECT AsText(GeomFromText('POINT(1 2)', 27700))"), "POINT(1 2)");
    EXPECT_EQ(db.query_int("SELECT count(*) FROM spatial_ref_sys WHERE srid IN (27700, 4326)"), 2);
}

TEST_F(DatabaseTest, TransactionRollsBackUnlessCommitted) {
    auto db = Database::open(path);
    db.exec("CREATE TABLE t (x INTEGER)");
    {
        Transaction tx(db);
        db.exec("INSERT INTO t VALUES (1)");
    }
    EXPECT_EQ(db.query_int("SELECT count(*) FROM t"), 0);
    {
        Transaction tx(db);
        db.exec("INSERT INTO t VALUES (1)");
        tx.commit();
    }
    EXPECT_EQ(db.query_int("SELECT count(*) FROM t"), 1);
}

TEST_F(DatabaseTest, SqlErrorsCarryTheirMessage) {
    auto db = Database::open(path);
    try {
        db.exec("SELECT * FROM no_such_table");
        FAIL() << "expected StoreError";
    } catch (const StoreError& e) {
        EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos);
        EXPECT_FALSE(e.is_busy());
    }
}

TEST_F(DatabaseTest, ALockedDatabaseSurfacesAsBusyAfterTheTimeout) {
    auto writer = Database::open(path);
    auto other = Database::open(path, {.mode = OpenMode::read_write, .busy_timeout_ms = 50});
    Transaction hold(writer);
    try {
        Transaction second(other);
        FAIL() << "expected a busy error";
    } catch (const StoreError& e) {
        EXPECT_TRUE(e.is_busy()) << e.what();
    }
}

TEST_F(DatabaseTest, WalModeIsOn) {
    auto db = Database::open(path);
    EXPECT_EQ(db.query_text("PRAGMA journal_mode"), "wal");
}

TEST_F(DatabaseTest, PoolHandsOutEachConnectionOnceAndTimesOut) {
    ConnectionPool pool(path, 2, {});
    auto a = pool.acquire();
    auto b = pool.acquire();
    EXPECT_NE(&*a, &*b);
    EXPECT_EQ(pool.stats().in_use, 2U);
    try {
        pool.acquire(std::chrono::milliseconds(20));
        FAIL() << "expected a timeout";
    } catch (const StoreError& e) {
        EXPECT_TRUE(e.is_busy());
    }
    EXPECT_EQ(pool.stats().timeouts, 1U);
}

TEST_F(DatabaseTest, PoolWakesAWaiterWhenALeaseEnds) {
    ConnectionPool pool(path, 1, {});
    auto lease = std::make_unique<ConnectionPool::Lease>(pool.acquire());
    std::thread releaser([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        lease.reset();
    });
    auto second = pool.acquire(std::chrono::milliseconds(2000));
    releaser.join();
    EXPECT_EQ(pool.stats().waits, 1U);
}

TEST_F(DatabaseTest, PooledWritersQueueOnTheGateAndAllCommit) {
    ConnectionPool pool(path, 4, {});
    pool.acquire()->exec("CREATE TABLE n (v INTEGER)");
    constexpr int per_thread = 200;
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
        writers.emplace_back([&pool, t] {
            for (int i = 0; i < per_thread; ++i) {
                auto db = pool.acquire();
                Transaction tx(*db);
                db->prepare("INSERT INTO n VALUES (?1)").bind(1, t * per_thread + i).run();
                tx.commit();
            }
        });
    }
    for (auto& w : writers) {
        w.join();
    }
    EXPECT_EQ(pool.acquire()->query_int("SELECT count(DISTINCT v) FROM n"), 4 * per_thread);
}

TEST_F(DatabaseTest, AHeldGateFailsTheNextWriterAsBusyAfterTheTimeout) {
    ConnectionPool pool(path, 2, {.mode = OpenMode::read_write, .busy_timeout_ms = 50});
    auto first = pool.acquire();
    auto second = pool.acquire();
    ASSERT_EQ(first->write_gate(), second->write_gate());
    ASSERT_NE(first->write_gate(), nullptr);
    auto hold = std::make_unique<Transaction>(*first);
    const auto start = std::chrono::steady_clock::now();
    try {
        Transaction blocked(*second);
        FAIL() << "expected a busy error";
    } catch (const StoreError& e) {
        EXPECT_TRUE(e.is_busy()) << e.what();
    }
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(45));
    hold->commit(); // releases the gate before the Transaction ends
    Transaction next(*second);
    next.commit();
}

TEST_F(DatabaseTest, CheckpointerTruncatesTheWal) {
    // An open connection keeps SQLite from checkpointing and removing the WAL on close.
    auto reader = Database::open(path);
    {
        auto db = Database::open(path);
        db.exec("CREATE TABLE t (x BLOB)");
        for (int i = 0; i < 50; ++i) {
            db.exec("INSERT INTO t VALUES (randomblob(10000))");
        }
    }
    auto wal = path;
    wal += "-wal";
    ASSERT_GT(std::filesystem::file_size(wal), 100000U);
    Checkpointer checkpointer(path, std::chrono::milliseconds(20));
    for (int i = 0; i < 200 && checkpointer.runs() < 2; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_GE(checkpointer.runs(), 1U);
    EXPECT_EQ(std::filesystem::file_size(wal), 0U);
}

// With nothing in the WAL a checkpoint leaves PRAGMA data_version alone (a TRUNCATE checkpoint
// moves it every time), so what is cached by that version survives an idle store.
TEST_F(DatabaseTest, CheckpointsOfAnEmptyWalLeaveTheDataVersionAlone) {
    {
        auto db = Database::open(path);
        db.exec("CREATE TABLE t (x)");
        db.exec("INSERT INTO t VALUES (1)");
    }
    DataVersion version(path);
    Checkpointer checkpointer(path, std::chrono::milliseconds(10));
    const auto wait_for_runs = [&checkpointer](std::uint64_t n) {
        for (int i = 0; i < 500 && checkpointer.runs() < n; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        ASSERT_GE(checkpointer.runs(), n);
    };
    wait_for_runs(2); // the first one emptied the WAL
    const auto idle = version.current();
    wait_for_runs(checkpointer.runs() + 5);
    EXPECT_EQ(version.current(), idle);
    {
        auto db = Database::open(path);
        db.exec("INSERT INTO t VALUES (2)");
    }
    EXPECT_NE(version.current(), idle);
}

} // namespace
} // namespace wardmap::store
