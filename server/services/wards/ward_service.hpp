#pragma once

#include "core/dates.hpp"

#include "geo/bng_transform.hpp"
#include "geo/store/connection_pool.hpp"
#include "server/services/shared/transform_service.hpp"
#include "server/services/wards/ward_index.hpp"

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace wardmap::services {

struct WardCollection {
    std::string geojson; // RFC 7946 FeatureCollection, WGS84
    std::size_t count = 0;
};

/// A point to place in a ward: WGS84 lon/lat (x = lon) or British National Grid (x = easting).
struct WardAtQuery {
    Crs crs = Crs::wgs84;
    double x = 0;
    double y = 0;
    core::Date date;
    bool with_geometry = false;
};

/// The ward holding a point on a date. Plain value.
struct WardLocation {
    std::string code;
    std::string name;
    std::string boundary_set;
    std::string valid_from;
    std::optional<std::string> valid_to;
    geo::EastNorth point;                // the query point in EPSG:27700
    std::optional<std::string> geometry; // GeoJSON geometry (WGS84) when asked for
};

/// Ward boundaries as they stood on a date (boundary sets are versioned). Thread-safe: the
/// point-in-ward index is swapped whole by reload_index() while lookups keep the one they
/// started with.
class WardService {
  public:
    WardService(store::ConnectionPool& pool,
                std::shared_ptr<const geo::BngTransform> transform,
                std::shared_ptr<const WardIndex> index);
    /// Wards valid on `date` with code, name and boundary set; throws nothing for a date with
    /// no boundary set (an empty collection is the truthful answer).
    [[nodiscard]] WardCollection wards_on(const core::Date& date) const;
    /// One ward as a GeoJSON Feature (WGS84), with its councillors ([] when none are known).
    /// With a date: the ward with that code in the
    /// boundary set valid then. Without: the newest version that has come into force by
    /// today (so retired codes still resolve). DomainError not_found naming the code.
    [[nodiscard]] std::string ward(const std::string& code,
                                   const std::optional<core::Date>& date) const;
    /// The ward covering a point on a date. DomainError invalid_parameter naming lon/lat
    /// (x/y for EPSG:27700) for a point out of range or outside OSTN15's coverage; not_found
    /// when the point is in no ward of this council on that date.
    [[nodiscard]] WardLocation ward_at(const WardAtQuery& query) const;

    /// Reads the wards again into a new index (after an import); in-flight lookups finish on
    /// the old one.
    void reload_index();
    [[nodiscard]] std::shared_ptr<const WardIndex> index() const;

  private:
    store::ConnectionPool& m_pool;
    std::shared_ptr<const geo::BngTransform> m_transform;
    mutable std::mutex m_index_mutex; // guards the pointer only, never a lookup
    std::shared_ptr<const WardIndex> m_index;
};

} // namespace wardmap::services
