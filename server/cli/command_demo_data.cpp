#include "geo/store/migrations.hpp"
#include "importers/demo/demo_borough.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/logging.hpp"

#include <spdlog/spdlog.h>

#include <iostream>

namespace wardmap::cli {

namespace {

struct DemoDataOptions {
    std::uint64_t seed = importers::DemoOptions{}.seed;
    bool force = false;
};

void remove_with_sidecars(const std::filesystem::path& db) {
    std::error_code ec;
    std::filesystem::remove(db, ec);
    for (const char* suffix : {"-wal", "-shm"}) {
        auto side = db;
        side += suffix;
        std::filesystem::remove(side, ec);
    }
}

int demo_data(const CommonOptions& common, const DemoDataOptions& options) {
    setup_logging(common.log_level, false);
    if (std::filesystem::exists(common.db) && !options.force) {
        std::cerr << "wardmap demo-data: " << common.db.string()
                  << " already exists; pass --force to replace it with the demo borough\n";
        return exit_failure;
    }
    auto transform = common.make_transform();
    if (common.db.has_parent_path()) {
        std::filesystem::create_directories(common.db.parent_path());
    }
    // Build beside the target and rename into place, so a failure or a reader never sees a
    // half-built borough.
    auto building = common.db;
    building += ".building";
    remove_with_sidecars(building);
    importers::DemoSummary summary;
    try {
        store::migrate(building);
        auto db = store::Database::open(building);
        summary = importers::generate_demo_borough(db, *transform, {.seed = options.seed});
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (...) {
        remove_with_sidecars(building);
        throw;
    }
    remove_with_sidecars(common.db);
    std::filesystem::rename(building, common.db);
    std::cout << "demo borough (synthetic, seed " << options.seed << ") written to "
              << common.db.string() << " in " << summary.seconds << " s:\n  "
              << summary.wards_current << " current and " << summary.wards_previous
              << " previous wards, " << summary.streets << " streets, " << summary.properties
              << " properties, " << summary.postcodes << " postcodes,\n  " << summary.cemeteries
              << " cemeteries with " << summary.sections << " sections and " << summary.plots
              << " plots, " << summary.litter_bins << " litter bins,\n  "
              << summary.planning_applications << " planning applications, "
              << summary.service_requests << " service requests\n";
    return exit_ok;
}

} // namespace

void add_demo_data_command(CLI::App& app, CommonOptions& common, int& exit_code) {
    auto* cmd = app.add_subcommand(
        "demo-data", "Generate the synthetic demo borough (at Chorley's position) into --db");
    common.add_to(*cmd);
    auto options = std::make_shared<DemoDataOptions>();
    cmd->add_option("--seed", options->seed, "Seed: the same seed gives the same borough")
        ->envname("WARDMAP_DEMO_SEED")
        ->capture_default_str();
    cmd->add_flag("--force", options->force, "Replace the database file if it exists");
    cmd->callback([&common, &exit_code, options] {
        exit_code = run_guarded("demo-data", [&] { return demo_data(common, *options); });
    });
}

} // namespace wardmap::cli
