#include "geo/store/group_commit.hpp"

#include "geo/store/database.hpp"

#include <algorithm>

namespace wardmap::store {

void sync_wal(Database& db) {
    sqlite3_file* wal = nullptr;
    const int rc = sqlite3_file_control(db.handle(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
    if (rc != SQLITE_OK || wal == nullptr || wal->pMethods == nullptr) {
        throw StoreError("no WAL file open to fsync on this connection", SQLITE_IOERR_FSYNC);
    }
    const int synced = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
    if (synced != SQLITE_OK) {
        throw StoreError(std::string("fsync of the WAL failed: ") + sqlite3_errstr(synced), synced);
    }
}

void GroupCommit::wait_durable(Database& db) {
    std::unique_lock lock(m_mutex);
    const std::uint64_t mine = ++m_committed;
    while (m_synced < mine) {
        if (m_syncing) {
            m_done.wait(lock);
            continue;
        }
        // Lead: every commit counted so far was written before this fsync starts.
        m_syncing = true;
        const std::uint64_t covers = m_committed;
        lock.unlock();
        try {
            sync_wal(db);
        } catch (...) {
            lock.lock();
            m_syncing = false;
            m_done.notify_all(); // another waiter leads the next try
            throw;
        }
        lock.lock();
        m_syncing = false;
        m_synced = std::max(m_synced, covers);
        ++m_syncs;
        m_done.notify_all();
    }
}

std::uint64_t GroupCommit::commits() const {
    std::lock_guard lock(m_mutex);
    return m_committed;
}

std::uint64_t GroupCommit::syncs() const {
    std::lock_guard lock(m_mutex);
    return m_syncs;
}

} // namespace wardmap::store
