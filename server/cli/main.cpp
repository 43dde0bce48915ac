#include "server/cli/commands.hpp"

#include <clocale>
#include <csignal>
#include <iostream>

int main(int argc, char** argv) {
    // Numbers are written with std::to_chars, but keep C locale for any library formatting.
    std::setlocale(LC_ALL, "C");
    std::signal(SIGPIPE, SIG_IGN);

    CLI::App app{"wardmap: a council's street-level services on a map (GIS server for the LLPG, "
                 "wards, service requests and assets)",
                 "wardmap"};
    app.require_subcommand(1);
    app.set_config("--config", "",
                   "TOML/INI file with option values (flags and WARDMAP_* "
                   "environment variables override it)");
    app.get_config_ptr()->envname("WARDMAP_CONFIG");
    app.footer("Exit codes: 0 ok, 1 usage, 2 failure, 3 database unusable, 4 no accurate "
               "coordinate transformation.\nEvery option also reads a WARDMAP_* environment "
               "variable (shown as ENV above).");

    wardmap::cli::CommonOptions common;
    int exit_code = 0;
    wardmap::cli::add_serve_command(app, common, exit_code);
    wardmap::cli::add_migrate_command(app, common, exit_code);
    wardmap::cli::add_demo_data_command(app, common, exit_code);
    wardmap::cli::add_import_command(app, common, exit_code);
    wardmap::cli::add_export_command(app, common, exit_code);
    wardmap::cli::add_keys_command(app, common, exit_code);
    wardmap::cli::add_users_command(app, common, exit_code);
    wardmap::cli::add_backup_command(app, common, exit_code);
    wardmap::cli::add_restore_command(app, common, exit_code);
    wardmap::cli::add_schedules_command(app, common, exit_code);
    wardmap::cli::add_myward_command(app, common, exit_code);
    wardmap::cli::add_version_command(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // CLI11 prints the message (or the help); our exit codes are 0 for help, 1 for misuse.
        return app.exit(e) == 0 ? 0 : 1;
    }
    return exit_code;
}
