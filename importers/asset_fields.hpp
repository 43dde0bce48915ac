#pragma once

// The outside text `wardmap import assets` reads besides the file: attribute mappings given
// on the command line (--attr NAME=FIELD) and the values in an asset file's columns (dates,
// whole numbers, numbers), each parsed to what street_assets stores. Pure functions; fuzzed
// by fuzz/asset_fields.cpp.

#include "core/street_asset_types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace wardmap::importers {

/// One --attr option: the register's attribute name and the file's column that fills it.
struct AttributeMapping {
    std::string attribute;
    std::string field;
};

/// "NAME=FIELD" (spaces around either part trimmed) -> the mapping; otherwise the reason it is
/// refused, naming the option: no '=', an empty side, or NAME not an attribute of `type`
/// (listing the type's attributes).
std::variant<AttributeMapping, std::string>
parse_attribute_mapping(std::string_view text, const core::StreetAssetType& type);

/// Every --attr of an import, checked against `type`; an attribute named twice is refused.
/// Empty string: all fine (the mappings are appended to `out`).
std::string parse_attribute_mappings(const std::vector<std::string>& options,
                                     const core::StreetAssetType& type,
                                     std::vector<AttributeMapping>& out);

/// A date as councils' files write it: 2021-12-01, 2021-12-01T09:30:00(Z), 2021-12-01 09:30,
/// 2021/12/01 or 01/12/2021 (day first, as in the UK) -> "YYYY-MM-DD"; nullopt when it is none
/// of these or not a real day.
std::optional<std::string> parse_asset_date(std::string_view text);

/// A whole number ("120", "120.0", "+5"); nullopt otherwise or beyond ±2^53.
std::optional<long long> parse_whole_number(std::string_view text);

/// A finite decimal number; nullopt otherwise.
std::optional<double> parse_decimal(std::string_view text);

/// An attribute's value from the file's text, as stored in the attributes JSON: a JSON
/// number or string literal (a number may carry the unit its name gives: "120 LITRES" for
/// capacity_l, "12 m" for height_m, "80cm" for girth_cm); nullopt (with `why` set) when the text is
/// not of the attribute's type. Empty text is not a value (the caller leaves the attribute out).
std::optional<std::string>
attribute_json(const core::AssetAttribute& attribute, std::string_view text, std::string& why);

/// Lower case, trimmed (condition, owner): "GOOD " -> "good".
std::string fold_value(std::string_view text);

} // namespace wardmap::importers
