#include "geo/store/database.hpp"
#include "server/http/dispatcher.hpp"
#include "server/http/json_body.hpp"
#include "server/services/shared/errors.hpp"
#include "tests/support/http_client.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <sstream>

namespace wardmap::http {
namespace {

using services::DomainError;
using services::ErrorCode;

// Exercises the guarded pipeline without a socket: routes that succeed and fail in each way.
class DispatcherTest : public ::testing::Test {
  protected:
    DispatcherTest() : dispatcher(router, metrics, nullptr) {
        // Open to anyone: access_check_test.cpp covers the access checks.
        const RouteOptions open{.access = services::RouteAccess::public_route()};
        router.get(
            "/ok", [](Request&) { return Response::json(R"({"ok":true})"); }, open);
        router.get(
            "/big", [](Request&) { return Response::json(std::string(5000, ' ') + "[]"); }, open);
        router.get(
            "/missing",
            [](Request&) -> Response {
                throw DomainError(ErrorCode::not_found, "no ward E05999999");
            },
            open);
        router.get(
            "/params",
            [](Request&) -> Response {
                throw DomainError(ErrorCode::invalid_parameter, "two problems",
                                  {{"bbox", "needs 4 numbers"}, {"limit", "must be positive"}});
            },
            open);
        router.get(
            "/boom",
            [](Request&) -> Response {
                throw std::runtime_error("SELECT secret FROM /var/lib/wardmap.sqlite failed");
            },
            open);
        router.get(
            "/busy",
            [](Request&) -> Response {
                throw store::StoreError("database is locked", 5 /* SQLITE_BUSY */);
            },
            open);
        router.get(
            "/slow",
            [](Request&) -> Response {
                throw store::QueryTimeout("step: interrupted at its deadline (SELECT secret)");
            },
            open);
        router.get(
            "/deadline",
            [](Request&) {
                const auto deadline = store::QueryBudget::current_deadline();
                const auto left = deadline ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 *deadline - std::chrono::steady_clock::now())
                                                 .count()
                                           : -1;
                return Response::json(std::to_string(left));
            },
            open);
        router.post("/echo", [](Request& r) { return Response::json(parse_json_body(r).dump()); },
                    {.max_body_bytes = 32, .access = open.access});
        // A protocol with its own error document renders every error of its routes.
        const RouteOptions own_errors{
            .max_body_bytes = 8,
            .render_error =
                [](const DomainError& e, const Request&) {
                    return Response::text(
                        "E" + std::to_string(services::error_info(e.code()).http_status),
                        "text/plain", services::error_info(e.code()).http_status);
                },
            .access = open.access};
        router.post(
            "/own", [](Request&) { return Response::json("{}"); }, own_errors);
        router.get(
            "/own/boom", [](Request&) -> Response { throw std::runtime_error("x"); }, own_errors);
        router.get(
            "/own/missing",
            [](Request&) -> Response { throw DomainError(ErrorCode::not_found, "nothing"); },
            own_errors);
    }

    Response get(const std::string& path, Headers headers = {}) {
        Request r;
        r.method = "GET";
        r.path = path;
        r.headers = std::move(headers);
        return dispatcher.dispatch(r);
    }
    Response
    post(const std::string& path, std::string body, std::string type = "application/json") {
        Request r;
        r.method = "POST";
        r.path = path;
        r.body = std::move(body);
        r.headers["Content-Type"] = std::move(type);
        return dispatcher.dispatch(r);
    }
    static nlohmann::json json(const Response& r) { return nlohmann::json::parse(r.body); }

    Router router;
    Metrics metrics;
    Dispatcher dispatcher;
};

TEST_F(DispatcherTest, SuccessCarriesRequestId) {
    auto r = get("/ok");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.find_header("X-Request-Id")->size(), 16U);
}

TEST_F(DispatcherTest, EchoesASafeIncomingRequestIdOnly) {
    EXPECT_EQ(get("/ok", {{"X-Request-Id", "abc-123"}}).find_header("X-Request-Id"), "abc-123");
    EXPECT_NE(get("/ok", {{"X-Request-Id", "<script>"}}).find_header("X-Request-Id"), "<script>");
}

TEST_F(DispatcherTest, UnknownRouteIsProblemJson404) {
    auto r = get("/nope");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.content_type, "application/problem+json");
    auto body = json(r);
    EXPECT_EQ(body["status"], 404);
    EXPECT_EQ(body["type"], "urn:wardmap:problem:route-not-found");
    EXPECT_EQ(body["instance"], "/nope");
}

TEST_F(DispatcherTest, WrongMethodIs405WithAllow) {
    auto r = get("/echo");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.find_header("Allow"), "POST");
}

TEST_F(DispatcherTest, DomainErrorsListEveryFieldProblem) {
    auto body = json(get("/params"));
    EXPECT_EQ(body["status"], 400);
    ASSERT_EQ(body["errors"].size(), 2U);
    EXPECT_EQ(body["errors"][0]["name"], "bbox");
    EXPECT_EQ(body["errors"][1]["name"], "limit");
    EXPECT_EQ(json(get("/missing"))["detail"], "no ward E05999999");
}

TEST_F(DispatcherTest, UnexpectedErrorsNeverLeakInternals) {
    auto r = get("/boom");
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(r.body.find("SELECT"), std::string::npos);
    EXPECT_EQ(r.body.find("/var/lib"), std::string::npos);
    EXPECT_NE(r.body.find(*r.find_header("X-Request-Id")), std::string::npos);
}

TEST_F(DispatcherTest, BusyDatabaseIs503WithRetryAfter) {
    auto r = get("/busy");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.find_header("Retry-After"), "1");
    EXPECT_EQ(r.body.find("locked"), std::string::npos);
}

TEST_F(DispatcherTest, AQueryPastItsBudgetIs503QueryTimeoutWithoutInternals) {
    dispatcher.set_query_timeout(std::chrono::milliseconds(2500));
    auto r = get("/slow");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(json(r)["type"], "urn:wardmap:problem:query-timeout");
    EXPECT_NE(json(r)["detail"].get<std::string>().find("more than 2500 ms of database work"),
              std::string::npos)
        << r.body;
    EXPECT_FALSE(r.find_header("Retry-After"));
    EXPECT_EQ(r.body.find("SELECT"), std::string::npos);
    EXPECT_EQ(r.body.find("interrupt"), std::string::npos);
}

TEST_F(DispatcherTest, EachRequestGetsTheQueryBudgetOnlyWhileItRuns) {
    EXPECT_EQ(json(get("/deadline")), -1) << "no budget unless one is set";
    dispatcher.set_query_timeout(std::chrono::milliseconds(5000));
    const auto left = json(get("/deadline")).get<long long>();
    EXPECT_GT(left, 4000);
    EXPECT_LE(left, 5000);
    EXPECT_FALSE(store::QueryBudget::current_deadline()) << "gone after the request";
}

TEST_F(DispatcherTest, OversizedBodyIs413BeforeTheHandler) {
    auto r = post("/echo", std::string(33, 'x'));
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(json(r)["type"], "urn:wardmap:problem:payload-too-large");
}

TEST_F(DispatcherTest, MalformedJsonIs400SayingWhere) {
    auto r = post("/echo", R"({"a": tru})");
    EXPECT_EQ(r.status, 400);
    const std::string detail = json(r)["detail"];
    EXPECT_NE(detail.find("column"), std::string::npos) << detail;
    EXPECT_EQ(detail.find("json.exception"), std::string::npos) << detail;
}

TEST_F(DispatcherTest, NonJsonContentTypeIs415) {
    EXPECT_EQ(post("/echo", "{}", "text/plain").status, 415);
    EXPECT_EQ(post("/echo", "{}").status, 200);
}

TEST_F(DispatcherTest, GzipOnlyWhenAcceptedAndWorthIt) {
    auto plain = get("/big");
    EXPECT_FALSE(plain.find_header("Content-Encoding"));
    EXPECT_EQ(plain.find_header("Vary"), "Accept-Encoding");
    auto packed = get("/big", {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(packed.find_header("Content-Encoding"), "gzip");
    EXPECT_EQ(testing::gunzip(packed.body), plain.body);
    EXPECT_FALSE(get("/ok", {{"Accept-Encoding", "gzip"}}).find_header("Content-Encoding"));
}

TEST_F(DispatcherTest, HeadHasNoBody) {
    Request r;
    r.method = "HEAD";
    r.path = "/ok";
    auto response = dispatcher.dispatch(r);
    EXPECT_EQ(response.status, 200);
    EXPECT_TRUE(response.body.empty());
}

TEST_F(DispatcherTest, MetricsCountByRoutePatternAndStatus) {
    get("/ok");
    get("/ok");
    get("/nope");
    const auto text = metrics.render();
    EXPECT_NE(text.find(R"(wardmap_http_requests_total{route="/ok",method="GET",status="200"} 2)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(R"x(route="(unmatched)",method="GET",status="404"} 1)x"),
              std::string::npos);
    EXPECT_NE(
        text.find(R"(wardmap_http_request_duration_seconds_count{route="/ok",method="GET"} 2)"),
        std::string::npos);
}

TEST_F(DispatcherTest, ARouteMayRenderItsOwnErrors) {
    const auto big = post("/own", "123456789", "text/plain");
    EXPECT_EQ(big.status, 413);
    EXPECT_EQ(big.body, "E413");
    EXPECT_EQ(get("/own/boom").body, "E500");
    EXPECT_EQ(get("/own/missing").body, "E404");
    EXPECT_EQ(post("/own", "1234", "text/plain").status, 200);
    // Unmatched paths keep problem+json.
    EXPECT_EQ(get("/own/nothing/here").content_type, "application/problem+json");
}

TEST(DispatcherAccessLog, APrivateTokenInThePathIsNotLogged) {
    std::ostringstream logged;
    auto logger = std::make_shared<spdlog::logger>(
        "access-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(logged));
    logger->set_pattern("%v");
    Router router;
    Metrics metrics;
    Dispatcher dispatcher(router, metrics, logger);
    router.get("/api/track/:token", [](Request&) { return Response::json("{}"); },
               {.access = services::RouteAccess::resident_token()});
    Request r;
    r.method = "GET";
    r.path = "/api/track/Qm9vU2VjcmV0VG9rZW4";
    EXPECT_EQ(dispatcher.dispatch(r).status, 200);
    logger->flush();
    EXPECT_EQ(logged.str().find("Qm9vU2VjcmV0VG9rZW4"), std::string::npos) << logged.str();
    EXPECT_NE(logged.str().find(R"("path":"/api/track/:token")"), std::string::npos)
        << logged.str();
}

} // namespace
} // namespace wardmap::http
