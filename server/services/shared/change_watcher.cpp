#include "server/services/shared/change_watcher.hpp"

#include "geo/store/database.hpp"
#include "geo/store/generations.hpp"

#include <spdlog/spdlog.h>

namespace wardmap::services {

ChangeWatcher::ChangeWatcher(std::filesystem::path db, std::chrono::milliseconds interval)
    : m_db(std::move(db)), m_interval(interval) {}

ChangeWatcher::~ChangeWatcher() {
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void ChangeWatcher::on_change(std::string dataset, std::function<void()> reload) {
    m_watches.push_back({std::move(dataset), std::move(reload), {}});
}

void ChangeWatcher::start() {
    // What the server loaded at start is the baseline.
    auto db = store::Database::open(m_db, {.mode = store::OpenMode::read_only});
    for (auto& w : m_watches) {
        w.seen = store::generation(db, w.dataset);
    }
    m_thread = std::thread([this] { run(); });
}

void ChangeWatcher::run() {
    std::optional<store::Database> db;
    std::unique_lock lock(m_mutex);
    while (!m_wake.wait_for(lock, m_interval, [this] { return m_stop; })) {
        lock.unlock();
        try {
            if (!db) {
                db.emplace(store::Database::open(m_db, {.mode = store::OpenMode::read_only}));
            }
            for (auto& w : m_watches) {
                const auto now = store::generation(*db, w.dataset);
                if (now != w.seen) {
                    w.reload();
                    w.seen = now;
                    spdlog::info("{} changed (generation {}): reloaded", w.dataset, now);
                }
            }
        } catch (const std::exception& e) {
            spdlog::warn("change watcher: {}", e.what());
            db.reset();
        }
        lock.lock();
    }
}

} // namespace wardmap::services
