#include "geo/postcode.hpp"

#include <cctype>

namespace wardmap::geo {

namespace {

bool is_alpha(char c) {
    return c >= 'A' && c <= 'Z';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/// Area (1-2 letters), district digit, optional digit or letter: "PR7", "PR25", "SW1A", "M1".
bool valid_outward(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && i < 2 && is_alpha(s[i])) {
        ++i;
    }
    if (i == 0 || i >= s.size() || !is_digit(s[i])) {
        return false;
    }
    ++i;
    if (i < s.size() && (is_digit(s[i]) || is_alpha(s[i]))) {
        ++i;
    }
    return i == s.size();
}

std::string compact_upper(std::string_view text) {
    std::string compact;
    compact.reserve(text.size());
    for (const char c : text) {
        if (!std::isspace(static_cast<unsigned char>(c))) {
            compact += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
    }
    return compact;
}

} // namespace

std::optional<std::string> normalise_postcode(std::string_view text) {
    const std::string compact = compact_upper(text);
    // Inward code: a digit and two letters.
    if (compact.size() < 5 || compact.size() > 7) {
        return std::nullopt;
    }
    const std::string_view inward = std::string_view(compact).substr(compact.size() - 3);
    if (!is_digit(inward[0]) || !is_alpha(inward[1]) || !is_alpha(inward[2]) ||
        !valid_outward(std::string_view(compact).substr(0, compact.size() - 3))) {
        return std::nullopt;
    }
    return compact.substr(0, compact.size() - 3) + " " + std::string(inward);
}

bool is_outward_code(std::string_view text) {
    return valid_outward(compact_upper(text));
}

} // namespace wardmap::geo
