#include "geo/store/deferred_spatial_index.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <optional>

namespace wardmap::store {

namespace {

std::string sql_name(std::string_view name) {
    return "\"" + std::string(name) + "\"";
}

} // namespace

DeferredSpatialIndex::DeferredSpatialIndex(Database& db, std::span<const char* const> tables)
    : m_db(db) {
    auto columns = db.prepare("SELECT f_geometry_column, geometry_type, srid, "
                              "spatial_index_enabled FROM geometry_columns "
                              "WHERE f_table_name = ?");
    auto triggers =
        db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
                   "AND (name LIKE 'gii!_%' ESCAPE '!' OR name LIKE 'gid!_%' ESCAPE '!' OR "
                   "name LIKE 'giu!_%' ESCAPE '!' OR name LIKE 'ggi!_%' ESCAPE '!' OR "
                   "name LIKE 'ggu!_%' ESCAPE '!' OR name LIKE 'tmi!_%' ESCAPE '!' OR "
                   "name LIKE 'tmu!_%' ESCAPE '!' OR name LIKE 'tmd!_%' ESCAPE '!')");
    for (const char* table : tables) {
        columns.bind(1, table);
        while (columns.step()) {
            m_columns.push_back({table, std::string(columns.text(0)), columns.int64(1),
                                 columns.int64(2), columns.int64(3) != 0});
        }
        columns.reset();
        triggers.bind(1, table);
        while (triggers.step()) {
            m_triggers.push_back({std::string(triggers.text(0)), std::string(triggers.text(1))});
        }
        triggers.reset();
        m_tables.push_back(
            {table, db.query_int("SELECT COUNT(*) FROM " + sql_name(table)).value_or(0), {}});
    }
    for (const auto& t : m_triggers) {
        db.exec("DROP TRIGGER " + sql_name(t.name));
    }
}

void DeferredSpatialIndex::touched(std::string_view table, std::int64_t rowid) {
    for (auto& t : m_tables) {
        if (t.name == table) {
            if (t.rows_before > 0 && !m_rebuild_all) { // else restore() rebuilds it whole
                t.touched.insert(rowid);
            }
            return;
        }
    }
}

void DeferredSpatialIndex::restore_column(const Column& c, const Table& t) {
    const std::string table = sql_name(c.table);
    const std::string column = sql_name(c.column);
    const std::string index = sql_name("idx_" + c.table + "_" + c.column);
    const std::string fits = "GeometryConstraints(" + column + ", " + std::to_string(c.type) +
                             ", " + std::to_string(c.srid) + ")";
    const std::string mbr = "MbrMinX(" + column + "), MbrMaxX(" + column + "), MbrMinY(" + column +
                            "), MbrMaxY(" + column + ")";
    const bool whole = m_rebuild_all || t.rows_before == 0 ||
                       static_cast<std::int64_t>(t.touched.size()) * 4 > t.rows_before;
    const bool trusted =
        std::find(m_trusted.begin(), m_trusted.end(), c.table + "." + c.column) != m_trusted.end();
    if (whole) {
        // The test the ggi_/ggu_ triggers would have made on every row.
        if (!trusted && m_db.query_int("SELECT COUNT(*) FROM " + table + " WHERE " + column +
                                       " IS NOT NULL AND " + fits + " <> 1")
                                .value_or(0) != 0) {
            throw StoreError(c.table + "." + c.column + " got geometry of the wrong type or SRID",
                             SQLITE_CONSTRAINT);
        }
        const bool provided = std::find(m_provided.begin(), m_provided.end(),
                                        c.table + "." + c.column) != m_provided.end();
        if (c.indexed && !provided) {
            m_db.exec("DELETE FROM " + index);
            m_db.exec("INSERT INTO " + index + " (pkid, xmin, xmax, ymin, ymax) SELECT ROWID, " +
                      mbr + " FROM " + table + " WHERE " + column + " IS NOT NULL");
        }
    } else if (!t.touched.empty()) {
        auto check = m_db.prepare("SELECT " + fits + " FROM " + table + " WHERE ROWID = ? AND " +
                                  column + " IS NOT NULL");
        // An unindexed column (spatial_index_enabled = 0) has no idx_ table to prepare for.
        std::optional<Statement> remove;
        std::optional<Statement> add;
        if (c.indexed) {
            remove.emplace(m_db.prepare("DELETE FROM " + index + " WHERE pkid = ?"));
            add.emplace(m_db.prepare(
                "INSERT INTO " + index + " (pkid, xmin, xmax, ymin, ymax) SELECT ROWID, " + mbr +
                " FROM " + table + " WHERE ROWID = ?1 AND " + column + " IS NOT NULL"));
        }
        for (const std::int64_t rowid : t.touched) {
            check.bind(1, rowid);
            const bool bad = !trusted && check.step() && check.int64(0) != 1;
            check.reset();
            if (bad) {
                throw StoreError(c.table + "." + c.column + " row " + std::to_string(rowid) +
                                     " got geometry of the wrong type or SRID",
                                 SQLITE_CONSTRAINT);
            }
            if (c.indexed) {
                remove->bind(1, rowid).run();
                add->bind(1, rowid).run();
            }
        }
    }
    if (whole || !t.touched.empty()) {
        // SpatiaLite's own bookkeeping, as the tm*_ triggers keep it.
        m_db.exec("UPDATE geometry_columns_time SET last_insert = "
                  "strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE f_table_name = '" +
                  c.table + "' AND f_geometry_column = '" + c.column + "'");
    }
}

void DeferredSpatialIndex::restore() {
    for (const Column& c : m_columns) {
        for (const Table& t : m_tables) {
            if (t.name == c.table) {
                restore_column(c, t);
            }
        }
    }
    for (const auto& t : m_triggers) {
        m_db.exec(t.sql);
    }
    m_triggers.clear();
}

} // namespace wardmap::store
