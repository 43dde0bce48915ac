// England and Wales bank holidays against the published gov.uk lists, and working-day
// arithmetic across weekends, Easter and Christmas.

#include "core/w3c_time.hpp"
#include "core/working_days.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace wardmap::services {
namespace {

std::vector<std::string> holidays(int year) {
    std::vector<std::string> out;
    for (const auto& h : core::bank_holidays_england_wales(year)) {
        out.push_back(h.date.iso());
    }
    return out;
}

core::Date day(const char* iso) {
    return *core::parse_iso_date(iso);
}

TEST(BankHolidays, MatchTheGovUkListsFor2019To2027) {
    using V = std::vector<std::string>;
    EXPECT_EQ(holidays(2019), (V{"2019-01-01", "2019-04-19", "2019-04-22", "2019-05-06",
                                 "2019-05-27", "2019-08-26", "2019-12-25", "2019-12-26"}));
    // Early May moved to Friday 8 May for the 75th anniversary of VE day.
    EXPECT_EQ(holidays(2020), (V{"2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08",
                                 "2020-05-25", "2020-08-31", "2020-12-25", "2020-12-28"}));
    EXPECT_EQ(holidays(2021), (V{"2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03",
                                 "2021-05-31", "2021-08-30", "2021-12-27", "2021-12-28"}));
    // Platinum Jubilee (spring moved to Thursday 2 June, Friday 3 June added) and the state
    // funeral; New Year's Day on a Saturday gives Monday 3 January.
    EXPECT_EQ(holidays(2022),
              (V{"2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03",
                 "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"}));
    // The coronation; New Year's Day on a Sunday gives Monday 2 January.
    EXPECT_EQ(holidays(2023),
              (V{"2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29",
                 "2023-08-28", "2023-12-25", "2023-12-26"}));
    EXPECT_EQ(holidays(2024), (V{"2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06",
                                 "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26"}));
    EXPECT_EQ(holidays(2025), (V{"2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05",
                                 "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26"}));
    // Christmas on a Friday: Boxing Day's substitute is Monday 28th.
    EXPECT_EQ(holidays(2026), (V{"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04",
                                 "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"}));
    // Christmas on a Saturday: substitutes on Monday 27th and Tuesday 28th.
    EXPECT_EQ(holidays(2027), (V{"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03",
                                 "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"}));
}

TEST(BankHolidays, OneOffsOfEarlierYears) {
    const auto y2012 = holidays(2012);
    EXPECT_NE(std::find(y2012.begin(), y2012.end(), "2012-06-05"), y2012.end());
    EXPECT_EQ(std::find(y2012.begin(), y2012.end(), "2012-05-28"), y2012.end());
    const auto y2011 = holidays(2011);
    EXPECT_NE(std::find(y2011.begin(), y2011.end(), "2011-04-29"), y2011.end());
    const auto y1999 = holidays(1999);
    EXPECT_NE(std::find(y1999.begin(), y1999.end(), "1999-12-31"), y1999.end());
    EXPECT_TRUE(core::bank_holidays_england_wales(1970).empty());
}

TEST(BankHolidays, EasterByTheComputus) {
    EXPECT_EQ(core::easter_sunday(2024).iso(), "2024-03-31");
    EXPECT_EQ(core::easter_sunday(2025).iso(), "2025-04-20");
    EXPECT_EQ(core::easter_sunday(2038).iso(), "2038-04-25"); // the latest possible
    EXPECT_EQ(core::easter_sunday(2285).iso(), "2285-03-22"); // the earliest possible
    EXPECT_EQ(core::easter_sunday(2000).iso(), "2000-04-23");
}

TEST(WorkingDays, SkipWeekendsAndBankHolidays) {
    EXPECT_EQ(core::weekday(day("2026-11-20")), 4); // a Friday
    EXPECT_TRUE(core::is_working_day(day("2026-11-20")));
    EXPECT_FALSE(core::is_working_day(day("2026-11-21")));
    EXPECT_FALSE(core::is_working_day(day("2026-12-28")));
    // Friday + 1 is Monday.
    EXPECT_EQ(core::add_working_days(day("2026-11-20"), 1).iso(), "2026-11-23");
    EXPECT_EQ(core::add_working_days(day("2026-11-20"), 0).iso(), "2026-11-20");
    // A Saturday report: the count starts on Monday.
    EXPECT_EQ(core::add_working_days(day("2026-11-21"), 1).iso(), "2026-11-23");
    // Maundy Thursday + 1 skips Good Friday, the weekend and Easter Monday.
    EXPECT_EQ(core::add_working_days(day("2026-04-02"), 1).iso(), "2026-04-07");
    // Christmas Eve 2026 (Thursday) + 2: skips 25th, the weekend and the 28th.
    EXPECT_EQ(core::add_working_days(day("2026-12-24"), 2).iso(), "2026-12-30");
    // Ten working days across the 2022 jubilee weekend.
    EXPECT_EQ(core::add_working_days(day("2022-05-27"), 10).iso(), "2022-06-14");
    EXPECT_THROW((void)core::add_working_days(day("2026-01-01"), -1), std::invalid_argument);
}

TEST(W3cTime, ParsesZonesAndRefusesWhatIsNotOne) {
    EXPECT_EQ(core::parse_w3c_datetime("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(core::parse_w3c_datetime("1970-01-01T01:00:00+01:00"), 0);
    EXPECT_EQ(core::parse_w3c_datetime("1969-12-31T19:00:00-05:00"), 0);
    EXPECT_EQ(core::parse_w3c_datetime("1970-01-01T00:00Z"), 0);
    EXPECT_EQ(core::parse_w3c_datetime("1970-01-01T00:00:01.75Z"), 1);
    EXPECT_EQ(core::parse_w3c_datetime("1970-01-02"), 86400);
    EXPECT_FALSE(core::parse_w3c_datetime("1970-01-01T00:00:00"));  // no zone
    EXPECT_FALSE(core::parse_w3c_datetime("2026-02-30T00:00:00Z")); // no such day
    EXPECT_FALSE(core::parse_w3c_datetime("2026-01-01T24:00:00Z"));
    EXPECT_FALSE(core::parse_w3c_datetime("2026-01-01 10:00:00Z"));
    EXPECT_FALSE(core::parse_w3c_datetime("yesterday"));
    EXPECT_FALSE(core::parse_w3c_datetime(""));
}

TEST(W3cTime, TheStoredFormReadsAsTheGeneralParserReadsIt) {
    // Every format_utc text over three decades, at odd hours, comes back to its instant.
    const auto from = *core::parse_w3c_datetime("1999-01-01T00:00:00Z");
    const auto to = *core::parse_w3c_datetime("2031-01-01T00:00:00Z");
    for (core::UnixSeconds t = from; t < to; t += 7 * 3600 + 13 * 60 + 7) {
        ASSERT_EQ(core::parse_stored_utc(core::format_utc(t)), t) << core::format_utc(t);
    }
    // Anything else, good or bad, gets the general parser's answer.
    for (const char* text : {"2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "1900-02-29T00:00:00Z",
                             "2000-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
                             "2026-04-31T00:00:00Z", "2026-04-30T00:00:00Z", "2026-01-00T00:00:00Z",
                             "2026-01-01T23:60:00Z", "2026-01-01T23:59:60Z", "2026-01-01T24:00:00Z",
                             "2026-01-0xT00:00:00Z", "2026-01-01T09:30:00+01:00",
                             "2026-01-01T09:30Z", "2026-01-01", "2026-01-01T09:30:00z", ""}) {
        EXPECT_EQ(core::parse_stored_utc(text), core::parse_w3c_datetime(text)) << text;
    }
}

TEST(W3cTime, UkOffsetsStayRightWhenYearsAlternate) {
    // The summer-time dates are remembered per year: asking about years in turn must not
    // carry one year's dates into another (BST 2025: 30 March to 26 October; 2026: 29 March
    // to 25 October, each at 01:00 UTC).
    const std::pair<const char*, int> cases[] = {
        {"2025-07-01T12:00:00Z", 3600}, {"2026-01-15T12:00:00Z", 0}, {"2025-10-26T00:59:59Z", 3600},
        {"2026-10-25T00:59:59Z", 3600}, {"2025-10-26T01:00:00Z", 0}, {"2026-03-29T00:59:59Z", 0},
        {"2025-03-30T01:00:00Z", 3600}, {"2024-12-31T23:59:59Z", 0}, {"2026-03-29T01:00:00Z", 3600},
        {"2025-03-30T00:59:59Z", 0},
    };
    for (const auto& [text, offset] : cases) {
        EXPECT_EQ(core::uk_offset_seconds(*core::parse_w3c_datetime(text)), offset) << text;
    }
}

TEST(W3cTime, WritesUkLocalTimeWithItsOffset) {
    const auto winter = *core::parse_w3c_datetime("2026-11-21T09:30:00Z");
    EXPECT_EQ(core::format_w3c_uk(winter), "2026-11-21T09:30:00+00:00");
    EXPECT_EQ(core::format_utc(winter), "2026-11-21T09:30:00Z");
    const auto summer = *core::parse_w3c_datetime("2026-07-01T09:30:00Z");
    EXPECT_EQ(core::format_w3c_uk(summer), "2026-07-01T10:30:00+01:00");
    // BST 2026 starts 29 March 01:00 UTC and ends 25 October 01:00 UTC.
    EXPECT_EQ(core::uk_offset_seconds(*core::parse_w3c_datetime("2026-03-29T00:59:59Z")), 0);
    EXPECT_EQ(core::uk_offset_seconds(*core::parse_w3c_datetime("2026-03-29T01:00:00Z")), 3600);
    EXPECT_EQ(core::uk_offset_seconds(*core::parse_w3c_datetime("2026-10-25T00:59:59Z")), 3600);
    EXPECT_EQ(core::uk_offset_seconds(*core::parse_w3c_datetime("2026-10-25T01:00:00Z")), 0);
    // Late evening in summer is already the next day in the UK.
    EXPECT_EQ(core::uk_date(*core::parse_w3c_datetime("2026-07-01T23:30:00Z")).iso(), "2026-07-02");
    EXPECT_EQ(core::uk_instant(day("2026-07-02"), 30 * 60),
              *core::parse_w3c_datetime("2026-07-01T23:30:00Z"));
    for (const char* text : {"2026-07-01T10:30:00+01:00", "2026-12-01T10:30:00+00:00"}) {
        EXPECT_EQ(core::format_w3c_uk(*core::parse_w3c_datetime(text)), text);
    }
}

} // namespace
} // namespace wardmap::services
