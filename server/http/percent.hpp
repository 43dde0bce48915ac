#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wardmap::http {

/// Percent-decodes a URL component (Pistache 0.0.5 does not: pistacheio/pistache#1179).
/// With `plus_is_space` ('+' in a query), '+' decodes to a space. Returns nullopt for a
/// malformed escape or a result that is not valid UTF-8 or holds a NUL byte.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);

/// Percent-encodes everything but RFC 3986 unreserved characters (for building links).
std::string percent_encode(std::string_view in);

} // namespace wardmap::http
