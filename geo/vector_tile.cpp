// Mapbox Vector Tile 2.1 encoding (https://github.com/mapbox/vector-tile-spec/tree/master/2.1)
// with protozero's pbf_writer; clipping and simplification with GEOS.
//
// The pipeline of one feature: WKB (WGS84) -> GEOS -> the tile's grid (doubles) -> clipped to
// the buffered tile (GEOSClipByRect, when it crosses the edge) -> Douglas-Peucker at a fixed
// tolerance in tile units (so generalisation follows the zoom) -> snapped to whole units,
// repeated points and collapsed rings dropped -> winding made right -> command integers.

#include "geo/vector_tile.hpp"

#include "geo/errors.hpp"
#include "geo/geos_context.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <numbers>
#include <protozero/pbf_writer.hpp>

namespace wardmap::geo {

namespace {

constexpr double max_lat = 85.051128779806604;

// MVT 2.1 §4.3.1: command ids and Feature.type (GeomType).
constexpr std::uint32_t move_to = 1;
constexpr std::uint32_t line_to = 2;
constexpr std::uint32_t close_path = 7;
constexpr int type_point = 1;
constexpr int type_linestring = 2;
constexpr int type_polygon = 3;

// Field numbers of vector_tile.proto.
namespace field {
constexpr protozero::pbf_tag_type tile_layers = 3;
constexpr protozero::pbf_tag_type layer_name = 1;
constexpr protozero::pbf_tag_type layer_features = 2;
constexpr protozero::pbf_tag_type layer_keys = 3;
constexpr protozero::pbf_tag_type layer_values = 4;
constexpr protozero::pbf_tag_type layer_extent = 5;
constexpr protozero::pbf_tag_type layer_version = 15;
constexpr protozero::pbf_tag_type feature_id = 1;
constexpr protozero::pbf_tag_type feature_tags = 2;
constexpr protozero::pbf_tag_type feature_type = 3;
constexpr protozero::pbf_tag_type feature_geometry = 4;
constexpr protozero::pbf_tag_type value_string = 1;
constexpr protozero::pbf_tag_type value_double = 3;
constexpr protozero::pbf_tag_type value_uint = 5;
constexpr protozero::pbf_tag_type value_sint = 6;
constexpr protozero::pbf_tag_type value_bool = 7;
} // namespace field

std::uint32_t command(std::uint32_t id, std::size_t count) {
    return (id & 0x7U) | (static_cast<std::uint32_t>(count) << 3U);
}

struct GridPoint {
    std::int64_t x = 0;
    std::int64_t y = 0;
    friend bool operator==(const GridPoint&, const GridPoint&) = default;
};

using Ring = std::vector<GridPoint>;

/// Appends command integers, keeping the cursor across the parts of one feature (§4.3.2).
class GeometryEncoder {
  public:
    std::vector<std::uint32_t> out;

    void point_run(const std::vector<GridPoint>& points) {
        out.push_back(command(move_to, points.size()));
        for (const auto& p : points) {
            delta(p);
        }
    }
    void line(const std::vector<GridPoint>& points) {
        out.push_back(command(move_to, 1));
        delta(points.front());
        out.push_back(command(line_to, points.size() - 1));
        for (std::size_t i = 1; i < points.size(); ++i) {
            delta(points[i]);
        }
    }
    /// A ring without its closing point.
    void ring(const Ring& ring) {
        line(ring);
        out.push_back(command(close_path, 1));
    }

  private:
    void delta(const GridPoint& p) {
        out.push_back(protozero::encode_zigzag32(static_cast<std::int32_t>(p.x - m_cursor.x)));
        out.push_back(protozero::encode_zigzag32(static_cast<std::int32_t>(p.y - m_cursor.y)));
        m_cursor = p;
    }
    GridPoint m_cursor;
};

/// Twice the ring's signed area by the surveyor's formula in tile coordinates (y down):
/// positive for a ring that is clockwise on screen.
double doubled_area(const Ring& ring) {
    double sum = 0;
    for (std::size_t i = 0, n = ring.size(); i < n; ++i) {
        const auto& a = ring[i];
        const auto& b = ring[(i + 1) % n];
        sum += static_cast<double>(a.x) * static_cast<double>(b.y) -
               static_cast<double>(b.x) * static_cast<double>(a.y);
    }
    return sum;
}

/// The coordinates of a linestring or ring, snapped to the grid, repeats dropped.
std::vector<GridPoint> snapped(const GeosContext& geos, const GEOSGeometry* g) {
    std::vector<GridPoint> out;
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(geos.handle(), g);
    unsigned int n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(geos.handle(), seq, &n)) {
        return out;
    }
    out.reserve(n);
    for (unsigned int i = 0; i < n; ++i) {
        double x = 0;
        double y = 0;
        GEOSCoordSeq_getXY_r(geos.handle(), seq, i, &x, &y);
        const GridPoint p{std::llround(x), std::llround(y)};
        if (out.empty() || !(out.back() == p)) {
            out.push_back(p);
        }
    }
    return out;
}

/// A polygon ring ready to encode: closing point removed, at least three points and
/// `min_area` square units, wound so its area has the sign of `outer` (true: positive).
bool prepare_ring(Ring& ring, bool outer, double min_area) {
    if (ring.size() > 1 && ring.front() == ring.back()) {
        ring.pop_back();
    }
    if (ring.size() < 3) {
        return false;
    }
    const double area2 = doubled_area(ring);
    if (std::abs(area2) / 2 < min_area || area2 == 0) {
        return false;
    }
    if ((area2 > 0) != outer) {
        std::reverse(ring.begin() + 1, ring.end()); // same first point, other direction
    }
    return true;
}

/// Collects the parts of `g` of one dimension (0 points, 1 lines, 2 polygons), in order.
void collect(const GeosContext& geos,
             const GEOSGeometry* g,
             int dimension,
             std::vector<const GEOSGeometry*>& parts) {
    const int type = GEOSGeomTypeId_r(geos.handle(), g);
    if (type == GEOS_MULTIPOINT || type == GEOS_MULTILINESTRING || type == GEOS_MULTIPOLYGON ||
        type == GEOS_GEOMETRYCOLLECTION) {
        const int n = GEOSGetNumGeometries_r(geos.handle(), g);
        for (int i = 0; i < n; ++i) {
            collect(geos, GEOSGetGeometryN_r(geos.handle(), g, i), dimension, parts);
        }
        return;
    }
    const int dim = type == GEOS_POINT ? 0 : type == GEOS_POLYGON ? 2 : 1;
    if (dim == dimension && !GEOSisEmpty_r(geos.handle(), g)) {
        parts.push_back(g);
    }
}

struct Projection {
    TileId tile;
    double extent = 4096;
};

int project(double* x, double* y, void* userdata) {
    const auto& p = *static_cast<const Projection*>(userdata);
    double tx = 0;
    double ty = 0;
    lonlat_to_tile(p.tile, static_cast<std::uint32_t>(p.extent), *x, *y, tx, ty);
    *x = tx;
    *y = ty;
    return 1;
}

} // namespace

void lonlat_to_tile(
    const TileId& tile, std::uint32_t extent, double lon, double lat, double& x, double& y) {
    const double world = static_cast<double>(extent) * std::ldexp(1.0, tile.z);
    const double phi = std::clamp(lat, -max_lat, max_lat) * std::numbers::pi / 180;
    x = (lon + 180) / 360 * world - static_cast<double>(tile.x) * extent;
    y = (0.5 - std::log(std::tan(std::numbers::pi / 4 + phi / 2)) / (2 * std::numbers::pi)) *
            world -
        static_cast<double>(tile.y) * extent;
}

TileLayerBuilder::TileLayerBuilder(std::string name,
                                   const TileId& tile,
                                   const TileLayerOptions& options)
    : m_name(std::move(name)), m_tile(tile), m_options(options) {}

std::size_t TileLayerBuilder::size() const {
    return m_features.size() + m_clusters.size();
}

std::uint32_t TileLayerBuilder::key_index(const std::string& key) {
    auto [it, added] = m_key_index.try_emplace(key, static_cast<std::uint32_t>(m_keys.size()));
    if (added) {
        m_keys.push_back(key);
    }
    return it->second;
}

std::uint32_t TileLayerBuilder::value_index(const TileValue& value) {
    auto [it, added] =
        m_value_index.try_emplace(value, static_cast<std::uint32_t>(m_values.size()));
    if (added) {
        m_values.push_back(value);
    }
    return it->second;
}

void TileLayerBuilder::write_feature(std::uint64_t id,
                                     int type,
                                     const std::vector<std::uint32_t>& geometry,
                                     const std::vector<std::uint32_t>& tags) {
    std::string buffer;
    protozero::pbf_writer feature(buffer);
    feature.add_uint64(field::feature_id, id);
    if (!tags.empty()) {
        feature.add_packed_uint32(field::feature_tags, tags.begin(), tags.end());
    }
    feature.add_enum(field::feature_type, type);
    feature.add_packed_uint32(field::feature_geometry, geometry.begin(), geometry.end());
    m_features.push_back(std::move(buffer));
}

bool TileLayerBuilder::add(std::uint64_t id,
                           std::span<const unsigned char> wkb_lonlat,
                           const std::vector<std::pair<std::string, TileValue>>& attributes) {
    if (wkb_lonlat.empty()) {
        return false;
    }
    // A plain 2D point in little-endian WKB (what SpatiaLite's AsBinary gives a point column)
    // needs no clipping or simplification: read its two doubles and skip GEOS.
    constexpr std::size_t wkb_point_size = 21;
    if constexpr (std::endian::native == std::endian::little) {
        if (wkb_lonlat.size() == wkb_point_size && wkb_lonlat[0] == 1) {
            std::uint32_t type = 0;
            std::memcpy(&type, wkb_lonlat.data() + 1, sizeof type);
            if (type == 1) {
                double lon = 0;
                double lat = 0;
                std::memcpy(&lon, wkb_lonlat.data() + 5, sizeof lon);
                std::memcpy(&lat, wkb_lonlat.data() + 13, sizeof lat);
                return add_point(id, lon, lat, attributes);
            }
        }
    }
    const GeosContext& geos = this_thread_geos();
    GeosGeometry g;
    try {
        g = geos.from_wkb(wkb_lonlat);
    } catch (const GeoError&) {
        return false; // an unreadable geometry draws nothing; the rest of the tile still does
    }
    if (GEOSisEmpty_r(geos.handle(), g.get())) {
        return false;
    }
    Projection projection{m_tile, static_cast<double>(m_options.extent)};
    g = geos.own(GEOSGeom_transformXY_r(geos.handle(), g.get(), &project, &projection));

    const double lo = -static_cast<double>(m_options.buffer);
    const double hi = static_cast<double>(m_options.extent) + m_options.buffer;
    const BBox env = geos.envelope(g.get());
    if (env.empty() || env.max_x < lo || env.min_x > hi || env.max_y < lo || env.min_y > hi) {
        return false;
    }
    const int type = GEOSGeomTypeId_r(geos.handle(), g.get());
    const int dimension = type == GEOS_POINT || type == GEOS_MULTIPOINT       ? 0
                          : type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON ? 2
                                                                              : 1;

    GeometryEncoder encoder;
    if (dimension == 0) {
        std::vector<const GEOSGeometry*> parts;
        collect(geos, g.get(), 0, parts);
        std::vector<GridPoint> points;
        for (const auto* part : parts) {
            double x = 0;
            double y = 0;
            GEOSGeomGetX_r(geos.handle(), part, &x);
            GEOSGeomGetY_r(geos.handle(), part, &y);
            if (m_options.cluster_cell > 0) {
                // Only the tile proper: a cluster is counted in one tile, not its neighbours.
                if (x < 0 || y < 0 || x >= m_options.extent || y >= m_options.extent) {
                    continue;
                }
                const auto cell = static_cast<double>(m_options.cluster_cell);
                add_cluster(id, static_cast<std::int64_t>(x / cell),
                            static_cast<std::int64_t>(y / cell), x, y, 1);
                points.push_back({});
                continue;
            }
            if (x >= lo && x <= hi && y >= lo && y <= hi) {
                const GridPoint p{std::llround(x), std::llround(y)};
                if (points.empty() || !(points.back() == p)) {
                    points.push_back(p);
                }
            }
        }
        if (points.empty() || m_options.cluster_cell > 0) {
            return !points.empty();
        }
        encoder.point_run(points);
    } else {
        try {
            if (env.min_x < lo || env.min_y < lo || env.max_x > hi || env.max_y > hi) {
                g = geos.own(GEOSClipByRect_r(geos.handle(), g.get(), lo, lo, hi, hi));
            }
            if (m_options.simplify > 0) {
                g = geos.own(GEOSSimplify_r(geos.handle(), g.get(), m_options.simplify));
            }
        } catch (const GeoError&) {
            return false; // GEOS could not cut an invalid outline: leave it out, not the tile
        }
        std::vector<const GEOSGeometry*> parts;
        collect(geos, g.get(), dimension, parts);
        for (const auto* part : parts) {
            if (dimension == 1) {
                auto line = snapped(geos, part);
                if (line.size() >= 2) {
                    encoder.line(line);
                }
                continue;
            }
            Ring outer = snapped(geos, GEOSGetExteriorRing_r(geos.handle(), part));
            if (!prepare_ring(outer, true, m_options.min_ring_area)) {
                continue; // a polygon whose outline vanished loses its holes too
            }
            encoder.ring(outer);
            const int holes = GEOSGetNumInteriorRings_r(geos.handle(), part);
            for (int i = 0; i < holes; ++i) {
                Ring hole = snapped(geos, GEOSGetInteriorRingN_r(geos.handle(), part, i));
                if (prepare_ring(hole, false, m_options.min_ring_area)) {
                    encoder.ring(hole);
                }
            }
        }
        if (encoder.out.empty()) {
            return false;
        }
    }

    write_tags(id,
               dimension == 0   ? type_point
               : dimension == 1 ? type_linestring
                                : type_polygon,
               encoder.out, attributes);
    return true;
}

bool TileLayerBuilder::add_point(std::uint64_t id,
                                 double lon,
                                 double lat,
                                 const std::vector<std::pair<std::string, TileValue>>& attributes) {
    if (std::isnan(lon) || std::isnan(lat)) {
        return false; // POINT EMPTY
    }
    double x = 0;
    double y = 0;
    lonlat_to_tile(m_tile, m_options.extent, lon, lat, x, y);
    if (m_options.cluster_cell > 0) {
        // Only the tile proper: a cluster is counted in one tile, not its neighbours.
        if (x < 0 || y < 0 || x >= m_options.extent || y >= m_options.extent) {
            return false;
        }
        const auto cell = static_cast<double>(m_options.cluster_cell);
        add_cluster(id, static_cast<std::int64_t>(x / cell), static_cast<std::int64_t>(y / cell), x,
                    y, 1);
        return true;
    }
    const double lo = -static_cast<double>(m_options.buffer);
    const double hi = static_cast<double>(m_options.extent) + m_options.buffer;
    if (!(x >= lo && x <= hi && y >= lo && y <= hi)) {
        return false;
    }
    GeometryEncoder encoder;
    encoder.point_run({GridPoint{std::llround(x), std::llround(y)}});
    write_tags(id, type_point, encoder.out, attributes);
    return true;
}

void TileLayerBuilder::add_cluster(std::uint64_t id,
                                   std::int64_t cell_x,
                                   std::int64_t cell_y,
                                   double sum_x,
                                   double sum_y,
                                   std::int64_t count) {
    auto& c = m_clusters[{cell_x, cell_y}];
    if (c.count == 0) {
        c.id = id;
    }
    c.sum_x += sum_x;
    c.sum_y += sum_y;
    c.count += count;
}

void TileLayerBuilder::write_tags(
    std::uint64_t id,
    int type,
    const std::vector<std::uint32_t>& geometry,
    const std::vector<std::pair<std::string, TileValue>>& attributes) {
    std::vector<std::uint32_t> tags;
    tags.reserve(attributes.size() * 2);
    for (const auto& [key, value] : attributes) {
        tags.push_back(key_index(key));
        tags.push_back(value_index(value));
    }
    write_feature(id, type, geometry, tags);
}

std::string TileLayerBuilder::finish() {
    for (const auto& [cell, c] : m_clusters) {
        GeometryEncoder encoder;
        const auto n = static_cast<double>(c.count);
        encoder.point_run({{std::llround(c.sum_x / n), std::llround(c.sum_y / n)}});
        write_feature(c.id, type_point, encoder.out,
                      {key_index("count"), value_index(TileValue{c.count})});
    }
    m_clusters.clear();

    std::string out;
    protozero::pbf_writer layer(out);
    layer.add_uint32(field::layer_version, 2);
    layer.add_string(field::layer_name, m_name);
    for (const auto& f : m_features) {
        layer.add_message(field::layer_features, f);
    }
    for (const auto& k : m_keys) {
        layer.add_string(field::layer_keys, k);
    }
    for (const auto& v : m_values) {
        protozero::pbf_writer value(layer, field::layer_values);
        if (const auto* s = std::get_if<std::string>(&v)) {
            value.add_string(field::value_string, *s);
        } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
            if (*i >= 0) {
                value.add_uint64(field::value_uint, static_cast<std::uint64_t>(*i));
            } else {
                value.add_sint64(field::value_sint, *i);
            }
        } else if (const auto* d = std::get_if<double>(&v)) {
            value.add_double(field::value_double, *d);
        } else {
            value.add_bool(field::value_bool, std::get<bool>(v));
        }
    }
    layer.add_uint32(field::layer_extent, m_options.extent);
    return out;
}

TileLayerBuilder& VectorTileBuilder::layer(std::string name, const TileLayerOptions& options) {
    m_layers.push_back(std::make_unique<TileLayerBuilder>(std::move(name), m_tile, options));
    return *m_layers.back();
}

std::string VectorTileBuilder::finish() {
    std::string out;
    protozero::pbf_writer tile(out);
    for (auto& layer : m_layers) {
        if (!layer->empty()) {
            tile.add_message(field::tile_layers, layer->finish());
        }
    }
    return out;
}

} // namespace wardmap::geo
