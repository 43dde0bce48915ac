#pragma once

#include "geo/c_handle.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace wardmap::store {

/// A SQLite/SpatiaLite failure, with SQLite's extended result code.
class StoreError : public std::runtime_error {
  public:
    StoreError(const std::string& message, int sqlite_code)
        : std::runtime_error(message), m_code(sqlite_code) {}
    [[nodiscard]] int sqlite_code() const { return m_code; }
    /// The database stayed locked past the busy timeout: worth retrying later.
    [[nodiscard]] bool is_busy() const {
        return (m_code & 0xFF) == SQLITE_BUSY || (m_code & 0xFF) == SQLITE_LOCKED;
    }

  private:
    int m_code;
};

/// A statement stopped because it ran past its connection's deadline (Database::set_deadline,
/// QueryBudget): SQLITE_INTERRUPT. The request asked for more work than it may have; the
/// HTTP boundary answers 503 (docs/errors.md, query-timeout) and logs it.
class QueryTimeout : public StoreError {
  public:
    explicit QueryTimeout(const std::string& message) : StoreError(message, SQLITE_INTERRUPT) {}
};

/// The time budget of the calling thread's database work (one request's), for as long as it
/// lives: connections the thread leases from a ConnectionPool meanwhile interrupt any
/// statement still running at the deadline, which then throws QueryTimeout. Budgets nest
/// (the inner one is restored on destruction); threads without one have no deadline.
class QueryBudget {
  public:
    using Clock = std::chrono::steady_clock;
    explicit QueryBudget(std::chrono::milliseconds budget);
    ~QueryBudget();
    QueryBudget(const QueryBudget&) = delete;
    QueryBudget& operator=(const QueryBudget&) = delete;

    /// The calling thread's deadline, if a QueryBudget is alive on it.
    static std::optional<Clock::time_point> current_deadline();

  private:
    std::optional<Clock::time_point> m_previous;
};

class Statement;
class GroupCommit;

enum class OpenMode { read_only, read_write, create };

struct OpenOptions {
    OpenMode mode = OpenMode::read_write;
    /// How long SQLite retries a locked database before SQLITE_BUSY surfaces.
    int busy_timeout_ms = 5000;
};

/// One SQLite connection with SpatiaLite initialised on it (spatialite_init_ex).
/// Owns both; closes them in the order SpatiaLite needs. Not thread-safe: one per thread.
class Database {
  public:
    static Database open(const std::filesystem::path& path, const OpenOptions& options = {});
    ~Database() = default;
    Database(Database&& other) noexcept = default;
    Database& operator=(Database&& other) noexcept = default;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    /// Runs one or more statements with no results.
    void exec(std::string_view sql);
    Statement prepare(std::string_view sql);
    /// Like prepare(), but the compiled statement stays on this connection for the next call
    /// with the same text; the Statement resets and unbinds it when destroyed. For the few
    /// statements a server runs on every request (parsing one can cost more than running it).
    /// The least recently used of more than `statement_cache_size` are finalized; a text whose
    /// cached statement is still in use gets a fresh one.
    Statement prepare_cached(std::string_view sql);
    static constexpr std::size_t statement_cache_size = 48;
    /// First column of the first row as an integer (nullopt when no row or NULL).
    std::optional<std::int64_t> query_int(std::string_view sql);
    std::optional<std::string> query_text(std::string_view sql);

    [[nodiscard]] sqlite3* handle() const { return m_conn ? m_conn->db : nullptr; }
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
    [[nodiscard]] std::int64_t last_insert_rowid() const;

    /// The body of an application-defined SQL function: reads `argv` and sets the result on
    /// `ctx` (sqlite3_result_*). An exception becomes the statement's error (its text).
    using ScalarFunction =
        std::function<void(sqlite3_context* ctx, int argc, sqlite3_value** argv)>;
    /// Defines (or replaces) the scalar SQL function `name` taking `args` arguments on this
    /// connection only; the connection owns `fn` from then on and may call it from whichever
    /// thread runs a statement on it. For functions of the services (e.g. the ward of a point
    /// from the in-memory ward index) that SQL they declare may call.
    void create_function(const std::string& name, int args, ScalarFunction fn);
    [[nodiscard]] int changes() const;

    /// Throws StoreError built from this connection's last error when `rc` is a failure
    /// (QueryTimeout for SQLITE_INTERRUPT).
    void check(int rc, std::string_view what) const;

    /// Interrupts statements (SQLITE_INTERRUPT, thrown as QueryTimeout) still running at
    /// `deadline`; nullopt removes it. A progress handler reads a steady clock once every
    /// `progress_interval` virtual-machine instructions (tens of microseconds of work), so
    /// it costs well under 1 %; statements shorter than that are never checked.
    void set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline);
    [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> deadline() const {
        return m_conn ? m_conn->deadline : std::nullopt;
    }
    static constexpr int progress_interval = 1000;

    /// Connections given the same gate (a pool's) queue their write transactions on it inside
    /// the process, each starting the moment the one before ends. Without it they queue in
    /// SQLite's busy handler, which sleeps 1, 2, 5, 10 ms... between tries while a write
    /// takes about one. `wait` is how long a Transaction waits for the gate before failing
    /// busy, as SQLite would after its busy timeout.
    void share_write_gate(std::shared_ptr<std::timed_mutex> gate, std::chrono::milliseconds wait);
    [[nodiscard]] std::timed_mutex* write_gate() const { return m_write_gate.get(); }
    [[nodiscard]] std::chrono::milliseconds write_gate_wait() const { return m_write_gate_wait; }

    /// With a group (a pool's, under `--durability full`), Transaction::commit() returns only
    /// once the commit is on disk (group_commit.hpp).
    void share_group_commit(std::shared_ptr<GroupCommit> group) {
        m_group_commit = std::move(group);
    }
    [[nodiscard]] GroupCommit* group_commit() const { return m_group_commit.get(); }

  private:
    Database(sqlite3* db, void* spatialite_cache, std::filesystem::path path);

    struct CachedStatement {
        geo::CHandle<sqlite3_stmt, sqlite3_finalize> stmt;
        bool in_use = false;
        std::uint64_t last_used = 0;
    };

    /// The owner of one SQLite connection, its SpatiaLite cache and its compiled statements,
    /// released in the order SQLite and SpatiaLite need (statements, connection, cache). On
    /// the heap, so a moved Database keeps lent statements' `in_use` flags where they are.
    struct Connection {
        Connection(sqlite3* handle, void* cache) : db(handle), spatialite(cache) {}
        ~Connection();
        Connection(const Connection&) = delete;
        Connection& operator=(const Connection&) = delete;

        sqlite3* db;
        void* spatialite;
        /// Node-based: a Statement lent from here points at its entry's `in_use`.
        std::unordered_map<std::string, CachedStatement> statements;
        std::uint64_t clock = 0;
        /// Read by the progress handler, which is installed only while this is set.
        std::optional<std::chrono::steady_clock::time_point> deadline;
    };

    // Shared with every Statement prepared here: no statement can outlive its connection.
    std::shared_ptr<Connection> m_conn;
    friend class Statement;
    std::filesystem::path m_path;
    std::shared_ptr<std::timed_mutex> m_write_gate;
    std::chrono::milliseconds m_write_gate_wait{0};
    std::shared_ptr<GroupCommit> m_group_commit;
};

/// A prepared statement owned by one Database. Bind indexes are 1-based as in SQLite.
class Statement {
  public:
    /// `cached_in_use` is set for a statement lent by Database::prepare_cached: it is reset
    /// and given back instead of finalized.
    Statement(Database& db, sqlite3_stmt* stmt, bool* cached_in_use = nullptr);

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const std::string& value) {
        return bind(index, std::string_view(value));
    }
    Statement& bind(int index, const std::optional<std::string>& value);
    /// NULL when empty.
    Statement& bind(int index, const std::optional<std::int64_t>& value);
    Statement& bind(int index, const std::optional<int>& value) {
        return value ? bind(index, static_cast<std::int64_t>(*value)) : bind_null(index);
    }
    Statement& bind(int index, std::span<const unsigned char> blob);
    Statement& bind_null(int index);

    /// Advances; true while a row is available.
    bool step();
    /// Runs a statement that returns no rows, then resets it for reuse.
    void run();
    void reset();

    [[nodiscard]] bool is_null(int col) const;
    /// SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL.
    [[nodiscard]] int column_type(int col) const;
    [[nodiscard]] std::int64_t int64(int col) const;
    [[nodiscard]] double real(int col) const;
    [[nodiscard]] std::string_view text(int col) const;
    [[nodiscard]] std::optional<std::string> optional_text(int col) const;
    /// The text without a copy (nullopt for NULL), valid until the statement steps or resets.
    [[nodiscard]] std::optional<std::string_view> optional_text_view(int col) const;
    [[nodiscard]] std::span<const unsigned char> blob(int col) const;
    [[nodiscard]] int column_count() const;
    [[nodiscard]] std::string_view column_name(int col) const;

  private:
    struct Finalizer {
        bool* cached_in_use = nullptr;
        void operator()(sqlite3_stmt* s) const noexcept {
            if (cached_in_use) {
                sqlite3_reset(s);
                sqlite3_clear_bindings(s);
                *cached_in_use = false;
            } else {
                sqlite3_finalize(s);
            }
        }
    };
    /// Throws StoreError from the statement's connection when `rc` is a failure.
    void check(int rc, std::string_view what) const;

    // Declared first, destroyed last: the connection outlives the statement.
    std::shared_ptr<const void> m_connection;
    std::unique_ptr<sqlite3_stmt, Finalizer> m_stmt;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed. Holds the
/// connection's write gate, when it has one, from before BEGIN until the end. With a group
/// commit, commit() then waits (gate released) until the commit is on disk.
class Transaction {
  public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

  private:
    Database& m_db;
    std::unique_lock<std::timed_mutex> m_gate;
    bool m_done = false;
};

} // namespace wardmap::store
