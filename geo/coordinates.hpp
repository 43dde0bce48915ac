#pragma once

#include <algorithm>
#include <limits>

namespace wardmap::geo {

/// A WGS84 / ETRS89 position in degrees (GeoJSON axis order).
struct LonLat {
    double lon = 0;
    double lat = 0;
};

/// A British National Grid (EPSG:27700, OSGB36) position in metres.
struct EastNorth {
    double easting = 0;
    double northing = 0;
};

/// Axis-aligned box in any one CRS; empty until a point is added.
struct BBox {
    double min_x = std::numeric_limits<double>::infinity();
    double min_y = std::numeric_limits<double>::infinity();
    double max_x = -std::numeric_limits<double>::infinity();
    double max_y = -std::numeric_limits<double>::infinity();

    [[nodiscard]] bool empty() const { return min_x > max_x || min_y > max_y; }
    void extend(double x, double y) {
        min_x = std::min(min_x, x);
        min_y = std::min(min_y, y);
        max_x = std::max(max_x, x);
        max_y = std::max(max_y, y);
    }
    [[nodiscard]] bool contains(double x, double y) const {
        return x >= min_x && x <= max_x && y >= min_y && y <= max_y;
    }
    [[nodiscard]] bool intersects(const BBox& o) const {
        return !(o.min_x > max_x || o.max_x < min_x || o.min_y > max_y || o.max_y < min_y);
    }
};

} // namespace wardmap::geo
