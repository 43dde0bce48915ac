#pragma once

#include <cstddef>
#include <string_view>

namespace wardmap::geo {

/// Length of the well-formed UTF-8 sequence starting at s[i] (1 for ASCII), or 0 when the
/// bytes there are not valid UTF-8 (overlong forms, surrogates and code points past
/// U+10FFFF included).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

/// True when all of `s` is well-formed UTF-8.
bool is_valid_utf8(std::string_view s);

} // namespace wardmap::geo
