// WebMercatorQuad arithmetic: tile indices to EPSG:3857 and WGS84 bounds.

#include "geo/tile_matrix.hpp"

#include "geo/geojson_writer.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace wardmap::geo {

namespace {

/// Half the width of the square world in EPSG:3857 metres (pi * 6378137).
constexpr double half_world = 20037508.342789244;

} // namespace

bool in_matrix(const TileId& tile) {
    if (tile.z < 0 || tile.z > web_mercator_max_zoom) {
        return false;
    }
    const std::int64_t n = std::int64_t{1} << tile.z;
    return tile.x >= 0 && tile.y >= 0 && tile.x < n && tile.y < n;
}

BBox tile_bounds_3857(const TileId& tile) {
    const double size = 2 * half_world / std::ldexp(1.0, tile.z);
    BBox box;
    box.extend(-half_world + tile.x * size, half_world - (tile.y + 1) * size);
    box.extend(-half_world + (tile.x + 1) * size, half_world - tile.y * size);
    return box;
}

BBox tile_bounds_lonlat(const TileId& tile, double margin) {
    BBox m = tile_bounds_3857(tile);
    const double pad = (m.max_x - m.min_x) * margin;
    BBox out;
    double lon = 0;
    double lat = 0;
    web_mercator_to_lonlat(std::max(m.min_x - pad, -half_world),
                           std::max(m.min_y - pad, -half_world), lon, lat);
    out.extend(std::max(lon, -180.0), lat); // -180.00000000000003 at the world's edge
    web_mercator_to_lonlat(std::min(m.max_x + pad, half_world), std::min(m.max_y + pad, half_world),
                           lon, lat);
    out.extend(std::min(lon, 180.0), lat);
    return out;
}

std::optional<int> parse_tile_index(std::string_view text) {
    // Digits only: from_chars would also take a leading '-' (and "-0" is 0).
    if (text.empty() || text.size() > 9 || (text.size() > 1 && text[0] == '0') ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    int v = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size() || v < 0 || v > (1 << 24)) {
        return std::nullopt;
    }
    return v;
}

} // namespace wardmap::geo
