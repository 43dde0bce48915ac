#include "importers/address_text.hpp"

#include <cctype>
#include <charconv>

namespace wardmap::importers {

namespace {

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

/// "12" or "12A" (a number of 1-5 digits and an optional one-letter suffix).
bool parse_numbered(std::string_view s, int& number, std::string& suffix) {
    std::size_t digits = 0;
    while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) {
        ++digits;
    }
    if (digits == 0 || digits > 5 || s.size() > digits + 1 || (digits > 1 && s[0] == '0')) {
        return false;
    }
    if (s.size() == digits + 1 && !std::isalpha(static_cast<unsigned char>(s[digits]))) {
        return false;
    }
    std::from_chars(s.data(), s.data() + digits, number);
    suffix = std::string(s.substr(digits));
    return true;
}

/// "12", "12A", "2-4", "2A-2C" into `o`; false when `s` is not a number range.
bool parse_range(std::string_view s, AddressableObject& o) {
    int start = 0;
    std::string start_suffix;
    const auto dash = s.find('-');
    if (dash == std::string_view::npos) {
        if (!parse_numbered(s, start, start_suffix)) {
            return false;
        }
        o.start_number = start;
        o.start_suffix = start_suffix;
        return true;
    }
    int end = 0;
    std::string end_suffix;
    if (!parse_numbered(trim(s.substr(0, dash)), start, start_suffix) ||
        !parse_numbered(trim(s.substr(dash + 1)), end, end_suffix)) {
        return false;
    }
    o.start_number = start;
    o.start_suffix = start_suffix;
    o.end_number = end;
    o.end_suffix = end_suffix;
    return true;
}

} // namespace

std::string AddressableObject::number_range() const {
    if (!start_number) {
        return {};
    }
    std::string s = std::to_string(*start_number) + start_suffix;
    if (end_number) {
        s += "-" + std::to_string(*end_number) + end_suffix;
    }
    return s;
}

std::string AddressableObject::display() const {
    const std::string range = number_range();
    if (text.empty()) {
        return range;
    }
    return range.empty() ? text : text + " " + range;
}

AddressableObject parse_addressable_object(std::string_view display) {
    AddressableObject o;
    const std::string s = trim(display);
    if (s.empty() || parse_range(s, o)) {
        return o;
    }
    // "Flat 2", "Unit 3-5": text, then a number range as the last word.
    if (const auto space = s.rfind(' '); space != std::string::npos) {
        AddressableObject numbered;
        if (parse_range(std::string_view(s).substr(space + 1), numbered)) {
            numbered.text = trim(std::string_view(s).substr(0, space));
            return numbered;
        }
    }
    o.text = s;
    return o;
}

std::string single_line(const AddressParts& p) {
    std::string line;
    const auto add = [&line](const std::string& part) {
        if (!part.empty()) {
            line += (line.empty() ? "" : ", ") + part;
        }
    };
    add(p.sao.display());
    add(p.pao.text);
    const std::string range = p.pao.number_range();
    add(range.empty() ? p.street : p.street.empty() ? range : range + " " + p.street);
    add(p.locality);
    if (p.town != p.locality) {
        add(p.town);
    }
    add(p.postcode);
    return line;
}

} // namespace wardmap::importers
