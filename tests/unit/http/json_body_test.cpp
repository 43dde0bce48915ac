// parse_json_body, with the inputs fuzz/json_body.cpp found: every malformed body is a 400
// DomainError, never a library exception the dispatcher would answer with a 500.

#include "server/http/json_body.hpp"
#include "server/services/shared/errors.hpp"

#include <gtest/gtest.h>

namespace wardmap::http {
namespace {

Request json_request(std::string body) {
    Request r;
    r.method = "POST";
    r.headers.emplace("Content-Type", "application/json");
    r.body = std::move(body);
    return r;
}

services::ErrorCode refusal(const Request& r) {
    try {
        (void)parse_json_body(r);
    } catch (const services::DomainError& e) {
        return e.code();
    }
    ADD_FAILURE() << "accepted: " << r.body;
    return services::ErrorCode::internal;
}

TEST(JsonBody, ParsesAJsonObject) {
    EXPECT_EQ(parse_json_body(json_request(R"({"text":"hi","reopen":true})"))["text"], "hi");
}

TEST(JsonBody, RefusesSyntaxErrorsAsMalformed) {
    EXPECT_EQ(refusal(json_request(R"({"a":)")), services::ErrorCode::malformed_body);
}

// Found by fuzz/json_body.cpp: nlohmann throws out_of_range (not parse_error) for a number
// beyond a double's range, which escaped as a 500.
TEST(JsonBody, RefusesANumberTooLargeForADoubleAsMalformed) {
    EXPECT_EQ(refusal(json_request("1e616")), services::ErrorCode::malformed_body);
    EXPECT_EQ(refusal(json_request(R"({"text":2e308})")), services::ErrorCode::malformed_body);
}

TEST(JsonBody, RefusesOtherMediaTypes) {
    Request r = json_request("{}");
    r.headers.insert_or_assign("Content-Type", "text/plain");
    EXPECT_EQ(refusal(r), services::ErrorCode::unsupported_media_type);
}

} // namespace
} // namespace wardmap::http
