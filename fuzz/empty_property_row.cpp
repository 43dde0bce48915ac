// One row of an empty-properties file as `wardmap import empty-properties` reads it: the input
// is split on '\x1f' into the fields in empty_property_columns() order. Besides not crashing:
// an accepted row has a UPRN in range, a known source and risk, a date that exists and is not
// after the import's day, a known status if any and an owner e-mail with an '@'; a refused row
// names at least one field, and only fields the kind has.

#include "core/dates.hpp"
#include "fuzz/fuzz_support.hpp"

#include "importers/empty_property_rows.hpp"

#include <algorithm>

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fuzz::text(data, size);
    const auto& columns = importers::empty_property_columns();
    importers::EmptyPropertyFields fields;
    std::size_t at = 0;
    for (const auto& c : columns) {
        if (at > in.size()) {
            break;
        }
        const auto end = std::min(in.find('\x1f', at), in.size());
        fields.emplace(c.name, std::string(in.substr(at, end - at)));
        at = end + 1;
    }
    constexpr std::string_view today = "2026-12-07";
    std::vector<importers::RowProblem> problems;
    const auto row = importers::parse_empty_property_row(fields, today, problems);
    if (row) {
        fuzz::check(problems.empty(), "an accepted row with problems");
        fuzz::check(row->uprn >= 1 && row->uprn <= 999'999'999'999, "a UPRN out of range");
        fuzz::check(row->source == "council_tax" || row->source == "complaint" ||
                        row->source == "survey",
                    "an unknown source");
        fuzz::check(row->risk == "low" || row->risk == "medium" || row->risk == "high",
                    "an unknown risk");
        fuzz::check(core::parse_iso_date(row->empty_since).has_value() && row->empty_since <= today,
                    "a bad empty_since");
        fuzz::check(!row->status || *row->status == "monitoring" || *row->status == "engaged" ||
                        *row->status == "enforcement" || *row->status == "back_in_use",
                    "an unknown status");
        fuzz::check(!row->owner_email || row->owner_email->find('@') != std::string::npos,
                    "an owner e-mail without '@'");
        fuzz::check(!row->notes || row->notes->size() <= 2000, "notes too long");
    } else {
        fuzz::check(!problems.empty(), "a refused row with no problem named");
        for (const auto& p : problems) {
            fuzz::check(std::any_of(columns.begin(), columns.end(),
                                    [&](const auto& c) { return p.field == c.name; }),
                        "a problem in a field the kind does not have");
        }
    }
    return 0;
}
