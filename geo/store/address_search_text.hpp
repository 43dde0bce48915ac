#pragma once

// What the `address_search` FTS5 table holds, in one place: the importers write its rows and the
// address search builds its queries with the same normalisation, so the two always agree.

#include <string>
#include <string_view>
#include <vector>

namespace wardmap::store {

/// Lower-cased words of an address or a query: apostrophes dropped ("St. Mary's" -> "st marys"),
/// every other ASCII punctuation mark a space, runs of spaces collapsed. Non-ASCII letters are
/// kept (FTS5's unicode61 tokenizer folds their case and accents).
std::string search_words(std::string_view text);

/// Tokens of a query after search_words().
std::vector<std::string> search_tokens(std::string_view query);

/// The postcode column for a normalised postcode: "PR7 1AB" -> "pr7 1ab pr71ab", so a postcode
/// matches typed with or without its space.
std::string postcode_terms(std::string_view postcode);

/// Adds the index's words longer than three letters to `address_terms` (after a load).
void refresh_address_terms(class Database& db);

} // namespace wardmap::store
