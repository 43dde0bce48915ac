#pragma once

#include "core/dates.hpp"

#include <string>
#include <vector>

namespace wardmap::core {

/// A bank holiday in England and Wales. Plain value.
struct BankHoliday {
    Date date;
    std::string name;
};

/// England and Wales bank holidays of `year`, in date order: the rules of the Banking and
/// Financial Dealings Act 1971 and the proclamations since (New Year's Day, Good Friday, Easter
/// Monday, early May, spring, summer, Christmas and Boxing Day, with substitute days for those
/// falling at a weekend) plus the one-off moves and extra days (1995 and 2020 VE Day, the 2002,
/// 2012 and 2022 jubilees, the 1999 millennium, the 2011 royal wedding, the 2022 state funeral,
/// the 2023 coronation). Empty before 1971, the first year of the Act.
std::vector<BankHoliday> bank_holidays_england_wales(int year);

/// Easter Sunday of a Gregorian year (the anonymous Gregorian computus).
Date easter_sunday(int year);

/// Monday to Friday and not a bank holiday in England and Wales.
bool is_working_day(const Date& date);

/// The date `days` working days after `start`: a working day counts when it comes after
/// `start` (so 1 working day from a Friday is the Monday, or the Tuesday after a bank holiday
/// Monday). 0 gives `start` itself. `days` must be from 0 to 3660.
Date add_working_days(const Date& start, int days);

/// Monday = 0 ... Sunday = 6.
int weekday(const Date& date);

/// Days since 1970-01-01, and back.
long days_since_epoch(const Date& date);
Date date_from_days(long days);

} // namespace wardmap::core
