#include "server/cli/commands.hpp"
#include "server/services/shared/health_service.hpp"

#include <gdal.h>
#include <geos_c.h>
#include <proj.h>
#include <spatialite.h>
#include <sqlite3.h>

#include <iostream>

namespace wardmap::cli {

void add_version_command(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("version", "Print wardmap's version and its libraries'");
    cmd->callback([&exit_code] {
        exit_code = run_guarded("version", [] {
            std::cout << "wardmap " << services::HealthService::version() << "\n"
                      << "  sqlite " << sqlite3_libversion() << ", spatialite "
                      << spatialite_version() << "\n"
                      << "  proj " << proj_info().release << ", geos " << GEOSversion() << "\n"
                      << "  gdal " << GDALVersionInfo("RELEASE_NAME") << ", pistache 0.0.5\n";
            return exit_ok;
        });
    });
}

} // namespace wardmap::cli
