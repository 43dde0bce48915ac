#pragma once

// The one place cookies are read and written: the session cookie every sign-in way sets
// (password, OpenID Connect, emailed link) and the OIDC browser-binding cookie.

#include "server/http/router.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace wardmap::http {

/// Cookies are marked Secure when the request came over TLS: always with `secure`, or when a
/// trusted proxy says X-Forwarded-Proto: https.
struct CookieSettings {
    bool secure = false;
    bool trust_proxy = false;
};

/// The session cookie: HttpOnly, SameSite=Lax, Path=/.
inline constexpr const char* session_cookie = "wardmap_session";

/// The value of the cookie named exactly `name` in the request's Cookie header, if present.
std::optional<std::string> cookie_value(const Request& request, std::string_view name);

/// Whether cookies set in answer to `request` get the Secure attribute.
bool over_tls(const Request& request, const CookieSettings& settings);

/// A Set-Cookie value: "NAME=VALUE; Path=PATH; Max-Age=N; HttpOnly; SameSite=Lax[; Secure]".
/// Max-Age 0 with an empty value deletes the cookie.
std::string set_cookie(const Request& request,
                       const CookieSettings& settings,
                       std::string_view name,
                       std::string_view value,
                       std::string_view path,
                       std::chrono::seconds max_age);

} // namespace wardmap::http
