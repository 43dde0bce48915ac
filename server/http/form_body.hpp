#pragma once

#include "server/http/message.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wardmap::http {

/// The name=value pairs of an application/x-www-form-urlencoded body, in order, repeats
/// kept, names and values percent-decoded with '+' as a space. DomainError invalid_parameter
/// naming the field for a bad escape, a NUL byte or text that is not UTF-8.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view body);

/// The form of a POST: DomainError unsupported_media_type unless the Content-Type is
/// application/x-www-form-urlencoded (or absent with an empty body).
std::vector<std::pair<std::string, std::string>> parse_form_body(const Request& request);

} // namespace wardmap::http
