#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace wardmap::cli {

/// Application messages go to stderr as text; returns the access logger, which writes one
/// JSON object per line to stdout (or nullptr when access logging is off).
std::shared_ptr<spdlog::logger> setup_logging(const std::string& level, bool access_log);

} // namespace wardmap::cli
