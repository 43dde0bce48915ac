#pragma once

#include "geo/coordinates.hpp"

#include <geos_c.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace wardmap::geo {

class GeosContext;

/// Deleter for a GEOS geometry; carries its context because GEOS frees per context.
struct GeosGeometryDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(GEOSGeometry* g) const noexcept {
        if (g) {
            GEOSGeom_destroy_r(ctx, g);
        }
    }
};
/// Owns one GEOS geometry; must not outlive (or cross threads away from) its GeosContext.
using GeosGeometry = std::unique_ptr<GEOSGeometry, GeosGeometryDeleter>;

struct GeosPreparedDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(const GEOSPreparedGeometry* g) const noexcept {
        if (g) {
            GEOSPreparedGeom_destroy_r(ctx, g);
        }
    }
};
/// Owns a prepared geometry. Prepared geometries index lazily and are not thread-safe
/// (libgeos/geos#825), so each thread prepares its own.
using GeosPrepared = std::unique_ptr<const GEOSPreparedGeometry, GeosPreparedDeleter>;

/// One GEOS reentrant context. Not thread-safe: use one per thread (this_thread_geos()).
/// GEOS errors are captured by the message handler and rethrown as GeoError by check().
class GeosContext {
  public:
    GeosContext();
    ~GeosContext();
    GeosContext(const GeosContext&) = delete;
    GeosContext& operator=(const GeosContext&) = delete;

    [[nodiscard]] GEOSContextHandle_t handle() const { return m_ctx; }

    /// Takes ownership of `g`, throwing GeoError with GEOS's last message when it is null.
    GeosGeometry own(GEOSGeometry* g) const;
    GeosGeometry from_wkb(std::span<const unsigned char> wkb) const;
    GeosGeometry from_wkt(const std::string& wkt) const;
    [[nodiscard]] std::vector<unsigned char> to_wkb(const GEOSGeometry* g) const;
    [[nodiscard]] std::string to_wkt(const GEOSGeometry* g, int decimals = 2) const;
    GeosGeometry point(double x, double y) const;
    GeosPrepared prepare(const GEOSGeometry* g) const;
    /// "Valid Geometry" or GEOS's reason it is not.
    [[nodiscard]] std::string validity_reason(const GEOSGeometry* g) const;
    [[nodiscard]] bool is_valid(const GEOSGeometry* g) const;
    [[nodiscard]] BBox envelope(const GEOSGeometry* g) const;

    /// Throws GeoError naming `what` and the last GEOS message.
    [[noreturn]] void fail(const std::string& what) const;

  private:
    static void on_message(const char* message, void* self);

    GEOSContextHandle_t m_ctx = nullptr;
    std::string m_last_error;
};

/// The calling thread's GEOS context, created on first use.
GeosContext& this_thread_geos();

} // namespace wardmap::geo
