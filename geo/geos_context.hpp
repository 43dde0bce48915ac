#pragma once

#include "geo/coordinates.hpp"

#include <geos_c.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace wardmap::geo {

class GeosContext;

/// Deleter for a GEOS object freed by `Fn(ctx, p)`: GEOS frees per context, so the deleter
/// carries the context that made the object.
template <class T, auto Fn> struct GeosDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(T* p) const noexcept {
        if (p) {
            Fn(ctx, p);
        }
    }
};

/// Owns one GEOS geometry; must not outlive (or cross threads away from) its GeosContext.
using GeosGeometry = std::unique_ptr<GEOSGeometry, GeosDeleter<GEOSGeometry, &GEOSGeom_destroy_r>>;
/// Owns a prepared geometry. Prepared geometries index lazily and are not thread-safe
/// (libgeos/geos#825), so each thread prepares its own.
using GeosPrepared =
    std::unique_ptr<const GEOSPreparedGeometry,
                    GeosDeleter<const GEOSPreparedGeometry, &GEOSPreparedGeom_destroy_r>>;
/// Owns an STRtree (items are borrowed pointers). GEOS 3.11 builds the tree lazily on the first
/// query and allows no insert after it; like prepared geometries it is not thread-safe.
using GeosStrTree = std::unique_ptr<GEOSSTRtree, GeosDeleter<GEOSSTRtree, &GEOSSTRtree_destroy_r>>;

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
    /// An empty STRtree with `node_capacity` children per node (GEOS's default is 10).
    GeosStrTree strtree(std::size_t node_capacity = 10) const;
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
