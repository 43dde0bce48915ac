#pragma once

#include "geo/coordinates.hpp"
#include "server/services/features/tile_service.hpp"

#include <cstdint>
#include <filesystem>

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

/// Writes `tileset`'s tiles over the box at the zooms as an MBTiles 1.3 file: SQLite with a
/// `metadata` table (name, format pbf, bounds, center, minzoom, maxzoom, and `json` with the
/// tileset's vector_layers) and a `tiles` table of gzip'd Mapbox vector tiles, rows numbered
/// from the south (TMS: row = 2^z - 1 - y). Empty tiles are left out. Written to `out`.part
/// and renamed over `out` when complete. DomainError invalid_parameter for zooms outside the
/// tileset's range or an empty box.
MbtilesSummary export_mbtiles(const TileService& tiles,
                              const Tileset& tileset,
                              const std::filesystem::path& out,
                              const MbtilesOptions& options);

} // namespace wardmap::services
