#include "server/http/percent.hpp"

#include <gtest/gtest.h>

namespace wardmap::http {
namespace {

TEST(PercentDecode, DecodesEscapesAndPlusInQueries) {
    EXPECT_EQ(percent_decode("St%20Albans", true), "St Albans");
    EXPECT_EQ(percent_decode("St+Albans", true), "St Albans");
    EXPECT_EQ(percent_decode("St+Albans", false), "St+Albans");
    EXPECT_EQ(percent_decode("PR7%201AB", false), "PR7 1AB");
    EXPECT_EQ(percent_decode("Caf%C3%A9", true), "Caf\xC3\xA9");
    EXPECT_EQ(percent_decode("%2e%2E", false), "..");
}

TEST(PercentDecode, RejectsMalformedEscapesNulAndInvalidUtf8) {
    EXPECT_FALSE(percent_decode("%", true));
    EXPECT_FALSE(percent_decode("%4", true));
    EXPECT_FALSE(percent_decode("%zz", true));
    EXPECT_FALSE(percent_decode("a%00b", true));
    EXPECT_FALSE(percent_decode("%C3", true));       // truncated sequence
    EXPECT_FALSE(percent_decode("%C0%AF", true));    // overlong '/'
    EXPECT_FALSE(percent_decode("%ED%A0%80", true)); // surrogate
}

TEST(PercentEncode, RoundTripsThroughDecode) {
    const std::string text = "Flat 2, 14 Market St & Co/PR7 1AB?=é";
    const auto encoded = percent_encode(text);
    EXPECT_EQ(encoded.find(' '), std::string::npos);
    EXPECT_EQ(percent_decode(encoded, true), text);
}

} // namespace
} // namespace wardmap::http
