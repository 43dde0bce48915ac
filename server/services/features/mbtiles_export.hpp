#pragma once

#include "geo/coordinates.hpp"
#include "server/services/features/tile_service.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <utility>

namespace wardmap::services {

struct MbtilesOptions {
    geo::BBox bbox; ///< WGS84 lon/lat: every tile meeting it, at each zoom
    int min_zoom = 10;
    int max_zoom = 16;
};

struct MbtilesSummary {
    std::int64_t tiles = 0; ///< tiles with something in them, written
    std::int64_t empty = 0; ///< tiles with nothing in them, left out
    std::int64_t bytes = 0; ///< their gzip bodies, summed
    double seconds = 0;
};

/// `export tiles --zooms`: "Z" or "Z1-Z2", whole numbers 0 to 24 (digits only), lowest first;
/// nullopt otherwise. A pure function of its text.
[[nodiscard]] std::optional<std::pair<int, int>> parse_zoom_range(std::string_view text);

/// `export tiles --bbox`: "minlon,minlat,maxlon,maxlat", four finite decimal numbers (no
/// spaces); nullopt otherwise. Whether they make a box on the map is check_mbtiles_options's.
[[nodiscard]] std::optional<geo::BBox> parse_lonlat_bbox(std::string_view text);

/// At most this many tiles in one package (a borough at zooms 10-18 is tens of thousands).
inline constexpr std::int64_t max_package_tiles = 4'000'000;

/// How many tiles of WebMercatorQuad meet the box at the zooms (0 for zooms outside 0-24 or
/// lowest last, or an empty box).
[[nodiscard]] std::int64_t count_package_tiles(const MbtilesOptions& options);

/// DomainError invalid_parameter unless the zooms lie within the tileset's range, lowest
/// first, the box lies within -180..180, -85.05..85.05 with its lowest values first, and the
/// package holds at most max_package_tiles tiles.
void check_mbtiles_options(const Tileset& tileset, const MbtilesOptions& options);

/// Writes `tileset`'s tiles over the box at the zooms as an MBTiles 1.3 file: SQLite with a
/// `metadata` table (name, format pbf, bounds, center, minzoom, maxzoom, and `json` with the
/// tileset's vector_layers) and a `tiles` table of gzip'd Mapbox vector tiles, rows numbered
/// from the south (TMS: row = 2^z - 1 - y). Empty tiles are left out. Written to `out`.part
/// and renamed over `out` when complete. Options checked by check_mbtiles_options first.
MbtilesSummary export_mbtiles(const TileService& tiles,
                              const Tileset& tileset,
                              const std::filesystem::path& out,
                              const MbtilesOptions& options);

/// The same package as a PMTiles v3 archive (server/services/features/pmtiles.hpp): header,
/// gzip'd root directory, gzip'd JSON metadata (name, description, type, version,
/// vector_layers), leaf directories when the root would pass 16 KiB, then the gzip'd tiles in
/// tile id (Hilbert) order; empty tiles left out. Written to `out`.part (the tile data to
/// `out`.data.part first) and renamed over `out` when complete. DomainError invalid_parameter
/// as check_mbtiles_options, or when no tile has anything in it.
MbtilesSummary export_pmtiles(const TileService& tiles,
                              const Tileset& tileset,
                              const std::filesystem::path& out,
                              const MbtilesOptions& options);

} // namespace wardmap::services
