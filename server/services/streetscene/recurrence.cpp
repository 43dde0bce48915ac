#include "server/services/streetscene/recurrence.hpp"

#include "core/working_days.hpp"

#include "server/services/shared/errors.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <libical/ical.h>
#include <memory>

namespace wardmap::services {

namespace {

/// The most dates one RRULE may give up to the end of a horizon: a daily rule from 1975 is
/// under 20 000. Past it the rule is refused rather than iterated for ever.
constexpr int max_rrule_steps = 40'000;

/// An RRULE may not be longer than this (libical copies it into fixed buffers).
constexpr std::size_t max_rrule_length = 512;

/// Days scanned for the next day a season allows before giving up (two years).
constexpr int max_season_scan = 2 * 366;

constexpr std::array<int, 13> month_days = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

bool is_leap(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int key(int month, int day) {
    return month * 100 + day;
}

/// The month-day in `year`; 02-29 is 02-28 in a common year.
core::Date in_year(const MonthDay& md, int year) {
    if (md.month == 2 && md.day == 29 && !is_leap(year)) {
        return core::Date{year, 2, 28};
    }
    return core::Date{year, md.month, md.day};
}

bool is_bank_holiday(const core::Date& date) {
    return core::weekday(date) < 5 && !core::is_working_day(date);
}

/// Whether the rule lets work happen on `date` at all: in its season and round set, not
/// suspended.
bool allowed(const ScheduleRule& rule, const core::Date& date) {
    if (rule.season && !rule.season->contains(date)) {
        return false;
    }
    if (rule.round_set && !rule.round_set->contains(date)) {
        return false;
    }
    return !(rule.suspension && rule.suspension->contains(date));
}

/// The first working day on or after `date` the rule allows; nullopt when none in two years.
std::optional<core::Date> next_allowed_working_day(const ScheduleRule& rule, core::Date date) {
    for (int i = 0; i < max_season_scan; ++i) {
        if (core::is_working_day(date) && allowed(rule, date)) {
            return date;
        }
        date = add_days(date, 1);
    }
    return std::nullopt;
}

struct RecurDeleter {
    void operator()(icalrecur_iterator* it) const noexcept { icalrecur_iterator_free(it); }
};
using RecurIterator = std::unique_ptr<icalrecur_iterator, RecurDeleter>;

struct ParsedRrule {
    icalrecurrencetype recur;
};

std::string strip_prefix(std::string_view text) {
    if (text.size() >= 6) {
        std::string head(text.substr(0, 6));
        for (char& c : head) {
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        if (head == "RRULE:") {
            text.remove_prefix(6);
        }
    }
    return std::string(text);
}

/// libical's default treats its own errors as fatal (an assert); we read icalerrno instead.
/// Set once for the process, before the first parse.
void libical_errors_not_fatal() {
    static const bool done = [] {
        icalerror_set_errors_are_fatal(0);
        return true;
    }();
    (void)done;
}

bool array_set(const short* values) {
    return values[0] != ICAL_RECURRENCE_ARRAY_MAX;
}

ParsedRrule parse_rrule(const std::string& text, const std::string& field) {
    if (text.empty()) {
        invalid_parameter(field, "is required for an RRULE round (e.g. FREQ=WEEKLY;BYDAY=TH)");
    }
    if (text.size() > max_rrule_length) {
        invalid_parameter(field,
                          "is longer than " + std::to_string(max_rrule_length) + " characters");
    }
    for (const char c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
            invalid_parameter(field, "must be printable ASCII (an RFC 5545 RRULE value)");
        }
    }
    const std::string value = strip_prefix(text);
    libical_errors_not_fatal();
    icalerror_clear_errno();
    ParsedRrule parsed{icalrecurrencetype_from_string(value.c_str())};
    if (parsed.recur.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
        icalerror_clear_errno();
        invalid_parameter(field, "is not an RFC 5545 recurrence rule libical accepts: '" +
                                     text.substr(0, 80) + "'");
    }
    if (parsed.recur.freq == ICAL_SECONDLY_RECURRENCE ||
        parsed.recur.freq == ICAL_MINUTELY_RECURRENCE ||
        parsed.recur.freq == ICAL_HOURLY_RECURRENCE) {
        invalid_parameter(field, "must repeat by day, week, month or year (FREQ=DAILY, WEEKLY, "
                                 "MONTHLY or YEARLY): a visit is a day's work");
    }
    if (array_set(parsed.recur.by_hour) || array_set(parsed.recur.by_minute) ||
        array_set(parsed.recur.by_second)) {
        invalid_parameter(field,
                          "must not name hours, minutes or seconds: a visit is a day's work");
    }
    if (parsed.recur.interval < 1 || parsed.recur.interval > 1000) {
        invalid_parameter(field, "INTERVAL must be from 1 to 1000");
    }
    return parsed;
}

icaltimetype ical_date(const core::Date& date) {
    // Built from text: a DATE assembled field by field from icaltime_null_date() makes
    // libical 3.0's iterator repeat its first date for some rules.
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d", date.year, date.month, date.day);
    return icaltime_from_string(buf);
}

/// Dates the RRULE gives from first_date while they are no later than `until`.
std::vector<core::Date>
rrule_dates(const ScheduleRule& rule, const core::Date& until, const std::string& field) {
    const ParsedRrule parsed = parse_rrule(rule.rrule, field);
    icalerror_clear_errno();
    RecurIterator it(icalrecur_iterator_new(parsed.recur, ical_date(rule.first_date)));
    if (!it) {
        icalerror_clear_errno();
        invalid_parameter(field, "cannot be expanded from first_date " + rule.first_date.iso() +
                                     " (libical refused it)");
    }
    std::vector<core::Date> dates;
    int stalls = 0;
    constexpr int max_stalls = 100;
    for (int step = 0;; ++step) {
        if (step >= max_rrule_steps) {
            invalid_parameter(field, "never ends inside the horizon: libical gives more than " +
                                         std::to_string(max_rrule_steps) +
                                         " dates from first_date " + rule.first_date.iso() +
                                         " to " + until.iso() + " (start it later)");
        }
        const icaltimetype t = icalrecur_iterator_next(it.get());
        if (icaltime_is_null_time(t)) {
            break;
        }
        const core::Date d{t.year, t.month, t.day};
        if (date_less(until, d)) {
            break;
        }
        if (dates.empty() || date_less(dates.back(), d)) {
            dates.push_back(d);
            stalls = 0;
        } else if (++stalls > max_stalls) {
            invalid_parameter(field, "never ends inside the horizon: libical repeats the date " +
                                         d.iso() + " instead of moving on");
        }
    }
    icalerror_clear_errno();
    return dates;
}

void emit_moved(const ScheduleRule& rule,
                const core::Date& d,
                const core::Date& from,
                const core::Date& to,
                std::vector<RuleDate>& out) {
    RuleDate rd{d, d, false};
    if (is_bank_holiday(d)) {
        switch (rule.bank_holidays) {
        case BankHolidayRule::skip:
            return;
        case BankHolidayRule::next_working_day:
            rd.planned_date = core::add_working_days(d, 1);
            rd.moved = true;
            break;
        case BankHolidayRule::work:
            break;
        }
    }
    if (!date_less(rd.planned_date, from) && !date_less(to, rd.planned_date)) {
        out.push_back(rd);
    }
}

std::vector<RuleDate> expand_rrule(const ScheduleRule& rule,
                                   const core::Date& from,
                                   const core::Date& to,
                                   const std::string& field) {
    std::vector<RuleDate> out;
    for (const auto& d : rrule_dates(rule, to, field)) {
        if (allowed(rule, d)) {
            emit_moved(rule, d, from, to, out);
        }
    }
    return out;
}

std::vector<RuleDate>
expand_working_days(const ScheduleRule& rule, const core::Date& from, const core::Date& to) {
    std::vector<RuleDate> out;
    auto d = next_allowed_working_day(rule, rule.first_date);
    while (d && !date_less(to, *d)) {
        if (!date_less(*d, from)) {
            out.push_back({*d, *d, false});
        }
        const core::Date next = core::add_working_days(*d, rule.interval_working_days);
        // Leaving the season (or entering a suspension) restarts the cadence on the first
        // working day it allows again.
        d = allowed(rule, next) ? std::optional<core::Date>(next)
                                : next_allowed_working_day(rule, next);
    }
    return out;
}

/// The occurrence of the season that starts in `year`: [start, end].
std::pair<core::Date, core::Date> season_in(const SeasonWindow& season, int year) {
    const bool wraps =
        key(season.end.month, season.end.day) < key(season.start.month, season.start.day);
    return {in_year(season.start, year), in_year(season.end, wraps ? year + 1 : year)};
}

std::vector<core::Date>
allowed_working_days(const ScheduleRule& rule, core::Date first, const core::Date& last) {
    std::vector<core::Date> days;
    while (!date_less(last, first)) {
        if (core::is_working_day(first) && allowed(rule, first)) {
            days.push_back(first);
        }
        first = add_days(first, 1);
    }
    return days;
}

/// The working days of the season occurrence starting in `year`, from first_date on.
std::vector<core::Date> season_working_days(const ScheduleRule& rule, int year) {
    auto [start, end] = season_in(*rule.season, year);
    if (date_less(start, rule.first_date)) {
        start = rule.first_date;
    }
    return allowed_working_days(rule, start, end);
}

std::vector<RuleDate>
expand_per_season(const ScheduleRule& rule, const core::Date& from, const core::Date& to) {
    std::vector<RuleDate> out;
    const int first_year = std::max(rule.first_date.year, from.year) - 1;
    for (int year = first_year; year <= to.year; ++year) {
        const auto [start, end] = season_in(*rule.season, year);
        if (date_less(end, from) || date_less(to, start) || date_less(end, rule.first_date)) {
            continue;
        }
        const auto days = season_working_days(rule, year);
        const auto n = static_cast<std::size_t>(rule.visits_per_season);
        if (days.size() < n) {
            continue; // check_rule refuses this for the first season; a later short one is skipped
        }
        // Visit i on the working day i * days / n: evenly spread, the first on the first day.
        for (std::size_t i = 0; i < n; ++i) {
            const core::Date d = days[i * days.size() / n];
            if (!date_less(d, from) && !date_less(to, d)) {
                out.push_back({d, d, false});
            }
        }
    }
    return out;
}

bool parse_two_digits(std::string_view text, int& value) {
    if (text.size() != 2 || text[0] < '0' || text[0] > '9' || text[1] < '0' || text[1] > '9') {
        return false;
    }
    value = (text[0] - '0') * 10 + (text[1] - '0');
    return true;
}

} // namespace

std::string MonthDay::text() const {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d-%02d", month, day);
    return buf;
}

bool SeasonWindow::contains(const core::Date& date) const {
    const int k = key(date.month, date.day);
    const int s = key(start.month, start.day);
    const int e = key(end.month, end.day);
    // 02-28 as an end in a common year stands for the last day of February.
    const int k_end = (end.month == 2 && end.day == 29 && !is_leap(date.year)) ? key(2, 28) : e;
    if (s <= e) {
        return k >= s && k <= k_end;
    }
    return k >= s || k <= k_end;
}

std::optional<MonthDay> parse_month_day(std::string_view text) {
    MonthDay md;
    if (text.size() != 5 || text[2] != '-' || !parse_two_digits(text.substr(0, 2), md.month) ||
        !parse_two_digits(text.substr(3, 2), md.day)) {
        return std::nullopt;
    }
    if (md.month < 1 || md.month > 12 || md.day < 1 ||
        md.day > month_days[static_cast<std::size_t>(md.month)]) {
        return std::nullopt;
    }
    return md;
}

std::optional<SeasonWindow> parse_season(std::string_view text) {
    const auto dots = text.find("..");
    if (dots == std::string_view::npos) {
        return std::nullopt;
    }
    const auto start = parse_month_day(text.substr(0, dots));
    const auto end = parse_month_day(text.substr(dots + 2));
    if (!start || !end) {
        return std::nullopt;
    }
    return SeasonWindow{*start, *end};
}

const char* rule_kind_name(RuleKind kind) {
    switch (kind) {
    case RuleKind::rrule:
        return "rrule";
    case RuleKind::working_days:
        return "working_days";
    case RuleKind::per_season:
        return "per_season";
    }
    return "rrule";
}

std::optional<RuleKind> parse_rule_kind(std::string_view text) {
    if (text == "rrule") {
        return RuleKind::rrule;
    }
    if (text == "working_days") {
        return RuleKind::working_days;
    }
    if (text == "per_season") {
        return RuleKind::per_season;
    }
    return std::nullopt;
}

const char* bank_holiday_rule_name(BankHolidayRule rule) {
    switch (rule) {
    case BankHolidayRule::next_working_day:
        return "next_working_day";
    case BankHolidayRule::skip:
        return "skip";
    case BankHolidayRule::work:
        return "work";
    }
    return "next_working_day";
}

std::optional<BankHolidayRule> parse_bank_holiday_rule(std::string_view text) {
    if (text == "next_working_day") {
        return BankHolidayRule::next_working_day;
    }
    if (text == "skip") {
        return BankHolidayRule::skip;
    }
    if (text == "work") {
        return BankHolidayRule::work;
    }
    return std::nullopt;
}

core::Date add_days(const core::Date& date, long days) {
    return core::date_from_days(core::days_since_epoch(date) + days);
}

bool date_less(const core::Date& a, const core::Date& b) {
    return std::tie(a.year, a.month, a.day) < std::tie(b.year, b.month, b.day);
}

void check_rule(const ScheduleRule& rule, const std::string& prefix) {
    if (rule.first_date.year < 1971 || rule.first_date.year > 2200) {
        invalid_parameter(prefix + "first_date", "must be a date from 1971 to 2200");
    }
    // A season is empty when no day of a leap year is in it, in the round set's window and
    // outside the suspension.
    if (rule.season || rule.round_set || rule.suspension) {
        bool any = false;
        for (core::Date d{2024, 1, 1}; d.year == 2024 && !any; d = add_days(d, 1)) {
            any = allowed(rule, d);
        }
        if (!any) {
            const std::string field = rule.season ? "season" : "suspension";
            invalid_parameter(prefix + field,
                              "leaves no day to work: every day of the season is suspended or "
                              "outside the round set's window");
        }
    }
    switch (rule.kind) {
    case RuleKind::rrule:
        (void)parse_rrule(rule.rrule, prefix + "rrule");
        break;
    case RuleKind::working_days:
        if (rule.interval_working_days < 1 || rule.interval_working_days > 260) {
            invalid_parameter(prefix + "interval_working_days", "must be from 1 to 260");
        }
        break;
    case RuleKind::per_season: {
        if (!rule.season) {
            invalid_parameter(prefix + "season",
                              "is required for visits per season (e.g. 03-01..10-31)");
        }
        if (rule.visits_per_season < 1 || rule.visits_per_season > 366) {
            invalid_parameter(prefix + "visits_per_season", "must be from 1 to 366");
        }
        // The first season on or after first_date must hold that many working days.
        const auto [start, end] = season_in(*rule.season, rule.first_date.year);
        const int year =
            date_less(end, rule.first_date) ? rule.first_date.year + 1 : rule.first_date.year;
        const auto days = season_working_days(rule, year);
        if (days.empty()) {
            invalid_parameter(prefix + "season", "has no working day");
        }
        if (days.size() < static_cast<std::size_t>(rule.visits_per_season)) {
            invalid_parameter(prefix + "visits_per_season",
                              "is more than the " + std::to_string(days.size()) +
                                  " working days of the season starting in " +
                                  std::to_string(year));
        }
        break;
    }
    }
}

namespace {

std::vector<RuleDate> expand_checked(const ScheduleRule& rule,
                                     const core::Date& from,
                                     const core::Date& to,
                                     const std::string& prefix) {
    check_rule(rule, prefix);
    std::vector<RuleDate> out;
    switch (rule.kind) {
    case RuleKind::rrule:
        out = expand_rrule(rule, from, to, prefix + "rrule");
        break;
    case RuleKind::working_days:
        out = expand_working_days(rule, from, to);
        break;
    case RuleKind::per_season:
        out = expand_per_season(rule, from, to);
        break;
    }
    std::stable_sort(out.begin(), out.end(), [](const RuleDate& a, const RuleDate& b) {
        return date_less(a.planned_date, b.planned_date);
    });
    // A visit moved onto a day the rule already works is worked with it, not twice.
    std::vector<RuleDate> merged;
    merged.reserve(out.size());
    for (const auto& rd : out) {
        if (!merged.empty() && merged.back().planned_date.iso() == rd.planned_date.iso()) {
            if (merged.back().moved && !rd.moved) {
                merged.back() = rd;
            }
            continue;
        }
        merged.push_back(rd);
    }
    return merged;
}

} // namespace

std::vector<RuleDate>
expand_rule(const ScheduleRule& rule, const core::Date& from, const core::Date& to) {
    return expand_checked(rule, from, to, "");
}

std::optional<EmptyHorizon>
why_no_visits(const ScheduleRule& rule, const core::Date& from, const core::Date& to) {
    if (!expand_rule(rule, from, to).empty()) {
        return std::nullopt;
    }
    const std::string span = from.iso() + " to " + to.iso();
    if (date_less(to, rule.first_date)) {
        return EmptyHorizon{"first_date",
                            "starts on " + rule.first_date.iso() +
                                ", after the horizon ends: no visit from " + span,
                            std::nullopt};
    }
    const core::Date later_from = add_days(to, 1);
    const core::Date later_to = add_days(to, 366);
    const auto next_in_season = [&]() -> std::optional<core::Date> {
        const auto later = expand_rule(rule, later_from, later_to);
        if (later.empty()) {
            return std::nullopt;
        }
        return later.front().planned_date;
    };
    const char* window_field = rule.season ? "season" : (rule.suspension ? "suspension" : "");
    if (rule.kind != RuleKind::per_season) {
        // The rule alone, with no season, suspension or round set.
        ScheduleRule bare = rule;
        bare.season.reset();
        bare.suspension.reset();
        bare.round_set.reset();
        bare.bank_holidays = BankHolidayRule::work;
        if (expand_rule(bare, from, to).empty()) {
            const std::string field = rule.kind == RuleKind::rrule ? "rrule" : "first_date";
            const auto all = expand_rule(bare, rule.first_date, later_to);
            if (all.empty()) {
                return EmptyHorizon{field,
                                    "never gives a date: no day from " + rule.first_date.iso() +
                                        " to " + later_to.iso() + " matches it",
                                    std::nullopt};
            }
            if (date_less(all.back().rule_date, from)) {
                return EmptyHorizon{field,
                                    "ends on " + all.back().rule_date.iso() +
                                        " (its UNTIL or COUNT), before the horizon: no visit "
                                        "from " +
                                        span,
                                    std::nullopt};
            }
            std::optional<core::Date> next;
            for (const auto& d : all) {
                if (date_less(to, d.rule_date)) {
                    next = d.rule_date;
                    break;
                }
            }
            return EmptyHorizon{field,
                                "gives no date from " + span + "; its next is " +
                                    (next ? next->iso() : std::string("later")),
                                std::nullopt};
        }
    }
    // The rule has dates in the horizon but the season, the suspension, the round set (or
    // skipping bank holidays) takes them all.
    if (const auto next = next_in_season()) {
        return EmptyHorizon{*window_field ? window_field : "round_set",
                            "is out of season from " + span + "; the next visit is " + next->iso(),
                            next};
    }
    return EmptyHorizon{*window_field ? window_field : "bank_holidays",
                        "leaves no visit from " + span + " nor in the year after", std::nullopt};
}

std::vector<RuleDate> expand_rule_nonempty(const ScheduleRule& rule,
                                           const core::Date& from,
                                           const core::Date& to,
                                           const std::string& prefix) {
    auto dates = expand_checked(rule, from, to, prefix);
    if (dates.empty()) {
        const auto why = why_no_visits(rule, from, to);
        if (why) {
            invalid_parameter(prefix + why->field, why->message);
        }
    }
    return dates;
}

} // namespace wardmap::services
