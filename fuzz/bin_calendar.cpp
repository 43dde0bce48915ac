// The bin-collection calendar file `wardmap import bin-calendar` reads, through the whole-file
// reader (which splits entries and parses each with the row parser). It never throws; every
// problem names the file and a line inside the input; every row read has a date that exists.

#include "server/services/streetscene/bin_calendar.hpp"

#include "fuzz/fuzz_support.hpp"

#include <algorithm>

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fuzz::text(data, size);
    const auto lines = 1 + std::count(in.begin(), in.end(), '\n');
    fuzz::expect_only<>([&] {
        const auto parsed = services::parse_bin_calendar(in, "calendar.json");
        for (const auto& p : parsed.problems) {
            fuzz::check(p.file == "calendar.json", "a problem without the file");
            fuzz::check(p.line >= 0 && p.line <= lines, "a problem on a line not in the input");
        }
        for (const auto& r : parsed.rows) {
            fuzz::check(core::parse_iso_date(r.date.iso()).has_value(),
                        "a date that does not exist");
            fuzz::check(r.line >= 1 && r.line <= lines, "a row on a line not in the input");
        }
        // The row parser alone, on the whole input as one entry.
        (void)services::parse_bin_calendar_row(in, 1, "calendar.json");
    });
    return 0;
}
