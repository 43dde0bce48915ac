#pragma once

#include "server/http/access/cookies.hpp"
#include "server/http/router.hpp"
#include "server/services/access/oidc.hpp"

#include <string>

namespace wardmap::http {

/// Where refused sign-ins are sent: the staff sign-in page, with ?error=CODE.
inline constexpr const char* staff_sign_in_page = "/staff/sign-in.html";

/// `return_to` when it is a same-origin relative path ("/...", not "//..." nor "/\..."),
/// nullopt otherwise.
std::optional<std::string> same_origin_path(const std::string& return_to);

/// GET /auth/oidc/start and GET /auth/oidc/callback (docs/sign-in.md), both public. Their
/// cookies are Secure as `cookies` says, and always when the redirect URL is https.
void add_oidc_routes(Router& router,
                     services::OidcClient& oidc,
                     services::OidcAccounts& accounts,
                     CookieSettings cookies);

} // namespace wardmap::http
