#pragma once

#include "core/dates.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wardmap::core {

/// Seconds since 1970-01-01T00:00:00Z, whole seconds (Open311 truncates to seconds).
using UnixSeconds = std::int64_t;

UnixSeconds now_seconds();

/// A W3C-DTF date-time with its zone, as Open311 uses them: YYYY-MM-DDThh:mm[:ss[.s+]] then
/// Z or ±hh:mm; or a bare YYYY-MM-DD, taken as midnight UTC. nullopt for anything else, a
/// date or time that does not exist, or a missing zone on a date-time.
std::optional<UnixSeconds> parse_w3c_datetime(std::string_view text);

/// An RFC 3339 timestamp, as CQL2 and OGC API datetime parameters take them:
/// YYYY-MM-DD(T|t)HH:MM:SS[.s+](Z|z|±HH:MM), seconds required, a leap second (:60) counted
/// into the next minute. nullopt for anything else or a date that does not exist.
std::optional<UnixSeconds> parse_rfc3339(std::string_view text);

/// The UK's offset from UTC at an instant, in seconds: 3600 during British Summer Time (from
/// 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October), else 0.
int uk_offset_seconds(UnixSeconds t);

/// W3C-DTF in UK local time with its offset: "2026-07-01T09:30:00+01:00",
/// "2026-11-21T09:30:00+00:00".
std::string format_w3c_uk(UnixSeconds t);

/// The storage form, UTC: "2026-11-21T09:30:00Z" (sorts as it compares).
std::string format_utc(UnixSeconds t);

/// Reads what format_utc writes without the general parser (a list of 1,000 requests reads
/// four dates each); any other text goes to parse_w3c_datetime, so the answer is the same.
std::optional<UnixSeconds> parse_stored_utc(std::string_view text);

/// The calendar date in the UK at an instant.
Date uk_date(UnixSeconds t);

/// Seconds since the UK's local midnight at an instant (0 to 86399).
int uk_seconds_of_day(UnixSeconds t);

/// The instant of a UK local date and time of day (the offset of that day is used).
UnixSeconds uk_instant(const Date& date, int seconds_of_day);

} // namespace wardmap::core
