#pragma once

#include "server/http/router.hpp"
#include "server/services/requests/catalogue_service.hpp"
#include "server/services/requests/request_service.hpp"

namespace wardmap::http {

/// The staff API over the service catalogue (a staff key in X-Api-Key or ?api_key=):
/// GET /api/services, GET /api/services/{code}, POST /api/services, PUT /api/services/{code},
/// DELETE /api/services/{code} (retire). problem+json errors.
void add_catalogue_routes(Router& router,
                          services::CatalogueService& catalogues,
                          const services::RequestService& requests);

} // namespace wardmap::http
