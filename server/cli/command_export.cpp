// `wardmap export KIND OUT [options]`: parses flags into importers::LlpgExportOptions and hands
// over to importers::export_llpg; reading the store and writing DTF 7.3 live in importers/.
// `wardmap export tiles OUT.mbtiles|OUT.pmtiles --bbox ... --zooms 10-16` hands over to
// services::export_mbtiles or export_pmtiles (the tiles /ogc serves, packaged).

#include "core/w3c_time.hpp"

#include "geo/store/connection_pool.hpp"
#include "importers/llpg_export.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/logging.hpp"
#include "server/services/features/feature_service.hpp"
#include "server/services/features/mbtiles_export.hpp"
#include "server/services/features/tile_service.hpp"
#include "server/services/streetscene/asset_sql.hpp"

#include <algorithm>
#include <iostream>

namespace wardmap::cli {

namespace {

struct ExportFlags {
    std::string kind;
    std::string out;
    std::optional<int> custodian_code;
    std::string custodian_name;
    std::string date;
    bool lf = false;
    std::string bbox;
    std::string zooms = "10-16";
    std::string tileset = "basemap";
};

int run_tiles_export(const CommonOptions& common, const ExportFlags& flags) {
    services::MbtilesOptions options;
    if (const auto zooms = services::parse_zoom_range(flags.zooms)) {
        std::tie(options.min_zoom, options.max_zoom) = *zooms;
    } else {
        std::cerr << "wardmap export tiles: --zooms must be Z or Z1-Z2 (0 to 24, lowest first), "
                     "not '"
                  << flags.zooms << "'\n";
        return exit_failure;
    }
    store::ConnectionPool pool(common.db, 1, {.mode = store::OpenMode::read_only});
    // The street-asset collections derive each asset's ward from the ward index.
    services::define_ward_function(pool, services::WardIndex::load(pool));
    services::FeatureService features(pool, common.make_transform(), services::default_layers());
    services::TileService tiles(features);
    const auto& tileset =
        flags.tileset == "basemap" ? tiles.basemap() : tiles.collection(flags.tileset);
    if (flags.bbox.empty()) {
        // The whole of the tileset's data.
        for (const auto& info : tiles.layers(tileset)) {
            const auto extent = features.extent(*info.layer).bbox;
            if (!extent.empty()) {
                options.bbox.extend(extent.min_x, extent.min_y);
                options.bbox.extend(extent.max_x, extent.max_y);
            }
        }
    } else if (auto box = services::parse_lonlat_bbox(flags.bbox)) {
        options.bbox = *box;
    } else {
        std::cerr << "wardmap export tiles: --bbox must be minlon,minlat,maxlon,maxlat, not '"
                  << flags.bbox << "'\n";
        return exit_failure;
    }
    const bool pmtiles = std::filesystem::path(flags.out).extension() == ".pmtiles";
    const auto s = pmtiles ? services::export_pmtiles(tiles, tileset, flags.out, options)
                           : services::export_mbtiles(tiles, tileset, flags.out, options);
    std::cout << "tiles: wrote " << flags.out << " (" << (pmtiles ? "PMTiles" : "MBTiles") << ", "
              << tileset.id << ", zooms " << options.min_zoom << "-" << options.max_zoom << ") in "
              << s.seconds << " s: " << s.tiles << " tiles, " << s.empty << " empty left out, "
              << s.bytes << " bytes gzip'd\n";
    return exit_ok;
}

/// Today's date and the time of day in UTC: "YYYY-MM-DD", "HH:MM:SS".
std::pair<std::string, std::string> now_utc() {
    const std::string now = core::format_utc(core::now_seconds()); // YYYY-MM-DDTHH:MM:SSZ
    return {now.substr(0, 10), now.substr(11, 8)};
}

int run_export_command(const CommonOptions& common, const ExportFlags& flags) {
    setup_logging(common.log_level, false);
    if (!std::filesystem::is_regular_file(common.db)) {
        std::cerr << "wardmap export: " << common.db.string() << ": no such database\n";
        return exit_database;
    }
    if (flags.kind == "tiles") {
        return run_tiles_export(common, flags);
    }
    importers::LlpgExportOptions options;
    options.custodian_code = flags.custodian_code;
    options.custodian_name = flags.custodian_name;
    if (flags.date.empty()) {
        std::tie(options.date, options.time_stamp) = now_utc();
    } else {
        options.date = flags.date; // a fixed date gives a reproducible file: time 00:00:00
    }
    options.writer.line_ending = flags.lf ? importers::LineEnding::lf : importers::LineEnding::crlf;

    auto db = store::Database::open(common.db, {.mode = store::OpenMode::read_only});
    const auto s = importers::export_llpg(db, flags.out, options);
    std::cout << "llpg: wrote " << flags.out << " (DTF 7.3, custodian " << s.custodian_code << " "
              << s.custodian_name << ") in " << s.seconds << " s:\n  " << s.streets
              << " streets (11), " << s.descriptors << " descriptors (15), " << s.blpus
              << " BLPUs (21), " << s.lpis << " LPIs (24); " << s.records << " records, " << s.bytes
              << " bytes\n";
    return exit_ok;
}

} // namespace

void add_export_command(CLI::App& app, CommonOptions& common, int& exit_code) {
    auto* cmd = app.add_subcommand(
        "export", "Write the store's data out in a council exchange format: llpg (the gazetteer "
                  "as NLPG DTF 7.3, docs/llpg-format.md) or tiles (vector tiles as MBTiles, or "
                  "PMTiles for a FILE.pmtiles); "
                  "exit 0 ok, 2 failed, 3 database");
    common.add_to(*cmd);
    auto f = std::make_shared<ExportFlags>();
    cmd->add_option("kind", f->kind, "What to export: llpg or tiles")
        ->required()
        ->check(CLI::IsMember({"llpg", "tiles"}));
    cmd->add_option("out", f->out,
                    "The file to write (replaced when complete); tiles: .pmtiles for "
                    "PMTiles v3, anything else MBTiles")
        ->required();
    cmd->add_option("--custodian-code", f->custodian_code,
                    "llpg: local custodian code (default: wardmap_meta custodian_code, else 2320)")
        ->check(CLI::Range(1, 9999));
    cmd->add_option("--custodian-name", f->custodian_name,
                    "llpg: custodian name (default: wardmap_meta custodian_name, else the "
                    "council area's name)");
    cmd->add_option("--date", f->date,
                    "llpg: the file's date, YYYY-MM-DD, also used for every record's dates "
                    "(default today, UTC; given, the time stamp is 00:00:00 and the file "
                    "reproducible)")
        ->check([](const std::string& v) {
            const bool ok = v.size() == 10 && v[4] == '-' && v[7] == '-' &&
                            std::all_of(v.begin(), v.end(),
                                        [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
            return ok ? std::string() : "not YYYY-MM-DD: " + v;
        });
    cmd->add_flag("--lf", f->lf, "llpg: end lines with LF instead of CRLF");
    cmd->add_option("--bbox", f->bbox,
                    "tiles: minlon,minlat,maxlon,maxlat (WGS84) to cover (default: the "
                    "tileset's data)");
    cmd->add_option("--zooms", f->zooms, "tiles: zoom or range, e.g. 10-16 (the default)");
    cmd->add_option("--tileset", f->tileset,
                    "tiles: basemap (the default) or a collection id, e.g. litter_bins");
    cmd->callback([&common, &exit_code, f] {
        exit_code = run_guarded("export", [&] { return run_export_command(common, *f); });
    });
}

} // namespace wardmap::cli
