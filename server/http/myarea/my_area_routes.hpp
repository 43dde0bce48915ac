#pragma once

// My area (docs/my-area.md): the residents' account-free view of an address, a postcode or a
// point.

#include "server/http/router.hpp"
#include "server/services/myarea/my_area_service.hpp"

namespace wardmap::http {

/// Public: GET /api/my-area?uprn= | postcode= | lon=&lat= (exactly one). `area` must outlive
/// the router.
void add_my_area_routes(Router& router, const services::MyAreaService& area);

} // namespace wardmap::http
