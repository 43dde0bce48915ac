// The outside text `wardmap import assets` parses besides GDAL's: --attr NAME=FIELD mappings
// (checked against each asset type) and the values of an asset file's columns (dates, whole
// numbers, numbers, with the units an attribute's name allows). Besides not crashing: an
// accepted mapping names an attribute of the type and non-empty parts; an accepted date is a
// real ISO date that reads back as itself; a value's JSON is a number or a string literal.

#include "importers/asset_fields.hpp"

#include "core/dates.hpp"
#include "fuzz/fuzz_support.hpp"

#include <nlohmann/json.hpp>

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const auto& type = core::street_asset_types[data[0] % std::size(core::street_asset_types)];
    const auto in = fuzz::text(data + 1, size - 1);

    const auto mapping = importers::parse_attribute_mapping(in, type);
    if (const auto* m = std::get_if<importers::AttributeMapping>(&mapping)) {
        fuzz::check(core::find_attribute(type, m->attribute) != nullptr,
                    "a mapping accepted for an attribute the type does not have");
        fuzz::check(!m->field.empty(), "a mapping accepted with no field");
    }
    std::vector<importers::AttributeMapping> all;
    (void)importers::parse_attribute_mappings({std::string(in), std::string(in)}, type, all);

    if (const auto date = importers::parse_asset_date(in)) {
        fuzz::check(core::parse_iso_date(*date).has_value(), "a date that is not a real day");
        fuzz::check(importers::parse_asset_date(*date) == date, "a date that does not read back");
    }
    (void)importers::parse_whole_number(in);
    (void)importers::parse_decimal(in);
    for (const auto& attribute : type.attributes) {
        std::string why;
        if (const auto json = importers::attribute_json(attribute, in, why)) {
            const auto parsed = nlohmann::json::parse(*json, nullptr, false);
            fuzz::check(!parsed.is_discarded(), "an attribute value that is not JSON");
            fuzz::check(parsed.is_number() || parsed.is_string(),
                        "an attribute value neither number nor string");
        } else {
            fuzz::check(!why.empty(), "a refused value without a reason");
        }
    }
    (void)importers::fold_value(in);
    return 0;
}
