#pragma once

#include "server/http/access/cookies.hpp"
#include "server/http/dispatcher.hpp"
#include "server/http/router.hpp"
#include "server/services/access/sign_in.hpp"

namespace wardmap::http {

/// Resolves each request's X-Api-Key header (or api_key in the query or a form body) or
/// session cookie into request.principal, for the Dispatcher.
Dispatcher::PrincipalResolver principal_resolver(const services::Authenticator& authenticator);

/// The answer to a sign-in that opened a session (a password or an emailed link): 200 with
/// {person, csrf_token, expires_at}, Cache-Control no-store, and the session cookie.
Response signed_in_response(const Request& request,
                            const CookieSettings& cookies,
                            const services::SignedIn& done,
                            std::chrono::seconds max_age);

/// POST /api/session (sign in with email and password), DELETE /api/session (sign out),
/// GET /api/me (who, roles, CSRF token).
void add_access_routes(Router& router,
                       const services::AccountService& accounts,
                       const services::SessionService& sessions,
                       services::PasswordSignIn& sign_in,
                       CookieSettings cookies);

/// GET /api/session/methods (public): which ways of signing in this server offers, for the
/// staff sign-in page: `{"password": true, "oidc": bool, "link": bool}`. OIDC and emailed
/// links count as offered when their routes (GET /auth/oidc/start, POST /api/session/link)
/// are registered on `router`, so the answer follows the server's configuration by itself.
void add_sign_in_methods_route(Router& router);

} // namespace wardmap::http
