#pragma once

// The pure part of `wardmap import empty-properties FILE`: one row of a council's list of
// empty homes -> a checked entry, or every field that is wrong (docs/housing.md, "Importing
// the register"). No database, no I/O: fuzz/empty_property_row.cpp drives it directly.

#include "importers/burial_register_rows.hpp" // RowProblem

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wardmap::importers {

struct EmptyPropertyRow {
    std::int64_t uprn = 0;
    std::string source;      ///< council_tax, complaint or survey
    std::string empty_since; ///< YYYY-MM-DD, not after the import's day
    bool furnished = false;
    std::optional<std::string> status; ///< monitoring, engaged, enforcement, back_in_use
    std::string risk;                  ///< low, medium or high
    std::optional<std::string> notes;
    /// The owner's contact details: personal data, kept in empty_property_owners only.
    std::optional<std::string> owner_name, owner_address, owner_phone, owner_email;
    [[nodiscard]] bool has_owner() const {
        return owner_name || owner_address || owner_phone || owner_email;
    }
};

/// The fields read, by their canonical names (empty_property_columns()). Missing keys are
/// empty.
using EmptyPropertyFields = std::map<std::string, std::string, std::less<>>;

/// A row, or every problem with it (a UPRN that is not a number, an unknown source, status or
/// risk, a date that does not exist or is after `today` (YYYY-MM-DD), furnished not yes/no, an
/// e-mail address without '@', a value too long). Never throws. Words are read in any case,
/// with spaces or hyphens for underscores ("Council Tax", "back-in-use").
std::optional<EmptyPropertyRow> parse_empty_property_row(const EmptyPropertyFields& fields,
                                                         std::string_view today,
                                                         std::vector<RowProblem>& problems);

/// The canonical names, and for each the column names a council's file may use for it.
struct EmptyPropertyColumn {
    const char* name;
    std::vector<std::string> aliases;
    bool required;
};
const std::vector<EmptyPropertyColumn>& empty_property_columns();

} // namespace wardmap::importers
