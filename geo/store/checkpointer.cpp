#include "geo/store/checkpointer.hpp"

#include "geo/store/database.hpp"

#include <spdlog/spdlog.h>

namespace wardmap::store {

Checkpointer::Checkpointer(std::filesystem::path path, std::chrono::milliseconds interval)
    : m_path(std::move(path)), m_task(interval, [this] { checkpoint(); }) {}

void Checkpointer::checkpoint() const {
    try {
        auto db = Database::open(m_path, {.mode = OpenMode::read_write, .busy_timeout_ms = 100});
        // Only when the WAL holds frames: a TRUNCATE checkpoint moves every reader's PRAGMA
        // data_version even when it has nothing to do, and that version is what the OGC page
        // cache and the tiles' cluster index are kept by, so an idle store lost both every
        // interval. PASSIVE never moves it.
        auto passive = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
        const bool wal_has_frames = passive.step() && passive.int64(1) != 0;
        passive.reset();
        if (wal_has_frames) {
            // Copies what it can into the database and empties the WAL file when no reader
            // still needs it; the busy timeout keeps it from waiting on readers for long.
            db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        }
    } catch (const StoreError& e) {
        spdlog::debug("checkpoint deferred: {}", e.what());
    }
}

} // namespace wardmap::store
