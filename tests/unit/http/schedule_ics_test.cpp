// The iCalendar writer by RFC 5545's rules: TEXT escaping, folding at 75 octets without
// splitting a UTF-8 character, CRLF, and a feed libical reads back event for event.

#include "server/http/streetscene/schedule_ics.hpp"

#include <gtest/gtest.h>

#include <libical/ical.h>
#include <sstream>
#include <string>

namespace wardmap::http {
namespace {

TEST(ScheduleIcs, EscapesText) {
    EXPECT_EQ(ics_escape_text("a\\b;c,d\ne\r\nf"), "a\\\\b\\;c\\,d\\ne\\nf");
    EXPECT_EQ(ics_escape_text(std::string("tab\there", 8)), "tab here");
}

TEST(ScheduleIcs, FoldsAt75OctetsNeverInsideACharacter) {
    EXPECT_EQ(ics_fold_line("SUMMARY:short"), "SUMMARY:short\r\n");
    const std::string ascii(200, 'x');
    const auto folded = ics_fold_line(ascii);
    std::istringstream in(folded);
    std::string unfolded;
    int n = 0;
    for (std::string line; std::getline(in, line); ++n) {
        ASSERT_EQ(line.back(), '\r');
        line.pop_back();
        EXPECT_LE(line.size(), 75U);
        unfolded += n == 0 ? line : line.substr(1); // a continuation starts with one space
        if (n > 0) {
            EXPECT_EQ(line.front(), ' ');
        }
    }
    EXPECT_EQ(unfolded, ascii);
    // "é" is two octets: 74 ASCII then é would make 76, so é starts the next line.
    const std::string text = std::string(74, 'a') + "\xC3\xA9" + "b";
    EXPECT_EQ(ics_fold_line(text), std::string(74, 'a') + "\r\n \xC3\xA9" + "b\r\n");
}

TEST(ScheduleIcs, LibicalReadsTheFeedBack) {
    services::PlaceSchedule s;
    s.field = "uprn";
    s.id = 100012345601;
    s.label = "1 Example Lane, Chorley; PR6 7AD";
    s.from = {2026, 12, 1};
    s.to = {2027, 1, 31};
    services::ActivitySchedule a{"household_waste", "Household waste collection", "waste", {}};
    services::ScheduledDate moved;
    moved.date = {2026, 12, 29};
    moved.moved_from = core::Date{2026, 12, 25};
    moved.status = "planned";
    moved.round_code = "REFUSE-FRI";
    moved.round_name = std::string("Refuse, Friday \xE2\x80\x94 ") + std::string(80, 'z');
    moved.uid = "REFUSE-FRI-2026-12-25";
    services::ScheduledDate plain = moved;
    plain.date = {2027, 1, 8};
    plain.moved_from.reset();
    plain.uid = "REFUSE-FRI-2027-01-08";
    a.dates = {moved, plain};
    s.activities.push_back(a);
    const auto ics = schedule_ics(s, "wardmap.example", "20261207T101500Z", "Chorley Council");
    icalcomponent* cal = icalparser_parse_string(ics.c_str());
    ASSERT_NE(cal, nullptr);
    EXPECT_EQ(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 2);
    icalcomponent* e = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
    EXPECT_STREQ(icalcomponent_get_summary(e), "Household waste collection");
    EXPECT_EQ(std::string(icalcomponent_get_description(e)),
              moved.round_name + " (REFUSE-FRI); moved from 2026-12-25 (bank holiday)");
    const auto start = icalcomponent_get_dtstart(e);
    EXPECT_TRUE(start.is_date);
    EXPECT_EQ(start.day, 29);
    const auto end = icalcomponent_get_dtend(e);
    EXPECT_EQ(end.day, 30);
    EXPECT_STREQ(icalcomponent_get_uid(e),
                 "REFUSE-FRI-2026-12-25-household_waste-uprn-100012345601@wardmap.example");
    icalcomponent_free(cal);
}

} // namespace
} // namespace wardmap::http
