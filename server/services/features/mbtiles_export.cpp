// A tile package for a CDN or for crews' phones offline: the same tiles /ogc serves, in an
// MBTiles file (https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md) or a PMTiles
// v3 archive (server/services/features/pmtiles.hpp).

#include "server/services/features/mbtiles_export.hpp"

#include "geo/store/database.hpp"
#include "geo/vector_tile.hpp"
#include "server/services/features/pmtiles.hpp"
#include "server/services/features/tile_documents.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <stdexcept>

namespace wardmap::services {

namespace {

/// The tile column or row at zoom z holding a longitude or latitude, within the matrix.
int tile_x(double lon, int z) {
    double x = 0;
    double y = 0;
    geo::lonlat_to_tile({z, 0, 0}, 1, lon, 0, x, y);
    return std::clamp(static_cast<int>(std::floor(x)), 0, (1 << z) - 1);
}
int tile_y(double lat, int z) {
    double x = 0;
    double y = 0;
    geo::lonlat_to_tile({z, 0, 0}, 1, 0, lat, x, y);
    return std::clamp(static_cast<int>(std::floor(y)), 0, (1 << z) - 1);
}

} // namespace

std::optional<std::pair<int, int>> parse_zoom_range(std::string_view text) {
    const auto zoom = [](std::string_view t) -> std::optional<int> {
        // Digits only: from_chars would also take a leading '-' (and "-0" is 0).
        if (t.empty() || t.size() > 2 || (t.size() > 1 && t[0] == '0') ||
            !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return std::nullopt;
        }
        int v = 0;
        const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (ec != std::errc() || p != t.data() + t.size() || v < 0 ||
            v > geo::web_mercator_max_zoom) {
            return std::nullopt;
        }
        return v;
    };
    const auto dash = text.find('-');
    const auto lo = zoom(text.substr(0, dash));
    const auto hi = dash == std::string_view::npos ? lo : zoom(text.substr(dash + 1));
    if (!lo || !hi || *lo > *hi) {
        return std::nullopt;
    }
    return std::pair{*lo, *hi};
}

std::optional<geo::BBox> parse_lonlat_bbox(std::string_view text) {
    double v[4];
    for (int i = 0; i < 4; ++i) {
        const auto comma = text.find(',');
        if ((comma == std::string_view::npos) != (i == 3)) {
            return std::nullopt;
        }
        const auto part = text.substr(0, comma);
        // from_chars takes no sign but '-', no spaces; not "inf" or "nan" either (checked below).
        const auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v[i]);
        if (part.empty() || ec != std::errc() || p != part.data() + part.size() ||
            !std::isfinite(v[i])) {
            return std::nullopt;
        }
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    }
    geo::BBox box;
    box.min_x = v[0];
    box.min_y = v[1];
    box.max_x = v[2];
    box.max_y = v[3];
    return box;
}

namespace {

struct TileRange {
    int x0 = 0;
    int x1 = -1;
    int y0 = 0;
    int y1 = -1;
};

/// The tiles at zoom z meeting the box: columns x0..x1, rows y0..y1 (north first).
TileRange tile_range(const geo::BBox& b, int z) {
    return {tile_x(b.min_x, z), tile_x(b.max_x, z), tile_y(b.max_y, z), tile_y(b.min_y, z)};
}

bool box_on_the_map(const geo::BBox& b) {
    return !b.empty() && b.min_x >= -180 && b.max_x <= 180 && b.min_y >= -85.05 &&
           b.max_y <= 85.05 && b.min_x <= b.max_x && b.min_y <= b.max_y;
}

} // namespace

std::int64_t count_package_tiles(const MbtilesOptions& options) {
    if (options.min_zoom < 0 || options.max_zoom > geo::web_mercator_max_zoom ||
        options.min_zoom > options.max_zoom || !box_on_the_map(options.bbox)) {
        return 0;
    }
    std::int64_t n = 0;
    for (int z = options.min_zoom; z <= options.max_zoom; ++z) {
        const auto r = tile_range(options.bbox, z);
        n += std::int64_t{r.x1 - r.x0 + 1} * std::int64_t{r.y1 - r.y0 + 1};
    }
    return n;
}

void check_mbtiles_options(const Tileset& tileset, const MbtilesOptions& options) {
    if (options.min_zoom < tileset.min_zoom || options.max_zoom > tileset.max_zoom ||
        options.min_zoom > options.max_zoom) {
        invalid_parameter("zooms", "must lie within " + std::to_string(tileset.min_zoom) + "-" +
                                       std::to_string(tileset.max_zoom) + " for tileset '" +
                                       tileset.id + "', lowest first");
    }
    if (!box_on_the_map(options.bbox)) {
        invalid_parameter("bbox", "must be minlon,minlat,maxlon,maxlat within -180..180 and "
                                  "-85.05..85.05, lowest first");
    }
    if (const auto n = count_package_tiles(options); n > max_package_tiles) {
        invalid_parameter(
            "bbox", "and zooms make " + std::to_string(n) + " tiles; a package holds at most " +
                        std::to_string(max_package_tiles) + " (a smaller box or fewer zooms)");
    }
}

MbtilesSummary export_mbtiles(const TileService& tiles,
                              const Tileset& tileset,
                              const std::filesystem::path& out,
                              const MbtilesOptions& options) {
    check_mbtiles_options(tileset, options);
    const auto& b = options.bbox;
    const auto started = std::chrono::steady_clock::now();
    const std::filesystem::path part = out.string() + ".part";
    std::filesystem::remove(part);
    MbtilesSummary summary;
    try {
        auto db = store::Database::open(part, {.mode = store::OpenMode::create});
        db.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                "CREATE TABLE metadata (name TEXT, value TEXT);"
                "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
                "tile_data BLOB);");
        const auto meta = nlohmann::json::parse(TileDocuments(tiles).tileset("", "", tileset));
        auto put = db.prepare("INSERT INTO metadata (name, value) VALUES (?, ?)");
        const auto number = [](double v) {
            char text[32];
            std::snprintf(text, sizeof text, "%.7f", v);
            return std::string(text);
        };
        const int center_zoom = (options.min_zoom + options.max_zoom) / 2;
        for (const auto& [name, value] : std::initializer_list<std::pair<std::string, std::string>>{
                 {"name", tileset.title},
                 {"description", tileset.description},
                 {"format", "pbf"},
                 {"type", "baselayer"},
                 {"version", "1"},
                 {"minzoom", std::to_string(options.min_zoom)},
                 {"maxzoom", std::to_string(options.max_zoom)},
                 {"bounds", number(b.min_x) + "," + number(b.min_y) + "," + number(b.max_x) + "," +
                                number(b.max_y)},
                 {"center", number((b.min_x + b.max_x) / 2) + "," +
                                number((b.min_y + b.max_y) / 2) + "," +
                                std::to_string(center_zoom)},
                 {"json", nlohmann::json{{"vector_layers", meta["vector_layers"]}}.dump()},
             }) {
            put.bind(1, name);
            put.bind(2, value);
            put.run();
            put.reset();
        }
        store::Transaction tx(db);
        auto insert = db.prepare("INSERT INTO tiles (zoom_level, tile_column, tile_row, "
                                 "tile_data) VALUES (?, ?, ?, ?)");
        for (int z = options.min_zoom; z <= options.max_zoom; ++z) {
            const auto r = tile_range(b, z);
            for (int x = r.x0; x <= r.x1; ++x) {
                for (int y = r.y0; y <= r.y1; ++y) {
                    const std::string bytes = tiles.tile(tileset, {z, x, y});
                    if (bytes.empty()) {
                        ++summary.empty;
                        continue;
                    }
                    const std::string body = gzip_best(bytes);
                    insert.bind(1, z);
                    insert.bind(2, x);
                    insert.bind(3, (1 << z) - 1 - y);
                    insert.bind(
                        4, std::span<const unsigned char>(
                               reinterpret_cast<const unsigned char*>(body.data()), body.size()));
                    insert.run();
                    insert.reset();
                    ++summary.tiles;
                    summary.bytes += static_cast<std::int64_t>(body.size());
                }
            }
        }
        db.exec("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)");
        tx.commit();
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(part, ignored); // no half-written package left behind
        throw;
    }
    std::filesystem::rename(part, out);
    summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return summary;
}

MbtilesSummary export_pmtiles(const TileService& tiles,
                              const Tileset& tileset,
                              const std::filesystem::path& out,
                              const MbtilesOptions& options) {
    check_mbtiles_options(tileset, options);
    const auto& b = options.bbox;
    const auto started = std::chrono::steady_clock::now();
    // Every tile of the package in Hilbert order, so the data section is clustered.
    std::vector<std::pair<std::uint64_t, geo::TileId>> order;
    for (int z = options.min_zoom; z <= options.max_zoom; ++z) {
        const auto r = tile_range(b, z);
        for (int x = r.x0; x <= r.x1; ++x) {
            for (int y = r.y0; y <= r.y1; ++y) {
                const geo::TileId t{z, x, y};
                order.emplace_back(pmtiles_tile_id(t), t);
            }
        }
    }
    std::sort(order.begin(), order.end(),
              [](const auto& l, const auto& r) { return l.first < r.first; });

    const std::filesystem::path part = out.string() + ".part";
    const std::filesystem::path data_part = out.string() + ".data.part";
    MbtilesSummary summary;
    try {
        std::vector<PmtilesEntry> entries;
        {
            std::ofstream data(data_part, std::ios::binary | std::ios::trunc);
            std::uint64_t offset = 0;
            for (const auto& [id, t] : order) {
                const std::string bytes = tiles.tile(tileset, t);
                if (bytes.empty()) {
                    ++summary.empty;
                    continue;
                }
                const std::string body = gzip_best(bytes);
                data.write(body.data(), static_cast<std::streamsize>(body.size()));
                entries.push_back({id, offset, static_cast<std::uint32_t>(body.size()), 1});
                offset += body.size();
                ++summary.tiles;
                summary.bytes += static_cast<std::int64_t>(body.size());
            }
            if (!data) {
                throw std::runtime_error("could not write " + data_part.string());
            }
        }
        if (entries.empty()) {
            invalid_parameter("bbox", "holds no data of tileset '" + tileset.id +
                                          "' at these zooms: a PMTiles archive needs a tile");
        }
        const auto meta = nlohmann::json::parse(TileDocuments(tiles).tileset("", "", tileset));
        const std::string metadata = gzip_best(nlohmann::json{
            {"name", tileset.title},
            {"description", tileset.description},
            {"type", "baselayer"},
            {"version", "1"},
            {"vector_layers", meta["vector_layers"]},
        }
                                                   .dump());
        const auto dirs = pmtiles_directories(entries);
        PmtilesHeader h;
        h.root_offset = pmtiles_header_size;
        h.root_length = dirs.root.size();
        h.metadata_offset = h.root_offset + h.root_length;
        h.metadata_length = metadata.size();
        h.leaves_offset = h.metadata_offset + h.metadata_length;
        h.leaves_length = dirs.leaves.size();
        h.data_offset = h.leaves_offset + h.leaves_length;
        h.data_length = static_cast<std::uint64_t>(summary.bytes);
        h.addressed_tiles = h.tile_entries = h.tile_contents = entries.size();
        h.clustered = true;
        h.min_zoom = options.min_zoom;
        h.max_zoom = options.max_zoom;
        h.min_lon = b.min_x;
        h.min_lat = b.min_y;
        h.max_lon = b.max_x;
        h.max_lat = b.max_y;
        h.center_zoom = (options.min_zoom + options.max_zoom) / 2;
        h.center_lon = (b.min_x + b.max_x) / 2;
        h.center_lat = (b.min_y + b.max_y) / 2;
        {
            std::ofstream file(part, std::ios::binary | std::ios::trunc);
            file << pmtiles_header(h) << dirs.root << metadata << dirs.leaves;
            std::ifstream data(data_part, std::ios::binary);
            file << data.rdbuf();
            if (!file) {
                throw std::runtime_error("could not write " + part.string());
            }
        }
        std::filesystem::remove(data_part);
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(part, ignored); // no half-written package left behind
        std::filesystem::remove(data_part, ignored);
        throw;
    }
    std::filesystem::rename(part, out);
    summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return summary;
}

} // namespace wardmap::services
