#pragma once

#include "server/http/router.hpp"
#include "server/services/access/oidc.hpp"

#include <string>

namespace wardmap::http {

/// Where refused sign-ins are sent: the staff sign-in page, with ?error=CODE.
inline constexpr const char* staff_sign_in_page = "/staff/sign-in.html";

/// The value of a cookie named `name` in a Cookie request header, if present.
std::optional<std::string> cookie_value(const Request& request, std::string_view name);

/// `return_to` when it is a same-origin relative path ("/...", not "//..." nor "/\..."),
/// nullopt otherwise.
std::optional<std::string> same_origin_path(const std::string& return_to);

/// GET /auth/oidc/start and GET /auth/oidc/callback (docs/sign-in.md).
void add_oidc_routes(Router& router, services::OidcClient& oidc, services::OidcAccounts& accounts);

} // namespace wardmap::http
