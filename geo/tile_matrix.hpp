#pragma once

#include "geo/coordinates.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace wardmap::geo {

/// One tile of the OGC WebMercatorQuad tile matrix set (EPSG:3857, 2^z x 2^z tiles, row 0 at
/// the north edge: the same numbering as XYZ/slippy-map tiles; MBTiles flips the row).
struct TileId {
    int z = 0;
    int x = 0; ///< column (TileCol)
    int y = 0; ///< row (TileRow), from the north

    friend bool operator==(const TileId&, const TileId&) = default;
};

/// The deepest tile matrix WebMercatorQuad defines (OGC 17-083r4 Annex D lists 0..24).
inline constexpr int web_mercator_max_zoom = 24;

/// Whether z is a tile matrix of the set and x, y lie within it (0 <= x, y < 2^z).
[[nodiscard]] bool in_matrix(const TileId& tile);

/// The tile's bounds in EPSG:3857 metres.
[[nodiscard]] BBox tile_bounds_3857(const TileId& tile);

/// The tile's bounds in WGS84 degrees (min_x/max_x longitude, min_y/max_y latitude), widened
/// on every side by `margin` of the tile's width (e.g. 64.0 / 4096 for a vector tile's
/// buffer), so a query with it finds what the buffered tile shows.
[[nodiscard]] BBox tile_bounds_lonlat(const TileId& tile, double margin = 0);

/// A tile matrix index from its path text: digits only, no sign, no leading zeros beyond "0";
/// nullopt otherwise (and for values beyond 2^24).
[[nodiscard]] std::optional<int> parse_tile_index(std::string_view text);

} // namespace wardmap::geo
