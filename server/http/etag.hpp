#pragma once

#include <string>
#include <string_view>

namespace wardmap::http {

/// A strong entity tag from the body's bytes (FNV-1a and length), quoted.
std::string content_etag(std::string_view body);

/// True when an If-None-Match header value (`*` or a list of possibly weak tags) matches
/// `etag`, compared weakly as RFC 9110 says for If-None-Match.
bool etag_matches(const std::string& if_none_match, const std::string& etag);

} // namespace wardmap::http
