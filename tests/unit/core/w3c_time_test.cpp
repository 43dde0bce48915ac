#include "core/dates.hpp"
#include "core/w3c_time.hpp"

#include <gtest/gtest.h>

namespace wardmap::core {
namespace {

TEST(Rfc3339, ReadsTheFormsCql2Takes) {
    const auto at = [](std::string_view text) { return parse_rfc3339(text); };
    EXPECT_EQ(at("2024-03-01T10:00:00Z"), parse_w3c_datetime("2024-03-01T10:00:00Z"));
    EXPECT_EQ(at("2024-03-01t10:00:00.123z"), at("2024-03-01T10:00:00Z"));
    EXPECT_EQ(at("2024-03-01T00:30:00+01:00"), at("2024-02-29T23:30:00Z"));
    EXPECT_EQ(at("2024-03-01T00:30:00-23:59"), at("2024-03-02T00:29:00Z"));
    EXPECT_EQ(at("2016-12-31T23:59:60Z"), at("2017-01-01T00:00:00Z")) << "a leap second";
    EXPECT_EQ(at("1969-12-31T23:59:59Z"), -1);
}

TEST(Rfc3339, RefusesEverythingElse) {
    for (const char* bad :
         {"2024-03-01T10:00:00", "2024-13-01T10:00:00Z", "2024-02-30T10:00:00Z", "2024-03-01",
          "2024-03-01T10:00Z", "2024-03-01 10:00:00Z", "2024-03-01T24:00:00Z",
          "2024-03-01T10:60:00Z", "2024-03-01T10:00:61Z", "2024-03-01T10:00:00.Z",
          "2024-03-01T10:00:00+24:00", "2024-03-01T10:00:00+01", "2024-03-01T10:00:00Zx",
          "2024-03-01T1-:00:00Z", "2024-03-01T10:00:00+0100"}) {
        EXPECT_EQ(parse_rfc3339(bad), std::nullopt) << bad;
    }
}

TEST(Rfc3339, RoundTripsThroughTheStorageForm) {
    for (const char* text : {"2026-11-21T09:30:00Z", "2000-02-29T00:00:00Z", "0001-01-01T00:00:00Z",
                             "9999-12-31T23:59:59Z"}) {
        const auto t = parse_rfc3339(text);
        ASSERT_TRUE(t) << text;
        EXPECT_EQ(format_utc(*t), text);
        EXPECT_EQ(parse_stored_utc(text), t);
    }
}

// Found by fuzz/w3c_time.cpp: std::from_chars takes a leading '-', so "-026-11-21" was read
// as the year -26, and parse_w3c_datetime disagreed with parse_stored_utc, which promises the
// same answer for any text.
TEST(IsoDate, RefusesASignedYearMonthOrDay) {
    EXPECT_FALSE(parse_iso_date("-026-11-21"));
    EXPECT_FALSE(parse_iso_date("2026--1-21"));
    EXPECT_FALSE(parse_iso_date("2026-11--1"));
    EXPECT_FALSE(parse_w3c_datetime("-026-11-21T09:30:00Z"));
    EXPECT_FALSE(parse_rfc3339("-026-11-21T09:30:00Z"));
    EXPECT_EQ(parse_stored_utc("-026-11-21T09:30:00Z"), parse_w3c_datetime("-026-11-21T09:30:00Z"));
    EXPECT_TRUE(parse_iso_date("0026-11-21"));
}

TEST(YearMonth, ParsesExactlyYyyyMm) {
    const auto m = parse_year_month("2024-02");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->iso(), "2024-02");
    EXPECT_EQ(m->last_day().iso(), "2024-02-29"); // a leap year
    EXPECT_EQ(parse_year_month("2023-02")->last_day().iso(), "2023-02-28");
    EXPECT_EQ(YearMonth::from_index(m->index() + 11).iso(), "2025-01");
    for (const char* bad : {"2024-13", "2024-00", "2024-1", "2024-01-01", "-024-01", "2024/01", "",
                            "2024-+1", "20240-1"}) {
        EXPECT_FALSE(parse_year_month(bad)) << bad;
    }
}

} // namespace
} // namespace wardmap::core
