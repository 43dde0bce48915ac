#include "tests/support/signed_in.hpp"

#include "geo/store/database.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace wardmap::testing {

using nlohmann::json;

Credentials sign_in(std::uint16_t port, const std::string& email, const std::string& password) {
    const auto r = http_request(port, "POST", "/api/session",
                                json{{"email", email}, {"password", password}}.dump(),
                                {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 200) << email << ": " << r.body;
    const auto set_cookie = r.header("set-cookie");
    const auto doc = json::parse(r.body, nullptr, false);
    return {set_cookie.substr(0, set_cookie.find(';')),
            doc.is_object() ? doc.value("csrf_token", "") : ""};
}

HttpResponse get_as(std::uint16_t port, const std::string& target, const Credentials& who) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!who.cookie.empty()) {
        headers.emplace_back("Cookie", who.cookie);
    }
    return http_get(port, target, headers);
}

HttpResponse send_json_as(std::uint16_t port,
                          const std::string& method,
                          const std::string& target,
                          const json& body,
                          const Credentials& who) {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "application/json"}};
    if (!who.cookie.empty()) {
        headers.emplace_back("Cookie", who.cookie);
        headers.emplace_back("X-CSRF-Token", who.csrf_token);
    }
    return http_request(port, method, target, body.dump(), headers);
}

std::int64_t sql_int(const std::filesystem::path& db, const std::string& sql) {
    auto d = store::Database::open(db, {.mode = store::OpenMode::read_only});
    return d.query_int(sql).value_or(-1);
}

std::string sql_text(const std::filesystem::path& db, const std::string& sql) {
    auto d = store::Database::open(db, {.mode = store::OpenMode::read_only});
    return d.query_text(sql).value_or("");
}

std::string field_of(const HttpResponse& r) {
    const auto doc = json::parse(r.body, nullptr, false);
    if (r.status != 400 || !doc.is_object() || !doc.contains("errors") || doc["errors"].empty()) {
        return "(status " + std::to_string(r.status) + ": " + r.body + ")";
    }
    return doc["errors"][0].value("name", "");
}

} // namespace wardmap::testing
