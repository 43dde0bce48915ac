#include "server/cli/common_options.hpp"

#include <spdlog/spdlog.h>

namespace wardmap::cli {

void CommonOptions::add_to(CLI::App& app) {
    app.add_option("--db", db, "SpatiaLite database file")
        ->envname("WARDMAP_DB")
        ->capture_default_str();
    app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
        ->envname("WARDMAP_LOG_LEVEL")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
        ->capture_default_str();
    app.add_option("--ostn15-dir", ostn15_dir,
                   "Folder with the OSTN15 shift files (default: the Debian "
                   "libgeo-coordinates-osgb-perl package's)")
        ->envname("WARDMAP_OSTN15_DIR");
    app.add_flag("--allow-approximate-transform", allow_approximate_transform,
                 "Run with PROJ's 2 m Helmert when no OSTN15 data is found (reported on /healthz)")
        ->envname("WARDMAP_ALLOW_APPROXIMATE_TRANSFORM");
}

std::shared_ptr<const geo::BngTransform> CommonOptions::make_transform() const {
    geo::TransformOptions options;
    if (!ostn15_dir.empty()) {
        options.ostn15_dir = ostn15_dir;
    }
    options.allow_approximate = allow_approximate_transform;
    auto transform = geo::BngTransform::create(options);
    const auto& info = transform->info();
    if (info.method == geo::TransformMethod::helmert_approximate) {
        spdlog::warn("coordinate transformation is APPROXIMATE ({}; about {} m): positions may be "
                     "metres out. Install libgeo-coordinates-osgb-perl (scripts/setup does) for "
                     "OSTN15",
                     info.name, info.accuracy_m);
    } else {
        spdlog::info("coordinate transformation: {} ({}, {} m)", info.name,
                     geo::to_string(info.method), info.accuracy_m);
    }
    return transform;
}

} // namespace wardmap::cli
