// The age column of a burial register ("72", "3 months", "2 weeks 3 days", "1y 2m", ...) and
// its dates (YYYY-MM-DD, DD/MM/YYYY). Besides not crashing: an accepted age has every part in
// its range; an accepted date is a real day that reads back as itself.

#include "core/dates.hpp"
#include "fuzz/fuzz_support.hpp"

#include "importers/burial_register_rows.hpp"

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fuzz::text(data, size);
    if (const auto age = importers::parse_burial_age(in)) {
        fuzz::check(!age->years || (*age->years >= 0 && *age->years <= 130), "years out of range");
        fuzz::check(!age->months || (*age->months >= 0 && *age->months <= 23),
                    "months out of range");
        fuzz::check(!age->weeks || (*age->weeks >= 0 && *age->weeks <= 51), "weeks out of range");
        fuzz::check(!age->days || (*age->days >= 0 && *age->days <= 366), "days out of range");
    }
    if (const auto date = importers::parse_register_date(in)) {
        fuzz::check(core::parse_iso_date(*date).has_value(), "a date that is not a real day");
        fuzz::check(importers::parse_register_date(*date) == date,
                    "a date that does not read back");
    }
    return 0;
}
