#include "server/http/access/access_routes.hpp"

#include "core/w3c_time.hpp"

#include "server/http/form_body.hpp"
#include "server/http/json_body.hpp"
#include "server/http/multipart.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace wardmap::http {

using services::DomainError;
using services::ErrorCode;
using services::RouteAccess;

namespace {

std::optional<std::string> api_key_of(const Request& request) {
    if (auto key = request.header("X-Api-Key"); key && !key->empty()) {
        return key;
    }
    if (auto key = request.query_param("api_key")) {
        return key;
    }
    // Open311 clients send the key among the form fields of their POST, url-encoded or, with
    // photos, multipart. Each pair is read on its own, so a bad escape in another field
    // leaves the key found and the handler reports that field (400, not 403).
    if (request.method != "POST") {
        return std::nullopt;
    }
    const auto type = request.header("Content-Type").value_or("");
    if (type.starts_with("application/x-www-form-urlencoded")) {
        std::string_view rest = request.body;
        while (!rest.empty()) {
            const auto amp = rest.find('&');
            const auto pair = rest.substr(0, amp);
            rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
            if (!pair.starts_with("api_key=")) {
                continue;
            }
            try {
                auto fields = parse_form(pair);
                if (!fields.empty() && !fields.front().second.empty()) {
                    return std::move(fields.front().second);
                }
            } catch (const DomainError&) {
                // A malformed key is no key; the handler reports the field.
            }
        }
    } else if (const auto boundary = multipart_boundary(type)) {
        try {
            for (auto& part : parse_multipart(request.body, *boundary)) {
                if (part.name == "api_key" && !part.filename && !part.body.empty()) {
                    return std::move(part.body);
                }
            }
        } catch (const DomainError&) {
            // The handler reports a broken body; here it simply carries no key.
        }
    }
    return std::nullopt;
}

nlohmann::json person_json(const services::Person& person) {
    nlohmann::json roles = nlohmann::json::array();
    for (const auto& grant : person.grants) {
        nlohmann::json teams = nlohmann::json::array();
        for (const auto team : grant.teams) {
            teams.push_back(std::string(services::team_name(team)));
        }
        nlohmann::json role{{"role", std::string(services::role_name(grant.role))},
                            {"wards", grant.wards},
                            {"teams", std::move(teams)}};
        if (grant.firm) {
            role["firm"] = *grant.firm; // a funeral director's
        }
        roles.push_back(std::move(role));
    }
    return {{"id", person.id},
            {"name", person.name},
            {"email", person.email},
            {"roles", std::move(roles)}};
}

Response no_store(Response response) {
    response.header("Cache-Control", "no-store");
    return response;
}

std::string text_field(const nlohmann::json& body, const char* name) {
    const auto it = body.find(name);
    if (it == body.end() || !it->is_string()) {
        services::invalid_parameter(name, "is required (a string)");
    }
    return it->get<std::string>();
}

} // namespace

Dispatcher::PrincipalResolver principal_resolver(const services::Authenticator& authenticator) {
    return [&authenticator](Request& request) {
        services::Credentials credentials;
        credentials.api_key = api_key_of(request);
        credentials.session_token = cookie_value(request, session_cookie);
        auto result = authenticator.authenticate(credentials);
        using Outcome = services::Authentication::Outcome;
        request.principal = std::move(result.principal);
        request.csrf_token = std::move(result.csrf_token);
        request.refused = result.outcome == Outcome::rejected_key       ? Request::Refused::api_key
                          : result.outcome == Outcome::rejected_session ? Request::Refused::session
                                                                        : Request::Refused::none;
    };
}

Response signed_in_response(const Request& request,
                            const CookieSettings& cookies,
                            const services::SignedIn& done,
                            std::chrono::seconds max_age) {
    nlohmann::json out = {{"person", person_json(done.person)},
                          {"csrf_token", done.session.csrf_token},
                          {"expires_at", core::format_w3c_uk(done.session.expires_at)}};
    Response response = no_store(Response::json(out.dump()));
    response.header("Set-Cookie",
                    set_cookie(request, cookies, session_cookie, done.session.token, "/", max_age));
    return response;
}

void add_access_routes(Router& router,
                       const services::AccountService& accounts,
                       const services::SessionService& sessions,
                       services::PasswordSignIn& sign_in,
                       CookieSettings cookies) {
    router.post("/api/session",
                [&sign_in, &sessions, cookies](Request& request) {
                    const auto body = parse_json_body(request);
                    if (!body.is_object()) {
                        throw DomainError(ErrorCode::malformed_body,
                                          "the body must be a JSON object with email and password");
                    }
                    const auto done =
                        sign_in.sign_in(text_field(body, "email"), text_field(body, "password"),
                                        request.client_address);
                    spdlog::info("request {}: person {} signed in with a password (session {})",
                                 request.request_id, done.person.id, done.session.id);
                    return signed_in_response(request, cookies, done, sessions.policy().absolute);
                },
                {.max_body_bytes = 4096, .access = RouteAccess::public_route()});
    router.add("DELETE", "/api/session",
               [&sessions, cookies](Request& request) {
                   sessions.revoke(request.principal.session_id);
                   spdlog::info("request {}: person {} signed out (session {})", request.request_id,
                                request.principal.id, request.principal.session_id);
                   Response response = no_store(Response::text("", "", 204));
                   response.header("Set-Cookie", set_cookie(request, cookies, session_cookie, "",
                                                            "/", std::chrono::seconds(0)));
                   return response;
               },
               {.access = RouteAccess::signed_in()});
    router.get("/api/me",
               [&accounts, &sessions](Request& request) {
                   const auto person = accounts.find(request.principal.id);
                   if (!person) {
                       throw DomainError(ErrorCode::unauthorized,
                                         "sign in first (POST /api/session)");
                   }
                   nlohmann::json out = {{"person", person_json(*person)},
                                         {"csrf_token", request.csrf_token}};
                   if (const auto method = sessions.method_of(request.principal.session_id)) {
                       out["sign_in_method"] = std::string(services::sign_in_method_name(*method));
                   }
                   return no_store(Response::json(out.dump()));
               },
               {.access = RouteAccess::signed_in()});
}

void add_sign_in_methods_route(Router& router) {
    router.get("/api/session/methods",
               [&router](Request&) {
                   // The router is complete and immutable once the server serves.
                   const auto has = [&router](const char* method, const char* pattern) {
                       const auto match = router.match(method, pattern);
                       return match.route != nullptr && match.route->pattern == pattern;
                   };
                   const nlohmann::json out = {{"password", true},
                                               {"oidc", has("GET", "/auth/oidc/start")},
                                               {"link", has("POST", "/api/session/link")}};
                   return Response::json(out.dump());
               },
               {.access = RouteAccess::public_route()});
}

} // namespace wardmap::http
