#pragma once

#include "geo/store/connection_pool.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

namespace wardmap::services {

/// Delivers the notification outbox: each due message becomes an RFC 5322 `.eml` file in a
/// folder (a mail pickup directory, or just a folder to read for the demo), written under a
/// temporary name and renamed, so a reader never sees half a message. A failure is recorded
/// and retried with exponential backoff (30 s doubling, at most 6 h), up to 10 attempts.
class OutboxSender {
  public:
    static constexpr int max_attempts = 10;

    OutboxSender(store::ConnectionPool& pool, std::filesystem::path dir, std::string from);
    ~OutboxSender();
    OutboxSender(const OutboxSender&) = delete;
    OutboxSender& operator=(const OutboxSender&) = delete;

    /// One pass over the due messages (at most `batch`); returns how many were delivered.
    int send_due(int batch = 100) const;
    /// Runs send_due every `interval` on its own thread until destroyed.
    void start(std::chrono::milliseconds interval);

  private:
    store::ConnectionPool& m_pool;
    std::filesystem::path m_dir;
    std::string m_from;
    std::mutex m_mutex;
    std::condition_variable_any m_wake;
    std::jthread m_thread;
};

} // namespace wardmap::services
