// A tile package for a CDN or for crews' phones offline: the same tiles /ogc serves, in an
// MBTiles file (https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md).

#include "server/services/features/mbtiles_export.hpp"

#include "geo/store/database.hpp"
#include "geo/vector_tile.hpp"
#include "server/services/features/tile_documents.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>
#include <zlib.h>

#include <chrono>
#include <cmath>
#include <stdexcept>

namespace wardmap::services {

namespace {

/// gzip (not zlib) framing, as MBTiles readers expect for pbf tiles.
std::string gzip(const std::string& data) {
    z_stream z{};
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("zlib: deflateInit2 failed");
    }
    std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        throw std::runtime_error("zlib: deflate did not finish");
    }
    return out;
}

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

MbtilesSummary export_mbtiles(const TileService& tiles,
                              const Tileset& tileset,
                              const std::filesystem::path& out,
                              const MbtilesOptions& options) {
    if (options.min_zoom < tileset.min_zoom || options.max_zoom > tileset.max_zoom ||
        options.min_zoom > options.max_zoom) {
        invalid_parameter("zooms", "must lie within " + std::to_string(tileset.min_zoom) + "-" +
                                       std::to_string(tileset.max_zoom) + " for tileset '" +
                                       tileset.id + "', lowest first");
    }
    const auto& b = options.bbox;
    if (b.empty() || b.min_x < -180 || b.max_x > 180 || b.min_y < -85.05 || b.max_y > 85.05) {
        invalid_parameter("bbox", "must be minlon,minlat,maxlon,maxlat within -180..180 and "
                                  "-85.05..85.05, lowest first");
    }
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
            const int x0 = tile_x(b.min_x, z);
            const int x1 = tile_x(b.max_x, z);
            const int y0 = tile_y(b.max_y, z); // north edge: the smaller row
            const int y1 = tile_y(b.min_y, z);
            for (int x = x0; x <= x1; ++x) {
                for (int y = y0; y <= y1; ++y) {
                    const std::string bytes = tiles.tile(tileset, {z, x, y});
                    if (bytes.empty()) {
                        ++summary.empty;
                        continue;
                    }
                    const std::string body = gzip(bytes);
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

} // namespace wardmap::services
