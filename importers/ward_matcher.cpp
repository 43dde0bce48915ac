#include "importers/ward_matcher.hpp"

#include "importers/import_report.hpp"

#include <cctype>

namespace wardmap::importers {

namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

} // namespace

std::string normalise_ward_name(std::string_view name) {
    std::string spaced;
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '&') {
            spaced += " and ";
        } else if (std::isalnum(u) || u >= 0x80) {
            spaced += static_cast<char>(std::tolower(u));
        } else if (c == '\'') {
            // "St Mary's" and "St Marys" are the same ward.
        } else {
            spaced += ' ';
        }
    }
    std::string out;
    for (const char c : spaced) {
        if (c != ' ' || (!out.empty() && out.back() != ' ')) {
            out += c;
        }
    }
    while (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
    return out;
}

WardMatcher::WardMatcher(store::Database& db,
                         const std::string& set_label,
                         const SourcePlace& place) {
    const std::string today = utc_now().substr(0, 10);
    auto set = db.prepare(
        set_label.empty() ? "SELECT id, label FROM boundary_sets WHERE valid_from <= ?1 AND "
                            "(valid_to IS NULL OR valid_to > ?1) ORDER BY valid_from DESC LIMIT 1"
                          : "SELECT id, label FROM boundary_sets WHERE label = ?1");
    set.bind(1, set_label.empty() ? today : set_label);
    if (!set.step()) {
        throw ImportError(place,
                          set_label.empty()
                              ? "no boundary set is in force on " + today +
                                    ": import the wards first, or name a set with --set"
                              : "no boundary set '" + set_label + "' (import its wards first)");
    }
    m_set_id = set.int64(0);
    m_set_label = std::string(set.text(1));
    auto wards = db.prepare("SELECT code, name FROM wards WHERE boundary_set_id = ? ORDER BY code");
    wards.bind(1, m_set_id);
    while (wards.step()) {
        const std::string code(wards.text(0));
        const std::string ward_name(wards.text(1));
        m_names.emplace(upper(code), ward_name);
        m_codes.emplace(upper(code), code);
        m_normalised.emplace(normalise_ward_name(ward_name), code); // lowest code wins a tie
    }
}

std::optional<std::string> WardMatcher::by_code(std::string_view code) const {
    const auto it = m_codes.find(upper(code));
    return it == m_codes.end() ? std::nullopt : std::optional(it->second);
}

std::optional<std::string> WardMatcher::by_name(std::string_view name) const {
    const auto it = m_normalised.find(normalise_ward_name(name));
    return it == m_normalised.end() ? std::nullopt : std::optional(it->second);
}

std::optional<std::string> WardMatcher::find(std::string_view code_or_name) const {
    if (auto code = by_code(code_or_name)) {
        return code;
    }
    return by_name(code_or_name);
}

const std::string& WardMatcher::name(const std::string& code) const {
    return m_names.at(upper(code));
}

} // namespace wardmap::importers
