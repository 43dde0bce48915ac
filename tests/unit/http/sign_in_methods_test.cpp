// GET /api/session/methods: the staff sign-in page's question "which ways of signing in are
// there?", answered from the routes the server actually registered (OIDC and emailed links are
// only registered when configured), and declared public.

#include "server/http/access/access_routes.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace wardmap::http {
namespace {

Response ok(Request&) {
    return Response::json("{}");
}

nlohmann::json methods(const Router& router) {
    const auto match = router.match("GET", "/api/session/methods");
    EXPECT_NE(match.route, nullptr);
    EXPECT_EQ(match.route->options.access.kind, services::RouteAccess::public_route().kind);
    Request request;
    return nlohmann::json::parse(match.route->handler(request).body);
}

TEST(SignInMethods, PasswordOnlyWhenNeitherOidcNorLinkRoutesExist) {
    Router router;
    add_sign_in_methods_route(router);
    // The static files' splat matches every GET path; it is not OIDC.
    router.get("/*", ok, {.access = services::RouteAccess::public_route()});
    EXPECT_EQ(methods(router),
              nlohmann::json::parse(R"({"password": true, "oidc": false, "link": false})"));
}

TEST(SignInMethods, OidcAndLinkOfferedWhenTheirRoutesAreRegistered) {
    Router router;
    add_sign_in_methods_route(router);
    router.get("/*", ok, {.access = services::RouteAccess::public_route()});
    router.get("/auth/oidc/start", ok, {.access = services::RouteAccess::public_route()});
    EXPECT_EQ(methods(router),
              nlohmann::json::parse(R"({"password": true, "oidc": true, "link": false})"));
    router.post("/api/session/link", ok, {.access = services::RouteAccess::public_route()});
    EXPECT_EQ(methods(router),
              nlohmann::json::parse(R"({"password": true, "oidc": true, "link": true})"));
}

} // namespace
} // namespace wardmap::http
