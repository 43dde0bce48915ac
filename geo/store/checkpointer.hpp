#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

namespace wardmap::store {

/// Checkpoints the WAL on its own connection every `interval`, because readers that never
/// pause starve SQLite's automatic checkpoint and the WAL grows without bound.
class Checkpointer {
  public:
    Checkpointer(std::filesystem::path path, std::chrono::milliseconds interval);
    ~Checkpointer();
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    /// Number of checkpoints run so far (for tests and /metrics).
    [[nodiscard]] std::uint64_t runs() const;

  private:
    void run(std::stop_token stop);

    std::filesystem::path m_path;
    std::chrono::milliseconds m_interval;
    mutable std::mutex m_mutex;
    std::condition_variable_any m_wake;
    std::uint64_t m_runs = 0;
    std::jthread m_thread;
};

} // namespace wardmap::store
