#include "geo/store/burial_name_keys.hpp"

#include "geo/store/address_search_text.hpp"
#include "geo/store/database.hpp"

#include <algorithm>
#include <array>

namespace wardmap::store {

namespace {

bool vowel(char c) {
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

bool front_vowel(char c) {
    return c == 'e' || c == 'i' || c == 'y';
}

// Words before a surname's last word that belong to it ("Maria de la Cruz", "Anne St John").
constexpr std::array<std::string_view, 14> particles = {
    "de", "del", "la", "le", "du", "da", "di", "van", "von", "der", "st", "saint", "ap", "mac"};

bool particle(std::string_view w) {
    return std::find(particles.begin(), particles.end(), w) != particles.end();
}

std::string joined(const std::vector<std::string>& words, std::size_t from, std::size_t to) {
    std::string out;
    for (std::size_t i = from; i < to; ++i) {
        out += words[i] == "saint" ? std::string("st") : words[i];
    }
    return out;
}

std::vector<std::string> keys_of_words(const std::vector<std::string>& words) {
    std::vector<std::string> keys;
    if (words.empty()) {
        return keys;
    }
    keys.push_back(sound_key(joined(words, 0, words.size())));
    if (words.size() > 1) {
        for (const auto& w : words) {
            if (w.size() >= 3 && !particle(w)) {
                keys.push_back(sound_key(w));
            }
        }
    }
    std::erase(keys, std::string());
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
}

// " a b c " (each word between spaces), so instr(' ' || w || ' ') finds a whole word.
std::string spaced(const std::vector<std::string>& words) {
    std::string out = " ";
    for (const auto& w : words) {
        out += w + " ";
    }
    return out;
}

} // namespace

std::vector<std::string> name_words(std::string_view name) {
    std::vector<std::string> words;
    const std::string text = search_words(name);
    std::string word;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        const char c = i < text.size() ? text[i] : ' ';
        if (c == ' ') {
            if (!word.empty()) {
                words.push_back(std::move(word));
                word.clear();
            }
        } else if (c >= 'a' && c <= 'z') {
            word += c;
        }
    }
    return words;
}

std::string sound_key(std::string_view spelling) {
    std::string w(spelling);
    // Mac and Mc are one prefix ("Macdonald", "MacDonald", "McDonald").
    if (w.size() > 4 && w.starts_with("mac")) {
        w = "mc" + w.substr(3);
    }
    // Silent first letters.
    if (w.starts_with("kn") || w.starts_with("gn") || w.starts_with("pn") || w.starts_with("wr") ||
        w.starts_with("ps")) {
        w.erase(0, 1);
    }
    std::string key;
    const auto put = [&key](std::string_view s) {
        for (const char c : s) {
            if (key.empty() || key.back() != c) {
                key += c;
            }
        }
    };
    const std::size_t n = w.size();
    const auto at = [&w, n](std::size_t i) { return i < n ? w[i] : '\0'; };
    for (std::size_t i = 0; i < n; ++i) {
        const char c = w[i];
        const char next = at(i + 1);
        const char prev = i > 0 ? w[i - 1] : '\0';
        switch (c) {
        case 'a':
        case 'e':
        case 'i':
        case 'o':
        case 'u':
            if (i == 0) {
                put("A");
            }
            break;
        case 'y':
            if (i == 0) {
                put(vowel(next) ? "Y" : "A");
            }
            break;
        case 'b':
            if (!(prev == 'm' && i + 1 == n)) { // "-mb"
                put("B");
            }
            break;
        case 'c':
            if (next == 'h') {
                // "Chr-" and "sch" are hard (Christie, Schofield); otherwise "ch" as in Church.
                put(at(i + 2) == 'r' || prev == 's' ? "K" : "X");
                ++i;
            } else if (front_vowel(next)) {
                put("S");
            } else {
                put("K");
            }
            break;
        case 'd':
            if (next == 'g' && front_vowel(at(i + 2))) { // "dge" (Rodgers = Rogers)
                put("J");
                ++i;
            } else {
                put("T");
            }
            break;
        case 'g':
            if (next == 'h') {
                if (i == 0) {
                    put("G");
                }
                ++i; // silent inside a word: Haigh, Wright, Ainscough, Hughes
            } else if (next == 'n' && i + 2 == n) {
                // "-gn" (Champagne's kind): silent g
            } else if (front_vowel(next) && prev != 'g' && next != 'y') {
                put("J");
            } else {
                put("K");
            }
            break;
        case 'h':
            // Sounded only before a vowel and not after one (Hughes; Graham = Grahame).
            if (vowel(next) && !vowel(prev)) {
                put("H");
            }
            break;
        case 'p':
            if (next == 'h') {
                put("F");
                ++i;
            } else if (prev == 'm' && (next == 's' || next == 't')) {
                // Thompson = Thomson, Simpson = Simson
            } else {
                put("P");
            }
            break;
        case 'q':
            put("K");
            break;
        case 's':
            if (next == 'h') {
                put("X");
                ++i;
            } else {
                put("S");
            }
            break;
        case 't':
            if (next == 'h') { // Smith = Smyth, Thomson = Tomson
                put("T");
                ++i;
            } else if (next == 'c' && at(i + 2) == 'h') {
                // "tch" is "ch"
            } else {
                put("T");
            }
            break;
        case 'v':
            put("F"); // Stevens = Stephens
            break;
        case 'w':
            if (next == 'h') {
                if (i == 0) {
                    put("W");
                }
                ++i;
            } else if (vowel(next)) {
                put("W");
            }
            break;
        case 'x':
            put(i == 0 ? "S" : "KS");
            break;
        case 'z':
            put("S");
            break;
        default:
            if (c >= 'a' && c <= 'z') {
                const char upper = static_cast<char>(c - 'a' + 'A');
                put(std::string_view(&upper, 1));
            }
            break;
        }
    }
    if (key.empty() && !w.empty() && w[0] >= 'a' && w[0] <= 'z') {
        // Only silent letters ("hh"): the first letter, so every spelling has a key.
        key += static_cast<char>(w[0] - 'a' + 'A');
    }
    return key;
}

std::vector<std::string> surname_keys(std::string_view surname) {
    return keys_of_words(name_words(surname));
}

std::string surname_spelling(std::string_view surname) {
    const auto words = name_words(surname);
    return joined(words, 0, words.size());
}

std::optional<NameQuery> parse_name_query(std::string_view text) {
    std::vector<std::string> surname_words;
    std::vector<std::string> forenames;
    if (const auto comma = text.find(','); comma != std::string_view::npos) {
        surname_words = name_words(text.substr(0, comma));
        forenames = name_words(text.substr(comma + 1));
    } else {
        auto words = name_words(text);
        std::size_t start = words.empty() ? 0 : words.size() - 1;
        while (start > 1 && particle(words[start - 1])) {
            --start;
        }
        surname_words.assign(words.begin() + static_cast<std::ptrdiff_t>(start), words.end());
        forenames.assign(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(start));
    }
    NameQuery q;
    q.surname = joined(surname_words, 0, surname_words.size());
    if (q.surname.size() < 2) {
        return std::nullopt;
    }
    q.keys = keys_of_words(surname_words);
    for (auto& f : forenames) {
        if (q.forenames.size() == 4) {
            break;
        }
        f.resize(std::min<std::size_t>(f.size(), 64));
        q.forename_keys.push_back(sound_key(f));
        q.forenames.push_back(std::move(f));
    }
    return q;
}

void index_interment_name(Database& db,
                          std::int64_t interment_id,
                          const std::optional<std::string>& forenames,
                          std::string_view surname) {
    const auto fore = forenames ? name_words(*forenames) : std::vector<std::string>();
    std::vector<std::string> fore_keys;
    for (const auto& f : fore) {
        fore_keys.push_back(sound_key(f));
    }
    auto names =
        db.prepare_cached("INSERT OR REPLACE INTO interment_names (interment_id, surname_spelling, "
                          "forename_spellings, forename_keys) VALUES (?1, ?2, ?3, ?4)");
    names.bind(1, interment_id).bind(2, surname_spelling(surname)).bind(3, spaced(fore));
    names.bind(4, spaced(fore_keys)).run();
    // Each key row carries what the search filters and orders by (0026), from the interment
    // and its grave as they are now; 0026's triggers follow later changes to them.
    auto key = db.prepare_cached(
        "INSERT OR REPLACE INTO interment_name_keys (key, interment_id, surname_spelling, "
        "forename_spellings, forename_keys, surname, forenames, buried_on, cemetery_id, grave_id, "
        "infant) SELECT ?1, f.interment_id, ?3, ?4, ?5, f.surname, f.forenames, f.buried_on, "
        "f.cemetery_id, f.grave_id, f.infant FROM interment_search_facts f WHERE f.interment_id "
        "= ?2");
    const std::string spelling = surname_spelling(surname), fore_spaced = spaced(fore),
                      keys_spaced = spaced(fore_keys);
    for (const auto& k : surname_keys(surname)) {
        key.bind(1, k).bind(2, interment_id).bind(3, spelling).bind(4, fore_spaced);
        key.bind(5, keys_spaced).run();
    }
}

std::int64_t index_missing_interment_names(Database& db) {
    auto missing = db.prepare("SELECT i.id, i.forenames, i.surname FROM interments i WHERE NOT "
                              "EXISTS (SELECT 1 FROM interment_names n WHERE n.interment_id = "
                              "i.id) ORDER BY i.id");
    std::int64_t count = 0;
    const bool own = sqlite3_get_autocommit(db.handle()) != 0;
    std::optional<Transaction> tx;
    if (own) {
        tx.emplace(db);
    }
    while (missing.step()) {
        index_interment_name(db, missing.int64(0), missing.optional_text(1), missing.text(2));
        ++count;
    }
    if (tx) {
        tx->commit();
    }
    return count;
}

} // namespace wardmap::store
