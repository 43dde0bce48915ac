#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace wardmap::store {

class Database;

/// How a server's commits reach the disk (`wardmap serve --durability`).
enum class Durability {
    /// WAL with synchronous=NORMAL: a commit is written to the -wal file before it is
    /// acknowledged, and fsynced at the next checkpoint. Survives kill -9; power loss can
    /// take back up to one checkpoint interval of acknowledged work (never consistency).
    normal,
    /// As normal, and then Transaction::commit() returns only once an fsync of the WAL that
    /// started after the commit has finished (GroupCommit): acknowledged work survives power
    /// loss too.
    full,
};

/// Group commit for Durability::full, shared by a pool's connections. Transactions still
/// commit one at a time under the write gate with synchronous=NORMAL (no fsync inside the
/// write lock, and each keeps its own BEGIN..COMMIT, so one that fails loses no other);
/// after COMMIT, with the gate released, wait_durable() blocks until the -wal is fsynced.
/// The first waiter becomes the leader and fsyncs the -wal through its own connection's
/// file handle (SQLITE_FCNTL_JOURNAL_POINTER, so it goes through the VFS); every commit made
/// before that fsync started is durable when it ends, so one fsync answers all the commits
/// that queued up while the previous one ran. Later waiters sleep until an fsync that
/// started after their commit ends, or lead the next one.
class GroupCommit {
  public:
    /// Returns once everything `db` (a connection of this group, just after its COMMIT) has
    /// committed is on disk. Throws StoreError when the fsync fails (the commit happened but
    /// is not known to be durable).
    void wait_durable(Database& db);

    [[nodiscard]] std::uint64_t commits() const;
    [[nodiscard]] std::uint64_t syncs() const;

  private:
    mutable std::mutex m_mutex;
    std::condition_variable m_done;
    std::uint64_t m_committed = 0; // commits that asked to be made durable
    std::uint64_t m_synced = 0;    // all commits up to this one are durable
    std::uint64_t m_syncs = 0;
    bool m_syncing = false;
};

/// fsyncs the -wal file of `db`'s main database through SQLite's VFS (the file handle the
/// connection writes it with). Throws StoreError when there is none or the fsync fails.
void sync_wal(Database& db);

} // namespace wardmap::store
