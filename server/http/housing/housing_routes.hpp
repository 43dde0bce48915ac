#pragma once

// The housing team's routes over the empty-property register (docs/http-api.md, "Empty
// properties"; docs/housing.md) and MyWard's counts of a ward's empty properties.

#include "server/http/router.hpp"
#include "server/services/housing/empty_property_service.hpp"

namespace wardmap::http {

/// /api/housing/... (housing team and admins; owner details the housing team only, audited)
/// and GET /api/wards/{code}/empty-properties (councillors for their wards, staff any).
/// `properties` must outlive the router.
void add_housing_routes(Router& router, const services::EmptyPropertyService& properties);

} // namespace wardmap::http
