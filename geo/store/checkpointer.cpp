#include "geo/store/checkpointer.hpp"

#include "geo/store/database.hpp"

#include <spdlog/spdlog.h>

namespace wardmap::store {

Checkpointer::Checkpointer(std::filesystem::path path, std::chrono::milliseconds interval)
    : m_path(std::move(path)), m_interval(interval),
      m_thread([this](std::stop_token stop) { run(stop); }) {}

Checkpointer::~Checkpointer() {
    m_thread.request_stop();
    m_wake.notify_all();
}

std::uint64_t Checkpointer::runs() const {
    std::lock_guard lock(m_mutex);
    return m_runs;
}

void Checkpointer::run(std::stop_token stop) {
    std::unique_lock lock(m_mutex);
    for (;;) {
        // Returns early only when a stop is requested.
        m_wake.wait_for(lock, stop, m_interval, [] { return false; });
        if (stop.stop_requested()) {
            return;
        }
        lock.unlock();
        try {
            auto db =
                Database::open(m_path, {.mode = OpenMode::read_write, .busy_timeout_ms = 100});
            // Copies what it can into the database and empties the WAL file when no reader
            // still needs it; the busy timeout keeps it from waiting on readers for long.
            db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (const StoreError& e) {
            spdlog::debug("checkpoint deferred: {}", e.what());
        }
        lock.lock();
        ++m_runs;
    }
}

} // namespace wardmap::store
