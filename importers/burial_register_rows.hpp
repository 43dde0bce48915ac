#pragma once

// The pure part of `wardmap import burial-register FILE`: one CSV row of a burial register ->
// a checked entry, or the fields that are wrong (docs/burials.md "Importing a register").
// No database, no I/O: the fuzz targets (fuzz/burial_register_row.cpp, fuzz/burial_age.cpp)
// drive these directly.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wardmap::importers {

/// An age as registers write it: years, or months/weeks/days for infants. All empty: unknown.
struct BurialAge {
    std::optional<int> years, months, weeks, days;
    [[nodiscard]] bool known() const { return years || months || weeks || days; }
};

/// "72", "72 years", "72y", "3 months", "6m", "2 weeks 3 days", "1y 2m", "5 days", "10 hours"
/// (under a day: 0 days), "" or "unknown" (unknown). nullopt: it does not parse (or a part is
/// out of range: years 0-130, months 0-23, weeks 0-51, days 0-366, each unit once).
std::optional<BurialAge> parse_burial_age(std::string_view text);

/// YYYY-MM-DD or DD/MM/YYYY (D/M/YYYY too) that exists; nullopt otherwise.
std::optional<std::string> parse_register_date(std::string_view text);

struct RegisterRow {
    std::int64_t register_number = 0;
    std::string cemetery; ///< empty: the import's --cemetery
    std::string grave_number;
    std::string buried_on;                  ///< YYYY-MM-DD
    std::optional<std::string> burial_time; ///< HH:MM
    std::optional<std::string> forenames;
    std::string surname;
    BurialAge age;
    bool stillborn = false;
    std::optional<std::string> parents_names;
    std::optional<std::string> died_on;
    std::optional<std::string> last_address;
    std::optional<std::int64_t> last_address_uprn;
    std::string kind = "coffin"; ///< coffin or cremated_remains
    std::optional<std::string> position, officiating_minister, funeral_director;
};

struct RowProblem {
    std::string field; ///< the register's field name (below)
    std::string reason;
};

/// The fields read, by their canonical names: register_number, cemetery, grave, buried_on,
/// burial_time, forenames, surname, age, stillborn, parents_names, died_on, last_address,
/// uprn, kind, position, minister, funeral_director. Missing keys are empty.
using RegisterFields = std::map<std::string, std::string, std::less<>>;

/// A row, or every problem with it (an unparsable age, a burial before the death, a missing
/// surname or grave, ...). Never throws.
std::optional<RegisterRow> parse_register_row(const RegisterFields& fields,
                                              std::vector<RowProblem>& problems);

/// The canonical names, and for each the column names a council's file may use for it.
struct RegisterColumn {
    const char* name;
    std::vector<std::string> aliases;
    bool required;
};
const std::vector<RegisterColumn>& register_columns();

} // namespace wardmap::importers
