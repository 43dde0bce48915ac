#pragma once

#include "geo/store/database.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

namespace wardmap::store {

/// SpatiaLite's per-row triggers (R*Tree update, geometry check, timestamp) cost ~150 us a row,
/// most of a bulk load. This sets them aside for some tables and, on restore(), checks the
/// geometry the triggers would have checked, brings each spatial index up to date and puts the
/// triggers back. Everything happens inside the caller's transaction, so a rollback restores
/// the triggers too.
///
/// Index maintenance on restore: rows passed to touched() are re-indexed one by one; a table
/// with many touched rows (or that was empty) gets its index rebuilt in one statement.
class DeferredSpatialIndex {
  public:
    DeferredSpatialIndex(Database& db, std::span<const char* const> tables);
    DeferredSpatialIndex(const DeferredSpatialIndex&) = delete;
    DeferredSpatialIndex& operator=(const DeferredSpatialIndex&) = delete;

    /// A row of `table` was inserted, updated or deleted.
    void touched(std::string_view table, std::int64_t rowid);
    /// Mark every row of every table changed (a bulk load into empty tables).
    void rebuild_all() { m_rebuild_all = true; }
    /// This column's spatial index is filled by someone else (PackedRTree): restore()
    /// checks its geometry but leaves the index alone.
    void provided_elsewhere(std::string_view table, std::string_view column) {
        m_provided.emplace_back(std::string(table) + "." + std::string(column));
    }
    /// Every geometry this writer puts in the column is made with the column's type and SRID
    /// (MakePoint(x, y, srid)): restore() skips the check the ggi_/ggu_ triggers would make.
    void trusted(std::string_view table, std::string_view column) {
        m_trusted.emplace_back(std::string(table) + "." + std::string(column));
    }
    /// Checks geometry, updates the indexes, restores the triggers. Throws StoreError when a
    /// row holds geometry of the wrong type or SRID.
    void restore();

  private:
    struct Column {
        std::string table, column;
        std::int64_t type, srid;
        bool indexed;
    };
    struct Trigger {
        std::string name, sql;
    };
    struct Table {
        std::string name;
        std::int64_t rows_before = 0;
        std::unordered_set<std::int64_t> touched;
    };
    void restore_column(const Column& c, const Table& t);

    Database& m_db;
    std::vector<Column> m_columns;
    std::vector<Trigger> m_triggers;
    std::vector<Table> m_tables;
    bool m_rebuild_all = false;
    std::vector<std::string> m_provided; ///< "table.column"
    std::vector<std::string> m_trusted;  ///< "table.column"
};

} // namespace wardmap::store
