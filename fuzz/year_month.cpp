// parse_year_month (the performance page's from/to, docs/http-api.md `/api/performance`): never
// a crash; what parses is a real month that writes back as the same text, agrees with the ISO
// date parser on its first day, and whose index round-trips.

#include "core/dates.hpp"
#include "fuzz/fuzz_support.hpp"

#include <string>

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fuzz::text(data, size);
    const auto m = core::parse_year_month(in);
    if (!m) {
        return 0;
    }
    fuzz::check(m->month >= 1 && m->month <= 12, "a month out of 1..12");
    fuzz::check(m->year >= 0 && m->year <= 9999, "a year without four digits");
    fuzz::check(m->iso() == in, "the month does not write back as its text");
    fuzz::check(core::parse_iso_date(std::string(in) + "-01").has_value(),
                "the first day is not a date");
    fuzz::check(core::parse_iso_date(m->last_day().iso()).has_value(),
                "the last day is not a date");
    const auto again = core::YearMonth::from_index(m->index());
    fuzz::check(again.year == m->year && again.month == m->month, "the index does not round-trip");
    return 0;
}
