#pragma once

// The dates a round's rule gives: an RFC 5545 RRULE (expanded by libical), "every N working
// days" or "N visits a season", inside a seasonal window, outside a suspension, with bank
// holidays moved or skipped by the council's rule. Pure functions of their inputs.

#include "core/dates.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wardmap::services {

enum class RuleKind { rrule, working_days, per_season };
enum class BankHolidayRule { next_working_day, skip, work };

/// A day of the year, "MM-DD" (02-29 allowed: it exists in leap years only).
struct MonthDay {
    int month = 1;
    int day = 1;
    [[nodiscard]] std::string text() const; // "MM-DD"
    friend bool operator==(const MonthDay&, const MonthDay&) = default;
};

/// A window of days of the year, both ends inclusive. An end before the start runs over the
/// new year (11-01 .. 03-31 is November to March).
struct SeasonWindow {
    MonthDay start;
    MonthDay end;
    [[nodiscard]] bool contains(const core::Date& date) const;
};

/// A round's recurrence rule, checked by `check_rule`.
struct ScheduleRule {
    RuleKind kind = RuleKind::rrule;
    std::string rrule;             ///< kind rrule: RFC 5545 RRULE value, e.g. FREQ=WEEKLY;BYDAY=TH
    core::Date first_date;         ///< DTSTART; the first working day on or after it otherwise
    int interval_working_days = 0; ///< kind working_days
    int visits_per_season = 0;     ///< kind per_season (needs a season)
    std::optional<SeasonWindow> season;     ///< runs only inside
    std::optional<SeasonWindow> suspension; ///< never inside
    std::optional<SeasonWindow> round_set;  ///< the round set's window: runs only inside
    BankHolidayRule bank_holidays = BankHolidayRule::next_working_day;
};

/// One date of a rule: the date the rule gave and where it is worked.
struct RuleDate {
    core::Date rule_date;
    core::Date planned_date;
    bool moved = false; ///< a bank holiday moved it
};

/// "MM-DD" -> MonthDay; nullopt unless two-digit month and day that exist in some year.
std::optional<MonthDay> parse_month_day(std::string_view text);
/// "MM-DD..MM-DD" -> SeasonWindow; nullopt when either end is not a month-day.
std::optional<SeasonWindow> parse_season(std::string_view text);

const char* rule_kind_name(RuleKind kind);
std::optional<RuleKind> parse_rule_kind(std::string_view text);
const char* bank_holiday_rule_name(BankHolidayRule rule);
std::optional<BankHolidayRule> parse_bank_holiday_rule(std::string_view text);

/// Throws DomainError invalid_parameter naming the field ("rrule", "season", "suspension",
/// "interval_working_days", "visits_per_season") when the rule cannot give dates: an RRULE
/// libical rejects, one more often than daily or with a time of day, a season that is empty
/// (or wholly suspended), "per season" without a season or with more visits than the season
/// has working days. `field_prefix` is put before each field name (e.g. "round.").
void check_rule(const ScheduleRule& rule, const std::string& field_prefix = "");

/// The rule's dates whose planned date is in [from, to] (both inclusive), in order of planned
/// date. Throws as check_rule.
std::vector<RuleDate>
expand_rule(const ScheduleRule& rule, const core::Date& from, const core::Date& to);

/// Why a rule gives no date in [from, to], naming the field to blame and saying which: it
/// starts after the span (first_date), ends before it (rrule: UNTIL or COUNT), never matches
/// (rrule), has its next date after the span, or is out of season there (`next_in_season`
/// is then its first date in the year after: a seasonal round edited out of season).
struct EmptyHorizon {
    std::string field;
    std::string message;
    std::optional<core::Date> next_in_season;
};
/// nullopt when the rule gives a date in [from, to]. Throws as check_rule.
std::optional<EmptyHorizon>
why_no_visits(const ScheduleRule& rule, const core::Date& from, const core::Date& to);

/// expand_rule, then throws invalid_parameter naming the field and the reason
/// (why_no_visits) when it gives no date at all in [from, to].
std::vector<RuleDate> expand_rule_nonempty(const ScheduleRule& rule,
                                           const core::Date& from,
                                           const core::Date& to,
                                           const std::string& field_prefix = "");

/// Date arithmetic on core::Date.
core::Date add_days(const core::Date& date, long days);
bool date_less(const core::Date& a, const core::Date& b);

} // namespace wardmap::services
