#include "geo/store/backup.hpp"
#include "geo/store/database.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/logging.hpp"

#include <spdlog/spdlog.h>

#include <iostream>

namespace wardmap::cli {

void add_backup_command(CLI::App& app, CommonOptions& common, int& exit_code) {
    auto* cmd = app.add_subcommand(
        "backup", "Copy the database (--db) to FILE while the server keeps serving and writing: "
                  "a consistent, checked, self-contained copy, and FILE.sha256 beside it");
    common.add_to(*cmd);
    auto target = std::make_shared<std::filesystem::path>();
    cmd->add_option("FILE", *target, "Where the backup is written (replaced if it exists)")
        ->required();
    cmd->callback([&common, &exit_code, target] {
        exit_code = run_guarded("backup", [&] {
            setup_logging(common.log_level, false);
            if (target->has_parent_path()) {
                std::filesystem::create_directories(target->parent_path());
            }
            const auto record = store::backup_database(common.db, *target);
            // The log line is the backup's record (time, file, size, checksum).
            spdlog::info("backup of {} written to {}: {} bytes, sha256 {}, schema version {}, "
                         "{} ms",
                         common.db.string(), record.file.string(), record.bytes, record.sha256,
                         record.schema_version, record.took.count());
            std::cout << "backup " << record.file.string() << ": " << record.bytes
                      << " bytes, sha256 " << record.sha256 << ", schema version "
                      << record.schema_version << ", integrity ok, " << record.took.count()
                      << " ms\n";
            return static_cast<int>(exit_ok);
        });
    });
}

void add_restore_command(CLI::App& app, CommonOptions& common, int& exit_code) {
    auto* cmd = app.add_subcommand(
        "restore", "Replace the database with a backup FILE, after checking it (integrity, "
                   "wardmap schema); refused while a server uses the database");
    common.add_to(*cmd);
    auto backup = std::make_shared<std::filesystem::path>();
    auto store_path = std::make_shared<std::filesystem::path>();
    cmd->add_option("FILE", *backup, "The backup to restore (from wardmap backup)")->required();
    cmd->add_option("--store", *store_path, "The database to replace (default: --db)");
    cmd->callback([&common, &exit_code, backup, store_path] {
        exit_code = run_guarded("restore", [&] {
            setup_logging(common.log_level, false);
            const auto target = store_path->empty() ? common.db : *store_path;
            if (target.has_parent_path()) {
                std::filesystem::create_directories(target.parent_path());
            }
            store::RestoreResult result;
            try {
                result = store::restore_database(*backup, target);
            } catch (const store::StoreError& e) {
                if (e.is_busy()) {
                    std::cerr << "wardmap restore: " << e.what() << "\n";
                    return static_cast<int>(exit_failure);
                }
                throw;
            }
            spdlog::info("restored {} from {} ({} bytes, sha256 {}, schema version {})",
                         target.string(), backup->string(), result.backup.bytes,
                         result.backup.sha256, result.backup.schema_version);
            std::cout << "restored " << target.string() << " from " << backup->string()
                      << " (sha256 " << result.backup.sha256 << ", schema version "
                      << result.backup.schema_version << ", integrity ok)\n";
            if (!result.previous.empty()) {
                std::cout << "the database it replaced is kept as " << result.previous.string()
                          << "\n";
            }
            return static_cast<int>(exit_ok);
        });
    });
}

} // namespace wardmap::cli
