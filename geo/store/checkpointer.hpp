#pragma once

#include "core/periodic_task.hpp"

#include <chrono>
#include <filesystem>

namespace wardmap::store {

/// Checkpoints the WAL on its own connection every `interval`, because readers that never
/// pause starve SQLite's automatic checkpoint and the WAL grows without bound.
class Checkpointer {
  public:
    Checkpointer(std::filesystem::path path, std::chrono::milliseconds interval);
    ~Checkpointer() = default;
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    /// Number of checkpoints run so far (for tests and /metrics).
    [[nodiscard]] std::uint64_t runs() const { return m_task.runs(); }

  private:
    void checkpoint() const;

    std::filesystem::path m_path;
    core::PeriodicTask m_task;
};

} // namespace wardmap::store
