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

/// A calendar month (the performance page's unit, docs/http-api.md `/api/performance`).
struct YearMonth {
    int year = 0;
    int month = 0;                         ///< 1..12
    [[nodiscard]] std::string iso() const; // YYYY-MM
    /// Months since year 0 (year * 12 + month - 1), for counting and comparing.
    [[nodiscard]] int index() const { return year * 12 + month - 1; }
    static YearMonth from_index(int index) { return {index / 12, index % 12 + 1}; }
    [[nodiscard]] Date first_day() const { return {year, month, 1}; }
    [[nodiscard]] Date last_day() const;
};

/// Parses exactly YYYY-MM (digits only, month 01..12); nullopt for anything else.
std::optional<YearMonth> parse_year_month(std::string_view text);

/// Today's date in UTC.
Date today_utc();

} // namespace wardmap::core
