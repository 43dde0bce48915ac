// One row of a burial register CSV as `wardmap import burial-register` reads it: the input is
// split on '\x1f' into the register's fields in register_columns() order. Besides not
// crashing: an accepted row has a register number, grave, surname and burial date, is not
// buried before the death, and a stillborn child has no age; a refused row names at least one
// field, and only fields the register has.

#include "core/dates.hpp"
#include "fuzz/fuzz_support.hpp"

#include "importers/burial_register_rows.hpp"

#include <algorithm>

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fuzz::text(data, size);
    const auto& columns = importers::register_columns();
    importers::RegisterFields fields;
    std::size_t at = 0;
    for (const auto& c : columns) {
        if (at > in.size()) {
            break;
        }
        const auto end = std::min(in.find('\x1f', at), in.size());
        fields.emplace(c.name, std::string(in.substr(at, end - at)));
        at = end + 1;
    }
    std::vector<importers::RowProblem> problems;
    const auto row = importers::parse_register_row(fields, problems);
    if (row) {
        fuzz::check(problems.empty(), "an accepted row with problems");
        fuzz::check(row->register_number > 0, "no register number");
        fuzz::check(!row->grave_number.empty() && !row->surname.empty(), "no grave or surname");
        fuzz::check(core::parse_iso_date(row->buried_on).has_value(), "no burial date");
        fuzz::check(!row->died_on || *row->died_on <= row->buried_on, "buried before death");
        fuzz::check(!row->stillborn || !row->age.known(), "a stillborn child with an age");
        fuzz::check(row->kind == "coffin" || row->kind == "cremated_remains", "an unknown kind");
    } else {
        fuzz::check(!problems.empty(), "a refused row with no problem named");
        for (const auto& p : problems) {
            fuzz::check(std::any_of(columns.begin(), columns.end(),
                                    [&](const auto& c) { return p.field == c.name; }),
                        "a problem in a field the register does not have");
        }
    }
    return 0;
}
