// Geometry helpers shared by the demo borough generators.

#include "importers/demo/demo_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

namespace wardmap::importers::demo {

// ---- plane geometry ----
double distance(EastNorth a, EastNorth b) {
    return std::hypot(a.easting - b.easting, a.northing - b.northing);
}

double length(const Line& line) {
    double total = 0;
    for (std::size_t i = 1; i < line.size(); ++i) {
        total += distance(line[i - 1], line[i]);
    }
    return total;
}

Station station_at(const Line& line, double s) {
    for (std::size_t i = 1; i < line.size(); ++i) {
        const double seg = distance(line[i - 1], line[i]);
        if ((s <= seg || i + 1 == line.size()) && seg > 0) {
            const double t = std::clamp(s / seg, 0.0, 1.0);
            const double dx = (line[i].easting - line[i - 1].easting) / seg;
            const double dy = (line[i].northing - line[i - 1].northing) / seg;
            return {
                {line[i - 1].easting + dx * seg * t, line[i - 1].northing + dy * seg * t}, dx, dy};
        }
        s -= seg;
    }
    return {line.empty() ? EastNorth{} : line.front(), 1, 0};
}

bool ring_contains(const Ring& ring, EastNorth p) {
    bool inside = false;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const EastNorth& a = ring[i];
        const EastNorth& b = ring[j];
        if ((a.northing > p.northing) != (b.northing > p.northing) &&
            p.easting < a.easting + (p.northing - a.northing) * (b.easting - a.easting) /
                                        (b.northing - a.northing)) {
            inside = !inside;
        }
    }
    return inside;
}

Ring frame_rectangle(EastNorth origin, double angle, double u0, double v0, double u1, double v1) {
    const double c = std::cos(angle);
    const double s = std::sin(angle);
    auto at = [&](double u, double v) {
        return EastNorth{origin.easting + u * c - v * s, origin.northing + u * s + v * c};
    };
    return {at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1), at(u0, v0)};
}

EastNorth centroid(std::span<const EastNorth> points) {
    EastNorth sum;
    for (const auto& p : points) {
        sum.easting += p.easting;
        sum.northing += p.northing;
    }
    const auto n = static_cast<double>(std::max<std::size_t>(points.size(), 1));
    return {sum.easting / n, sum.northing / n};
}

EastNorth round_cm(EastNorth p) {
    return {std::round(p.easting * 100) / 100, std::round(p.northing * 100) / 100};
}

Ring densify(const Ring& ring, double step) {
    Ring out;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
        const EastNorth a = ring[i];
        const EastNorth b = ring[i + 1];
        out.push_back(a);
        const auto n = static_cast<int>(std::ceil(distance(a, b) / step));
        // Interpolate from the lexicographically smaller end, so both walks agree bit for bit.
        const bool forward =
            a.easting < b.easting || (a.easting == b.easting && a.northing < b.northing);
        const EastNorth from = forward ? a : b;
        const EastNorth to = forward ? b : a;
        for (int k = 1; k < n; ++k) {
            const double t = static_cast<double>(forward ? k : n - k) / n;
            out.push_back({from.easting + (to.easting - from.easting) * t,
                           from.northing + (to.northing - from.northing) * t});
        }
    }
    if (!ring.empty()) {
        out.push_back(ring.back());
    }
    return out;
}

Warp::Warp(Rng& rng, std::initializer_list<Wave> waves) {
    for (auto* axis : {&m_x, &m_y}) {
        for (const Wave& w : waves) {
            const double direction = rng.uniform(0, 2 * std::numbers::pi);
            const double k = 2 * std::numbers::pi / w.wavelength;
            axis->push_back({w.amplitude, k * std::cos(direction), k * std::sin(direction),
                             rng.uniform(0, 2 * std::numbers::pi)});
        }
    }
}

EastNorth Warp::apply(EastNorth p) const {
    auto sum = [&](const std::vector<Component>& parts) {
        double d = 0;
        for (const auto& c : parts) {
            d += c.amplitude * std::sin(c.kx * p.easting + c.ky * p.northing + c.phase);
        }
        return d;
    };
    return {p.easting + sum(m_x), p.northing + sum(m_y)};
}

// ---- GEOS ----
namespace {

GEOSGeometry* make_ring(const geo::GeosContext& geos, const Ring& ring) {
    GEOSContextHandle_t ctx = geos.handle();
    GEOSCoordSequence* seq = GEOSCoordSeq_create_r(ctx, static_cast<unsigned>(ring.size()), 2);
    for (std::size_t i = 0; i < ring.size(); ++i) {
        GEOSCoordSeq_setXY_r(ctx, seq, static_cast<unsigned>(i), ring[i].easting, ring[i].northing);
    }
    GEOSGeometry* g = GEOSGeom_createLinearRing_r(ctx, seq);
    if (!g) {
        geos.fail("demo borough: ring of " + std::to_string(ring.size()) + " points");
    }
    return g;
}

Ring read_ring(GEOSContextHandle_t ctx, const GEOSGeometry* g) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx, g);
    unsigned size = 0;
    GEOSCoordSeq_getSize_r(ctx, seq, &size);
    Ring ring(size);
    for (unsigned i = 0; i < size; ++i) {
        GEOSCoordSeq_getXY_r(ctx, seq, i, &ring[i].easting, &ring[i].northing);
    }
    return ring;
}

void collect_polygons(GEOSContextHandle_t ctx, const GEOSGeometry* g, MultiPolygon& out) {
    const int type = GEOSGeomTypeId_r(ctx, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(ctx, g) != 0) {
            return;
        }
        Polygon polygon{read_ring(ctx, GEOSGetExteriorRing_r(ctx, g))};
        const int holes = GEOSGetNumInteriorRings_r(ctx, g);
        for (int i = 0; i < holes; ++i) {
            polygon.push_back(read_ring(ctx, GEOSGetInteriorRingN_r(ctx, g, i)));
        }
        out.push_back(std::move(polygon));
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        const int n = GEOSGetNumGeometries_r(ctx, g);
        for (int i = 0; i < n; ++i) {
            collect_polygons(ctx, GEOSGetGeometryN_r(ctx, g, i), out);
        }
    }
}

} // namespace

geo::GeosGeometry to_geos(const geo::GeosContext& geos, const MultiPolygon& shape) {
    GEOSContextHandle_t ctx = geos.handle();
    std::vector<GEOSGeometry*> polygons;
    for (const Polygon& polygon : shape) {
        std::vector<GEOSGeometry*> holes;
        for (std::size_t i = 1; i < polygon.size(); ++i) {
            holes.push_back(make_ring(geos, polygon[i]));
        }
        polygons.push_back(GEOSGeom_createPolygon_r(ctx, make_ring(geos, polygon.front()),
                                                    holes.data(),
                                                    static_cast<unsigned>(holes.size())));
    }
    return geos.own(GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, polygons.data(),
                                                static_cast<unsigned>(polygons.size())));
}

MultiPolygon from_geos(const geo::GeosContext& geos, const GEOSGeometry* g) {
    MultiPolygon out;
    collect_polygons(geos.handle(), g, out);
    return out;
}

AreaIndex::AreaIndex(const geo::GeosContext& geos, const std::vector<const MultiPolygon*>& areas)
    : m_geos(geos) {
    for (const MultiPolygon* shape : areas) {
        Entry entry{to_geos(geos, *shape), {}, {}};
        entry.prepared = geos.prepare(entry.geom.get());
        entry.box = geos.envelope(entry.geom.get());
        m_entries.push_back(std::move(entry));
    }
}

std::optional<std::size_t> AreaIndex::find(EastNorth p) const {
    std::optional<std::size_t> found;
    geo::GeosGeometry point;
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        const Entry& e = m_entries[i];
        if (!e.box.contains(p.easting, p.northing)) {
            continue;
        }
        if (!point) {
            point = m_geos.point(p.easting, p.northing);
        }
        if (GEOSPreparedContains_r(m_geos.handle(), e.prepared.get(), point.get()) == 1) {
            if (found) {
                return std::nullopt;
            }
            found = i;
        }
    }
    return found;
}

// ---- grid index ----
namespace {

double segment_distance(EastNorth p, EastNorth a, EastNorth b) {
    const double dx = b.easting - a.easting;
    const double dy = b.northing - a.northing;
    const double len2 = dx * dx + dy * dy;
    double t = 0;
    if (len2 > 0) {
        t = std::clamp(((p.easting - a.easting) * dx + (p.northing - a.northing) * dy) / len2, 0.0,
                       1.0);
    }
    return std::hypot(p.easting - a.easting - t * dx, p.northing - a.northing - t * dy);
}

} // namespace

void GridIndex::insert(const Item& item) {
    const std::size_t index = m_items.size();
    m_items.push_back(item);
    const auto x0 =
        static_cast<std::int64_t>(std::floor(std::min(item.a.easting, item.b.easting) / m_cell));
    const auto x1 =
        static_cast<std::int64_t>(std::floor(std::max(item.a.easting, item.b.easting) / m_cell));
    const auto y0 =
        static_cast<std::int64_t>(std::floor(std::min(item.a.northing, item.b.northing) / m_cell));
    const auto y1 =
        static_cast<std::int64_t>(std::floor(std::max(item.a.northing, item.b.northing) / m_cell));
    for (auto cx = x0; cx <= x1; ++cx) {
        for (auto cy = y0; cy <= y1; ++cy) {
            m_cells[key(cx, cy)].push_back(index);
        }
    }
}

void GridIndex::add_point(std::size_t id, EastNorth p) {
    insert({id, p, p});
}

void GridIndex::add_line(std::size_t id, const Line& line) {
    for (std::size_t i = 1; i < line.size(); ++i) {
        insert({id, line[i - 1], line[i]});
    }
}

std::optional<GridIndex::Hit>
GridIndex::nearest(EastNorth p, double radius, std::optional<std::size_t> skip) const {
    std::optional<Hit> best;
    const auto x0 = static_cast<std::int64_t>(std::floor((p.easting - radius) / m_cell));
    const auto x1 = static_cast<std::int64_t>(std::floor((p.easting + radius) / m_cell));
    const auto y0 = static_cast<std::int64_t>(std::floor((p.northing - radius) / m_cell));
    const auto y1 = static_cast<std::int64_t>(std::floor((p.northing + radius) / m_cell));
    for (auto cx = x0; cx <= x1; ++cx) {
        for (auto cy = y0; cy <= y1; ++cy) {
            const auto it = m_cells.find(key(cx, cy));
            if (it == m_cells.end()) {
                continue;
            }
            for (std::size_t index : it->second) {
                const Item& item = m_items[index];
                if (skip && item.id == *skip) {
                    continue;
                }
                const double d = segment_distance(p, item.a, item.b);
                if (d <= radius &&
                    (!best || d < best->distance || (d == best->distance && item.id < best->id))) {
                    best = Hit{item.id, d};
                }
            }
        }
    }
    return best;
}

} // namespace wardmap::importers::demo
