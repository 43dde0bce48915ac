#pragma once

// My area (docs/my-area.md): the residents' account-free view of an address, a postcode or a
// point, its Atom feed, and local alerts by email.

#include "server/http/router.hpp"
#include "server/services/myarea/area_alerts.hpp"
#include "server/services/myarea/my_area_service.hpp"

#include <string>

namespace wardmap::http {

/// Public: GET /api/my-area?uprn= | postcode= | lon=&lat= (exactly one) and
/// GET /api/alerts/feed.atom?uprn=[&distance=] | ward=; POST /api/alerts (public, rate-limited)
/// and the confirm and unsubscribe links' pages (GET shows, POST acts; whoever holds the
/// token). `area` and `alerts` must outlive the router; `council` names the pages.
void add_my_area_routes(Router& router,
                        const services::MyAreaService& area,
                        const services::AreaAlerts& alerts,
                        std::string council);

} // namespace wardmap::http
