// The body of POST /api/burials/bookings read by services::parse_booking_body. Besides not
// crashing: a refusal is only ever DomainError; an accepted booking names exactly one of an
// existing grave and a new one, a slot time HH:MM and dates that parse, the death not after
// the burial.

#include "core/dates.hpp"
#include "fuzz/fuzz_support.hpp"

#include "server/services/burials/booking_service.hpp"
#include "server/services/shared/errors.hpp"

#include <cstdlib>
#include <optional>

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::optional<services::NewBooking> read;
    fuzz::expect_only<services::DomainError>(
        [&] { read = services::parse_booking_body(fuzz::text(data, size)); });
    if (!read) {
        return 0;
    }
    if (read->grave_number.has_value() == read->new_section_id.has_value() ||
        read->time.size() != 5 || !core::parse_iso_date(read->date) ||
        !core::parse_iso_date(read->died_on) || read->died_on > read->date ||
        read->surname.empty() || read->cemetery_id < 1) {
        std::abort();
    }
    return 0;
}
