#pragma once

#include "server/http/router.hpp"
#include "server/services/requests/photo_store.hpp"

#include <string>

namespace wardmap::http {

/// Absolute URL of a stored photo (`.../media/photos/<id>.jpg`) or of its thumbnail
/// (`<id>.thumb.jpg`), on the host the client reached (see public_base_url).
std::string photo_url(const Request& request, const std::string& id, bool thumbnail = false);

/// POST /api/photos (raw image body or multipart `photo`) and GET /media/photos/<id>.jpg and
/// <id>.thumb.jpg.
void add_photo_routes(Router& router, const services::PhotoService& photos);

} // namespace wardmap::http
