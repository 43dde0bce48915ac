#pragma once

#include "core/w3c_time.hpp"

#include "geo/store/connection_pool.hpp"
#include "server/services/shared/smtp_client.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace wardmap::services {

/// Queues a message to `recipient` that concerns no service request (a sign-in link, say), in
/// the caller's transaction on `db`: it is sent only if what caused it commits.
void queue_message(store::Database& db,
                   std::string_view recipient,
                   std::string_view subject,
                   std::string_view body,
                   core::UnixSeconds now);

/// Delivers the notification outbox, by SMTP when configured, else as RFC 5322 `.eml` files
/// in a folder (a mail pickup directory, or just a folder to read for the demo) written under
/// a temporary name and renamed, so a reader never sees half a message. A failure is recorded
/// and retried with exponential backoff (`retry_base` doubling, at most 6 h), up to 10
/// attempts; a message that can never go (an SMTP 5xx refusal, a line break in a header) is
/// marked failed at once.
class OutboxSender {
  public:
    static constexpr int max_attempts = 10;

    /// Writes .eml files to `dir`.
    OutboxSender(store::ConnectionPool& pool,
                 std::filesystem::path dir,
                 std::string from,
                 std::chrono::seconds retry_base = std::chrono::seconds(30));
    /// Hands messages to an SMTP server.
    OutboxSender(store::ConnectionPool& pool,
                 SmtpSettings smtp,
                 std::string from,
                 std::chrono::seconds retry_base = std::chrono::seconds(30));
    ~OutboxSender();
    OutboxSender(const OutboxSender&) = delete;
    OutboxSender& operator=(const OutboxSender&) = delete;

    /// One pass over the due messages (at most `batch`); returns how many were delivered.
    int send_due(int batch = 100) const;
    /// Runs send_due every `interval` on its own thread until destroyed.
    void start(std::chrono::milliseconds interval);

  private:
    struct Outcome {
        bool delivered = false;
        bool permanent = false;
        std::string error;
    };
    [[nodiscard]] Outcome
    deliver(std::int64_t id, const std::string& recipient, const std::string& eml) const;

    store::ConnectionPool& m_pool;
    std::filesystem::path m_dir;
    std::unique_ptr<SmtpClient> m_smtp; ///< null: write files to m_dir
    std::string m_from;
    std::chrono::seconds m_retry_base;
    std::mutex m_mutex;
    std::condition_variable_any m_wake;
    std::jthread m_thread;
};

} // namespace wardmap::services
