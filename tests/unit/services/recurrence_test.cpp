// Round rules against hand-checked calendars: each recurrence kind across the England and
// Wales bank holidays of Christmas 2026 (Friday 25th; Boxing Day's substitute Monday 28th),
// New Year 2027 (Friday 1st) and Easter 2027 (Good Friday 26 March, Easter Monday 29 March),
// seasons and suspensions, and the rules refused with the field they name.

#include "server/services/shared/errors.hpp"
#include "server/services/streetscene/recurrence.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace wardmap::services {
namespace {

core::Date day(const char* iso) {
    return *core::parse_iso_date(iso);
}

/// "2026-12-29<2026-12-25" for a moved date, "2026-12-04" otherwise.
std::vector<std::string> planned(const ScheduleRule& rule, const char* from, const char* to) {
    std::vector<std::string> out;
    for (const auto& d : expand_rule(rule, day(from), day(to))) {
        out.push_back(d.planned_date.iso() + (d.moved ? "<" + d.rule_date.iso() : ""));
    }
    return out;
}

ScheduleRule rrule(const char* text, const char* first) {
    ScheduleRule r;
    r.kind = RuleKind::rrule;
    r.rrule = text;
    r.first_date = day(first);
    return r;
}

ScheduleRule every_working_days(int n, const char* first) {
    ScheduleRule r;
    r.kind = RuleKind::working_days;
    r.interval_working_days = n;
    r.first_date = day(first);
    return r;
}

/// The field a refused rule names.
std::string refused_field(const std::function<void()>& f) {
    try {
        f();
    } catch (const DomainError& e) {
        EXPECT_EQ(e.code(), ErrorCode::invalid_parameter);
        return e.problems().empty() ? "(none)" : e.problems().front().name;
    }
    return "(accepted)";
}

using V = std::vector<std::string>;

TEST(Recurrence, WeeklyFridayMovesChristmasAndNewYearToTheNextWorkingDay) {
    // 25 Dec 2026 is a Friday; the next working day is Tuesday 29th (Monday 28th is Boxing
    // Day's substitute). 1 Jan 2027 is a Friday; the next working day is Monday 4th.
    const auto r = rrule("FREQ=WEEKLY;BYDAY=FR", "2026-12-04");
    EXPECT_EQ(planned(r, "2026-12-01", "2027-01-15"),
              (V{"2026-12-04", "2026-12-11", "2026-12-18", "2026-12-29<2026-12-25",
                 "2027-01-04<2027-01-01", "2027-01-08", "2027-01-15"}));
}

TEST(Recurrence, WeeklyFridaySkipsOrWorksBankHolidaysWhenTheCouncilSaysSo) {
    auto r = rrule("RRULE:FREQ=WEEKLY;BYDAY=FR", "2026-12-04");
    r.bank_holidays = BankHolidayRule::skip;
    EXPECT_EQ(planned(r, "2026-12-01", "2027-01-15"),
              (V{"2026-12-04", "2026-12-11", "2026-12-18", "2027-01-08", "2027-01-15"}));
    r.bank_holidays = BankHolidayRule::work;
    EXPECT_EQ(planned(r, "2026-12-01", "2027-01-15"),
              (V{"2026-12-04", "2026-12-11", "2026-12-18", "2026-12-25", "2027-01-01", "2027-01-08",
                 "2027-01-15"}));
}

TEST(Recurrence, EasterMondayAndGoodFridayMoveToTuesday2027) {
    EXPECT_EQ(planned(rrule("FREQ=WEEKLY;BYDAY=MO", "2027-03-01"), "2027-03-15", "2027-04-12"),
              (V{"2027-03-15", "2027-03-22", "2027-03-30<2027-03-29", "2027-04-05", "2027-04-12"}));
    // Good Friday's next working day is the Tuesday after Easter Monday.
    EXPECT_EQ(planned(rrule("FREQ=WEEKLY;BYDAY=FR", "2027-03-05"), "2027-03-15", "2027-04-12"),
              (V{"2027-03-19", "2027-03-30<2027-03-26", "2027-04-02", "2027-04-09"}));
}

TEST(Recurrence, FortnightlyThursdayWithUntilStopsOnItsLastDate) {
    // Chorley's blue-bin pattern: every other Thursday.
    EXPECT_EQ(planned(rrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;UNTIL=20231026", "2023-08-31"),
                      "2023-08-01", "2023-12-31"),
              (V{"2023-08-31", "2023-09-14", "2023-09-28", "2023-10-12", "2023-10-26"}));
}

TEST(Recurrence, AMovedVisitLandingOnADayTheRuleWorksIsWorkedOnce) {
    // Daily on weekdays: Christmas moves onto the 29th, which the rule works anyway.
    EXPECT_EQ(
        planned(rrule("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "2026-12-21"), "2026-12-21", "2026-12-31"),
        (V{"2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24", "2026-12-29", "2026-12-30",
           "2026-12-31"}));
}

TEST(Recurrence, EveryTenWorkingDaysStepsOverChristmasAndNewYear) {
    // From Mon 14 Dec 2026: the 10th working day after skips 25 and 28 Dec (30 Dec), the next
    // skips 1 Jan (14 Jan), then 28 Jan.
    EXPECT_EQ(planned(every_working_days(10, "2026-12-14"), "2026-12-01", "2027-01-31"),
              (V{"2026-12-14", "2026-12-30", "2027-01-14", "2027-01-28"}));
}

TEST(Recurrence, EveryFiveWorkingDaysStepsOverEaster2027) {
    EXPECT_EQ(planned(every_working_days(5, "2027-03-22"), "2027-03-01", "2027-04-09"),
              (V{"2027-03-22", "2027-03-31", "2027-04-07"}));
}

TEST(Recurrence, WorkingDaysStartOnTheFirstWorkingDayOnOrAfterTheFirstDate) {
    // Saturday 26 Dec 2026 -> Tuesday 29th (Monday 28th is a bank holiday).
    EXPECT_EQ(planned(every_working_days(3, "2026-12-26"), "2026-12-01", "2027-01-08"),
              (V{"2026-12-29", "2027-01-04", "2027-01-07"}));
}

TEST(Recurrence, SweepingSuspendedOctoberToJanuaryRestartsInFebruary) {
    auto r = every_working_days(10, "2026-09-14");
    r.suspension = parse_season("10-01..01-31");
    ASSERT_TRUE(r.suspension);
    EXPECT_EQ(planned(r, "2026-09-01", "2027-02-28"),
              (V{"2026-09-14", "2026-09-28", "2027-02-01", "2027-02-15"}));
}

TEST(Recurrence, SevenCutsASeasonSpreadOverMarchToOctober2027) {
    // 170 working days from 1 March to 31 October 2027 (Easter, two May bank holidays and
    // the August one out); cut i on working day floor(i * 170 / 7).
    ScheduleRule r;
    r.kind = RuleKind::per_season;
    r.visits_per_season = 7;
    r.first_date = day("2026-03-01");
    r.season = parse_season("03-01..10-31");
    EXPECT_EQ(planned(r, "2027-01-01", "2027-12-31"),
              (V{"2027-03-01", "2027-04-06", "2027-05-11", "2027-06-15", "2027-07-20", "2027-08-23",
                 "2027-09-27"}));
    r.visits_per_season = 4; // Chorley's four verge flails
    EXPECT_EQ(planned(r, "2027-01-01", "2027-12-31"),
              (V{"2027-03-01", "2027-04-30", "2027-07-02", "2027-09-01"}));
    // A horizon inside the season gives the season's dates inside it only.
    r.visits_per_season = 7;
    EXPECT_EQ(planned(r, "2027-05-01", "2027-07-31"),
              (V{"2027-05-11", "2027-06-15", "2027-07-20"}));
}

TEST(Recurrence, GrassSeasonFiltersAWeeklyRule) {
    auto r = rrule("FREQ=WEEKLY;BYDAY=WE", "2027-02-03");
    r.season = parse_season("03-01..10-31");
    EXPECT_EQ(planned(r, "2027-02-01", "2027-03-20"),
              (V{"2027-03-03", "2027-03-10", "2027-03-17"}));
    EXPECT_EQ(planned(r, "2027-10-20", "2027-11-30"), (V{"2027-10-20", "2027-10-27"}));
}

TEST(Recurrence, AWinterRoundSetRunsOverTheNewYear) {
    auto r = rrule("FREQ=WEEKLY;INTERVAL=4;BYDAY=WE", "2026-01-07");
    r.round_set = parse_season("12-01..02-29");
    // 2026-01-07 + 4-weekly: ..., 2026-11-11 (outside), 2026-12-09, 2027-01-06, 2027-02-03,
    // 2027-03-03 (outside).
    EXPECT_EQ(planned(r, "2026-11-01", "2027-03-31"),
              (V{"2026-12-09", "2027-01-06", "2027-02-03"}));
}

TEST(Recurrence, SeasonWindowsAndMonthDaysParse) {
    EXPECT_EQ(parse_month_day("03-01")->text(), "03-01");
    EXPECT_TRUE(parse_month_day("02-29"));
    EXPECT_FALSE(parse_month_day("02-30"));
    EXPECT_FALSE(parse_month_day("13-01"));
    EXPECT_FALSE(parse_month_day("3-01"));
    EXPECT_FALSE(parse_season("03-01-10-31"));
    const auto winter = parse_season("11-01..03-31");
    ASSERT_TRUE(winter);
    EXPECT_TRUE(winter->contains(day("2026-12-25")));
    EXPECT_TRUE(winter->contains(day("2027-03-31")));
    EXPECT_FALSE(winter->contains(day("2027-04-01")));
    EXPECT_FALSE(winter->contains(day("2026-10-31")));
}

TEST(Recurrence, RefusedRulesNameTheirField) {
    const auto expand = [](ScheduleRule r) {
        return [r] { (void)expand_rule_nonempty(r, day("2026-12-07"), day("2027-03-07")); };
    };
    EXPECT_EQ(refused_field(expand(rrule("FREQ=WEEKLY;BYDAY=XX", "2026-12-07"))), "rrule");
    EXPECT_EQ(refused_field(expand(rrule("FREQUENTLY", "2026-12-07"))), "rrule");
    EXPECT_EQ(refused_field(expand(rrule("", "2026-12-07"))), "rrule");
    EXPECT_EQ(refused_field(expand(rrule("FREQ=HOURLY", "2026-12-07"))), "rrule");
    EXPECT_EQ(refused_field(expand(rrule("FREQ=DAILY;BYHOUR=9", "2026-12-07"))), "rrule");
    // Ends before the horizon, starts after it, or never matches: nothing inside it.
    EXPECT_EQ(refused_field(expand(rrule("FREQ=WEEKLY;UNTIL=20250101", "2024-01-01"))), "rrule");
    EXPECT_EQ(refused_field(expand(rrule("FREQ=WEEKLY", "2028-01-01"))), "first_date");
    EXPECT_EQ(refused_field(expand(rrule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "2026-01-01"))),
              "rrule");
    // A season wholly suspended is empty.
    auto empty = every_working_days(10, "2026-01-05");
    empty.season = parse_season("11-01..11-30");
    empty.suspension = parse_season("10-01..01-31");
    EXPECT_EQ(refused_field(expand(empty)), "season");
    ScheduleRule per_season;
    per_season.kind = RuleKind::per_season;
    per_season.visits_per_season = 7;
    per_season.first_date = day("2026-03-01");
    EXPECT_EQ(refused_field(expand(per_season)), "season");
    per_season.season = parse_season("03-01..03-05");
    EXPECT_EQ(refused_field(expand(per_season)), "visits_per_season");
    EXPECT_EQ(refused_field(expand(every_working_days(0, "2026-12-07"))), "interval_working_days");
    // A rule fine in itself but out of season for the whole horizon gives nothing: the season
    // is named (and why_no_visits says when it comes back).
    auto grass = rrule("FREQ=WEEKLY;BYDAY=WE", "2026-03-04");
    grass.season = parse_season("04-01..10-31");
    EXPECT_EQ(refused_field(expand(grass)), "season");
    EXPECT_EQ(refused_field(expand(rrule("FREQ=WEEKLY;BYDAY=TH", "2026-12-03"))), "(accepted)");
}

TEST(Recurrence, AnEmptyHorizonSaysWhich) {
    const auto from = day("2026-12-07");
    const auto to = day("2027-03-07");
    const auto why = [&](const ScheduleRule& r) {
        const auto w = why_no_visits(r, from, to);
        return w ? w->field + ": " + w->message : std::string("(visits)");
    };
    EXPECT_EQ(why(rrule("FREQ=WEEKLY;BYDAY=TH", "2026-12-03")), "(visits)");
    // Ends before: the last date the UNTIL allows (Mondays from 2024-01-01).
    EXPECT_EQ(why(rrule("FREQ=WEEKLY;UNTIL=20250101", "2024-01-01")),
              "rrule: ends on 2024-12-30 (its UNTIL or COUNT), before the horizon: no visit from "
              "2026-12-07 to 2027-03-07");
    EXPECT_EQ(why(rrule("FREQ=WEEKLY;COUNT=3", "2026-11-02")),
              "rrule: ends on 2026-11-16 (its UNTIL or COUNT), before the horizon: no visit from "
              "2026-12-07 to 2027-03-07");
    EXPECT_EQ(why(rrule("FREQ=WEEKLY", "2028-01-01")),
              "first_date: starts on 2028-01-01, after the horizon ends: no visit from 2026-12-07 "
              "to 2027-03-07");
    // No 29 February before its UNTIL.
    EXPECT_EQ(why(rrule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;UNTIL=20270101", "2025-01-01")),
              "rrule: never gives a date: no day from 2025-01-01 to 2028-03-07 matches it");
    // A day that never exists: libical will not expand it at all.
    const auto feb30 = [&] {
        try {
            (void)why_no_visits(rrule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "2026-01-01"), from,
                                to);
        } catch (const DomainError& e) {
            return e.problems().front().name + ": " + e.problems().front().message;
        }
        return std::string("(accepted)");
    };
    EXPECT_EQ(feb30(), "rrule: cannot be expanded from first_date 2026-01-01 (libical refused it)");
    EXPECT_EQ(why(rrule("FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=1", "2026-06-01")),
              "rrule: gives no date from 2026-12-07 to 2027-03-07; its next is 2027-06-01");
    // Out of season: the season is named with the first visit when it comes back (the first
    // Wednesday of April 2027).
    auto grass = rrule("FREQ=WEEKLY;BYDAY=WE", "2026-03-04");
    grass.season = parse_season("04-01..10-31");
    const auto w = why_no_visits(grass, from, to);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->field, "season");
    ASSERT_TRUE(w->next_in_season);
    EXPECT_EQ(w->next_in_season->iso(), "2027-04-07");
    // Suspended for the whole horizon: sweeping suspended December to March.
    auto sweep = every_working_days(10, "2026-01-05");
    sweep.suspension = parse_season("12-01..03-31");
    const auto s = why_no_visits(sweep, from, to);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->field, "suspension");
    ASSERT_TRUE(s->next_in_season);
    EXPECT_EQ(s->next_in_season->iso(), "2027-04-01");
}

} // namespace
} // namespace wardmap::services
