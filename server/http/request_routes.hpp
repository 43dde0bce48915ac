#pragma once

#include "server/http/router.hpp"
#include "server/services/request_service.hpp"

namespace wardmap::http {

/// The residents' side of service requests, in wardmap's own JSON (problem+json errors):
/// GET /api/requests/duplicates, GET /api/track/{token}, POST /api/track/{token}/updates and
/// POST /api/requests/{id}/followers.
void add_request_routes(Router& router, const services::RequestService& requests);

} // namespace wardmap::http
