#pragma once

// My area (issue #16, docs/my-area.md): what a resident sees for an address, a postcode or a
// point, account-free and with public data only: the ward (derived by point-in-polygon at the
// date asked, never stored) and its councillors, bin and sweeping days, planning applications
// on the property and nearby, constraints and land charges on the property when the planning
// layers exist, open reports nearby (category, status and dates only) and the nearest litter
// bins.

#include "core/dates.hpp"

#include "geo/bng_transform.hpp"
#include "geo/coordinates.hpp"
#include "geo/store/connection_pool.hpp"
#include "server/services/streetscene/schedule_service.hpp"
#include "server/services/wards/ward_service.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace wardmap::services {

/// Where: exactly one of a UPRN, a postcode or a WGS84 point (the route checks that).
struct MyAreaQuery {
    std::optional<std::int64_t> uprn;
    std::optional<std::string> postcode;
    std::optional<geo::LonLat> point;
    core::Date today; ///< the ward is the one in force then; "the last 12 months" end then
};

/// Distances and limits of the panels (docs/my-area.md).
struct MyAreaLimits {
    double planning_radius_m = 200;
    int planning_months = 12;
    double reports_radius_m = 500;
    int nearby_limit = 50; ///< rows per nearby list (the total is counted too)
    int bins = 5;
};

/// An Atom feed of new reports and planning applications: around a property (`distance_m`)
/// or in a ward (by its code, the boundaries in force `today`).
struct AreaFeedQuery {
    std::optional<std::int64_t> uprn;
    std::optional<std::string> ward_code;
    double distance_m = 500;
    core::Date today;
    std::string base_url; ///< the links' base (--public-url)
    std::string now;      ///< W3C UTC time: the feed's <updated> when it has no entry
};

/// Thread-safe: each call leases pooled connections one at a time (never two at once).
class MyAreaService {
  public:
    /// Looks once in sqlite_master for the planning helper's constraint and land-charge
    /// tables (0024): without them those panels say "not in use here".
    MyAreaService(store::ConnectionPool& pool,
                  std::shared_ptr<const geo::BngTransform> transform,
                  const WardService& wards,
                  const ScheduleService& schedules,
                  MyAreaLimits limits = {});

    /// The page's data as one JSON document. DomainError not_found for an unknown UPRN or
    /// postcode and for a point in no ward of the council on `today`; invalid_parameter naming
    /// postcode for text that is no postcode, lon/lat for a point out of range.
    [[nodiscard]] std::string area(const MyAreaQuery& query) const;

    /// The newest 50 public reports and planning applications (public fields only) as an
    /// Atom document. not_found for an unknown UPRN or a ward not in force `today`.
    [[nodiscard]] std::string feed(const AreaFeedQuery& query) const;

    [[nodiscard]] bool has_constraints() const { return m_constraints; }
    [[nodiscard]] bool has_land_charges() const { return m_land_charges; }

  private:
    store::ConnectionPool& m_pool;
    std::shared_ptr<const geo::BngTransform> m_transform;
    const WardService& m_wards;
    const ScheduleService& m_schedules;
    MyAreaLimits m_limits;
    bool m_constraints = false;
    bool m_land_charges = false;
};

} // namespace wardmap::services
