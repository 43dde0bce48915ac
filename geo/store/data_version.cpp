#include "geo/store/data_version.hpp"

namespace wardmap::store {

DataVersion::DataVersion(const std::filesystem::path& path)
    : m_db(Database::open(path, {.mode = OpenMode::read_only, .busy_timeout_ms = 2000})) {}

std::int64_t DataVersion::current() {
    std::lock_guard lock(m_mutex);
    auto stmt = m_db.prepare_cached("PRAGMA data_version");
    if (!stmt.step()) {
        throw StoreError("PRAGMA data_version returned no row", SQLITE_ERROR);
    }
    return stmt.int64(0);
}

} // namespace wardmap::store
