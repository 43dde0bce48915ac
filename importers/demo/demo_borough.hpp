#pragma once

#include "geo/bng_transform.hpp"
#include "geo/store/database.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>

namespace wardmap::importers {

/// The demo borough cannot be written: the database already holds data, or an option is bad.
class DemoDataError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct DemoOptions {
    /// The same seed (and reference date) always gives the same borough, byte for byte.
    std::uint64_t seed = 2320; // Chorley's LLPG custodian code
    /// "Now" for the casework (planning covers the 2 years before it, bins were installed up
    /// to 60 days before it): given, never the clock, so output is reproducible.
    /// `wardmap demo-data --date` passes the generation date. YYYY-MM-DD or
    /// YYYY-MM-DDTHH:MM:SSZ.
    std::string reference_date = "2026-11-01T00:00:00Z";
};

struct DemoSummary {
    int wards_current = 0;
    int wards_previous = 0;
    int streets = 0;
    int properties = 0;
    int postcodes = 0;
    int cemeteries = 0;
    int sections = 0;
    int graves = 0;
    int interments = 0;
    int grants = 0;
    int litter_bins = 0;
    int street_assets = 0; ///< the register's other types (benches, trees, verges, ...)
    int planning_applications = 0;
    double seconds = 0;
};

/// Fills an empty, migrated database with a synthetic but plausible borough at Chorley's
/// position (council area, current and previous wards, LLPG streets/properties/addresses,
/// postcodes, cemeteries with graves, a century of burials and grants, litter bins, planning
/// applications), all in one transaction. Service requests and API keys are the request service's
/// to make (services::generate_demo_activity). Throws DemoDataError, leaving the database
/// untouched, when any of those tables already has rows or the options are invalid.
DemoSummary generate_demo_borough(store::Database& db,
                                  const geo::BngTransform& transform,
                                  const DemoOptions& options = {});

} // namespace wardmap::importers
