#include "geo/errors.hpp"
#include "geo/store/migrations.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/logging.hpp"

#include <spdlog/spdlog.h>

#include <iostream>

namespace wardmap::cli {

void add_migrate_command(CLI::App& app, CommonOptions& common, int& exit_code) {
    auto* cmd = app.add_subcommand("migrate", "Create the database or bring its schema up to date");
    common.add_to(*cmd);
    cmd->callback([&common, &exit_code] {
        exit_code = run_guarded("migrate", [&] {
            setup_logging(common.log_level, false);
            if (common.db.has_parent_path()) {
                std::filesystem::create_directories(common.db.parent_path());
            }
            const auto result = store::migrate(common.db);
            if (result.created) {
                std::cout << "created " << common.db.string() << " at schema version "
                          << result.to_version << "\n";
            } else if (result.from_version == result.to_version) {
                std::cout << common.db.string() << " is up to date (schema version "
                          << result.to_version << ")\n";
            } else {
                std::cout << "migrated " << common.db.string() << " from schema version "
                          << result.from_version << " to " << result.to_version << "\n";
            }
            return static_cast<int>(exit_ok);
        });
    });
}

} // namespace wardmap::cli
