// The outside text `wardmap import assets` parses besides the file's geometry: --attr
// mappings and the dates and numbers of asset files.

#include "importers/asset_fields.hpp"

#include <gtest/gtest.h>

namespace wardmap::importers {
namespace {

const core::StreetAssetType& bins() {
    return *core::find_street_asset_type("litter_bin");
}

TEST(AttributeMapping, NameEqualsFieldWithSpacesTrimmed) {
    const auto m = parse_attribute_mapping(" capacity_l = CAPACITY (L) ", bins());
    ASSERT_TRUE(std::holds_alternative<AttributeMapping>(m));
    EXPECT_EQ(std::get<AttributeMapping>(m).attribute, "capacity_l");
    EXPECT_EQ(std::get<AttributeMapping>(m).field, "CAPACITY (L)");
    // A field name may hold '=' after the first.
    const auto eq = parse_attribute_mapping("bin_type=A=B", bins());
    EXPECT_EQ(std::get<AttributeMapping>(eq).field, "A=B");
}

TEST(AttributeMapping, RefusalsSayWhatIsWrong) {
    const auto why = [](const char* text) {
        const auto m = parse_attribute_mapping(text, bins());
        return std::holds_alternative<std::string>(m) ? std::get<std::string>(m) : "";
    };
    EXPECT_NE(why("capacity_l").find("not NAME=FIELD"), std::string::npos);
    EXPECT_NE(why("=CAPACITY").find("needs an attribute name and a field"), std::string::npos);
    EXPECT_NE(why("capacity_l=").find("needs an attribute name and a field"), std::string::npos);
    EXPECT_NE(why("species=SPECIES")
                  .find("has no attribute 'species' (it has: bin_type, "
                        "capacity_l, empty_per_week)"),
              std::string::npos);
    std::vector<AttributeMapping> out;
    EXPECT_NE(parse_attribute_mappings({"bin_type=A", "bin_type=B"}, bins(), out).find("twice"),
              std::string::npos);
}

TEST(AssetValues, DatesAsCouncilsWriteThem) {
    EXPECT_EQ(parse_asset_date("2021-12-01"), "2021-12-01");
    EXPECT_EQ(parse_asset_date("2021-12-01T09:30:00Z"), "2021-12-01");
    EXPECT_EQ(parse_asset_date("2021-12-01 09:30"), "2021-12-01");
    EXPECT_EQ(parse_asset_date("2021/12/01"), "2021-12-01");
    EXPECT_EQ(parse_asset_date("01/12/2021"), "2021-12-01");
    EXPECT_EQ(parse_asset_date("1/2/2021 10:00:00"), "2021-02-01");
    for (const char* bad : {"", "2021-13-01", "29/02/2021", "2021-12-0", "12/2021", "Dec 2021",
                            "2021-12-01X", "01/12/21", "a/b/cdef"}) {
        EXPECT_EQ(parse_asset_date(bad), std::nullopt) << bad;
    }
    EXPECT_EQ(parse_asset_date("29/02/2024"), "2024-02-29");
}

TEST(AssetValues, NumbersAndTheirJson) {
    EXPECT_EQ(parse_whole_number("120"), 120);
    EXPECT_EQ(parse_whole_number("120.0"), 120);
    EXPECT_EQ(parse_whole_number("+5"), 5);
    EXPECT_EQ(parse_whole_number("1.5"), std::nullopt);
    EXPECT_EQ(parse_whole_number("1e300"), std::nullopt);
    EXPECT_EQ(parse_decimal("nan"), std::nullopt);
    EXPECT_EQ(parse_decimal("inf"), std::nullopt);
    const core::AssetAttribute height{"height_m", core::AttributeType::number, ""};
    const core::AssetAttribute name{"name", core::AttributeType::text, ""};
    std::string why;
    EXPECT_EQ(attribute_json(height, " 12.50 ", why), "12.5");
    EXPECT_EQ(attribute_json(name, "St \"Mary's\"", why), R"("St \"Mary's\"")");
    EXPECT_EQ(attribute_json(*core::find_attribute(bins(), "capacity_l"), "lots", why),
              std::nullopt);
    EXPECT_EQ(why, "'lots' is not a whole number");
    // A unit the attribute's name gives may follow the number; another may not.
    const auto& capacity = *core::find_attribute(bins(), "capacity_l");
    EXPECT_EQ(attribute_json(capacity, "120 LITRES", why), "120");
    EXPECT_EQ(attribute_json(capacity, "240l", why), "240");
    EXPECT_EQ(attribute_json(capacity, "120 kg", why), std::nullopt);
    EXPECT_EQ(attribute_json(capacity, "TWIN LINERS", why), std::nullopt);
    EXPECT_EQ(attribute_json(height, "12.5 m", why), "12.5");
    EXPECT_EQ(attribute_json(height, "12.5 l", why), std::nullopt);
    // Found by fuzz_asset_fields: a number too long for fixed notation was stored as null.
    EXPECT_EQ(attribute_json(height, std::string(78, '7'), why), std::nullopt);
    EXPECT_NE(why.find("is not a number"), std::string::npos);
    EXPECT_EQ(fold_value("  GOOD "), "good");
}

} // namespace
} // namespace wardmap::importers
