#include "geo/geos_context.hpp"

#include "geo/errors.hpp"

#include <cstdlib>

namespace wardmap::geo {

GeosContext::GeosContext() : m_ctx(GEOS_init_r()) {
    if (!m_ctx) {
        throw GeoError("GEOS context could not be created");
    }
    GEOSContext_setErrorMessageHandler_r(m_ctx, &GeosContext::on_message, this);
    GEOSContext_setNoticeMessageHandler_r(m_ctx, nullptr, nullptr);
}

GeosContext::~GeosContext() {
    GEOS_finish_r(m_ctx);
}

void GeosContext::on_message(const char* message, void* self) {
    static_cast<GeosContext*>(self)->m_last_error = message ? message : "";
}

void GeosContext::fail(const std::string& what) const {
    throw GeoError(what + (m_last_error.empty() ? "" : ": " + m_last_error));
}

GeosGeometry GeosContext::own(GEOSGeometry* g) const {
    if (!g) {
        fail("GEOS operation failed");
    }
    return GeosGeometry(g, GeosGeometry::deleter_type{m_ctx});
}

GeosGeometry GeosContext::from_wkb(std::span<const unsigned char> wkb) const {
    GEOSGeometry* g = GEOSGeomFromWKB_buf_r(m_ctx, wkb.data(), wkb.size());
    if (!g) {
        fail("invalid WKB geometry");
    }
    return own(g);
}

GeosGeometry GeosContext::from_wkt(const std::string& wkt) const {
    GEOSGeometry* g = GEOSGeomFromWKT_r(m_ctx, wkt.c_str());
    if (!g) {
        fail("invalid WKT geometry");
    }
    return own(g);
}

namespace {

/// Frees what GEOS allocated for the caller (WKB and WKT buffers, reasons) in its context.
struct GeosFree {
    GEOSContextHandle_t ctx;
    void operator()(void* p) const noexcept { GEOSFree_r(ctx, p); }
};
template <class T> using GeosBuffer = std::unique_ptr<T, GeosFree>;

struct WktWriterDestroy {
    GEOSContextHandle_t ctx;
    void operator()(GEOSWKTWriter* w) const noexcept { GEOSWKTWriter_destroy_r(ctx, w); }
};

} // namespace

std::vector<unsigned char> GeosContext::to_wkb(const GEOSGeometry* g) const {
    size_t size = 0;
    const GeosBuffer<unsigned char> buf(GEOSGeomToWKB_buf_r(m_ctx, g, &size), GeosFree{m_ctx});
    if (!buf) {
        fail("geometry could not be written as WKB");
    }
    return {buf.get(), buf.get() + size};
}

std::string GeosContext::to_wkt(const GEOSGeometry* g, int decimals) const {
    const std::unique_ptr<GEOSWKTWriter, WktWriterDestroy> writer(GEOSWKTWriter_create_r(m_ctx),
                                                                  WktWriterDestroy{m_ctx});
    if (!writer) {
        fail("WKT writer could not be created");
    }
    GEOSWKTWriter_setRoundingPrecision_r(m_ctx, writer.get(), decimals);
    GEOSWKTWriter_setTrim_r(m_ctx, writer.get(), 1);
    const GeosBuffer<char> text(GEOSWKTWriter_write_r(m_ctx, writer.get(), g), GeosFree{m_ctx});
    if (!text) {
        fail("geometry could not be written as WKT");
    }
    return text.get();
}

GeosGeometry GeosContext::point(double x, double y) const {
    return own(GEOSGeom_createPointFromXY_r(m_ctx, x, y));
}

GeosPrepared GeosContext::prepare(const GEOSGeometry* g) const {
    const GEOSPreparedGeometry* p = GEOSPrepare_r(m_ctx, g);
    if (!p) {
        fail("geometry could not be prepared");
    }
    return GeosPrepared(p, GeosPrepared::deleter_type{m_ctx});
}

GeosStrTree GeosContext::strtree(std::size_t node_capacity) const {
    GEOSSTRtree* t = GEOSSTRtree_create_r(m_ctx, node_capacity);
    if (!t) {
        fail("STRtree could not be created");
    }
    return GeosStrTree(t, GeosStrTree::deleter_type{m_ctx});
}

std::string GeosContext::validity_reason(const GEOSGeometry* g) const {
    const GeosBuffer<char> reason(GEOSisValidReason_r(m_ctx, g), GeosFree{m_ctx});
    if (!reason) {
        fail("validity check failed");
    }
    return reason.get();
}

bool GeosContext::is_valid(const GEOSGeometry* g) const {
    return GEOSisValid_r(m_ctx, g) == 1;
}

BBox GeosContext::envelope(const GEOSGeometry* g) const {
    BBox box;
    double xmin = 0, ymin = 0, xmax = 0, ymax = 0;
    if (GEOSisEmpty_r(m_ctx, g) == 0 && GEOSGeom_getXMin_r(m_ctx, g, &xmin) == 1 &&
        GEOSGeom_getYMin_r(m_ctx, g, &ymin) == 1 && GEOSGeom_getXMax_r(m_ctx, g, &xmax) == 1 &&
        GEOSGeom_getYMax_r(m_ctx, g, &ymax) == 1) {
        box.extend(xmin, ymin);
        box.extend(xmax, ymax);
    }
    return box;
}

GeosContext& this_thread_geos() {
    thread_local GeosContext ctx;
    return ctx;
}

} // namespace wardmap::geo
