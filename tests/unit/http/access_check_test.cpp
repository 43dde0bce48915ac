// The Dispatcher's access check without a socket: each RouteAccess kind, the answers for no
// caller (401 or 403), the wrong caller (403 naming the permission), a ward-scoped route, the
// CSRF token on cookie-authenticated changes, and the 500 for a route that declares nothing.

#include "server/http/dispatcher.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace wardmap::http {
namespace {

using services::Permission;
using services::Principal;
using services::RouteAccess;

Response ok(Request&) {
    return Response::json(R"({"ok":true})");
}

class AccessCheck : public ::testing::Test {
  protected:
    AccessCheck() : dispatcher(router, metrics, nullptr) {
        router.get("/public", ok, {.access = RouteAccess::public_route()});
        router.post("/public", ok, {.access = RouteAccess::public_route()});
        router.get("/me", ok, {.access = RouteAccess::signed_in()});
        router.post("/me", ok, {.access = RouteAccess::signed_in()});
        router.get("/contacts", ok,
                   {.access = RouteAccess::needs(Permission::request_contact_read)});
        router.get("/catalogue", ok, {.access = RouteAccess::needs(Permission::catalogue_manage)});
        router.get("/wards/:code", ok,
                   {.access = RouteAccess::needs_in_ward(Permission::ward_read, "code")});
        router.get("/forgot", ok);
        // The test's stand-in for sessions and keys: "X-Who: councillor" and so on.
        dispatcher.set_principal_resolver([](Request& request) {
            const auto who = request.header("X-Who").value_or("");
            if (who == "stale") {
                request.refused = Request::Refused::session;
                return;
            }
            if (who == "badkey") {
                request.refused = Request::Refused::api_key;
                return;
            }
            if (who.empty()) {
                return;
            }
            Principal& p = request.principal;
            p.kind = Principal::Kind::person;
            p.id = 7;
            p.via_cookie = true;
            request.csrf_token = "expected-csrf";
            if (who == "councillor") {
                p.grants = {{services::Role::councillor, {"E05000001"}, {}}};
            } else if (who == "cs") {
                p.grants = {{services::Role::officer, {}, {services::Team::customer_services}}};
            } else if (who == "streetscene") {
                p.grants = {{services::Role::officer, {}, {services::Team::streetscene}}};
            }
        });
    }
    Response call(const std::string& method,
                  const std::string& path,
                  const std::string& who = "",
                  const std::string& csrf = "") {
        Request request;
        request.method = method;
        request.path = path;
        if (!who.empty()) {
            request.headers["X-Who"] = who;
        }
        if (!csrf.empty()) {
            request.headers["X-CSRF-Token"] = csrf;
        }
        return dispatcher.dispatch(request);
    }
    static std::string type(const Response& r) { return nlohmann::json::parse(r.body)["type"]; }

    Router router;
    Metrics metrics;
    Dispatcher dispatcher;
};

TEST_F(AccessCheck, PublicRoutesNeedNothingNotEvenCsrf) {
    EXPECT_EQ(call("GET", "/public").status, 200);
    EXPECT_EQ(call("GET", "/public", "stale").status, 200);
    EXPECT_EQ(call("POST", "/public", "councillor").status, 200);
}

TEST_F(AccessCheck, SignedInRoutesAnswer401WithoutASession) {
    const auto none = call("GET", "/me");
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(type(none), "urn:wardmap:problem:unauthorized");
    EXPECT_EQ(call("GET", "/me", "stale").status, 401);
    EXPECT_EQ(call("GET", "/me", "councillor").status, 200);
}

TEST_F(AccessCheck, CookieChangesNeedTheCsrfToken) {
    const auto missing = call("POST", "/me", "councillor");
    EXPECT_EQ(missing.status, 403);
    EXPECT_EQ(type(missing), "urn:wardmap:problem:forbidden");
    EXPECT_EQ(call("POST", "/me", "councillor", "wrong").status, 403);
    EXPECT_EQ(call("POST", "/me", "councillor", "expected-csr").status, 403);
    EXPECT_EQ(call("POST", "/me", "councillor", "expected-csrf").status, 200);
}

TEST_F(AccessCheck, PermissionsAndWardScope) {
    EXPECT_EQ(call("GET", "/contacts", "cs").status, 200);
    const auto denied = call("GET", "/contacts", "streetscene");
    EXPECT_EQ(denied.status, 403);
    EXPECT_NE(denied.body.find("request_contact_read"), std::string::npos);
    // No caller: sign in, on a route only people may call. On one a key may call, the handler
    // runs and checks the api_key itself after reading its body, as those routes always have
    // (the permission-matrix integration test proves each real one refuses).
    EXPECT_EQ(call("GET", "/contacts").status, 401);
    EXPECT_EQ(call("GET", "/catalogue").status, 200);
    EXPECT_EQ(call("GET", "/catalogue", "badkey").status, 403);
    EXPECT_EQ(call("GET", "/contacts", "badkey").status, 403);
    EXPECT_EQ(call("GET", "/contacts", "stale").status, 401); // a session that ended
    EXPECT_EQ(call("GET", "/wards/E05000001", "councillor").status, 200);
    EXPECT_EQ(call("GET", "/wards/E05000002", "councillor").status, 403);
    EXPECT_EQ(call("GET", "/wards/E05000002", "streetscene").status, 200);
}

TEST_F(AccessCheck, AnUndeclaredRouteIsAServerBug) {
    const auto r = call("GET", "/forgot", "cs");
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(type(r), "urn:wardmap:problem:internal-error");
}

} // namespace
} // namespace wardmap::http
