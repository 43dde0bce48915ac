// The bin-calendar reader: entries parsed one by one with their line, bad entries named by
// line and field while the rest are read, and a calendar whose dates no weekly pattern gives
// refused with the dates that do not fit.

#include "server/services/streetscene/bin_calendar.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wardmap::services {
namespace {

TEST(BinCalendar, ReadsEntriesWithTheirLinesAndUnpaddedDates) {
    const std::string text = "[\n"
                             "  {\"collectionDate\": \"2023-08-31\", \"greenBin\": false,\n"
                             "   \"blueBin\": true},\n"
                             "  {\"collectionDate\": \"2023-09-7\", \"greenBin\": true,\n"
                             "   \"blueBin\": false}\n"
                             "]\n";
    const auto parsed = parse_bin_calendar(text, "cal.json");
    ASSERT_TRUE(parsed.problems.empty()) << parsed.problems[0].text();
    ASSERT_EQ(parsed.rows.size(), 2U);
    EXPECT_EQ(parsed.rows[0].line, 2);
    EXPECT_EQ(parsed.rows[1].line, 4);
    EXPECT_EQ(parsed.rows[1].date.iso(), "2023-09-07");
    EXPECT_TRUE(parsed.rows[1].bins.at("greenBin"));
    EXPECT_FALSE(parsed.rows[1].bins.at("blueBin"));
}

TEST(BinCalendar, NamesTheLineAndFieldOfEachBadEntryAndReadsTheRest) {
    const std::string text = "[\n"
                             "{\"collectionDate\": \"2023-02-30\", \"greenBin\": true},\n"
                             "{\"collectionDate\": \"2023-09-14\", \"greenBin\": \"yes\"},\n"
                             "{\"greenBin\": true},\n"
                             "{\"collectionDate\": \"2023-09-21\", \"colour\": \"red\"},\n"
                             "{\"collectionDate\": \"2023-09-28\", \"greenBin\": true},\n"
                             "{\"collectionDate\": \"2023-09-28\", \"greenBin\": false}\n"
                             "]";
    const auto parsed = parse_bin_calendar(text, "cal.json");
    ASSERT_EQ(parsed.problems.size(), 5U);
    EXPECT_EQ(parsed.problems[0].text(),
              "cal.json:2: field 'collectionDate': '2023-02-30' is not a date YYYY-MM-DD that "
              "exists");
    EXPECT_EQ(parsed.problems[1].line, 3);
    EXPECT_EQ(parsed.problems[1].field, "greenBin");
    EXPECT_EQ(parsed.problems[2].line, 4);
    EXPECT_EQ(parsed.problems[2].field, "collectionDate");
    EXPECT_EQ(parsed.problems[3].field, "colour");
    EXPECT_EQ(parsed.problems[4].text(),
              "cal.json:7: field 'collectionDate': 2023-09-28 is already on line 6");
    ASSERT_EQ(parsed.rows.size(), 1U);
    EXPECT_EQ(parsed.rows[0].line, 6);
}

TEST(BinCalendar, AFileThatIsNotAnArrayIsOneProblem) {
    for (const char* text : {"", "{}", "[{\"collectionDate\": \"2023-09-28\"}", "[1, 2]",
                             "[{\"collectionDate\": \"2023-09-28\"} {}]", "[] x"}) {
        const auto parsed = parse_bin_calendar(text, "f.json");
        EXPECT_FALSE(parsed.problems.empty()) << text;
    }
    EXPECT_TRUE(parse_bin_calendar(" [ ] ", "f.json").problems.empty());
}

TEST(BinCalendar, BinsMapToActivities) {
    EXPECT_EQ(bin_activity("greenBin"), "household_waste");
    EXPECT_EQ(bin_activity("blueBin"), "recycling");
    EXPECT_EQ(bin_activity("brownBin"), "garden_waste");
}

} // namespace
} // namespace wardmap::services
