#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wardmap::geo {

/// "pr7 1ab", "PR71AB" -> "PR7 1AB" (outward code, one space, inward code); nullopt when the
/// text is not a UK postcode.
std::optional<std::string> normalise_postcode(std::string_view text);

/// True for a postcode's outward code alone ("PR7", "SW1A").
bool is_outward_code(std::string_view text);

} // namespace wardmap::geo
