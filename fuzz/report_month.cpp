// MyWard's report month (`?month=YYYY-MM` of /api/myward/{ward}/report and .pdf, `wardmap
// myward send-summaries --month`). Besides not crashing: a month that parses is 01..12 of a
// four-digit year from 1900, writes back as the same text, and its first and last days are
// real dates of that month.

#include "core/dates.hpp"
#include "fuzz/fuzz_support.hpp"

#include "server/services/myward/myward_report.hpp"

#include <cstdlib>

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fuzz::text(data, size);
    const auto m = services::parse_report_month(in);
    if (!m) {
        return 0;
    }
    if (m->month < 1 || m->month > 12 || m->year < 1900 || m->year > 9999 || m->iso() != in) {
        std::abort();
    }
    const auto first = core::parse_iso_date(m->first().iso());
    const auto last = core::parse_iso_date(m->last().iso());
    if (!first || !last || last->month != m->month || last->day < 28 ||
        core::parse_iso_date(core::Date{m->year, m->month, last->day + 1}.iso())) {
        std::abort();
    }
    (void)m->title();
    return 0;
}
