#include "server/http/access/oidc_routes.hpp"

#include <spdlog/spdlog.h>

#include <cctype>

namespace wardmap::http {

namespace {

/// Binds a callback to the browser that started the sign-in (docs/sign-in.md).
constexpr const char* binding_cookie = "wardmap_oidc";

const char* failure_code(services::OidcFailure failure) {
    switch (failure) {
    case services::OidcFailure::state:
        return "oidc_state";
    case services::OidcFailure::provider:
        return "oidc_provider";
    case services::OidcFailure::token:
        return "oidc_token";
    case services::OidcFailure::account:
        return "oidc_account";
    }
    return "oidc_token";
}

Response redirect(const std::string& location) {
    Response response = Response::text("", "", 302);
    response.header("Location", location);
    response.header("Cache-Control", "no-store");
    return response;
}

/// No session: the reason goes to the log (never a token, a code or an email), the person
/// to the sign-in page with a code saying what to do next.
Response refused(const Request& request, const services::OidcRefused& why) {
    const char* code = failure_code(why.failure());
    spdlog::warn("oidc sign-in refused ({}): {} [request {}]", code, why.what(),
                 request.request_id);
    return redirect(std::string(staff_sign_in_page) + "?error=" + code);
}

Response start(const Request& request, services::OidcClient& oidc, const CookieSettings& cookies) {
    std::string return_to = "/";
    if (const auto asked = request.query_param("return_to")) {
        const auto path = same_origin_path(*asked);
        if (!path) {
            services::invalid_parameter("return_to",
                                        "must be a path on this site, starting with one '/'");
        }
        return_to = *path;
    }
    try {
        const auto started = oidc.start(return_to);
        Response response = redirect(started.authorization_url);
        response.header("Set-Cookie",
                        set_cookie(request, cookies, binding_cookie, started.browser_binding,
                                   "/auth/oidc", oidc.settings().login_lifetime));
        return response;
    } catch (const services::OidcRefused& why) {
        return refused(request, why);
    }
}

Response callback(const Request& request,
                  services::OidcClient& oidc,
                  services::OidcAccounts& accounts,
                  const CookieSettings& cookies) {
    try {
        if (const auto error = request.query_param("error")) {
            // The provider's error code is from a fixed list (RFC 6749 §4.1.2.1); keep it short
            // and plain in the log all the same.
            std::string shown = error->substr(0, 40);
            std::erase_if(shown, [](char c) { return !(std::isalnum(c) != 0 || c == '_'); });
            throw services::OidcRefused("the provider answered error=" + shown,
                                        services::OidcFailure::provider);
        }
        const auto finished = oidc.finish(request.query_param("state").value_or(""),
                                          request.query_param("code").value_or(""),
                                          cookie_value(request, binding_cookie).value_or(""));
        const auto session = accounts.open_session(finished.identity, request.client_address);
        if (!session) {
            throw services::OidcRefused("no active person has the provider's email address",
                                        services::OidcFailure::account);
        }
        spdlog::info("oidc sign-in: session opened [request {}]", request.request_id);
        Response response = redirect(finished.return_to);
        // Pistache 0.0.5 keeps one Set-Cookie per response: the binding cookie is left to
        // expire (its pending sign-in is used up) rather than deleted here.
        response.header("Set-Cookie", set_cookie(request, cookies, session_cookie, session->token,
                                                 "/", session->max_age));
        return response;
    } catch (const services::OidcRefused& why) {
        return refused(request, why);
    }
}

} // namespace

std::optional<std::string> same_origin_path(const std::string& return_to) {
    // "//host" and "/\host" are other origins to a browser; control characters could split a
    // header.
    if (return_to.empty() || return_to.front() != '/' || return_to.size() > 2000 ||
        (return_to.size() > 1 && (return_to[1] == '/' || return_to[1] == '\\'))) {
        return std::nullopt;
    }
    for (const unsigned char c : return_to) {
        if (c < 0x20 || c == 0x7f || c == '\\') {
            return std::nullopt;
        }
    }
    return return_to;
}

void add_oidc_routes(Router& router,
                     services::OidcClient& oidc,
                     services::OidcAccounts& accounts,
                     CookieSettings cookies) {
    if (oidc.settings().redirect_url.starts_with("https://")) {
        cookies.secure = true;
    }
    // Public: these are how a person without a session gets one.
    router.get("/auth/oidc/start",
               [&oidc, cookies](Request& request) { return start(request, oidc, cookies); },
               {.access = services::RouteAccess::public_route()});
    router.get("/auth/oidc/callback",
               [&oidc, &accounts, cookies](Request& request) {
                   return callback(request, oidc, accounts, cookies);
               },
               {.access = services::RouteAccess::public_route()});
}

} // namespace wardmap::http
