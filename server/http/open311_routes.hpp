#pragma once

#include "server/http/router.hpp"
#include "server/services/request_service.hpp"

namespace wardmap::http {

/// Open311 GeoReport v2 under /open311/v2/ (discovery, services, services/{code}, requests
/// GET and POST, requests/{id}, tokens/{token}) plus mySociety's servicerequestupdates (GET
/// and POST), each as .json and .xml, every error as an Open311 error list.
void add_open311_routes(Router& router, const services::RequestService& requests);

} // namespace wardmap::http
