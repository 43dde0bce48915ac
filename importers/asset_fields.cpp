#include "importers/asset_fields.hpp"

#include "core/dates.hpp"

#include "geo/geojson_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>

namespace wardmap::importers {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

bool all_digits(std::string_view s) {
    if (s.empty()) {
        return false;
    }
    for (const char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

std::optional<std::string> checked(std::string_view y, std::string_view m, std::string_view d) {
    if (y.size() != 4 || m.empty() || m.size() > 2 || d.empty() || d.size() > 2 || !all_digits(y) ||
        !all_digits(m) || !all_digits(d)) {
        return std::nullopt;
    }
    std::string iso(y);
    iso += '-';
    iso += m.size() == 1 ? "0" : "";
    iso += m;
    iso += '-';
    iso += d.size() == 1 ? "0" : "";
    iso += d;
    if (!core::parse_iso_date(iso)) {
        return std::nullopt;
    }
    return iso;
}

/// Units an attribute's values may carry after the number, by the attribute's name: a
/// capacity_l of "120 LITRES" is 120.
bool is_unit_of(std::string_view attribute, std::string_view unit) {
    const auto ends = [&](std::string_view suffix) {
        return attribute.size() > suffix.size() &&
               attribute.substr(attribute.size() - suffix.size()) == suffix;
    };
    std::string u(unit);
    for (char& c : u) {
        c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    if (ends("_l")) {
        return u == "l" || u == "ltr" || u == "ltrs" || u == "litre" || u == "litres" ||
               u == "liter" || u == "liters";
    }
    if (ends("_cm")) {
        return u == "cm";
    }
    if (ends("_m")) {
        return u == "m" || u == "metre" || u == "metres" || u == "meter" || u == "meters";
    }
    return false;
}

/// "120 LITRES" -> "120" when LITRES is a unit of `attribute`; the text as it is otherwise.
std::string_view without_unit(std::string_view attribute, std::string_view text) {
    text = trim(text);
    std::size_t end = 0;
    while (end < text.size() && ((text[end] >= '0' && text[end] <= '9') || text[end] == '.' ||
                                 text[end] == '+' || text[end] == '-')) {
        ++end;
    }
    if (end == 0 || end == text.size()) {
        return text;
    }
    const auto unit = trim(text.substr(end));
    return is_unit_of(attribute, unit) ? text.substr(0, end) : text;
}

} // namespace

std::variant<AttributeMapping, std::string>
parse_attribute_mapping(std::string_view text, const core::StreetAssetType& type) {
    const auto eq = text.find('=');
    if (eq == std::string_view::npos) {
        return "--attr '" + std::string(text) + "' is not NAME=FIELD";
    }
    const auto name = trim(text.substr(0, eq));
    const auto field = trim(text.substr(eq + 1));
    if (name.empty() || field.empty()) {
        return "--attr '" + std::string(text) +
               "' needs an attribute name and a field (NAME=FIELD)";
    }
    if (core::find_attribute(type, name) == nullptr) {
        std::string names;
        for (const auto& a : type.attributes) {
            names += names.empty() ? "" : ", ";
            names += a.name;
        }
        return "--attr '" + std::string(text) + "': " + std::string(type.code) +
               " has no attribute '" + std::string(name) + "' (it has: " + names + ")";
    }
    return AttributeMapping{std::string(name), std::string(field)};
}

std::string parse_attribute_mappings(const std::vector<std::string>& options,
                                     const core::StreetAssetType& type,
                                     std::vector<AttributeMapping>& out) {
    std::set<std::string> named;
    for (const auto& option : options) {
        auto parsed = parse_attribute_mapping(option, type);
        if (auto* why = std::get_if<std::string>(&parsed)) {
            return *why;
        }
        auto& mapping = std::get<AttributeMapping>(parsed);
        if (!named.insert(mapping.attribute).second) {
            return "--attr names '" + mapping.attribute + "' twice";
        }
        out.push_back(std::move(mapping));
    }
    return {};
}

std::optional<std::string> parse_asset_date(std::string_view text) {
    text = trim(text);
    if (text.size() >= 10 && (text[4] == '-' || text[4] == '/') && text[7] == text[4]) {
        // ISO (or with slashes), maybe followed by a time.
        if (text.size() > 10 && text[10] != 'T' && text[10] != ' ') {
            return std::nullopt;
        }
        return checked(text.substr(0, 4), text.substr(5, 2), text.substr(8, 2));
    }
    // Day first: d/m/yyyy or dd/mm/yyyy, maybe followed by a time.
    const auto first = text.find('/');
    if (first == std::string_view::npos) {
        return std::nullopt;
    }
    const auto second = text.find('/', first + 1);
    if (second == std::string_view::npos) {
        return std::nullopt;
    }
    auto year = text.substr(second + 1);
    if (const auto space = year.find(' '); space != std::string_view::npos) {
        year = year.substr(0, space);
    }
    return checked(year, text.substr(first + 1, second - first - 1), text.substr(0, first));
}

std::optional<long long> parse_whole_number(std::string_view text) {
    const auto d = parse_decimal(text);
    constexpr double limit = 9007199254740992.0; // 2^53
    if (!d || std::trunc(*d) != *d || std::fabs(*d) > limit) {
        return std::nullopt;
    }
    return static_cast<long long>(*d);
}

std::optional<double> parse_decimal(std::string_view text) {
    text = trim(text);
    if (!text.empty() && text.front() == '+') {
        text.remove_prefix(1);
    }
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
        !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

std::optional<std::string>
attribute_json(const core::AssetAttribute& attribute, std::string_view text, std::string& why) {
    std::string out;
    switch (attribute.type) {
    case core::AttributeType::integer: {
        const auto v = parse_whole_number(without_unit(attribute.name, text));
        if (!v) {
            why = "'" + std::string(trim(text)) + "' is not a whole number";
            return std::nullopt;
        }
        geo::append_integer(out, *v);
        return out;
    }
    case core::AttributeType::number: {
        // Measures of street furniture; beyond 1e15 a number would not even print in fixed
        // notation (the fuzzer found 7.7e77 stored as null).
        constexpr double largest = 1e15;
        const auto v = parse_decimal(without_unit(attribute.name, text));
        if (!v || std::fabs(*v) >= largest) {
            why = "'" + std::string(trim(text)) + "' is not a number (of less than 1e15)";
            return std::nullopt;
        }
        geo::append_number(out, *v, 6);
        return out;
    }
    case core::AttributeType::date: {
        const auto v = parse_asset_date(text);
        if (!v) {
            why = "'" + std::string(trim(text)) + "' is not a date (YYYY-MM-DD or DD/MM/YYYY)";
            return std::nullopt;
        }
        geo::append_json_string(out, *v);
        return out;
    }
    default:
        geo::append_json_string(out, trim(text));
        return out;
    }
}

std::string fold_value(std::string_view text) {
    std::string out(trim(text));
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

} // namespace wardmap::importers
