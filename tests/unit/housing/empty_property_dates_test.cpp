// The empty-property register's date rules against hand-checked dates: the risk cadence (high
// 3, medium 6, low 12 months), month ends (31 August + 6 months is the last day of February,
// 29th in a leap year), the basis (last inspection, else the later of empty-since and
// registration), overdue against the date asked, the bands of time empty, and the
// small-number suppression of the councillors' counts.

#include "server/services/housing/empty_property_dates.hpp"
#include "server/services/housing/empty_property_service.hpp"

#include <gtest/gtest.h>

namespace wardmap::services {
namespace {

core::Date d(const char* text) {
    const auto parsed = core::parse_iso_date(text);
    EXPECT_TRUE(parsed) << text;
    return parsed.value_or(core::Date{});
}

TEST(EmptyPropertyDates, AddMonthsClampsToTheMonthEnd) {
    struct Case {
        const char* from;
        int months;
        const char* expected;
    };
    // Hand-checked against a calendar.
    const Case cases[] = {
        {"2026-01-15", 3, "2026-04-15"},  {"2026-01-31", 1, "2026-02-28"},
        {"2028-01-31", 1, "2028-02-29"},  {"2026-08-31", 6, "2027-02-28"},
        {"2027-08-31", 6, "2028-02-29"},  {"2026-11-30", 3, "2027-02-28"},
        {"2026-10-31", 12, "2027-10-31"}, {"2026-05-31", 3, "2026-08-31"},
        {"2026-03-31", 6, "2026-09-30"},  {"2026-12-31", 3, "2027-03-31"},
        {"2026-12-15", 12, "2027-12-15"}, {"2028-02-29", 12, "2029-02-28"},
        {"2026-02-28", 3, "2026-05-28"},  {"2026-07-31", -1, "2026-06-30"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(add_months(d(c.from), c.months).iso(), c.expected)
            << c.from << " + " << c.months << " months";
    }
}

TEST(EmptyPropertyDates, NextDueFollowsTheRiskCadenceFromTheRightBasis) {
    struct Case {
        const char* name;
        const char* empty_since;
        const char* registered_on;
        const char* last_inspected; // "" for none
        EmptyRisk risk;
        const char* expected;
    };
    const Case cases[] = {
        {"high from the last inspection", "2024-01-10", "2024-03-01", "2026-09-30", EmptyRisk::high,
         "2026-12-30"},
        {"medium from the last inspection", "2024-01-10", "2024-03-01", "2026-08-31",
         EmptyRisk::medium, "2027-02-28"},
        {"low from the last inspection", "2024-01-10", "2024-03-01", "2026-02-28", EmptyRisk::low,
         "2027-02-28"},
        {"high, never inspected: from registration", "2025-06-01", "2026-11-30", "",
         EmptyRisk::high, "2027-02-28"},
        {"medium, never inspected: from registration", "2020-01-01", "2026-05-31", "",
         EmptyRisk::medium, "2026-11-30"},
        {"registered before it was empty: from empty-since", "2026-03-31", "2026-02-01", "",
         EmptyRisk::low, "2027-03-31"},
        {"leap day basis, 12 months", "2027-06-01", "2028-02-29", "", EmptyRisk::low, "2029-02-28"},
        {"inspected on 31 December, 3 months", "2025-01-01", "2025-02-01", "2026-12-31",
         EmptyRisk::high, "2027-03-31"},
    };
    for (const auto& c : cases) {
        InspectionBasis basis{.empty_since = d(c.empty_since),
                              .registered_on = d(c.registered_on),
                              .last_inspected_on = std::nullopt,
                              .risk = c.risk,
                              .back_in_use = false};
        if (*c.last_inspected != '\0') {
            basis.last_inspected_on = d(c.last_inspected);
        }
        const auto due = next_inspection_due(basis);
        ASSERT_TRUE(due) << c.name;
        EXPECT_EQ(due->iso(), c.expected) << c.name;
    }
}

TEST(EmptyPropertyDates, BackInUseHasNoInspectionDue) {
    EXPECT_FALSE(next_inspection_due({.empty_since = d("2025-01-01"),
                                      .registered_on = d("2025-01-01"),
                                      .last_inspected_on = d("2025-06-01"),
                                      .risk = EmptyRisk::high,
                                      .back_in_use = true}));
}

TEST(EmptyPropertyDates, OverdueIsStrictlyAfterTheDueDate) {
    struct Case {
        const char* due;
        const char* on;
        bool overdue;
    };
    const Case cases[] = {{"2027-02-28", "2027-02-27", false}, {"2027-02-28", "2027-02-28", false},
                          {"2027-02-28", "2027-03-01", true},  {"2026-12-31", "2027-01-01", true},
                          {"2028-02-29", "2028-03-01", true},  {"2028-02-29", "2028-02-28", false}};
    for (const auto& c : cases) {
        EXPECT_EQ(is_overdue(d(c.due), d(c.on)), c.overdue) << c.due << " on " << c.on;
    }
}

TEST(EmptyPropertyDates, BandsOfTimeEmpty) {
    struct Case {
        const char* since;
        const char* on;
        EmptyBand band;
    };
    const Case cases[] = {
        {"2026-06-30", "2026-12-29", EmptyBand::under_6_months},
        {"2026-06-30", "2026-12-30", EmptyBand::from_6_to_12_months},
        {"2026-08-31", "2027-02-27", EmptyBand::under_6_months},
        {"2026-08-31", "2027-02-28", EmptyBand::from_6_to_12_months},
        {"2025-12-07", "2026-12-06", EmptyBand::from_6_to_12_months},
        {"2025-12-07", "2026-12-07", EmptyBand::from_1_to_2_years},
        {"2024-12-07", "2026-12-06", EmptyBand::from_1_to_2_years},
        {"2024-12-07", "2026-12-07", EmptyBand::over_2_years},
        {"2026-12-10", "2026-12-07", EmptyBand::under_6_months},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(empty_band(d(c.since), d(c.on)), c.band) << c.since << " on " << c.on;
    }
}

TEST(EmptyPropertyDates, DaysBetweenAndAddDays) {
    EXPECT_EQ(days_between(d("2026-12-07"), d("2027-01-04")), 28);
    EXPECT_EQ(days_between(d("2028-02-28"), d("2028-03-01")), 2);
    EXPECT_EQ(add_days_to(d("2026-12-07"), 28).iso(), "2027-01-04");
    EXPECT_EQ(add_days_to(d("2028-03-01"), -1).iso(), "2028-02-29");
}

TEST(WardCountSuppression, SmallCountsAreNullAndOneAloneTakesTheNextSmallestWithIt) {
    struct Case {
        std::vector<int> counts;
        std::vector<std::optional<int>> expected;
    };
    const std::optional<int> hidden;
    const Case cases[] = {
        {{10, 7, 5, 12}, {10, 7, 5, 12}},
        {{0, 0, 0, 0}, {0, 0, 0, 0}},
        {{3, 7, 9, 20}, {hidden, hidden, 9, 20}}, // 3 alone would follow from the total
        {{3, 4, 9, 20}, {hidden, hidden, 9, 20}}, // two hidden: neither follows
        {{1, 0, 0, 6}, {hidden, 0, 0, hidden}},   // the next smallest non-zero
        {{4, 4, 4, 4}, {hidden, hidden, hidden, hidden}},
        {{0, 5, 0, 0}, {0, 5, 0, 0}},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(suppress_small_counts(c.counts), c.expected);
    }
}

} // namespace
} // namespace wardmap::services
