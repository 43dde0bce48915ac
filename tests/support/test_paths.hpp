#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace wardmap::testing {

/// Root of the source tree (for data/schema, web-client, ...).
std::filesystem::path source_dir();
/// Root of the build tree (for the wardmap binary).
std::filesystem::path binary_dir();
/// ../shared/data beside the project, or WARDMAP_SHARED_DATA when set; nullopt when absent.
std::optional<std::filesystem::path> shared_data_dir();
/// A fresh, empty directory under the system temp dir, removed by the caller's TempDir.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

  private:
    std::filesystem::path m_path;
};

} // namespace wardmap::testing

/// Skips the current test with a visible message when ../shared/data is absent.
#define WARDMAP_REQUIRE_SHARED_DATA(var)                                                           \
    auto var##_opt = ::wardmap::testing::shared_data_dir();                                        \
    if (!var##_opt) {                                                                              \
        GTEST_SKIP() << "SKIPPED: ../shared/data is absent (set WARDMAP_SHARED_DATA to run)";      \
    }                                                                                              \
    const std::filesystem::path var = *var##_opt
