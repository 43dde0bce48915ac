#include "server/cli/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace wardmap::cli {

std::shared_ptr<spdlog::logger> setup_logging(const std::string& level, bool access_log) {
    auto app = spdlog::stderr_logger_mt("wardmap");
    app->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    app->set_level(spdlog::level::from_str(level));
    spdlog::set_default_logger(app);
    if (!access_log) {
        return nullptr;
    }
    auto access = spdlog::stdout_logger_mt("access");
    access->set_pattern("%v");
    access->set_level(spdlog::level::info);
    access->flush_on(spdlog::level::info);
    return access;
}

} // namespace wardmap::cli
