#pragma once

#include "geo/store/connection_pool.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace wardmap::services {

/// One committed import (table `imports`). Plain value.
struct ImportRecord {
    std::int64_t id = 0;
    std::string kind;
    std::string source;
    std::string sha256;
    std::string started_at;
    std::string finished_at;
    std::string status; ///< "ok" or "partial"
    std::int64_t read = 0;
    std::int64_t inserted = 0;
    std::int64_t updated = 0;
    std::int64_t deleted = 0;
    std::int64_t rejected = 0;
    std::int64_t repaired = 0;
    std::string detail;
};

/// The import history behind GET /api/imports. Thread-safe.
class ImportHistory {
  public:
    explicit ImportHistory(store::ConnectionPool& pool) : m_pool(pool) {}
    /// Newest first, at most `limit`.
    [[nodiscard]] std::vector<ImportRecord> list(int limit = 1000) const;

  private:
    store::ConnectionPool& m_pool;
};

} // namespace wardmap::services
