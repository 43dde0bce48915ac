#include "server/http/router.hpp"

#include <gtest/gtest.h>

namespace wardmap::http {
namespace {

Handler named(std::string name) {
    return [name](Request&) { return Response::text(name, "text/plain"); };
}

std::string run(const RouteMatch& m) {
    Request r;
    return m.route->handler(r).body;
}

TEST(Router, LiteralBeatsParameterBeatsSplatWhateverTheOrder) {
    Router router;
    router.get("/*", named("static"));
    router.get("/api/wards/:code", named("ward"));
    router.get("/api/wards/at", named("at"));
    EXPECT_EQ(run(router.match("GET", "/api/wards/at")), "at");
    auto ward = router.match("GET", "/api/wards/E05013064");
    EXPECT_EQ(run(ward), "ward");
    EXPECT_EQ(ward.params.at("code"), "E05013064");
    auto file = router.match("GET", "/js/app.js");
    EXPECT_EQ(run(file), "static");
    EXPECT_EQ(file.params.at("*"), "js/app.js");
}

TEST(Router, TrailingSlashAndRootMatch) {
    Router router;
    router.get("/healthz", named("health"));
    router.get("/*", named("static"));
    EXPECT_EQ(run(router.match("GET", "/healthz/")), "health");
    auto root = router.match("GET", "/");
    EXPECT_EQ(run(root), "static");
    EXPECT_EQ(root.params.at("*"), "");
}

TEST(Router, WrongMethodReportsAllowedMethodsEvenWithAStaticSplat) {
    Router router;
    router.post("/api/transform", named("transform"));
    router.get("/*", named("static"));
    auto m = router.match("DELETE", "/api/transform");
    EXPECT_EQ(m.route, nullptr);
    ASSERT_EQ(m.allowed.size(), 1U);
    EXPECT_EQ(m.allowed[0], "POST");
    // GET on a POST-only API route is a 405, not a static-file lookup.
    auto get = router.match("GET", "/api/transform");
    EXPECT_EQ(get.route, nullptr);
    EXPECT_FALSE(get.allowed.empty());
}

TEST(Router, HeadMatchesGetRoutes) {
    Router router;
    router.get("/healthz", named("health"));
    EXPECT_EQ(run(router.match("HEAD", "/healthz")), "health");
}

TEST(Router, UnknownPathMatchesNothing) {
    Router router;
    router.get("/healthz", named("health"));
    auto m = router.match("GET", "/nope");
    EXPECT_EQ(m.route, nullptr);
    EXPECT_TRUE(m.allowed.empty());
}

TEST(Router, LargestBodyLimitCoversEveryRoute) {
    Router router;
    router.get("/a", named("a"));
    router.post("/b", named("b"), {.max_body_bytes = 1 << 20});
    EXPECT_EQ(router.largest_body_limit(), 1U << 20);
}

} // namespace
} // namespace wardmap::http
