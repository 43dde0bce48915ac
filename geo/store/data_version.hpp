#pragma once

// Whether anyone has committed to a database file since a cached answer was made: SQLite's
// PRAGMA data_version, read on a connection of its own that never writes, moves on with every
// commit by any other connection, in this process or another (`wardmap import` run beside a
// server). Cheaper than any per-table bookkeeping, and never wrong the other way: at worst a
// commit to an unrelated table drops an answer that was still good.

#include "geo/store/database.hpp"

#include <cstdint>
#include <filesystem>
#include <mutex>

namespace wardmap::store {

class DataVersion {
  public:
    explicit DataVersion(const std::filesystem::path& path);

    /// The version now. Take it BEFORE reading the data an answer is made from: a commit in
    /// between then makes the answer look older than it is, never newer. Thread-safe.
    [[nodiscard]] std::int64_t current();

  private:
    std::mutex m_mutex;
    Database m_db;
};

} // namespace wardmap::store
