#pragma once

#include "core/dates.hpp"

#include "geo/bng_transform.hpp"
#include "geo/store/connection_pool.hpp"
#include "server/services/requests/service_catalogue.hpp"

#include <cstdint>
#include <memory>

namespace wardmap::services {

struct DemoActivityOptions {
    std::uint64_t seed = 2320;
    /// The generation date: the activity runs up to the start of this day (UTC).
    core::Date until;
};

struct DemoActivitySummary {
    int requests = 0;
    int updates = 0;
    int open = 0;
};

/// The demo borough's casework as the council's systems would have recorded it: the well-known
/// demo API keys (docs/http-api.md, "Open311"; a demo database must never face the internet),
/// the catalogue's services as categories, then about 1,300 service requests over the 12
/// months before `until`, each made by RequestService at the time it is dated (so it gets its
/// ward, UPRN, USRN, priority and target as a real report does) and moved on by staff updates
/// through the same service. Reads the borough's properties, streets, bins and cemeteries from
/// the store, which must hold the demo borough and no requests. The same seed and date give the
/// same rows, but for the tracking tokens, which are random as always. Synthetic contacts are
/// phone numbers from Ofcom's drama range, never emails, so nothing is queued to send.
DemoActivitySummary generate_demo_activity(store::ConnectionPool& pool,
                                           std::shared_ptr<const geo::BngTransform> transform,
                                           ServiceCatalogue catalogue,
                                           const DemoActivityOptions& options);

} // namespace wardmap::services
