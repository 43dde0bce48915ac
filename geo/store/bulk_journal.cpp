#include "geo/store/bulk_journal.hpp"

namespace wardmap::store {

BulkJournal::BulkJournal(Database& db) : m_db(db) {
    const auto busy_timeout_ms =
        static_cast<int>(m_db.query_int("PRAGMA busy_timeout").value_or(0));
    sqlite3_busy_timeout(m_db.handle(), 0); // try, do not wait
    try {
        m_active = m_db.query_text("PRAGMA journal_mode = DELETE").value_or("") == "delete";
    } catch (const StoreError& e) {
        if (!e.is_busy()) {
            sqlite3_busy_timeout(m_db.handle(), busy_timeout_ms);
            throw;
        }
    }
    sqlite3_busy_timeout(m_db.handle(), busy_timeout_ms);
}

BulkJournal::~BulkJournal() {
    if (!m_active) {
        return;
    }
    try {
        m_db.exec("PRAGMA journal_mode = WAL");
    } catch (...) { // the next connection to open the database puts it back to WAL
    }
}

} // namespace wardmap::store
