#pragma once

// Finding the ward a non-spatial file means (councillors, and later other per-ward tables):
// by code, else by name, in one boundary set.

#include "geo/store/database.hpp"
#include "importers/import_error.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace wardmap::importers {

/// "Clayton East, Brindle & Hoghton" -> "clayton east brindle and hoghton": case, `&` or
/// "and", punctuation and spacing do not matter when a file names a ward. Bytes of non-ASCII
/// UTF-8 letters are kept as they are.
std::string normalise_ward_name(std::string_view name);

/// The wards of one boundary set (--set LABEL, else the set in force today), read once. Plain
/// value; not tied to the connection after construction.
class WardMatcher {
  public:
    /// Throws ImportError at `place` when the set does not exist or no set is in force today.
    WardMatcher(store::Database& db, const std::string& set_label, const SourcePlace& place);

    [[nodiscard]] std::int64_t set_id() const { return m_set_id; }
    [[nodiscard]] const std::string& set_label() const { return m_set_label; }
    [[nodiscard]] std::size_t size() const { return m_names.size(); }
    /// The ward's code for its code (any case); nullopt when the set has no such code.
    [[nodiscard]] std::optional<std::string> by_code(std::string_view code) const;
    /// The ward's code for its name (normalise_ward_name); nullopt when no ward has it.
    [[nodiscard]] std::optional<std::string> by_name(std::string_view name) const;
    /// by_code, else by_name.
    [[nodiscard]] std::optional<std::string> find(std::string_view code_or_name) const;
    /// The ward's name as stored.
    [[nodiscard]] const std::string& name(const std::string& code) const;

  private:
    std::int64_t m_set_id = 0;
    std::string m_set_label;
    std::map<std::string, std::string> m_names;      // upper-case code -> name
    std::map<std::string, std::string> m_codes;      // upper-case code -> code as stored
    std::map<std::string, std::string> m_normalised; // normalised name -> code
};

} // namespace wardmap::importers
