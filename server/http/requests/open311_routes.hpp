#pragma once

#include "server/http/router.hpp"
#include "server/services/requests/photo_store.hpp"
#include "server/services/requests/request_service.hpp"

namespace wardmap::http {

/// Open311 GeoReport v2 under /open311/v2/ (discovery, services, services/{code}, requests
/// GET and POST, requests/{id}, tokens/{token}) plus mySociety's servicerequestupdates (GET
/// and POST), each as .json and .xml, every error as an Open311 error list. POST requests
/// also takes wardmap's `photo_id` and multipart/form-data with `media` files; a request's
/// media_url is then its first photo's absolute URL.
void add_open311_routes(Router& router,
                        const services::RequestService& requests,
                        const services::PhotoService& photos);

} // namespace wardmap::http
