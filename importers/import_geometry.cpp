#include "importers/import_geometry.hpp"

#include "geo/errors.hpp"

#include <exception>

namespace wardmap::importers {

namespace {

/// Carries the transform and the first failure through GEOS's C callback.
struct XYState {
    const geo::BngTransform* transform;
    std::exception_ptr error;
};

int lonlat_to_bng(double* x, double* y, void* user) {
    auto* s = static_cast<XYState*>(user);
    try {
        const auto p = s->transform->to_bng({*x, *y});
        *x = p.easting;
        *y = p.northing;
        return 1;
    } catch (...) {
        s->error = std::current_exception();
        return 0;
    }
}

int bng_to_lonlat(double* x, double* y, void* user) {
    auto* s = static_cast<XYState*>(user);
    try {
        const auto p = s->transform->to_wgs84({*x, *y});
        *x = p.lon;
        *y = p.lat;
        return 1;
    } catch (...) {
        s->error = std::current_exception();
        return 0;
    }
}

geo::GeosGeometry
transform_xy(const GEOSGeometry* g, GEOSTransformXYCallback fn, const geo::BngTransform& t) {
    auto& geos = geo::this_thread_geos();
    XYState state{&t, nullptr};
    // Owned before the error check so a partial result is freed by its owner.
    geo::GeosGeometry out(GEOSGeom_transformXY_r(geos.handle(), g, fn, &state), {geos.handle()});
    if (state.error) {
        std::rethrow_exception(state.error);
    }
    return geos.own(out.release());
}

} // namespace

CouncilExtent::CouncilExtent(store::Database& db, const std::optional<geo::BBox>& bbox) {
    auto& geos = geo::this_thread_geos();
    auto st = db.prepare("SELECT AsBinary(geom), name FROM council_area WHERE geom IS NOT NULL "
                         "ORDER BY id LIMIT 1");
    if (st.step()) {
        m_area = geos.from_wkb(st.blob(0));
        m_description = "council_area '" + std::string(st.text(1)) + "'";
    } else if (bbox) {
        m_area = geos.own(GEOSGeom_createRectangle_r(geos.handle(), bbox->min_x, bbox->min_y,
                                                     bbox->max_x, bbox->max_y));
        m_description = "--bbox";
    } else {
        m_description = "none (no council_area in the store and no --bbox)";
        return;
    }
    m_prepared = geos.prepare(m_area.get());
}

bool CouncilExtent::intersects(const GEOSGeometry* g) const {
    if (!m_prepared) {
        return true;
    }
    return GEOSPreparedIntersects_r(geo::this_thread_geos().handle(), m_prepared.get(), g) == 1;
}

geo::GeosGeometry to_bng_geos(const OGRGeometry& g, SourceCrs crs, const geo::BngTransform& t) {
    auto& geos = geo::this_thread_geos();
    std::unique_ptr<OGRGeometry> flat(g.clone());
    flat->flattenTo2D();
    std::vector<unsigned char> wkb(static_cast<size_t>(flat->WkbSize()));
    if (flat->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso) != OGRERR_NONE) {
        throw geo::GeoError("cannot encode the geometry as WKB");
    }
    auto source = geos.from_wkb(wkb);
    if (crs == SourceCrs::bng) {
        return source;
    }
    return transform_xy(source.get(), &lonlat_to_bng, t);
}

std::vector<unsigned char> to_wgs84_wkb(const GEOSGeometry* bng, const geo::BngTransform& t) {
    auto wgs = transform_xy(bng, &bng_to_lonlat, t);
    return geo::this_thread_geos().to_wkb(wgs.get());
}

geo::GeosGeometry as_multipolygon(geo::GeosGeometry g) {
    auto& geos = geo::this_thread_geos();
    const auto h = geos.handle();
    const int type = GEOSGeomTypeId_r(h, g.get());
    if (type == GEOS_MULTIPOLYGON) {
        return g;
    }
    std::vector<GEOSGeometry*> parts;
    auto collect = [&](const GEOSGeometry* p) {
        if (GEOSGeomTypeId_r(h, p) == GEOS_POLYGON && !GEOSisEmpty_r(h, p)) {
            parts.push_back(GEOSGeom_clone_r(h, p));
        } else if (GEOSGeomTypeId_r(h, p) == GEOS_MULTIPOLYGON) {
            for (int i = 0; i < GEOSGetNumGeometries_r(h, p); ++i) {
                parts.push_back(GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, p, i)));
            }
        }
    };
    if (type == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < GEOSGetNumGeometries_r(h, g.get()); ++i) {
            collect(GEOSGetGeometryN_r(h, g.get(), i));
        }
    } else {
        collect(g.get());
    }
    if (parts.empty()) {
        return geo::GeosGeometry{};
    }
    return geos.own(GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts.data(),
                                                static_cast<unsigned>(parts.size())));
}

} // namespace wardmap::importers
