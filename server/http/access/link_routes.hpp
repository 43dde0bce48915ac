#pragma once

#include "server/http/access/cookies.hpp"
#include "server/http/router.hpp"
#include "server/services/access/sign_in_links.hpp"

namespace wardmap::http {

/// POST /api/session/link (email a one-time sign-in link; 202 whether or not the address has
/// an account) and POST /api/session/link/redeem (the link's token for a session), both
/// public (docs/sign-in.md).
void add_sign_in_link_routes(Router& router,
                             services::SignInLinkService& links,
                             const services::SessionService& sessions,
                             CookieSettings cookies);

} // namespace wardmap::http
