#pragma once

// Bookings of burials (issue #15 "Bookings"; docs/burials.md "Bookings"; schema
// data/schema/0022_burial_bookings.sql): a funeral director asks for a slot at a cemetery for
// an existing grave (number and deed) or a new one, uploads the documents, and may withdraw;
// the bereavement team confirms (documents checked, the grave held, a grave-digging visit put
// on the grounds crew's day) or refuses; entering the interment completes it. A booking's
// status is the latest row of its append-only log. A funeral director sees only their own
// firm's bookings (another firm's answer 404). Thread-safe.

#include "core/dates.hpp"

#include "geo/store/connection_pool.hpp"
#include "server/services/access/access.hpp"
#include "server/services/burials/burial_service.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wardmap::services {

/// POST /api/burials/bookings's body, read strictly (booking_body.cpp; fuzzed:
/// fuzz/booking_body.cpp).
struct NewBooking {
    std::int64_t cemetery_id = 0;
    std::string date;                ///< YYYY-MM-DD
    std::string time;                ///< HH:MM
    std::optional<std::string> firm; ///< staff booking for a firm; a funeral director's own
    std::optional<std::string> forenames;
    std::string surname;
    std::string died_on;
    std::optional<int> age_years;
    std::string interment_kind = "coffin";      ///< coffin, cremated_remains
    std::optional<std::string> grave_number;    ///< an existing grave
    std::optional<std::string> deed_number;     ///< its deed (private graves)
    std::optional<std::int64_t> new_section_id; ///< a new grave: the section wanted
    std::optional<std::string> new_grave_type;  ///< and its type
    std::optional<std::string> notes;
};
/// DomainError malformed_body for text that is not a JSON object, invalid_parameter naming
/// the field for a missing, mistyped or unknown member, a date or time that does not parse,
/// both or neither of an existing grave and a new one.
NewBooking parse_booking_body(std::string_view text);

struct BookingEvent {
    std::string status;
    std::optional<std::string> reason;
    std::optional<std::int64_t> grave_id, visit_id, interment_id;
    std::string at, by;
};
struct BookingDocument {
    std::int64_t id = 0;
    std::string kind, filename, content_type;
    std::int64_t size_bytes = 0;
    std::string sha256, uploaded_at, uploaded_by;
};
struct Booking {
    std::int64_t id = 0;
    std::int64_t cemetery_id = 0;
    std::string cemetery;
    std::string date, time, firm;
    std::optional<std::string> forenames;
    std::string surname, died_on;
    std::optional<std::int64_t> age_years;
    std::string interment_kind;
    std::optional<std::int64_t> grave_id; ///< the grave asked for, else the one confirmed
    std::optional<std::string> grave_number, deed_number;
    std::optional<std::int64_t> new_section_id;
    std::optional<std::string> new_section, new_grave_type, notes;
    std::string status; ///< derived: the latest event's
    std::string requested_at, requested_by;
    std::vector<BookingEvent> events;       ///< get() only
    std::vector<BookingDocument> documents; ///< get() only
};

struct Slot {
    std::string time;
    bool free = true;
};

struct BookingFilter {
    std::optional<std::string> date;   ///< YYYY-MM-DD
    std::optional<std::string> status; ///< requested, confirmed, ...
};

struct DocumentFile {
    std::string filename, content_type, body;
};

/// Upload limit of one document.
inline constexpr std::size_t booking_document_max_bytes = 10 * 1024 * 1024;

class BookingService {
  public:
    /// `today`: the council's day (default core::today_utc(); the demo passes its date).
    explicit BookingService(store::ConnectionPool& pool, std::function<core::Date()> today = {})
        : m_pool(pool), m_today(std::move(today)) {}

    /// The cemetery's slots on `date` (a working day; none on a weekend or bank holiday), each
    /// free unless a live booking holds it. not_found for an unknown cemetery.
    [[nodiscard]] std::vector<Slot> slots(std::int64_t cemetery_id, const std::string& date) const;
    /// Books: 409 reason grave_full, grave_unavailable, right_expired, no_active_grant,
    /// slot_taken, grave_booked; 400 naming the field. Returns the booking's id.
    std::int64_t create(const NewBooking& in, const BurialCaller& caller);
    [[nodiscard]] std::vector<Booking> list(const BookingFilter& filter,
                                            const BurialCaller& caller) const;
    [[nodiscard]] Booking get(std::int64_t id, const BurialCaller& caller) const;
    /// kind: green_form, coroners_order, deed, owner_consent; PDF, JPEG or PNG (checked by
    /// their bytes), at most booking_document_max_bytes. Returns the document's id.
    std::int64_t add_document(std::int64_t booking_id,
                              const std::string& kind,
                              const DocumentFile& file,
                              const BurialCaller& caller);
    [[nodiscard]] DocumentFile
    document(std::int64_t booking_id, std::int64_t document_id, const BurialCaller& caller) const;
    /// Bereavement: the documents checked (409 missing_document naming which), the grave held
    /// (`grave_id`: the officer's pick for a new grave), a grave-digging visit on `crew`'s day
    /// (else the grounds crew's). 409 not_requested, grave_booked, no_grounds_crew, no_street.
    void confirm(std::int64_t id,
                 const std::optional<std::int64_t>& grave_id,
                 const std::optional<std::string>& crew,
                 const BurialCaller& caller);
    void refuse(std::int64_t id, const std::string& reason, const BurialCaller& caller);
    void withdraw(std::int64_t id, const BurialCaller& caller);

  private:
    [[nodiscard]] core::Date today() const { return m_today ? m_today() : core::today_utc(); }

    store::ConnectionPool& m_pool;
    std::function<core::Date()> m_today;
};

/// Called by BurialService::add_interment in its transaction when the interment names a
/// booking: 409 booking_not_confirmed unless the booking is confirmed for this grave, then
/// appends its `completed` event.
void complete_booking_in(store::Database& db,
                         std::int64_t booking_id,
                         std::int64_t grave_id,
                         std::int64_t interment_id,
                         const std::string& by);

struct DemoBookingsSummary {
    int requested = 0, confirmed = 0, refused = 0, withdrawn = 0;
};
/// The demo's bookings by the demo funeral director (funeral.director@demo.wardmap.test), in
/// the working days after `date`: requested (an existing grave and a new one), confirmed by
/// the demo bereavement officer (a new grave picked, its grave-digging visit on the grounds
/// crew's day), refused, withdrawn. After the accounts and crews; deterministic for the date.
DemoBookingsSummary generate_demo_bookings(store::ConnectionPool& pool, const core::Date& date);

} // namespace wardmap::services
