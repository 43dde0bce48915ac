#pragma once

// An iCalendar (RFC 5545) feed of a place's coming visits, written by hand: CRLF line ends,
// lines folded at 75 octets (never inside a UTF-8 character), TEXT values escaped, one all-day
// VEVENT per activity and date with a UID stable across regenerations.

#include "server/services/streetscene/schedule_service.hpp"

#include <string>
#include <string_view>

namespace wardmap::http {

/// RFC 5545 §3.3.11 TEXT escaping: backslash, semicolon, comma and newline.
std::string ics_escape_text(std::string_view text);

/// One content line, folded (RFC 5545 §3.1) and ended with CRLF.
std::string ics_fold_line(std::string_view line);

/// The VCALENDAR for `schedule`. `uid_domain` ends each UID ("@wardmap.example.gov.uk");
/// `dtstamp` is the UTC time the feed was made, YYYYMMDDTHHMMSSZ; `council` names the calendar.
std::string schedule_ics(const services::PlaceSchedule& schedule,
                         const std::string& uid_domain,
                         const std::string& dtstamp,
                         const std::string& council);

} // namespace wardmap::http
