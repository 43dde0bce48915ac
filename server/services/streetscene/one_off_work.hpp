#pragma once

// One-off work not born of a service request (a grave to dig for a confirmed burial): a stop
// and a visit on a crew's one-off round for the activity, as streetscene jobs are put on a
// crew's day (0018's one-off rounds; docs/streetscene.md "Jobs from service requests"). The
// declared entry point other domains use (burials -> streetscene, docs/architecture.md).

#include "core/dates.hpp"

#include "geo/store/database.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace wardmap::services {

struct OneOffWork {
    std::string crew;     ///< a crew's code
    std::string activity; ///< a schedule activity (dig_grave)
    core::Date day;
    std::int64_t usrn = 0; ///< the street the crew goes to
};

/// Puts the work on the crew's day in the caller's transaction: the crew's one-off round for
/// the activity (code 'JOB-<crew>-<activity>', made when missing), a new stop on it and its
/// visit on `day`. Returns the visit's id. DomainError invalid_parameter naming `crew` for an
/// unknown crew; conflict when the round's code is taken by a round that is not one-off.
std::int64_t put_one_off_visit(store::Database& db, const OneOffWork& work);

/// The crew that works the grounds: the crew of the most grounds rounds' visits (activity of
/// kind 'grounds') from `day` on, else nullopt.
std::optional<std::string> grounds_crew(store::Database& db, const core::Date& day);

/// The street nearest to an EPSG:27700 point within `within_m`, else nullopt.
std::optional<std::int64_t>
nearest_street(store::Database& db, double easting, double northing, double within_m);

} // namespace wardmap::services
