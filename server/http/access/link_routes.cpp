#include "server/http/access/link_routes.hpp"

#include "server/http/access/access_routes.hpp"
#include "server/http/json_body.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace wardmap::http {

using services::DomainError;
using services::ErrorCode;
using services::RouteAccess;

namespace {

std::string string_field(const Request& request, const char* name) {
    const auto body = parse_json_body(request);
    if (!body.is_object()) {
        throw DomainError(ErrorCode::malformed_body,
                          std::string("the body must be a JSON object with ") + name);
    }
    const auto it = body.find(name);
    if (it == body.end() || !it->is_string()) {
        services::invalid_parameter(name, "is required (a string)");
    }
    return it->get<std::string>();
}

} // namespace

void add_sign_in_link_routes(Router& router,
                             services::SignInLinkService& links,
                             const services::SessionService& sessions,
                             CookieSettings cookies) {
    router.post(
        "/api/session/link",
        [&links](Request& request) {
            links.send_link(string_field(request, "email"), request.client_address);
            // One answer whether or not the address has an account; the log says as little.
            spdlog::info("request {}: sign-in link asked for", request.request_id);
            const nlohmann::json out = {
                {"accepted", true},
                {"detail", "If this address belongs to an active account, a sign-in link has "
                           "been emailed to it. It works once, within " +
                               std::to_string(services::SignInLinkService::lifetime.count()) +
                               " minutes."}};
            Response response = Response::json(out.dump(), 202);
            response.header("Cache-Control", "no-store");
            return response;
        },
        {.max_body_bytes = 4096, .access = RouteAccess::public_route()});
    router.post(
        "/api/session/link/redeem",
        [&links, &sessions, cookies](Request& request) {
            const auto done = links.redeem(string_field(request, "token"), request.client_address);
            spdlog::info("request {}: person {} signed in with an emailed link (session {})",
                         request.request_id, done.person.id, done.session.id);
            return signed_in_response(request, cookies, done, sessions.policy().absolute);
        },
        {.max_body_bytes = 4096, .access = RouteAccess::public_route()});
}

} // namespace wardmap::http
