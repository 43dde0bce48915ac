#include "server/http/requests/photo_routes.hpp"

#include "server/http/base_url.hpp"
#include "server/http/multipart.hpp"

#include <nlohmann/json.hpp>

#include <cctype>

namespace wardmap::http {

using services::DomainError;
using services::ErrorCode;

namespace {

constexpr const char* media_prefix = "/media/photos/";

std::string lower(std::string s) {
    for (char& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

Response upload(const Request& request, const services::PhotoService& photos) {
    const std::string raw_type = request.header("Content-Type").value_or("");
    const std::string type = lower(raw_type);
    // The key as every route takes it: the X-Api-Key header, else ?api_key=, else (below) a
    // multipart field.
    std::optional<std::string> api_key = request.header("X-Api-Key");
    if (!api_key || api_key->empty()) {
        api_key = request.query_param("api_key");
    }
    std::string_view bytes;
    std::vector<MultipartPart> parts;
    if (type.starts_with("image/")) {
        bytes = request.body;
    } else if (const auto boundary = multipart_boundary(raw_type)) {
        parts = parse_multipart(request.body, *boundary);
        const MultipartPart* photo = nullptr;
        for (const auto& part : parts) {
            if (part.name == "photo" && photo == nullptr) {
                photo = &part;
            } else if (part.name == "api_key" && !part.filename && !api_key && !part.body.empty()) {
                api_key = part.body;
            }
        }
        if (photo == nullptr) {
            services::invalid_parameter("photo", "is required: a file field named 'photo'");
        }
        bytes = photo->body;
    } else {
        throw DomainError(ErrorCode::unsupported_media_type,
                          "send the photo as the body with Content-Type image/jpeg, image/png or "
                          "image/webp, or as multipart/form-data with a file field 'photo' (got "
                          "'" +
                              type + "')",
                          {{"Content-Type", "must be image/* or multipart/form-data"}});
    }
    if (bytes.empty()) {
        services::invalid_parameter("photo", "is required: the body is empty");
    }
    // A signed-in streetscene officer (let through by the route's photo_upload) needs no key;
    // the dispatcher has checked the session's X-CSRF-Token.
    const auto stored = request.principal.signed_in() ? photos.upload_by_person(bytes, "photo")
                                                      : photos.upload(api_key, bytes, "photo");
    nlohmann::ordered_json doc{{"id", stored.id},
                               {"url", photo_url(request, stored.id)},
                               {"thumbnail_url", photo_url(request, stored.id, true)},
                               {"width", stored.width},
                               {"height", stored.height}};
    Response response = Response::json(doc.dump(), 201);
    response.header("Location", photo_url(request, stored.id));
    response.header("Cache-Control", "no-store");
    return response;
}

Response serve(const Request& request, const services::PhotoService& photos) {
    const std::string& file = request.param("file");
    const bool thumbnail = file.ends_with(".thumb.jpg");
    if (!thumbnail && !file.ends_with(".jpg")) {
        throw DomainError(ErrorCode::not_found, "photo '" + file.substr(0, 64) + "' not found");
    }
    const std::string id = file.substr(0, file.size() - (thumbnail ? 10 : 4));
    Response response = Response::text(photos.jpeg(id, thumbnail), "image/jpeg");
    response.compressible = false; // JPEG is compressed already
    // A photo's bytes never change under its id.
    response.header("Cache-Control", "public, max-age=31536000, immutable");
    response.header("X-Content-Type-Options", "nosniff");
    return response;
}

} // namespace

std::string photo_url(const Request& request, const std::string& id, bool thumbnail) {
    return public_base_url(request) + media_prefix + id + (thumbnail ? ".thumb.jpg" : ".jpg");
}

void add_photo_routes(Router& router, const services::PhotoService& photos) {
    // Uploads come with an API key, as Open311 reports do (the web client has its own), or
    // from a signed-in streetscene officer or supervisor (a completion's photos).
    const RouteOptions upload_options{
        .max_body_bytes = photos.limits().max_bytes + 64 * 1024,
        .render_error = {},
        .access = services::RouteAccess::needs(services::Permission::photo_upload)};
    router.post(
        "/api/photos", [&photos](Request& request) { return upload(request, photos); },
        upload_options);
    // Public: a photo of a private request or not yet attached answers 404 (PhotoService).
    router.get(
        std::string(media_prefix) + ":file",
        [&photos](Request& request) { return serve(request, photos); },
        RouteOptions{.access = services::RouteAccess::public_route()});
}

} // namespace wardmap::http
