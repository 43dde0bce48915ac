#include "server/cli/commands.hpp"

#include <iostream>

namespace wardmap::cli {

void add_import_command(CLI::App& app, CommonOptions& common, int& exit_code) {
    auto* cmd = app.add_subcommand(
        "import", "Load a council's files (wards, LLPG, postcodes, streets, ...) through GDAL");
    common.add_to(*cmd);
    auto kind = std::make_shared<std::string>();
    auto source = std::make_shared<std::string>();
    cmd->add_option("kind", *kind, "What the file holds")->required();
    cmd->add_option("source", *source, "The file to read")->required();
    cmd->callback([&exit_code, kind, source] {
        // The gazetteer importers register their kinds here; this build has none yet.
        std::cerr << "wardmap import: cannot import '" << *source << "' as '" << *kind
                  << "': this build has no importers yet (they arrive with the gazetteer "
                     "capability)\n";
        exit_code = exit_usage;
    });
}

} // namespace wardmap::cli
