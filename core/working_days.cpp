#include "core/working_days.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <stdexcept>

namespace wardmap::core {

namespace {

using std::chrono::sys_days;

Date make(int year, int month, int day) {
    return Date{year, month, day};
}

Date plus(const Date& d, long days) {
    return date_from_days(days_since_epoch(d) + days);
}

/// The first Monday on or after `d`.
Date monday_on_or_after(const Date& d) {
    return plus(d, (7 - weekday(d)) % 7);
}

/// The day itself on a weekday, else the Monday after (a weekend holiday's substitute).
Date weekday_or_next_monday(const Date& d) {
    const int w = weekday(d);
    return w < 5 ? d : plus(d, 7 - w);
}

/// The last Monday of a month.
Date last_monday(int year, int month) {
    const Date next_first = month == 12 ? make(year + 1, 1, 1) : make(year, month + 1, 1);
    const Date last = plus(next_first, -1);
    return plus(last, -weekday(last));
}

bool before(const Date& a, const Date& b) {
    return days_since_epoch(a) < days_since_epoch(b);
}

} // namespace

long days_since_epoch(const Date& d) {
    const sys_days days{std::chrono::year(d.year) /
                        std::chrono::month(static_cast<unsigned>(d.month)) /
                        std::chrono::day(static_cast<unsigned>(d.day))};
    return static_cast<long>(days.time_since_epoch().count());
}

Date date_from_days(long days) {
    const std::chrono::year_month_day ymd{sys_days{std::chrono::days{days}}};
    return Date{static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
                static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

int weekday(const Date& d) {
    // 1970-01-01 was a Thursday (3 with Monday = 0).
    const long w = (days_since_epoch(d) + 3) % 7;
    return static_cast<int>(w < 0 ? w + 7 : w);
}

Date easter_sunday(int year) {
    const int a = year % 19;
    const int b = year / 100;
    const int c = year % 100;
    const int d = b / 4;
    const int e = b % 4;
    const int f = (b + 8) / 25;
    const int g = (b - f + 1) / 3;
    const int h = (19 * a + b - d - g + 15) % 30;
    const int i = c / 4;
    const int k = c % 4;
    const int l = (32 + 2 * e + 2 * i - h - k) % 7;
    const int m = (a + 11 * h + 22 * l) / 451;
    const int month = (h + l - 7 * m + 114) / 31;
    const int day = ((h + l - 7 * m + 114) % 31) + 1;
    return make(year, month, day);
}

std::vector<BankHoliday> bank_holidays_england_wales(int year) {
    std::vector<BankHoliday> out;
    if (year < 1971) {
        return out;
    }
    // New Year's Day became a bank holiday in England and Wales in 1974.
    if (year >= 1974) {
        out.push_back({weekday_or_next_monday(make(year, 1, 1)), "New Year's Day"});
    }
    const Date easter = easter_sunday(year);
    out.push_back({plus(easter, -2), "Good Friday"});
    out.push_back({plus(easter, 1), "Easter Monday"});

    // Early May (from 1978): the first Monday, moved for the VE Day anniversaries.
    if (year == 2020) {
        out.push_back({make(2020, 5, 8), "Early May bank holiday (VE day)"});
    } else if (year == 1995) {
        out.push_back({make(1995, 5, 8), "Early May bank holiday (VE day)"});
    } else if (year >= 1978) {
        out.push_back({monday_on_or_after(make(year, 5, 1)), "Early May bank holiday"});
    }

    // Spring: the last Monday of May, moved for the jubilees.
    if (year == 1977) {
        out.push_back({make(1977, 6, 6), "Spring bank holiday"});
        out.push_back({make(1977, 6, 7), "Silver Jubilee bank holiday"});
    } else if (year == 2002) {
        out.push_back({make(2002, 6, 3), "Golden Jubilee bank holiday"});
        out.push_back({make(2002, 6, 4), "Spring bank holiday"});
    } else if (year == 2012) {
        out.push_back({make(2012, 6, 4), "Spring bank holiday"});
        out.push_back({make(2012, 6, 5), "Queen's Diamond Jubilee"});
    } else if (year == 2022) {
        out.push_back({make(2022, 6, 2), "Spring bank holiday"});
        out.push_back({make(2022, 6, 3), "Platinum Jubilee bank holiday"});
    } else {
        out.push_back({last_monday(year, 5), "Spring bank holiday"});
    }
    out.push_back({last_monday(year, 8), "Summer bank holiday"});

    // Christmas and Boxing Day, with substitutes on the next weekdays.
    const Date christmas = make(year, 12, 25);
    switch (weekday(christmas)) {
    case 4: // Friday: Boxing Day falls on Saturday, its substitute Monday 28th
        out.push_back({christmas, "Christmas Day"});
        out.push_back({make(year, 12, 28), "Boxing Day (substitute day)"});
        break;
    case 5: // Saturday
        out.push_back({make(year, 12, 27), "Christmas Day (substitute day)"});
        out.push_back({make(year, 12, 28), "Boxing Day (substitute day)"});
        break;
    case 6: // Sunday: Boxing Day on Monday, Christmas substitute Tuesday
        out.push_back({make(year, 12, 26), "Boxing Day"});
        out.push_back({make(year, 12, 27), "Christmas Day (substitute day)"});
        break;
    default:
        out.push_back({christmas, "Christmas Day"});
        out.push_back({make(year, 12, 26), "Boxing Day"});
    }

    // One-off days by proclamation.
    static const std::multimap<int, BankHoliday> extra = {
        {1981, {{1981, 7, 29}, "Royal wedding (Prince Charles)"}},
        {1999, {{1999, 12, 31}, "Millennium celebrations"}},
        {2011, {{2011, 4, 29}, "Royal wedding (Prince William)"}},
        {2022, {{2022, 9, 19}, "State funeral of Queen Elizabeth II"}},
        {2023, {{2023, 5, 8}, "Coronation of King Charles III"}},
    };
    const auto [first, last] = extra.equal_range(year);
    for (auto it = first; it != last; ++it) {
        out.push_back(it->second);
    }
    std::sort(out.begin(), out.end(),
              [](const BankHoliday& a, const BankHoliday& b) { return before(a.date, b.date); });
    return out;
}

bool is_working_day(const Date& date) {
    if (weekday(date) >= 5) {
        return false;
    }
    // Holidays of a year are cheap to compute but called per day; keep a few years.
    thread_local std::map<int, std::vector<long>> cache;
    auto it = cache.find(date.year);
    if (it == cache.end()) {
        if (cache.size() > 64) {
            cache.clear();
        }
        std::vector<long> days;
        for (const auto& h : bank_holidays_england_wales(date.year)) {
            days.push_back(days_since_epoch(h.date));
        }
        it = cache.emplace(date.year, std::move(days)).first;
    }
    const long d = days_since_epoch(date);
    return std::find(it->second.begin(), it->second.end(), d) == it->second.end();
}

Date add_working_days(const Date& start, int days) {
    if (days < 0 || days > 3660) {
        throw std::invalid_argument("add_working_days: days must be from 0 to 3660");
    }
    Date d = start;
    for (int counted = 0; counted < days;) {
        d = plus(d, 1);
        if (is_working_day(d)) {
            ++counted;
        }
    }
    return d;
}

} // namespace wardmap::core
