#pragma once

// The LLPG's keys, shared by every importer and the DTF writer: a UPRN has at most 12 digits,
// a USRN at most 8, both from 1.

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace wardmap::importers {

inline constexpr std::int64_t max_uprn = 999'999'999'999;
inline constexpr std::int64_t max_usrn = 99'999'999;

/// A whole number in [1, max]; nullopt for anything else (signs, decimals, 0, too long).
inline std::optional<std::int64_t> parse_key(std::string_view text, std::int64_t max) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || text.front() == '-' || ec != std::errc() ||
        end != text.data() + text.size() || v < 1 || v > max) {
        return std::nullopt;
    }
    return v;
}

} // namespace wardmap::importers
