#include "geo/store/address_search_text.hpp"

#include "geo/store/database.hpp"

namespace wardmap::store {

namespace {

// Base letters of U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A), lower
// case, from Unicode's canonical decompositions; '.' where a letter has none (kept as it is).
constexpr std::string_view latin_base_letters =
    "aaaaaa.ceeeeiiii.nooooo..uuuuy..aaaaaa.ceeeeiiii.nooooo..uuuuy.yaaaaaaccccccccdd..eeeeeeeeee"
    "gggggggghh..iiiiiiiii...jjkk.llllll....nnnnnn...oooooo..rrrrrrsssssssstttt..uuuuuuuuuuuuwwy"
    "yyzzzzzz.";

/// The base letter of the two-byte UTF-8 sequence at text[i], or 0.
char base_letter(std::string_view text, std::size_t i) {
    if (i + 1 >= text.size()) {
        return 0;
    }
    const auto lead = static_cast<unsigned char>(text[i]);
    const auto next = static_cast<unsigned char>(text[i + 1]);
    if (lead < 0xC3 || lead > 0xC5 || (next & 0xC0) != 0x80) {
        return 0;
    }
    const unsigned code = ((lead & 0x1Fu) << 6) | (next & 0x3Fu);
    if (code < 0xC0 || code >= 0x180) {
        return 0;
    }
    const char base = latin_base_letters[code - 0xC0];
    return base == '.' ? 0 : base;
}

} // namespace

std::string search_words(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool space = true; // no leading space
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        // ' and the typographic apostrophe U+2019 (E2 80 99) join their word.
        if (c == '\'' || c == '`') {
            continue;
        }
        if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
            (static_cast<unsigned char>(text[i + 2]) == 0x99 ||
             static_cast<unsigned char>(text[i + 2]) == 0x98)) {
            i += 2;
            continue;
        }
        const bool separator = c < 0x80 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                                             (c >= 'A' && c <= 'Z'));
        if (separator) {
            if (!space) {
                out += ' ';
                space = true;
            }
            continue;
        }
        if (const char base = base_letter(text, i); base != 0) {
            out += base; // Welsh ŵ, Irish á, French é...: typed with or without the accent
            ++i;
        } else {
            out +=
                (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : static_cast<char>(c);
        }
        space = false;
    }
    if (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
    return out;
}

std::vector<std::string> search_tokens(std::string_view query) {
    std::vector<std::string> tokens;
    const std::string words = search_words(query);
    std::size_t start = 0;
    while (start < words.size()) {
        auto end = words.find(' ', start);
        if (end == std::string::npos) {
            end = words.size();
        }
        tokens.push_back(words.substr(start, end - start));
        start = end + 1;
    }
    return tokens;
}

std::string postcode_terms(std::string_view postcode) {
    if (postcode.empty()) {
        return {};
    }
    const std::string words = search_words(postcode);
    std::string compact;
    for (const char c : words) {
        if (c != ' ') {
            compact += c;
        }
    }
    return compact == words ? words : words + " " + compact;
}

} // namespace wardmap::store
