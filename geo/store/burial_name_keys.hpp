#pragma once

// How names in the burial register become search keys (docs/burials.md "Public grave
// search"): the register's names are indexed with the same functions a query is read with, so
// the two always agree. A name's spelling is its letters, lower case, accents folded
// ("O'Brien" -> "obrien"); its sound key is a consonant skeleton in the manner of Lawrence
// Philips' Metaphone with rules for British surnames (Mac/Mc, Saint/St; see sound_key()).
// Exact spellings rank before sound-alikes. The keys live in interment_names and
// interment_name_keys (0021; since 0026 each key row also carries what the search filters and
// orders by); every path that writes interments indexes them
// (index_interment_names), and index_missing_interment_names() catches up any left out.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wardmap::store {

class Database;

/// Words of a name after search_words() (accents folded, apostrophes dropped, other
/// punctuation a space), each cut to its letters a-z, empty ones dropped: "O'Brien" ->
/// "obrien", "Smith-Jones" -> "smith", "jones".
std::vector<std::string> name_words(std::string_view name);

/// The sound key of one spelling (name_spelling()'s output): e.g. "smith", "smyth",
/// "smithe" -> "SMT"; "thompson", "thomson", "tomson" -> "TMSN"; "ainscough", "ainscow",
/// "ainscoe" -> "ANSK"; "mcdonald" -> "MKTNLT". Empty for an empty spelling.
std::string sound_key(std::string_view spelling);

/// The keys a surname is indexed under: the sound key of its words joined ("de la Cruz" ->
/// "delacruz"; a word "saint" counts as "st"), and for a surname of several words also each word of
/// three letters or more
/// ("Smith-Jones": "SMTJNS", "SMT", "JNS"). Sorted, unique.
std::vector<std::string> surname_keys(std::string_view surname);

/// The whole surname's spelling: its words joined ("Smith-Jones" -> "smithjones").
std::string surname_spelling(std::string_view surname);

/// A parsed public search name: "Smith", "John Smith", "Mary Ann Smith", "Smith, John".
struct NameQuery {
    std::string surname;                ///< surname_spelling()
    std::vector<std::string> keys;      ///< surname_keys() of the surname
    std::vector<std::string> forenames; ///< spellings, in order
    std::vector<std::string> forename_keys;
};

/// Reads a search name; nullopt when it has no surname of two letters or more (the caller
/// answers 400). Without a comma the last word is the surname; with one, what comes before
/// the first comma is the surname and what follows are forenames. At most 4 forenames
/// are used, each of 64 letters at most.
std::optional<NameQuery> parse_name_query(std::string_view text);

/// Writes (or rewrites) the name keys of one interment, in the caller's transaction.
void index_interment_name(Database& db,
                          std::int64_t interment_id,
                          const std::optional<std::string>& forenames,
                          std::string_view surname);

/// Indexes every interment that has no row in interment_names yet, in the caller's
/// transaction (or none: then in one of its own). Returns how many it indexed. A scan of
/// interments by id: for imports, the demo and the server's start.
std::int64_t index_missing_interment_names(Database& db);

} // namespace wardmap::store
