#pragma once

#include "geo/store/database.hpp"
#include "geo/store/group_commit.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace wardmap::store {

/// Point-in-time numbers for /metrics.
struct PoolStats {
    std::size_t size = 0;
    std::size_t in_use = 0;
    std::uint64_t acquisitions = 0;
    std::uint64_t waits = 0;
    std::uint64_t timeouts = 0;
};

/// A fixed set of connections, sized to the worker pool so each worker holds one while it
/// serves a request. Thread-safe. A Lease gives its connection back when destroyed.
class ConnectionPool {
  public:
    /// With Durability::full the connections share a GroupCommit: each Transaction's commit()
    /// returns once it is on disk.
    ConnectionPool(std::filesystem::path path,
                   std::size_t size,
                   OpenOptions options,
                   Durability durability = Durability::normal);
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    class Lease {
      public:
        Lease(ConnectionPool& pool, Database* db) : m_pool(&pool), m_db(db) {}
        Lease(Lease&& other) noexcept
            : m_pool(other.m_pool), m_db(std::exchange(other.m_db, nullptr)) {}
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease();
        Database& operator*() const { return *m_db; }
        Database* operator->() const { return m_db; }

      private:
        ConnectionPool* m_pool;
        Database* m_db;
    };

    /// Waits up to `timeout` for a free connection; throws a busy StoreError after that.
    /// The connection interrupts statements at the calling thread's QueryBudget deadline,
    /// if it has one, until the lease ends.
    Lease acquire(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
    [[nodiscard]] PoolStats stats() const;
    /// Calls `fn` on every connection of the pool, e.g. to define SQL functions on each
    /// (Database::create_function). Only while no connection is leased (at start-up): throws
    /// std::logic_error otherwise.
    void for_each_connection(const std::function<void(Database&)>& fn);
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
    /// Null unless Durability::full.
    [[nodiscard]] const GroupCommit* group_commit() const { return m_group_commit.get(); }

  private:
    void release(Database* db);

    std::filesystem::path m_path;
    std::shared_ptr<GroupCommit> m_group_commit;
    std::vector<Database> m_connections;
    std::vector<Database*> m_free;
    mutable std::mutex m_mutex;
    std::condition_variable m_available;
    PoolStats m_stats;
};

} // namespace wardmap::store
