#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wardmap::core {

/// A calendar date checked to exist (leap years included).
struct Date {
    int year = 0;
    int month = 0;
    int day = 0;
    [[nodiscard]] std::string iso() const; // YYYY-MM-DD
};

/// Parses exactly YYYY-MM-DD; nullopt for anything else or a date that does not exist.
std::optional<Date> parse_iso_date(std::string_view text);

/// Today's date in UTC.
Date today_utc();

} // namespace wardmap::core
