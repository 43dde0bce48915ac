#include "geo/store/backup_schedule.hpp"

#include "geo/store/database.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace wardmap::store {

namespace {

constexpr std::string_view name_prefix = "wardmap-";
constexpr std::string_view name_suffix = ".sqlite";

/// wardmap-20261207T054401.123Z.sqlite: UTC, to the millisecond, so names sort by time.
std::string backup_name(std::chrono::system_clock::time_point now) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
    const std::time_t seconds = static_cast<std::time_t>(ms.count() / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];
    std::snprintf(text, sizeof text, "%04d%02d%02dT%02d%02d%02d.%03dZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  static_cast<int>(ms.count() % 1000));
    return std::string(name_prefix) + text + std::string(name_suffix);
}

/// The schedule, its folder made first: backups start one interval after the constructor.
BackupSchedule with_folder(BackupSchedule schedule) {
    std::filesystem::create_directories(schedule.folder);
    return schedule;
}

} // namespace

ScheduledBackups::ScheduledBackups(std::filesystem::path store, BackupSchedule schedule)
    : m_store(std::move(store)), m_schedule(with_folder(std::move(schedule))),
      m_task(m_schedule.every, [this] { make_one(); }) {}

std::uint64_t ScheduledBackups::made() const {
    std::lock_guard lock(m_mutex);
    return m_made;
}

std::optional<BackupRecord> ScheduledBackups::last() const {
    std::lock_guard lock(m_mutex);
    return m_last;
}

std::vector<std::filesystem::path> ScheduledBackups::list(const std::filesystem::path& folder) {
    std::vector<std::filesystem::path> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
        const auto name = entry.path().filename().string();
        if (entry.is_regular_file() && name.starts_with(name_prefix) &&
            name.ends_with(name_suffix)) {
            found.push_back(entry.path());
        }
    }
    std::sort(found.begin(), found.end());
    return found;
}

std::size_t ScheduledBackups::prune(const std::filesystem::path& folder, std::size_t keep) {
    auto backups = list(folder);
    std::size_t removed = 0;
    for (std::size_t i = 0; i + keep < backups.size(); ++i) {
        std::error_code ec;
        std::filesystem::remove(backups[i], ec);
        std::filesystem::remove(backups[i].string() + ".sha256", ec);
        spdlog::info("backup {} removed (keeping the newest {})", backups[i].string(), keep);
        ++removed;
    }
    if (removed > 0) {
        sync_directory(folder);
    }
    return removed;
}

void ScheduledBackups::make_one() {
    const auto target = m_schedule.folder / backup_name(std::chrono::system_clock::now());
    try {
        const auto record = backup_database(m_store, target);
        spdlog::info("backup {}: {} bytes, sha256 {}, schema version {}, {} ms", target.string(),
                     record.bytes, record.sha256, record.schema_version, record.took.count());
        prune(m_schedule.folder, m_schedule.keep);
        std::lock_guard lock(m_mutex);
        ++m_made;
        m_last = record;
    } catch (const std::exception& e) {
        spdlog::error("backup {} failed: {} (next try in {} s)", target.string(), e.what(),
                      m_schedule.every.count());
    }
}

} // namespace wardmap::store
