#pragma once

// How addresses and queries become search words, in one place: the address search index is
// built from the stored addresses and queried with the same normalisation, so the two always
// agree (geo/store/generations tells a running server its index is out of date).

#include <string>
#include <string_view>
#include <vector>

namespace wardmap::store {

/// Lower-cased words of an address or a query: apostrophes dropped ("St. Mary's" -> "st marys"),
/// every other ASCII punctuation mark a space, runs of spaces collapsed. Accented Latin letters
/// (U+00C0..U+017F) become their base letter; other non-ASCII characters are kept.
std::string search_words(std::string_view text);

/// Tokens of a query after search_words().
std::vector<std::string> search_tokens(std::string_view query);

/// The postcode column for a normalised postcode: "PR7 1AB" -> "pr7 1ab pr71ab", so a postcode
/// matches typed with or without its space.
std::string postcode_terms(std::string_view postcode);

} // namespace wardmap::store
