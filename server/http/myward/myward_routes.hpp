#pragma once

// MyWard's routes (docs/myward.md): a ward's dashboard for its councillors and staff, and its
// exports (CSV and GeoJSON of the requests and of every panel).

#include "server/http/router.hpp"
#include "server/services/myward/myward_service.hpp"

namespace wardmap::http {

/// GET /api/myward/{ward}, /api/myward/{ward}/requests.csv|.geojson and
/// /api/myward/{ward}/{panel}.csv|.geojson (ward_read: councillors for their own wards, staff
/// any). `myward` must outlive the router.
void add_myward_routes(Router& router, const services::MyWardService& myward);

} // namespace wardmap::http
