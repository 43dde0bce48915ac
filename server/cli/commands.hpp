#pragma once

#include "server/cli/common_options.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>

namespace wardmap::cli {

// Each registers its subcommand on `app`; when it runs, it stores its exit code in `exit_code`.
void add_serve_command(CLI::App& app, CommonOptions& common, int& exit_code);
void add_migrate_command(CLI::App& app, CommonOptions& common, int& exit_code);
void add_demo_data_command(CLI::App& app, CommonOptions& common, int& exit_code);
void add_import_command(CLI::App& app, CommonOptions& common, int& exit_code);
void add_export_command(CLI::App& app, CommonOptions& common, int& exit_code);
void add_keys_command(CLI::App& app, CommonOptions& common, int& exit_code);
void add_users_command(CLI::App& app, CommonOptions& common, int& exit_code);
void add_backup_command(CLI::App& app, CommonOptions& common, int& exit_code);
void add_restore_command(CLI::App& app, CommonOptions& common, int& exit_code);
void add_schedules_command(CLI::App& app, CommonOptions& common, int& exit_code);
void add_myward_command(CLI::App& app, CommonOptions& common, int& exit_code);
void add_version_command(CLI::App& app, int& exit_code);

/// The service catalogue `serve` reads unless told otherwise (the demo's casework uses it too).
std::filesystem::path default_services_file();

/// Runs `body`, turning the errors a command can meet into a message on stderr and an exit
/// code (the CLI's one translation point).
int run_guarded(const char* command, const std::function<int()>& body);

} // namespace wardmap::cli
