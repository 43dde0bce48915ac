#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wardmap::importers {

/// "pr7 1ab", "PR71AB" -> "PR7 1AB" (outward code, one space, inward code); nullopt when the
/// text is not a UK postcode.
std::optional<std::string> normalise_postcode(std::string_view text);

} // namespace wardmap::importers
