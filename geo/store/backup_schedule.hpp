#pragma once

#include "core/periodic_task.hpp"

#include "geo/store/backup.hpp"

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <mutex>
#include <optional>
#include <vector>

namespace wardmap::store {

struct BackupSchedule {
    std::filesystem::path folder;
    std::chrono::seconds every{3600};
    /// Backups kept in `folder`; the oldest beyond this are removed after each new one.
    std::size_t keep = 24;
};

/// `wardmap serve --backup-dir`: a backup_database() of the store every `every` on a thread
/// of its own, as `wardmap-<UTC time>.sqlite` (names sort by time) with its `.sha256`, then
/// the oldest beyond `keep` removed. A failed backup is logged and tried again at the next
/// interval; the server goes on.
class ScheduledBackups {
  public:
    ScheduledBackups(std::filesystem::path store, BackupSchedule schedule);
    ~ScheduledBackups() = default;
    ScheduledBackups(const ScheduledBackups&) = delete;
    ScheduledBackups& operator=(const ScheduledBackups&) = delete;

    /// Backups made so far, and the last one (for /metrics and tests).
    [[nodiscard]] std::uint64_t made() const;
    [[nodiscard]] std::optional<BackupRecord> last() const;

    /// The backups in `folder`, oldest first (only names this class writes).
    static std::vector<std::filesystem::path> list(const std::filesystem::path& folder);
    /// Removes the oldest backups (and their .sha256) beyond `keep`; returns how many.
    static std::size_t prune(const std::filesystem::path& folder, std::size_t keep);

  private:
    void make_one();

    std::filesystem::path m_store;
    BackupSchedule m_schedule;
    mutable std::mutex m_mutex;
    std::uint64_t m_made = 0;
    std::optional<BackupRecord> m_last;
    core::PeriodicTask m_task; // last: its thread uses the members above
};

} // namespace wardmap::store
