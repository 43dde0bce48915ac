#include "importers/address_text.hpp"

#include <gtest/gtest.h>

using wardmap::importers::parse_single_line;
using wardmap::importers::single_line;

TEST(SingleLineAddress, FlatInANamedBuildingOnANumberedStreet) {
    const auto p =
        parse_single_line("Flat 2, Rose Court, 12 Market Street, Astley Village, Chorley PR7 1AB");
    EXPECT_EQ(p.sao.display(), "Flat 2");
    EXPECT_EQ(p.pao.text, "Rose Court");
    EXPECT_EQ(p.pao.number_range(), "12");
    EXPECT_EQ(p.street, "Market Street");
    EXPECT_EQ(p.locality, "Astley Village");
    EXPECT_EQ(p.town, "Chorley");
    EXPECT_EQ(p.postcode, "PR7 1AB");
}

TEST(SingleLineAddress, PostcodeAsItsOwnPartAndANumberAlone) {
    const auto p = parse_single_line("2-4, Mill Lane, Chorley, pr71ab");
    EXPECT_EQ(p.pao.number_range(), "2-4");
    EXPECT_EQ(p.street, "Mill Lane");
    EXPECT_EQ(p.town, "Chorley");
    EXPECT_EQ(p.postcode, "PR7 1AB");
}

TEST(SingleLineAddress, NamedHouseWithoutANumber) {
    const auto p = parse_single_line("Rose Cottage, Mill Lane, Heath Charnock, Chorley");
    EXPECT_EQ(p.pao.text, "Rose Cottage");
    EXPECT_EQ(p.street, "Mill Lane");
    EXPECT_EQ(p.locality, "Heath Charnock");
    EXPECT_EQ(p.town, "Chorley");
    EXPECT_TRUE(p.postcode.empty());
}

TEST(SingleLineAddress, RoundTripsWhatSingleLineWrites) {
    const auto p = parse_single_line("Flat 2, Rose Court, 12 Market Street, Chorley, PR7 1AB");
    EXPECT_EQ(single_line(p), "Flat 2, Rose Court, 12 Market Street, Chorley, PR7 1AB");
}

TEST(SingleLineAddress, EmptyAndSeparatorOnlyTextGiveNoParts) {
    for (const char* text : {"", ",", " , ,, ", "PR7 1AB"}) {
        const auto p = parse_single_line(text);
        EXPECT_TRUE(p.sao.empty() && p.pao.empty() && p.street.empty()) << text;
    }
}
