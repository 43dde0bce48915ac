#pragma once

// My Account for residents (docs/http-api.md "My Account"): sign-in by an emailed one-time
// link, the account's overview, its saved address, sign-out and erasure. The resident session
// is the `wardmap_account` cookie, resolved here and nowhere else.

#include "server/http/access/cookies.hpp"
#include "server/http/router.hpp"
#include "server/services/myarea/resident_accounts.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace wardmap::http {

/// The resident session cookie (HttpOnly, SameSite=Lax, Path=/api/account).
inline constexpr const char* account_cookie = "wardmap_account";

/// PUT /api/account/address's body: {"uprn": 100023336956} (an integer or a string of digits),
/// or {"uprn": null} to forget the address. DomainError malformed_body / invalid_parameter.
std::optional<std::int64_t> parse_account_address(std::string_view body);

void add_account_routes(Router& router,
                        services::ResidentAccounts& accounts,
                        CookieSettings cookies);

} // namespace wardmap::http
