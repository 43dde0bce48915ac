#include "geo/store/address_search_text.hpp"

#include "geo/store/database.hpp"

namespace wardmap::store {

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
        out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : static_cast<char>(c);
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

void refresh_address_terms(Database& db) {
    db.exec("INSERT OR IGNORE INTO address_terms (term) SELECT term FROM address_search_vocab "
            "WHERE length(term) > 3");
}

} // namespace wardmap::store
