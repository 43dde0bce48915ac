#include "geo/store/connection_pool.hpp"

#include "geo/store/backup.hpp"

#include <stdexcept>

namespace wardmap::store {

ConnectionPool::ConnectionPool(std::filesystem::path path,
                               std::size_t size,
                               OpenOptions options,
                               Durability durability)
    : m_path(std::move(path)) {
    if (durability == Durability::full) {
        m_group_commit = std::make_shared<GroupCommit>();
    }
    m_connections.reserve(size);
    const auto write_gate = std::make_shared<std::timed_mutex>();
    for (std::size_t i = 0; i < size; ++i) {
        m_connections.push_back(Database::open(m_path, options));
        m_connections.back().share_write_gate(write_gate,
                                              std::chrono::milliseconds(options.busy_timeout_ms));
        // Request connections read pages straight from the mapped file instead of a read()
        // into each connection's small page cache per page touched. 2 GiB less 64 KiB is
        // the most Debian's SQLite maps (SQLITE_MAX_MMAP_SIZE); newest rows sit at the end
        // of the file, so a smaller map misses exactly the pages most read.
        m_connections.back().exec("PRAGMA mmap_size = 2147418112");
        if (m_group_commit) {
            m_connections.back().share_group_commit(m_group_commit);
            // Opens the -wal now, so a commit always finds the file handle to fsync it by.
            m_connections.back().query_int("SELECT count(*) FROM sqlite_master");
        }
    }
    if (m_group_commit) {
        // The -wal's name in its folder must be on disk too, whichever connection made it.
        const auto folder = std::filesystem::absolute(m_path).parent_path();
        sync_directory(folder.empty() ? std::filesystem::path(".") : folder);
    }
    for (auto& db : m_connections) {
        m_free.push_back(&db);
    }
    m_stats.size = size;
}

ConnectionPool::Lease::~Lease() {
    if (m_db) {
        m_pool->release(m_db);
    }
}

ConnectionPool::Lease ConnectionPool::acquire(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    if (m_free.empty()) {
        ++m_stats.waits;
        if (!m_available.wait_for(lock, timeout, [this] { return !m_free.empty(); })) {
            ++m_stats.timeouts;
            throw StoreError("no database connection free within the timeout", SQLITE_BUSY);
        }
    }
    Database* db = m_free.back();
    m_free.pop_back();
    ++m_stats.acquisitions;
    ++m_stats.in_use;
    // The leasing thread's budget (its request's), if it has one; cleared on release, so a
    // pooled connection never carries one request's deadline into the next.
    db->set_deadline(QueryBudget::current_deadline());
    return Lease(*this, db);
}

void ConnectionPool::release(Database* db) {
    db->set_deadline(std::nullopt);
    {
        std::lock_guard lock(m_mutex);
        m_free.push_back(db);
        --m_stats.in_use;
    }
    m_available.notify_one();
}

void ConnectionPool::for_each_connection(const std::function<void(Database&)>& fn) {
    std::lock_guard lock(m_mutex);
    if (m_free.size() != m_connections.size()) {
        throw std::logic_error("ConnectionPool::for_each_connection while connections are leased");
    }
    for (auto& db : m_connections) {
        fn(db);
    }
}

PoolStats ConnectionPool::stats() const {
    std::lock_guard lock(m_mutex);
    return m_stats;
}

} // namespace wardmap::store
