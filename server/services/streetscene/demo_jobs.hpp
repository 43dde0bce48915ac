#pragma once

#include "core/dates.hpp"

#include "geo/bng_transform.hpp"
#include "geo/store/connection_pool.hpp"
#include "server/services/requests/service_catalogue.hpp"

#include <memory>

namespace wardmap::services {

struct DemoJobsSummary {
    int jobs = 0;
    int cleared = 0;
};

/// A few of the demo's open streetscene reports made into jobs (run after the casework, the
/// rounds, the accounts and the crews): the four newest open fly-tipping, litter, dog-fouling,
/// street-cleansing or overflowing-bin reports, each put by the demo supervisor on the day
/// `date` (or the next working day) of the crew whose round passes nearest, through
/// JobService at 08:00 that day; the first is then cleared by its crew (a done completion
/// through CrewService, which closes its request). The same borough and date give the same
/// rows.
DemoJobsSummary generate_demo_jobs(store::ConnectionPool& pool,
                                   std::shared_ptr<const geo::BngTransform> transform,
                                   ServiceCatalogue catalogue,
                                   const core::Date& date);

} // namespace wardmap::services
