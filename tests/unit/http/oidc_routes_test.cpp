// The OIDC routes' two small guards: return_to only ever names a path on this site, and the
// binding cookie is read by exact name from a Cookie header.

#include "server/http/access/oidc_routes.hpp"

#include <gtest/gtest.h>

namespace wardmap::http {
namespace {

TEST(SameOriginPath, AcceptsPathsOnThisSite) {
    for (const char* path : {"/", "/staff/", "/ward.html?code=E05012345#map", "/a/b%20c"}) {
        EXPECT_EQ(same_origin_path(path), path) << path;
    }
}

TEST(SameOriginPath, RefusesOtherOriginsAndHeaderBreakers) {
    for (const char* path :
         {"", "staff", "//evil.example/", "/\\evil.example", "/a\\b", "https://evil.example/",
          "javascript:alert(1)", "/a\r\nSet-Cookie: x", "/a\tb"}) {
        EXPECT_FALSE(same_origin_path(path).has_value()) << path;
    }
    EXPECT_FALSE(same_origin_path("/" + std::string(3000, 'a')).has_value());
}

TEST(CookieValue, FindsTheCookieByItsExactName) {
    Request request;
    request.headers["Cookie"] = "wardmap_oidc_old=1; wardmap_oidc=abc-_123; other=x";
    EXPECT_EQ(cookie_value(request, "wardmap_oidc"), "abc-_123");
    EXPECT_EQ(cookie_value(request, "other"), "x");
    EXPECT_FALSE(cookie_value(request, "wardmap").has_value());
    EXPECT_FALSE(cookie_value(Request{}, "wardmap_oidc").has_value());
}

} // namespace
} // namespace wardmap::http
