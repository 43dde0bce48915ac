#include "importers/address_text.hpp"

#include "geo/postcode.hpp"

#include <cctype>
#include <charconv>
#include <vector>

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

std::string join(const std::vector<std::string>& parts, std::size_t from, std::size_t to) {
    std::string s;
    for (std::size_t i = from; i < to; ++i) {
        s += (s.empty() ? "" : ", ") + parts[i];
    }
    return s;
}

/// A number range alone ("12", "12A", "2-4").
bool is_number_range(const std::string& s) {
    const auto o = parse_addressable_object(s);
    return o.start_number.has_value() && o.text.empty();
}

/// The parts of a single-line address (without its postcode): "Flat 2, Rose Court, 12 Market
/// Street, Astley Village, Chorley". The last part is the town when two or more remain; the
/// first part that starts with a number range ("12 Market Street", or "12" then "Market
/// Street") gives the PAO number and the street; a part before it is the PAO text, two or more
/// are the SAO then the PAO text; parts between the street and the town are the locality.
/// Without a number, the first part is the PAO ("Rose Cottage") and the second the street.
AddressParts split_parts(const std::string& text) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(',', start);
        const auto end = comma == std::string::npos ? text.size() : comma;
        if (auto p = trim(std::string_view(text).substr(start, end - start)); !p.empty()) {
            parts.push_back(std::move(p));
        }
        start = end + 1;
    }
    AddressParts out;
    if (parts.size() >= 2) {
        out.town = parts.back();
        parts.pop_back();
    }
    std::size_t k = 0;
    std::size_t street_end = 0; // first part after the street
    for (; k < parts.size(); ++k) {
        const auto space = parts[k].find(' ');
        if (is_number_range(parts[k]) && k + 1 < parts.size()) {
            out.pao = parse_addressable_object(parts[k]);
            out.street = parts[k + 1];
            street_end = k + 2;
            break;
        }
        if (space != std::string::npos && is_number_range(parts[k].substr(0, space))) {
            out.pao = parse_addressable_object(parts[k].substr(0, space));
            out.street = trim(std::string_view(parts[k]).substr(space + 1));
            street_end = k + 1;
            break;
        }
    }
    if (k == parts.size()) { // no number: "Rose Cottage, Mill Lane"
        if (parts.empty()) {
            return out;
        }
        out.pao = parse_addressable_object(parts[0]);
        if (parts.size() >= 2) {
            out.street = parts[1];
        }
        out.locality = join(parts, 2, parts.size());
        return out;
    }
    if (k == 1) {
        out.pao.text = parts[0];
    } else if (k >= 2) {
        out.sao = parse_addressable_object(parts[0]);
        out.pao.text = join(parts, 1, k);
    }
    out.locality = join(parts, street_end, parts.size());
    return out;
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

AddressParts parse_single_line(std::string_view line) {
    std::string text(line);
    std::string postcode;
    // A trailing postcode, as its own part or after the town ("Chorley PR7 1AB").
    const auto last_comma = text.rfind(',');
    const auto cut = last_comma == std::string::npos ? 0 : last_comma + 1;
    const std::string last = trim(std::string_view(text).substr(cut));
    if (auto pc = geo::normalise_postcode(last)) {
        postcode = *pc;
        text.resize(cut == 0 ? 0 : cut - 1);
    } else if (const auto sp = last.rfind(' '); sp != std::string::npos && sp > 0) {
        // "Chorley PR7 1AB": the last two words.
        const auto sp2 = last.rfind(' ', sp - 1);
        if (sp2 != std::string::npos) {
            if (auto pc2 = geo::normalise_postcode(last.substr(sp2 + 1))) {
                postcode = *pc2;
                text = text.substr(0, cut) + last.substr(0, sp2);
            }
        }
    }
    auto parts = split_parts(text);
    parts.postcode = std::move(postcode);
    return parts;
}

} // namespace wardmap::importers
