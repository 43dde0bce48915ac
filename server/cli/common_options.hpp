#pragma once

#include "geo/bng_transform.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <string>

namespace wardmap::cli {

/// Exit codes shared by every subcommand (documented in --help and docs/operations).
enum ExitCode : int {
    exit_ok = 0,
    exit_usage = 1,     // CLI11 reports bad flags with this too
    exit_failure = 2,   // the command ran and failed
    exit_database = 3,  // the database file is missing, corrupt, foreign or too new
    exit_transform = 4, // no accurate coordinate transformation available
};

/// Options every subcommand shares: database, logging, coordinate transformation.
struct CommonOptions {
    std::filesystem::path db = "var/wardmap.sqlite";
    std::string log_level = "info";
    std::string ostn15_dir;
    bool allow_approximate_transform = false;

    /// Registers the flags (with WARDMAP_* environment fallbacks) on `app`.
    void add_to(CLI::App& app);
    /// Builds the transform, logging which one is active; throws GeoError if none qualifies.
    [[nodiscard]] std::shared_ptr<const geo::BngTransform> make_transform() const;
};

} // namespace wardmap::cli
