#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace wardmap::store {

/// What a backup or a check of one found: enough to log it and to check a copy made of it.
struct BackupRecord {
    std::filesystem::path file;
    std::uintmax_t bytes = 0;
    std::string sha256; // lower-case hex, as sha256sum prints it
    int schema_version = 0;
    std::chrono::milliseconds took{0};
    int steps = 0; // sqlite3_backup_step calls that copied pages
};

struct BackupOptions {
    /// Pages copied per sqlite3_backup_step (4 KiB each): between steps the copy yields, so a
    /// large store does not hold one CPU for the whole copy.
    int pages_per_step = 1024;
    std::chrono::milliseconds pause_between_steps{1};
};

/// A consistent copy of the live store at `store` into `target`, while other connections and
/// processes keep reading and writing it. SQLite's online backup API, in steps, all read from
/// one snapshot: the copy's connection holds a read transaction from the first step to the
/// last, which in WAL mode blocks no writer (a writer only appends to the WAL; checkpoints
/// stop at the snapshot until the copy ends), and keeps the backup from restarting each time
/// another connection commits. Written as `target`.partial beside it, switched to a
/// rollback journal (one self-contained file, nothing beside it to forget when copying it
/// off the machine), checked (`check_backup_file`), fsynced, renamed to `target` and the
/// folder fsynced; `target`.sha256 (sha256sum's format) is written the same way. Throws
/// StoreError, leaving nothing at `target` but what was there before.
BackupRecord backup_database(const std::filesystem::path& store,
                             const std::filesystem::path& target,
                             const BackupOptions& options = {});

/// Whether `file` is a whole wardmap database this build can serve: PRAGMA integrity_check
/// says ok, its application_id is wardmap's and its schema version is one of this build's
/// migrations (older ones are migrated when served). Opens it read-only. Throws StoreError
/// (SQLITE_CORRUPT or SQLITE_NOTADB) saying what is wrong.
BackupRecord check_backup_file(const std::filesystem::path& file);

/// `<store>.lock`: the file a server holds a shared lock on while it uses the store, and a
/// restore an exclusive one. flock(2), so it is released when the process ends, however it
/// ends.
std::filesystem::path lock_file_path(const std::filesystem::path& store);

/// An advisory lock on `<store>.lock` (flock), released when destroyed.
class StoreLock {
  public:
    enum class Kind { shared, exclusive };
    /// nullopt when another process holds a conflicting lock (never waits).
    static std::optional<StoreLock> try_acquire(const std::filesystem::path& store, Kind kind);
    ~StoreLock();
    StoreLock(StoreLock&& other) noexcept;
    StoreLock& operator=(StoreLock&&) = delete;
    StoreLock(const StoreLock&) = delete;
    StoreLock& operator=(const StoreLock&) = delete;

  private:
    explicit StoreLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

struct RestoreResult {
    BackupRecord backup;
    /// Where the store that was replaced now is (`<store>.pre-restore`), empty when there was
    /// none.
    std::filesystem::path previous;
};

/// Replaces the store at `store` with the backup `backup`. Refuses (StoreError, SQLITE_BUSY)
/// while a server holds `<store>.lock`, and holds it exclusively itself until done, so no
/// server starts on a half-restored store. The backup is copied beside the store as
/// `<store>.restoring`, checked there (check_backup_file) and fsynced; then the old store is
/// switched out of WAL mode (refused, SQLITE_BUSY, while any other connection has it open;
/// its -wal is checkpointed into it), kept as `<store>.pre-restore` (hard link), any
/// `-wal` left moved beside that (so
/// SQLite can never replay the old store's log into the new file) and its `-shm` removed, and
/// the copy renamed over the store, the folder fsynced. A backup that fails its check
/// changes nothing.
RestoreResult restore_database(const std::filesystem::path& backup,
                               const std::filesystem::path& store);

/// fsync of a file and of a folder (after a rename in it), throwing StoreError on failure.
void sync_file(const std::filesystem::path& file);
void sync_directory(const std::filesystem::path& folder);

} // namespace wardmap::store
