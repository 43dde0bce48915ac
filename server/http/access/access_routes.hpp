#pragma once

#include "server/http/dispatcher.hpp"
#include "server/http/router.hpp"
#include "server/services/access/sign_in.hpp"

namespace wardmap::http {

/// The session cookie: `wardmap_session`, HttpOnly, SameSite=Lax, Path=/, and Secure when the
/// request came over TLS (`secure`, or X-Forwarded-Proto https from a trusted proxy).
struct CookieSettings {
    bool secure = false;
    bool trust_proxy = false;
};
inline constexpr const char* session_cookie = "wardmap_session";

/// Resolves each request's X-Api-Key header (or api_key in the query or a form body) or
/// session cookie into request.principal, for the Dispatcher.
Dispatcher::PrincipalResolver principal_resolver(const services::Authenticator& authenticator);

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
