#include "geo/store/database.hpp"

#include "geo/store/group_commit.hpp"

#include <spatialite.h>

#include <algorithm>
#include <mutex>
#include <utility>

namespace wardmap::store {

namespace {

// spatialite_cleanup_ex touches process-wide state in libspatialite 5.0 (see the mutex in
// valhalla's mjolnir/sqlite3.cc); serialise it.
std::mutex& spatialite_cleanup_mutex() {
    static std::mutex m;
    return m;
}

void initialise_spatialite_once() {
    static std::once_flag once;
    std::call_once(once, [] { spatialite_initialize(); });
}

thread_local std::optional<QueryBudget::Clock::time_point> t_deadline;

/// StoreError from a failed call on `db`; QueryTimeout when the progress handler stopped it.
[[noreturn]] void throw_error(sqlite3* db, int rc, std::string_view what, const char* message) {
    const int code = sqlite3_extended_errcode(db);
    if ((rc & 0xFF) == SQLITE_INTERRUPT || (code & 0xFF) == SQLITE_INTERRUPT) {
        throw QueryTimeout(std::string(what) + ": interrupted at its deadline (" + message + ")");
    }
    throw StoreError(std::string(what) + ": " + message, code);
}

int past_deadline(void* deadline) {
    return QueryBudget::Clock::now() >=
                   *static_cast<const QueryBudget::Clock::time_point*>(deadline)
               ? 1
               : 0;
}

} // namespace

QueryBudget::QueryBudget(std::chrono::milliseconds budget) : m_previous(t_deadline) {
    const auto deadline = Clock::now() + budget;
    t_deadline = m_previous ? std::min(*m_previous, deadline) : deadline;
}

QueryBudget::~QueryBudget() {
    t_deadline = m_previous;
}

std::optional<QueryBudget::Clock::time_point> QueryBudget::current_deadline() {
    return t_deadline;
}

Database::Connection::~Connection() {
    // Cached statements first: SQLite will not close a connection with live statements.
    statements.clear();
    if (db) {
        sqlite3_close_v2(db);
    }
    if (spatialite) {
        std::lock_guard lock(spatialite_cleanup_mutex());
        spatialite_cleanup_ex(spatialite);
    }
}

Database::Database(sqlite3* db, void* spatialite_cache, std::filesystem::path path)
    : m_conn(std::make_shared<Connection>(db, spatialite_cache)), m_path(std::move(path)) {}

Database Database::open(const std::filesystem::path& path, const OpenOptions& options) {
    initialise_spatialite_once();
    int flags = SQLITE_OPEN_NOMUTEX;
    switch (options.mode) {
    case OpenMode::read_only:
        flags |= SQLITE_OPEN_READONLY;
        break;
    case OpenMode::read_write:
        flags |= SQLITE_OPEN_READWRITE;
        break;
    case OpenMode::create:
        flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
        break;
    }
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
        sqlite3_close(raw);
        throw StoreError("cannot open database " + path.string() + ": " + message, rc);
    }
    sqlite3_extended_result_codes(raw, 1);
    void* cache = spatialite_alloc_connection();
    spatialite_init_ex(raw, cache, 0);
    Database db(raw, cache, path);
    sqlite3_busy_timeout(raw, options.busy_timeout_ms);
    // Touch the schema so a file that is not a database fails here, not on first use.
    db.exec("PRAGMA schema_version");
    if (options.mode != OpenMode::read_only) {
        db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA journal_size_limit=67108864; PRAGMA foreign_keys=ON;");
    } else {
        db.exec("PRAGMA foreign_keys=ON;");
    }
    return db;
}

void Database::check(int rc, std::string_view what) const {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) {
        return;
    }
    throw_error(m_conn->db, rc, what, sqlite3_errmsg(m_conn->db));
}

void Database::set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
    m_conn->deadline = deadline;
    if (deadline) {
        sqlite3_progress_handler(m_conn->db, progress_interval, past_deadline, &*m_conn->deadline);
    } else {
        sqlite3_progress_handler(m_conn->db, 0, nullptr, nullptr);
    }
}

void Database::exec(std::string_view sql) {
    std::string text(sql);
    char* err = nullptr;
    const int rc = sqlite3_exec(m_conn->db, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string message = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        throw_error(m_conn->db, rc, "SQL failed", message.c_str());
    }
}

Statement Database::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc =
        sqlite3_prepare_v2(m_conn->db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        check(rc, "prepare failed");
    }
    return Statement(*this, stmt);
}

Statement Database::prepare_cached(std::string_view sql) {
    const std::string key(sql);
    if (auto it = m_conn->statements.find(key); it != m_conn->statements.end()) {
        if (it->second.in_use) {
            return prepare(sql); // the same text twice at once: the second is not cached
        }
        it->second.in_use = true;
        it->second.last_used = ++m_conn->clock;
        return Statement(*this, it->second.stmt.get(), &it->second.in_use);
    }
    if (m_conn->statements.size() >= statement_cache_size) {
        auto oldest = m_conn->statements.end();
        for (auto it = m_conn->statements.begin(); it != m_conn->statements.end(); ++it) {
            if (!it->second.in_use && (oldest == m_conn->statements.end() ||
                                       it->second.last_used < oldest->second.last_used)) {
                oldest = it;
            }
        }
        if (oldest == m_conn->statements.end()) {
            return prepare(sql);
        }
        m_conn->statements.erase(oldest); // finalizes it
    }
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(m_conn->db, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        check(rc, "prepare failed");
    }
    auto& cached = m_conn->statements[key];
    cached.stmt.reset(stmt);
    cached.in_use = true;
    cached.last_used = ++m_conn->clock;
    return Statement(*this, stmt, &cached.in_use);
}

std::optional<std::int64_t> Database::query_int(std::string_view sql) {
    auto stmt = prepare(sql);
    if (!stmt.step() || stmt.is_null(0)) {
        return std::nullopt;
    }
    return stmt.int64(0);
}

std::optional<std::string> Database::query_text(std::string_view sql) {
    auto stmt = prepare(sql);
    if (!stmt.step()) {
        return std::nullopt;
    }
    return stmt.optional_text(0);
}

void Database::create_function(const std::string& name, int args, ScalarFunction fn) {
    auto holder = std::make_unique<ScalarFunction>(std::move(fn));
    const auto call = [](sqlite3_context* ctx, int argc, sqlite3_value** argv) {
        const auto& f = *static_cast<const ScalarFunction*>(sqlite3_user_data(ctx));
        try {
            f(ctx, argc, argv);
        } catch (const std::exception& e) {
            sqlite3_result_error(ctx, e.what(), -1);
        } catch (...) {
            sqlite3_result_error(ctx, "unknown error in an application SQL function", -1);
        }
    };
    const auto destroy = [](void* p) { delete static_cast<ScalarFunction*>(p); };
    // SQLite calls `destroy` when the function is replaced or the connection closes, and also
    // when this call fails: from here on it owns the holder.
    const int rc = sqlite3_create_function_v2(m_conn->db, name.c_str(), args, SQLITE_UTF8,
                                              holder.release(), call, nullptr, nullptr, destroy);
    check(rc, "define SQL function " + name);
}

std::int64_t Database::last_insert_rowid() const {
    return sqlite3_last_insert_rowid(m_conn->db);
}

int Database::changes() const {
    return sqlite3_changes(m_conn->db);
}

Statement::Statement(Database& db, sqlite3_stmt* stmt, bool* cached_in_use)
    : m_connection(db.m_conn), m_stmt(stmt, Finalizer{cached_in_use}) {}

void Statement::check(int rc, std::string_view what) const {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) {
        return;
    }
    sqlite3* db = sqlite3_db_handle(m_stmt.get());
    throw_error(db, rc, what, sqlite3_errmsg(db));
}

Statement& Statement::bind(int index, std::int64_t value) {
    check(sqlite3_bind_int64(m_stmt.get(), index, value), "bind failed");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    check(sqlite3_bind_double(m_stmt.get(), index, value), "bind failed");
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    check(sqlite3_bind_text64(m_stmt.get(), index, value.data(), value.size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8),
          "bind failed");
    return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
    return value ? bind(index, std::string_view(*value)) : bind_null(index);
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
    return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind(int index, std::span<const unsigned char> blob) {
    check(sqlite3_bind_blob64(m_stmt.get(), index, blob.data(), blob.size(), SQLITE_TRANSIENT),
          "bind failed");
    return *this;
}

Statement& Statement::bind_null(int index) {
    check(sqlite3_bind_null(m_stmt.get(), index), "bind failed");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(m_stmt.get());
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    check(rc, "query failed");
    return false;
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(m_stmt.get());
    sqlite3_clear_bindings(m_stmt.get());
}

int Statement::column_type(int col) const {
    return sqlite3_column_type(m_stmt.get(), col);
}

bool Statement::is_null(int col) const {
    return sqlite3_column_type(m_stmt.get(), col) == SQLITE_NULL;
}

std::int64_t Statement::int64(int col) const {
    return sqlite3_column_int64(m_stmt.get(), col);
}

double Statement::real(int col) const {
    return sqlite3_column_double(m_stmt.get(), col);
}

std::string_view Statement::text(int col) const {
    const auto* p = sqlite3_column_text(m_stmt.get(), col);
    if (!p) {
        return {};
    }
    return {reinterpret_cast<const char*>(p),
            static_cast<std::size_t>(sqlite3_column_bytes(m_stmt.get(), col))};
}

std::optional<std::string_view> Statement::optional_text_view(int col) const {
    // sqlite3_column_text is NULL only for SQL NULL (or out of memory, where the type check
    // below still says what it was): two calls per column instead of three.
    const auto* p = sqlite3_column_text(m_stmt.get(), col);
    if (!p) {
        if (sqlite3_column_type(m_stmt.get(), col) != SQLITE_NULL) {
            throw StoreError("out of memory reading a column", SQLITE_NOMEM);
        }
        return std::nullopt;
    }
    return std::string_view(reinterpret_cast<const char*>(p),
                            static_cast<std::size_t>(sqlite3_column_bytes(m_stmt.get(), col)));
}

std::optional<std::string> Statement::optional_text(int col) const {
    if (is_null(col)) {
        return std::nullopt;
    }
    return std::string(text(col));
}

std::span<const unsigned char> Statement::blob(int col) const {
    const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(m_stmt.get(), col));
    if (!p) {
        return {};
    }
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt.get(), col))};
}

int Statement::column_count() const {
    return sqlite3_column_count(m_stmt.get());
}

std::string_view Statement::column_name(int col) const {
    const char* name = sqlite3_column_name(m_stmt.get(), col);
    return name ? name : "";
}

void Database::share_write_gate(std::shared_ptr<std::timed_mutex> gate,
                                std::chrono::milliseconds wait) {
    m_write_gate = std::move(gate);
    m_write_gate_wait = wait;
}

Transaction::Transaction(Database& db) : m_db(db) {
    if (auto* gate = db.write_gate()) {
        m_gate = std::unique_lock(*gate, std::defer_lock);
        if (!m_gate.try_lock_for(db.write_gate_wait())) {
            throw StoreError("database is locked: another write of this process took longer "
                             "than " +
                                 std::to_string(db.write_gate_wait().count()) + " ms",
                             SQLITE_BUSY);
        }
    }
    m_db.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (!m_done) {
        try {
            m_db.exec("ROLLBACK");
        } catch (...) {
            // The connection is already in autocommit (e.g. after a failed COMMIT); nothing to
            // undo.
        }
    }
}

void Transaction::commit() {
    m_db.exec("COMMIT");
    m_done = true;
    if (m_gate.owns_lock()) {
        m_gate.unlock(); // the next writer need not wait for this object's end
    }
    if (auto* group = m_db.group_commit()) {
        group->wait_durable(m_db); // the next writers commit while this one waits
    }
}

} // namespace wardmap::store
