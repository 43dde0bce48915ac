#include "geo/store/backup.hpp"

#include "core/tokens.hpp"

#include "geo/store/database.hpp"
#include "geo/store/migrations.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace wardmap::store {

namespace {

std::filesystem::path with_suffix(const std::filesystem::path& p, const char* suffix) {
    return std::filesystem::path(p.string() + suffix);
}

std::string errno_text() {
    return std::strerror(errno);
}

void sync_path(const std::filesystem::path& p, int flags) {
    const int fd = ::open(p.c_str(), flags | O_CLOEXEC);
    if (fd < 0) {
        throw StoreError("cannot open " + p.string() + " to fsync it: " + errno_text(),
                         SQLITE_IOERR);
    }
    const int rc = ::fsync(fd);
    const int saved = errno;
    ::close(fd);
    if (rc != 0) {
        errno = saved;
        throw StoreError("fsync of " + p.string() + " failed: " + errno_text(), SQLITE_IOERR_FSYNC);
    }
}

std::filesystem::path folder_of(const std::filesystem::path& file) {
    const auto parent = std::filesystem::absolute(file).parent_path();
    return parent.empty() ? std::filesystem::path(".") : parent;
}

void remove_quietly(const std::filesystem::path& p) {
    std::error_code ignored;
    std::filesystem::remove(p, ignored);
}

/// A plain SQLite handle (no SpatiaLite: the copy's pages are never interpreted here).
struct RawDb {
    sqlite3* db = nullptr;
    explicit RawDb(const std::filesystem::path& p, int flags) {
        const int rc = sqlite3_open_v2(p.c_str(), &db, flags, nullptr);
        if (rc != SQLITE_OK) {
            std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
            sqlite3_close(db);
            db = nullptr;
            throw StoreError("cannot open " + p.string() + ": " + message, rc);
        }
        sqlite3_extended_result_codes(db, 1);
    }
    ~RawDb() { sqlite3_close_v2(db); }
    RawDb(const RawDb&) = delete;
    RawDb& operator=(const RawDb&) = delete;
    void exec(const char* sql) const {
        char* err = nullptr;
        if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
            std::string message = err ? err : sqlite3_errmsg(db);
            sqlite3_free(err);
            throw StoreError(std::string(sql) + ": " + message, sqlite3_extended_errcode(db));
        }
    }
};

/// One self-contained file: rollback journal, so nothing is left in a -wal beside it.
void make_self_contained(const std::filesystem::path& file) {
    try {
        RawDb db(file, SQLITE_OPEN_READWRITE);
        db.exec("PRAGMA journal_mode=DELETE");
    } catch (const StoreError& e) {
        throw StoreError(std::string("not a usable SQLite database: ") +
                             sqlite3_errstr(e.sqlite_code()),
                         SQLITE_NOTADB);
    }
}

void write_checksum_file(const BackupRecord& record) {
    const auto sums = with_suffix(record.file, ".sha256");
    const auto partial = with_suffix(sums, ".partial");
    {
        std::ofstream out(partial, std::ios::trunc);
        out << record.sha256 << "  " << record.file.filename().string() << "\n";
        if (!out.flush()) {
            throw StoreError("cannot write " + partial.string(), SQLITE_IOERR_WRITE);
        }
    }
    sync_file(partial);
    std::filesystem::rename(partial, sums);
}

} // namespace

void sync_file(const std::filesystem::path& file) {
    sync_path(file, O_RDONLY);
}

void sync_directory(const std::filesystem::path& folder) {
    sync_path(folder, O_RDONLY | O_DIRECTORY);
}

std::filesystem::path lock_file_path(const std::filesystem::path& store) {
    return with_suffix(store, ".lock");
}

std::optional<StoreLock> StoreLock::try_acquire(const std::filesystem::path& store, Kind kind) {
    const auto path = lock_file_path(store);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw StoreError("cannot open the lock file " + path.string() + ": " + errno_text(),
                         SQLITE_CANTOPEN);
    }
    const int op = (kind == Kind::shared ? LOCK_SH : LOCK_EX) | LOCK_NB;
    while (::flock(fd, op) != 0) {
        if (errno == EINTR) {
            continue;
        }
        const int saved = errno;
        ::close(fd);
        if (saved == EWOULDBLOCK) {
            return std::nullopt;
        }
        errno = saved;
        throw StoreError("cannot lock " + path.string() + ": " + errno_text(), SQLITE_IOERR_LOCK);
    }
    return StoreLock(fd);
}

StoreLock::StoreLock(StoreLock&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}

StoreLock::~StoreLock() {
    if (m_fd >= 0) {
        ::close(m_fd); // releases the flock
    }
}

BackupRecord check_backup_file(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        throw StoreError(file.string() + " is not a file", SQLITE_CANTOPEN);
    }
    BackupRecord record;
    record.file = file;
    try {
        auto db = Database::open(file, {.mode = OpenMode::read_only, .busy_timeout_ms = 2000});
        if (db.query_int("PRAGMA application_id").value_or(0) != application_id) {
            throw StoreError(file.string() + " is not a wardmap database (application_id)",
                             SQLITE_NOTADB);
        }
        record.schema_version = schema_version(db);
        if (record.schema_version < 1 || record.schema_version > latest_schema_version()) {
            throw StoreError(file.string() + " has schema version " +
                                 std::to_string(record.schema_version) +
                                 ", not one this wardmap knows (1 to " +
                                 std::to_string(latest_schema_version()) + ")",
                             SQLITE_NOTADB);
        }
        auto check = db.prepare("PRAGMA integrity_check(20)");
        std::string problems;
        while (check.step()) {
            const auto line = check.text(0);
            if (line != "ok") {
                problems += problems.empty() ? "" : "; ";
                problems += line;
            }
        }
        if (!problems.empty()) {
            throw StoreError(file.string() + " fails PRAGMA integrity_check: " + problems,
                             SQLITE_CORRUPT);
        }
    } catch (const StoreError& e) {
        const int primary = e.sqlite_code() & 0xFF;
        if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
            throw;
        }
        // "file is not a database", "disk image is malformed" surface as other codes on
        // open or prepare: whatever stops the check, the file is not usable.
        throw StoreError(std::string("not a usable wardmap database: ") + e.what(), SQLITE_CORRUPT);
    }
    record.bytes = std::filesystem::file_size(file);
    record.sha256 = core::sha256_file_hex(file);
    return record;
}

BackupRecord backup_database(const std::filesystem::path& store,
                             const std::filesystem::path& target,
                             const BackupOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    const auto partial = with_suffix(target, ".partial");
    for (const char* side : {"", "-journal", "-wal", "-shm"}) {
        remove_quietly(with_suffix(partial, side));
    }
    int steps = 0;
    try {
        auto source =
            Database::open(store, {.mode = OpenMode::read_write, .busy_timeout_ms = 5000});
        {
            RawDb copy(partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
            // One snapshot for every step: without an open read transaction each step starts
            // its own, and a commit by anyone in between restarts the backup from page 1.
            source.exec("BEGIN");
            source.query_int("SELECT count(*) FROM sqlite_master");
            sqlite3_backup* backup = sqlite3_backup_init(copy.db, "main", source.handle(), "main");
            if (!backup) {
                throw StoreError(std::string("backup could not start: ") + sqlite3_errmsg(copy.db),
                                 sqlite3_extended_errcode(copy.db));
            }
            int rc = SQLITE_OK;
            for (;;) {
                rc = sqlite3_backup_step(backup, options.pages_per_step);
                if (rc == SQLITE_OK) {
                    ++steps;
                    std::this_thread::sleep_for(options.pause_between_steps);
                } else if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                } else {
                    break;
                }
            }
            ++steps;
            sqlite3_backup_finish(backup);
            source.exec("COMMIT");
            if (rc != SQLITE_DONE) {
                throw StoreError(std::string("backup failed: ") + sqlite3_errstr(rc),
                                 sqlite3_extended_errcode(copy.db));
            }
        }
        make_self_contained(partial);
        auto record = check_backup_file(partial);
        sync_file(partial);
        std::filesystem::rename(partial, target);
        record.file = target;
        record.steps = steps;
        write_checksum_file(record);
        sync_directory(folder_of(target));
        record.took = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started);
        return record;
    } catch (...) {
        for (const char* side : {"", "-journal", "-wal", "-shm"}) {
            remove_quietly(with_suffix(partial, side));
        }
        throw;
    }
}

RestoreResult restore_database(const std::filesystem::path& backup,
                               const std::filesystem::path& store) {
    auto lock = StoreLock::try_acquire(store, StoreLock::Kind::exclusive);
    if (!lock) {
        throw StoreError("refusing to restore: a wardmap server is using " + store.string() +
                             " (it holds " + lock_file_path(store).string() + "); stop it first",
                         SQLITE_BUSY);
    }
    const auto staging = with_suffix(store, ".restoring");
    const auto clean_staging = [&staging] {
        for (const char* side : {"", "-journal", "-wal", "-shm"}) {
            remove_quietly(with_suffix(staging, side));
        }
    };
    clean_staging();
    RestoreResult result;
    try {
        std::error_code missing;
        if (!std::filesystem::is_regular_file(backup, missing)) {
            throw StoreError("no such file", SQLITE_CANTOPEN);
        }
        std::filesystem::copy_file(backup, staging,
                                   std::filesystem::copy_options::overwrite_existing);
        make_self_contained(staging);
        result.backup = check_backup_file(staging);
        result.backup.file = backup;
        sync_file(staging);
    } catch (const StoreError& e) {
        clean_staging();
        throw StoreError("refusing to restore " + backup.string() + ": " + e.what() +
                             " (nothing was changed)",
                         e.sqlite_code());
    } catch (const std::filesystem::filesystem_error& e) {
        clean_staging();
        throw StoreError("refusing to restore " + backup.string() + ": " + e.what() +
                             " (nothing was changed)",
                         SQLITE_CANTOPEN);
    }
    std::error_code ec;
    if (std::filesystem::exists(store, ec)) {
        // Leaving WAL mode needs every other connection gone (each holds a lock on the file
        // while open), so this also refuses while an import, a sqlite3 shell or anything else
        // has the store open; and it checkpoints the old -wal into the file that is kept.
        try {
            RawDb old(store, SQLITE_OPEN_READWRITE);
            old.exec("PRAGMA journal_mode=DELETE");
        } catch (const StoreError& e) {
            if (e.is_busy()) {
                clean_staging();
                throw StoreError("refusing to restore: another process has " + store.string() +
                                     " open (an import, a sqlite3 shell...); nothing was changed",
                                 SQLITE_BUSY);
            }
            // A damaged store (the reason for many restores) cannot be checkpointed: its logs
            // are moved aside below.
            spdlog::warn("the store being replaced could not be checkpointed ({}); its -wal is "
                         "kept beside it",
                         e.what());
        }
        result.previous = with_suffix(store, ".pre-restore");
        for (const char* side : {"", "-wal", "-journal"}) {
            remove_quietly(with_suffix(result.previous, side));
        }
        std::filesystem::create_hard_link(store, result.previous, ec);
        if (ec) {
            std::filesystem::copy_file(store, result.previous);
        }
        // The old store's logs must not meet the new file: SQLite would replay them into it.
        for (const char* side : {"-wal", "-journal"}) {
            const auto log = with_suffix(store, side);
            if (std::filesystem::exists(log, ec)) {
                std::filesystem::rename(log, with_suffix(result.previous, side));
            }
        }
        remove_quietly(with_suffix(store, "-shm"));
    }
    std::filesystem::rename(staging, store);
    sync_directory(folder_of(store));
    return result;
}

} // namespace wardmap::store
