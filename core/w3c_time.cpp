#include "core/w3c_time.hpp"

#include "core/working_days.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>

namespace wardmap::core {

namespace {

constexpr UnixSeconds day_seconds = 86400;

bool digits(std::string_view text, std::size_t pos, std::size_t len, int& out) {
    if (pos + len > text.size()) {
        return false;
    }
    const char* first = text.data() + pos;
    for (std::size_t i = 0; i < len; ++i) {
        if (first[i] < '0' || first[i] > '9') {
            return false;
        }
    }
    const auto [ptr, ec] = std::from_chars(first, first + len, out);
    return ec == std::errc() && ptr == first + len;
}

/// Skips a fraction of a second (".5", ".250") at `pos`; false when a '.' has no digits.
bool skip_fraction(std::string_view text, std::size_t& pos) {
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        const std::size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            ++pos;
        }
        return pos != start;
    }
    return true;
}

/// The zone that ends `text` at `pos`, in seconds east of UTC: "Z" ("z" too when `lower_z`)
/// or "±hh:mm" with hours up to `max_hours`. nullopt for anything else or trailing text.
std::optional<int>
zone_offset(std::string_view text, std::size_t pos, bool lower_z, int max_hours) {
    if (pos + 1 == text.size() && (text[pos] == 'Z' || (lower_z && text[pos] == 'z'))) {
        return 0;
    }
    int oh = 0;
    int om = 0;
    if (pos + 6 != text.size() || (text[pos] != '+' && text[pos] != '-') || text[pos + 3] != ':' ||
        !digits(text, pos + 1, 2, oh) || !digits(text, pos + 4, 2, om) || oh > max_hours ||
        om > 59) {
        return std::nullopt;
    }
    return (oh * 3600 + om * 60) * (text[pos] == '-' ? -1 : 1);
}

UnixSeconds floor_div_days(UnixSeconds t) {
    return t >= 0 ? t / day_seconds : -((-t + day_seconds - 1) / day_seconds);
}

/// 01:00 UTC on the last Sunday of a month.
UnixSeconds last_sunday_1am_utc(int year, int month) {
    const Date next = month == 12 ? Date{year + 1, 1, 1} : Date{year, month + 1, 1};
    const long last = days_since_epoch(next) - 1;
    const long sunday = last - ((weekday(date_from_days(last)) + 1) % 7);
    return static_cast<UnixSeconds>(sunday) * day_seconds + 3600;
}

} // namespace

UnixSeconds now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::optional<UnixSeconds> parse_w3c_datetime(std::string_view text) {
    const auto date = parse_iso_date(text.substr(0, 10));
    if (!date) {
        return std::nullopt;
    }
    const UnixSeconds midnight = static_cast<UnixSeconds>(days_since_epoch(*date)) * day_seconds;
    if (text.size() == 10) {
        return midnight;
    }
    int hour = 0;
    int minute = 0;
    int second = 0;
    if (text.size() < 16 || text[10] != 'T' || !digits(text, 11, 2, hour) || text[13] != ':' ||
        !digits(text, 14, 2, minute)) {
        return std::nullopt;
    }
    std::size_t pos = 16;
    if (pos < text.size() && text[pos] == ':') {
        if (!digits(text, pos + 1, 2, second)) {
            return std::nullopt;
        }
        pos += 3;
        if (!skip_fraction(text, pos)) {
            return std::nullopt;
        }
    }
    if (hour > 23 || minute > 59 || second > 59) {
        return std::nullopt;
    }
    const auto offset = zone_offset(text, pos, false, 14);
    if (!offset) {
        return std::nullopt;
    }
    return midnight + hour * 3600 + minute * 60 + second - *offset;
}

std::optional<UnixSeconds> parse_rfc3339(std::string_view text) {
    if (text.size() < 20 || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
        text[16] != ':') {
        return std::nullopt;
    }
    const auto date = parse_iso_date(text.substr(0, 10));
    int hour = 0;
    int minute = 0;
    int second = 0;
    if (!date || !digits(text, 11, 2, hour) || !digits(text, 14, 2, minute) ||
        !digits(text, 17, 2, second) || hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    if (!skip_fraction(text, pos)) {
        return std::nullopt;
    }
    const auto offset = zone_offset(text, pos, true, 23);
    if (!offset) {
        return std::nullopt;
    }
    return static_cast<UnixSeconds>(days_since_epoch(*date)) * day_seconds + hour * 3600 +
           minute * 60 + second - *offset;
}

int uk_offset_seconds(UnixSeconds t) {
    // A list formats thousands of instants from a few years: keep the last year's summer time.
    thread_local UnixSeconds summer_start = 1;
    thread_local UnixSeconds summer_end = 0;
    thread_local UnixSeconds year_start = 1;
    thread_local UnixSeconds next_year_start = 0;
    if (t < year_start || t >= next_year_start) {
        const Date utc = date_from_days(static_cast<long>(floor_div_days(t)));
        summer_start = last_sunday_1am_utc(utc.year, 3);
        summer_end = last_sunday_1am_utc(utc.year, 10);
        year_start = static_cast<UnixSeconds>(days_since_epoch(Date{utc.year, 1, 1})) * day_seconds;
        next_year_start =
            static_cast<UnixSeconds>(days_since_epoch(Date{utc.year + 1, 1, 1})) * day_seconds;
    }
    return t >= summer_start && t < summer_end ? 3600 : 0;
}

namespace {

/// "YYYY-MM-DDTHH:MM:SS" for a date and a second of its day. Lists of a thousand requests
/// format three dates each, so this avoids printf; years outside 0-9999 still print.
std::string date_time_text(const Date& d, int second_of_day) {
    if (d.year < 0 || d.year > 9999) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", d.year, d.month, d.day,
                      second_of_day / 3600, second_of_day / 60 % 60, second_of_day % 60);
        return buf;
    }
    std::string out = "0000-00-00T00:00:00";
    const auto put = [&out](std::size_t pos, int value, int width) {
        for (int k = width - 1; k >= 0; --k) {
            out[pos + static_cast<std::size_t>(k)] = static_cast<char>('0' + value % 10);
            value /= 10;
        }
    };
    put(0, d.year, 4);
    put(5, d.month, 2);
    put(8, d.day, 2);
    put(11, second_of_day / 3600, 2);
    put(14, second_of_day / 60 % 60, 2);
    put(17, second_of_day % 60, 2);
    return out;
}

} // namespace

std::string format_utc(UnixSeconds t) {
    const UnixSeconds days = floor_div_days(t);
    return date_time_text(date_from_days(static_cast<long>(days)),
                          static_cast<int>(t - days * day_seconds)) +
           'Z';
}

std::optional<UnixSeconds> parse_stored_utc(std::string_view text) {
    static constexpr std::array<std::size_t, 14> digit_at{0, 1,  2,  3,  5,  6,  8,
                                                          9, 11, 12, 14, 15, 17, 18};
    if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
        text[13] != ':' || text[16] != ':' || text[19] != 'Z') {
        return parse_w3c_datetime(text);
    }
    for (const std::size_t i : digit_at) {
        if (text[i] < '0' || text[i] > '9') {
            return std::nullopt;
        }
    }
    const auto two = [&text](std::size_t i) { return (text[i] - '0') * 10 + (text[i + 1] - '0'); };
    const Date date{two(0) * 100 + two(2), two(5), two(8)};
    const int hour = two(11);
    const int minute = two(14);
    const int second = two(17);
    static constexpr std::array<int, 12> month_days{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (date.year % 4 == 0 && date.year % 100 != 0) || date.year % 400 == 0;
    if (date.month < 1 || date.month > 12 || date.day < 1 ||
        date.day > month_days[static_cast<std::size_t>(date.month - 1)] ||
        (date.month == 2 && date.day == 29 && !leap) || hour > 23 || minute > 59 || second > 59) {
        return std::nullopt;
    }
    return static_cast<UnixSeconds>(days_since_epoch(date)) * day_seconds + hour * 3600 +
           minute * 60 + second;
}

std::string format_w3c_uk(UnixSeconds t) {
    const int offset = uk_offset_seconds(t);
    const UnixSeconds local = t + offset;
    const UnixSeconds days = floor_div_days(local);
    return date_time_text(date_from_days(static_cast<long>(days)),
                          static_cast<int>(local - days * day_seconds)) +
           (offset == 0 ? "+00:00" : "+01:00");
}

Date uk_date(UnixSeconds t) {
    return date_from_days(static_cast<long>(floor_div_days(t + uk_offset_seconds(t))));
}

int uk_seconds_of_day(UnixSeconds t) {
    const UnixSeconds local = t + uk_offset_seconds(t);
    return static_cast<int>(local - floor_div_days(local) * day_seconds);
}

UnixSeconds uk_instant(const Date& date, int seconds_of_day) {
    const UnixSeconds naive =
        static_cast<UnixSeconds>(days_since_epoch(date)) * day_seconds + seconds_of_day;
    // The offset at the naive instant is right except within the hour of a change.
    return naive - uk_offset_seconds(naive - 3600);
}

} // namespace wardmap::core
