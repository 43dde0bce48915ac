#include "tests/support/test_paths.hpp"

#include <cstdlib>
#include <random>
#include <system_error>

namespace wardmap::testing {

std::filesystem::path source_dir() {
    return WARDMAP_SOURCE_DIR;
}

std::filesystem::path binary_dir() {
    return WARDMAP_BINARY_DIR;
}

std::optional<std::filesystem::path> shared_data_dir() {
    std::filesystem::path dir = WARDMAP_SHARED_DATA_DIR;
    if (const char* env = std::getenv("WARDMAP_SHARED_DATA"); env && *env) {
        dir = env;
    }
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) {
        return std::filesystem::canonical(dir, ec);
    }
    return std::nullopt;
}

TempDir::TempDir() {
    std::random_device rd;
    auto base = std::filesystem::temp_directory_path();
    for (;;) {
        m_path = base / ("wardmap-test-" + std::to_string(rd()));
        if (std::filesystem::create_directory(m_path)) {
            break;
        }
    }
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

} // namespace wardmap::testing
