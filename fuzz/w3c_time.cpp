// The date and time texts clients send: W3C-DTF (Open311 start_date/end_date, stored times),
// RFC 3339 (CQL2 TIMESTAMP, OGC datetime), ISO dates, and the OGC `datetime` parameter's
// instants and intervals. Besides not crashing: the fast reader of stored times agrees with
// the general parser, and every time that parses writes back as text that reads the same.

#include "core/w3c_time.hpp"

#include "core/dates.hpp"
#include "fuzz/fuzz_support.hpp"

#include "server/services/features/cql2.hpp"
#include "server/services/features/feature_service.hpp"
#include "server/services/shared/errors.hpp"

using namespace wardmap;

namespace {

/// Years 0000 to 9999, the ones the text forms have four digits for. A zone offset or a leap
/// second can carry an edge instant (9999-12-31T23:59:60Z, 0000-01-01T00:00-01:00) just
/// outside; format_utc still writes those, as a year the parsers do not read back.
bool four_digit_year(core::UnixSeconds t) {
    return t >= -62'167'219'200 && t < 253'402'300'800;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fuzz::text(data, size);
    const auto w3c = core::parse_w3c_datetime(in);
    fuzz::check(core::parse_stored_utc(in) == w3c, "parse_stored_utc and parse_w3c disagree");
    if (w3c && four_digit_year(*w3c)) {
        fuzz::check(core::parse_w3c_datetime(core::format_utc(*w3c)) == w3c,
                    "format_utc does not read back");
        fuzz::check(core::parse_w3c_datetime(core::format_w3c_uk(*w3c)) == w3c,
                    "format_w3c_uk does not read back");
        (void)core::uk_date(*w3c);
        const int seconds = core::uk_seconds_of_day(*w3c);
        fuzz::check(seconds >= 0 && seconds < 86400, "a time of day out of range");
    }
    if (const auto rfc = core::parse_rfc3339(in); rfc && four_digit_year(*rfc)) {
        fuzz::check(core::parse_rfc3339(core::format_utc(*rfc)) == rfc,
                    "an RFC 3339 time does not read back");
    }
    if (const auto date = core::parse_iso_date(in)) {
        fuzz::check(core::parse_iso_date(date->iso()).has_value(), "a date does not read back");
    }
    if (const auto normal = services::normalize_timestamp(in);
        normal && normal->size() == 20 && normal->front() != '-') {
        fuzz::check(core::parse_rfc3339(*normal).has_value(),
                    "a normalised timestamp is not RFC 3339");
    }
    fuzz::expect_only<services::DomainError>(
        [&] { (void)services::parse_datetime(std::string(in)); });
    return 0;
}
