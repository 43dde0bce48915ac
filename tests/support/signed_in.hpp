#pragma once

// A person signed in to the real server with a password, and requests made as them: what the
// integration suites of the staff routes share.

#include "tests/support/http_client.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

namespace wardmap::testing {

/// A session cookie ("wardmap_session=...") and its CSRF token; empty for the public.
struct Credentials {
    std::string cookie;
    std::string csrf_token;
};

/// POST /api/session with the password; records a test failure unless it answers 200.
Credentials sign_in(std::uint16_t port, const std::string& email, const std::string& password);

/// A GET as `who` (the public when empty).
HttpResponse get_as(std::uint16_t port, const std::string& target, const Credentials& who = {});

/// A JSON body sent as `who` with its CSRF token (the public when empty).
HttpResponse send_json_as(std::uint16_t port,
                          const std::string& method,
                          const std::string& target,
                          const nlohmann::json& body,
                          const Credentials& who);

/// One value read from the store at `db` (read only): -1 or "" when there is no row.
std::int64_t sql_int(const std::filesystem::path& db, const std::string& sql);
std::string sql_text(const std::filesystem::path& db, const std::string& sql);

/// The field a 400 problem names (its first error), or the status and body when it is not one.
std::string field_of(const HttpResponse& r);

} // namespace wardmap::testing
