#include "server/http/myarea/account_routes.hpp"

#include "core/tokens.hpp"

#include "server/http/json_body.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>

namespace wardmap::http {

using services::DomainError;
using services::ErrorCode;
using services::RouteAccess;

namespace {

constexpr std::string_view cookie_path = "/api/account";

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

Response no_store(Response response) {
    response.header("Cache-Control", "no-store");
    return response;
}

/// The caller's resident session: 401 without a live one; for a change, 403 without the
/// session's CSRF token in X-CSRF-Token (a cookie is sent whoever made the page).
services::ResidentSession session_of(const Request& request,
                                     const services::ResidentAccounts& accounts) {
    const auto token = cookie_value(request, account_cookie);
    auto session = token ? accounts.resolve(*token) : std::nullopt;
    if (!session) {
        throw DomainError(ErrorCode::unauthorized,
                          token ? "your My Account session has ended; sign in again"
                                : "sign in to My Account first (POST /api/account/sign-in)");
    }
    if (request.method != "GET" && request.method != "HEAD") {
        const auto presented = request.header("X-CSRF-Token");
        if (!presented || !core::constant_time_equal(session->csrf_token, *presented)) {
            throw DomainError(ErrorCode::forbidden,
                              "a change to your account needs the X-CSRF-Token header (the "
                              "csrf_token from sign-in or GET /api/account)",
                              {{"X-CSRF-Token", presented ? "does not match" : "is required"}});
        }
    }
    return *session;
}

std::string clear_cookie(const Request& request, const CookieSettings& cookies) {
    return set_cookie(request, cookies, account_cookie, "", cookie_path, std::chrono::seconds(0));
}

} // namespace

std::optional<std::int64_t> parse_account_address(std::string_view text) {
    nlohmann::json body;
    try {
        body = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {
        throw DomainError(ErrorCode::malformed_body, "the body is not valid JSON");
    }
    if (!body.is_object() || !body.contains("uprn")) {
        throw DomainError(ErrorCode::malformed_body,
                          "the body must be a JSON object with uprn (or uprn null)");
    }
    const auto& uprn = body["uprn"];
    if (uprn.is_null()) {
        return std::nullopt;
    }
    std::int64_t value = 0;
    if (uprn.is_number_integer()) {
        value = uprn.get<std::int64_t>();
    } else if (uprn.is_string()) {
        const auto& s = uprn.get_ref<const std::string&>();
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
        if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
            services::invalid_parameter("uprn", "must be a UPRN (digits)");
        }
    } else {
        services::invalid_parameter("uprn", "must be a UPRN (an integer) or null");
    }
    if (value < 1 || value > 999999999999) {
        services::invalid_parameter("uprn", "must be a UPRN (1 to 12 digits)");
    }
    return value;
}

void add_account_routes(Router& router,
                        services::ResidentAccounts& accounts,
                        CookieSettings cookies) {
    router.post("/api/account/sign-in",
                [&accounts](Request& request) {
                    accounts.send_link(string_field(request, "email"), request.client_address);
                    // One answer whatever the address; the log says as little.
                    spdlog::info("request {}: My Account sign-in link asked for",
                                 request.request_id);
                    const nlohmann::json out = {
                        {"accepted", true},
                        {"detail",
                         "A sign-in link has been emailed to this address. It works once, within " +
                             std::to_string(services::ResidentAccounts::link_lifetime.count()) +
                             " minutes."}};
                    return no_store(Response::json(out.dump(), 202));
                },
                {.max_body_bytes = 4096, .access = RouteAccess::public_route()});
    router.post(
        "/api/account/sign-in/redeem",
        [&accounts, cookies](Request& request) {
            const auto done =
                accounts.redeem(string_field(request, "token"), request.client_address);
            spdlog::info("request {}: resident account {} signed in{} (session {})",
                         request.request_id, done.account_id, done.created ? " (new)" : "",
                         done.session_id);
            const nlohmann::json out = {{"csrf_token", done.csrf_token},
                                        {"created", done.created},
                                        {"expires_at", core::format_w3c_uk(done.expires_at)}};
            Response response = no_store(Response::json(out.dump()));
            response.header("Set-Cookie",
                            set_cookie(request, cookies, account_cookie, done.token, cookie_path,
                                       std::chrono::duration_cast<std::chrono::seconds>(
                                           services::ResidentAccounts::absolute)));
            return response;
        },
        {.max_body_bytes = 4096, .access = RouteAccess::public_route()});
    router.get("/api/account",
               [&accounts](Request& request) {
                   const auto session = session_of(request, accounts);
                   auto out = accounts.overview(session);
                   out["csrf_token"] = session.csrf_token;
                   return no_store(Response::json(out.dump()));
               },
               {.access = RouteAccess::resident_session()});
    router.add(
        "PUT", "/api/account/address",
        [&accounts](Request& request) {
            const auto session = session_of(request, accounts);
            const auto uprn = parse_account_address(request.body);
            accounts.save_address(session.account_id, uprn);
            const nlohmann::json out = {{"uprn", uprn ? nlohmann::json(*uprn) : nlohmann::json()}};
            return no_store(Response::json(out.dump()));
        },
        {.max_body_bytes = 4096, .access = RouteAccess::resident_session()});
    router.post("/api/account/sign-out",
                [&accounts, cookies](Request& request) {
                    const auto session = session_of(request, accounts);
                    accounts.sign_out(session.session_id);
                    Response response = no_store(Response::text("", "", 204));
                    response.header("Set-Cookie", clear_cookie(request, cookies));
                    return response;
                },
                {.max_body_bytes = 4096, .access = RouteAccess::resident_session()});
    router.add("DELETE", "/api/account",
               [&accounts, cookies](Request& request) {
                   const auto session = session_of(request, accounts);
                   const auto erased = accounts.erase(session.account_id);
                   spdlog::info("request {}: resident account {} erased ({} reports anonymised)",
                                request.request_id, session.account_id, erased.reports_anonymised);
                   const nlohmann::json out = {{"deleted", true},
                                               {"reports_anonymised", erased.reports_anonymised},
                                               {"follows_removed", erased.follows_removed},
                                               {"alerts_removed", erased.alerts_removed},
                                               {"messages_removed", erased.messages_removed}};
                   Response response = no_store(Response::json(out.dump()));
                   response.header("Set-Cookie", clear_cookie(request, cookies));
                   return response;
               },
               {.access = RouteAccess::resident_session()});
}

} // namespace wardmap::http
