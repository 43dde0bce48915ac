// One row of a planning register as `wardmap import planning` reads it: the first byte picks
// the format (even: national, odd: PlanIt), the rest is split on '\x1f' into the fields in
// planning_columns() order. Besides not crashing: an accepted row has a reference, a received
// date that exists, a status the store knows (a decision only of the known ones), no decision
// or validation before it was received, and lon/lat in range; a refused row names at least one
// field, and only canonical fields.

#include "core/dates.hpp"
#include "fuzz/fuzz_support.hpp"

#include "importers/planning_rows.hpp"

#include <algorithm>

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const auto format =
        data[0] % 2 == 0 ? importers::PlanningFormat::national : importers::PlanningFormat::planit;
    const auto in = fuzz::text(data + 1, size - 1);
    const auto& columns = importers::planning_columns();
    importers::PlanningFields fields;
    std::size_t at = 0;
    for (const auto& c : columns) {
        if (at > in.size()) {
            break;
        }
        const auto end = std::min(in.find('\x1f', at), in.size());
        fields.emplace(c.name, std::string(in.substr(at, end - at)));
        at = end + 1;
    }
    std::vector<importers::PlanningProblem> problems;
    const auto row = importers::parse_planning_row(fields, format, problems);
    if (row) {
        const auto& o = row->outcome;
        fuzz::check(problems.empty(), "an accepted row with problems");
        fuzz::check(!row->reference.empty(), "no reference");
        fuzz::check(core::parse_iso_date(row->received_date).has_value(), "no received date");
        fuzz::check(o.status == "pending" || o.status == "decided" || o.status == "withdrawn" ||
                        o.status == "appeal",
                    "an unknown status");
        fuzz::check(!o.decision || *o.decision == "approved" || *o.decision == "refused" ||
                        *o.decision == "split" || *o.decision == "not_required",
                    "an unknown decision");
        fuzz::check(!(o.status == "pending" && o.decision), "pending with a decision");
        fuzz::check(!row->decided_date || *row->decided_date >= row->received_date,
                    "decided before received");
        fuzz::check(!row->validated_date || *row->validated_date >= row->received_date,
                    "validated before received");
        fuzz::check(!row->lat || (*row->lat >= -90 && *row->lat <= 90), "latitude out of range");
        fuzz::check(!row->lon || (*row->lon >= -180 && *row->lon <= 180), "longitude out of range");
    } else {
        fuzz::check(!problems.empty(), "a refused row with no problem named");
        for (const auto& p : problems) {
            fuzz::check(std::any_of(columns.begin(), columns.end(),
                                    [&](const auto& c) { return p.field == c.name; }),
                        "a problem in a field that is not canonical");
        }
    }
    return 0;
}
