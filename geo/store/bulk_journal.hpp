#pragma once

#include "geo/store/database.hpp"

namespace wardmap::store {

/// A big load written once instead of twice. In WAL mode every page of a load is written to
/// the WAL and then copied into the database by the checkpoint; with SQLite's rollback journal
/// the new pages of a load go straight into the file. SQLite only lets a connection leave WAL
/// while no other connection has the database open, so this tries (without waiting) and stays
/// in WAL when a server or another tool is using the database. Put back to WAL when destroyed;
/// create it outside any transaction.
class BulkJournal {
  public:
    explicit BulkJournal(Database& db);
    ~BulkJournal();
    BulkJournal(const BulkJournal&) = delete;
    BulkJournal& operator=(const BulkJournal&) = delete;

    /// True while the rollback journal is in use (the database was not in use elsewhere).
    [[nodiscard]] bool active() const { return m_active; }

  private:
    Database& m_db;
    bool m_active = false;
};

} // namespace wardmap::store
