#include "core/dates.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>

namespace wardmap::core {

std::string Date::iso() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
    return buf;
}

std::optional<Date> parse_iso_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
        return std::nullopt;
    }
    Date d;
    auto number = [&](std::size_t pos, std::size_t len, int& out) {
        const char* first = text.data() + pos;
        // Digits only: from_chars takes a leading '-', which read "-026-11-21" as the year
        // -26 (found by fuzz/w3c_time.cpp).
        if (!std::all_of(first, first + len, [](char c) { return c >= '0' && c <= '9'; })) {
            return false;
        }
        auto [ptr, ec] = std::from_chars(first, first + len, out);
        return ec == std::errc() && ptr == first + len;
    };
    if (!number(0, 4, d.year) || !number(5, 2, d.month) || !number(8, 2, d.day)) {
        return std::nullopt;
    }
    const std::chrono::year_month_day ymd{std::chrono::year(d.year),
                                          std::chrono::month(static_cast<unsigned>(d.month)),
                                          std::chrono::day(static_cast<unsigned>(d.day))};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    return d;
}

std::string YearMonth::iso() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
    return buf;
}

Date YearMonth::last_day() const {
    const std::chrono::year_month_day_last ymdl{std::chrono::year(year) /
                                                std::chrono::month(static_cast<unsigned>(month)) /
                                                std::chrono::last};
    return {year, month, static_cast<int>(static_cast<unsigned>(ymdl.day()))};
}

std::optional<YearMonth> parse_year_month(std::string_view text) {
    if (text.size() != 7) {
        return std::nullopt;
    }
    std::string day_one(text);
    day_one += "-01";
    const auto d = parse_iso_date(day_one);
    if (!d) {
        return std::nullopt;
    }
    return YearMonth{d->year, d->month};
}

Date today_utc() {
    const auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    const std::chrono::year_month_day ymd{days};
    return Date{static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
                static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

} // namespace wardmap::core
