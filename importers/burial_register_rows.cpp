#include "importers/burial_register_rows.hpp"

#include "core/dates.hpp"

#include <cctype>
#include <charconv>

namespace wardmap::importers {

namespace {

std::string lower_trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

std::optional<int> small_number(std::string_view s, int max) {
    int v = 0;
    if (s.empty() || s.size() > 4) {
        return std::nullopt;
    }
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < 0 || v > max) {
        return std::nullopt;
    }
    return v;
}

/// The unit a word names: 'y', 'm', 'w', 'd', 'h'; 0 for none.
char unit_of(std::string_view w) {
    static constexpr std::pair<std::string_view, char> units[] = {
        {"y", 'y'},   {"yr", 'y'},   {"yrs", 'y'},  {"year", 'y'}, {"years", 'y'}, {"m", 'm'},
        {"mo", 'm'},  {"mos", 'm'},  {"mth", 'm'},  {"mths", 'm'}, {"month", 'm'}, {"months", 'm'},
        {"w", 'w'},   {"wk", 'w'},   {"wks", 'w'},  {"week", 'w'}, {"weeks", 'w'}, {"d", 'd'},
        {"dy", 'd'},  {"dys", 'd'},  {"day", 'd'},  {"days", 'd'}, {"h", 'h'},     {"hr", 'h'},
        {"hrs", 'h'}, {"hour", 'h'}, {"hours", 'h'}};
    for (const auto& [name, unit] : units) {
        if (w == name) {
            return unit;
        }
    }
    return 0;
}

} // namespace

std::optional<BurialAge> parse_burial_age(std::string_view text) {
    const std::string s = lower_trimmed(text);
    BurialAge age;
    if (s.empty() || s == "unknown" || s == "not known" || s == "n/k") {
        return age;
    }
    if (s.size() > 64) {
        return std::nullopt;
    }
    // Tokens: runs of digits and runs of letters; spaces, commas and "and" separate.
    std::vector<std::string> tokens;
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (std::isspace(c) || c == ',' || c == '.') {
            ++i;
            continue;
        }
        std::size_t j = i;
        if (std::isdigit(c)) {
            while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
                ++j;
            }
        } else if (std::isalpha(c)) {
            while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) {
                ++j;
            }
        } else {
            return std::nullopt;
        }
        std::string t = s.substr(i, j - i);
        if (t != "and") {
            tokens.push_back(std::move(t));
        }
        i = j;
    }
    if (tokens.size() == 1) {
        // A bare number is years.
        const auto v = small_number(tokens[0], 130);
        if (!v) {
            return std::nullopt;
        }
        age.years = v;
        return age;
    }
    if (tokens.empty() || tokens.size() % 2 != 0) {
        return std::nullopt;
    }
    bool hours = false;
    for (std::size_t k = 0; k < tokens.size(); k += 2) {
        const char unit = unit_of(tokens[k + 1]);
        const int max = unit == 'y'   ? 130
                        : unit == 'm' ? 23
                        : unit == 'w' ? 51
                        : unit == 'd' ? 366
                                      : 23;
        const auto v = small_number(tokens[k], max);
        if (!v || unit == 0) {
            return std::nullopt;
        }
        std::optional<int>* slot = unit == 'y'   ? &age.years
                                   : unit == 'm' ? &age.months
                                   : unit == 'w' ? &age.weeks
                                   : unit == 'd' ? &age.days
                                                 : nullptr;
        if (slot == nullptr) {
            if (hours) {
                return std::nullopt;
            }
            hours = true;
            continue;
        }
        if (slot->has_value()) {
            return std::nullopt;
        }
        *slot = *v;
    }
    if (hours && !age.known()) {
        age.days = 0; // under a day old
    }
    return age;
}

std::optional<std::string> parse_register_date(std::string_view text) {
    const std::string s = trimmed(text);
    if (const auto d = core::parse_iso_date(s)) {
        return d->iso();
    }
    // D/M/YYYY or DD/MM/YYYY (UK order).
    const auto a = s.find('/');
    const auto b = a == std::string::npos ? a : s.find('/', a + 1);
    if (b == std::string::npos || s.size() - b - 1 != 4 || a == 0 || a > 2 || b - a - 1 == 0 ||
        b - a - 1 > 2) {
        return std::nullopt;
    }
    const std::string day = s.substr(0, a), month = s.substr(a + 1, b - a - 1);
    const std::string iso = s.substr(b + 1, 4) + "-" + (month.size() == 1 ? "0" : "") + month +
                            "-" + (day.size() == 1 ? "0" : "") + day;
    if (const auto d = core::parse_iso_date(iso)) {
        return d->iso();
    }
    return std::nullopt;
}

const std::vector<RegisterColumn>& register_columns() {
    static const std::vector<RegisterColumn> columns = {
        {"register_number",
         {"register_number", "entry_number", "register_no", "entry_no", "no"},
         true},
        {"cemetery", {"cemetery", "cemetery_name", "site"}, false},
        {"grave", {"grave", "grave_number", "grave_no", "grave_ref", "plot", "plot_ref"}, true},
        {"buried_on", {"buried_on", "date_of_burial", "burial_date", "interment_date"}, true},
        {"burial_time", {"burial_time", "time", "time_of_burial"}, false},
        {"forenames", {"forenames", "forename", "first_names", "given_names"}, false},
        {"surname", {"surname", "last_name", "family_name"}, true},
        {"age", {"age", "age_at_death"}, false},
        {"stillborn", {"stillborn", "still_born"}, false},
        {"parents_names", {"parents_names", "parents"}, false},
        {"died_on", {"died_on", "date_of_death", "death_date"}, false},
        {"last_address", {"last_address", "address", "abode", "last_abode"}, false},
        {"uprn", {"uprn", "last_address_uprn"}, false},
        {"kind", {"kind", "interment_kind", "burial_type", "type"}, false},
        {"position", {"position", "level", "depth_position"}, false},
        {"minister", {"minister", "officiating_minister", "officiant"}, false},
        {"funeral_director", {"funeral_director", "undertaker"}, false},
    };
    return columns;
}

std::optional<RegisterRow> parse_register_row(const RegisterFields& fields,
                                              std::vector<RowProblem>& problems) {
    const auto get = [&](std::string_view name) {
        const auto it = fields.find(name);
        return it == fields.end() ? std::string() : trimmed(it->second);
    };
    const auto optional = [&](std::string_view name) {
        auto v = get(name);
        return v.empty() ? std::optional<std::string>() : std::optional<std::string>(v);
    };
    const std::size_t before = problems.size();
    const auto problem = [&](const char* field, std::string reason) {
        problems.push_back({field, std::move(reason)});
    };
    const auto quoted = [](const std::string& s) { return "'" + s.substr(0, 40) + "'"; };

    RegisterRow r;
    const std::string number = get("register_number");
    {
        std::int64_t v = 0;
        const auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
        if (number.empty() || ec != std::errc() || p != number.data() + number.size() || v < 1 ||
            v > 99'999'999) {
            problem("register_number", "must be a whole number from 1, not " + quoted(number));
        } else {
            r.register_number = v;
        }
    }
    r.cemetery = get("cemetery");
    r.grave_number = get("grave");
    if (r.grave_number.empty() || r.grave_number.size() > 40) {
        problem("grave", "is required (a grave number of at most 40 characters)");
    }
    const std::string buried = get("buried_on");
    if (const auto d = parse_register_date(buried)) {
        r.buried_on = *d;
    } else {
        problem("buried_on", "must be a date (YYYY-MM-DD or DD/MM/YYYY), not " + quoted(buried));
    }
    if (const auto t = optional("burial_time")) {
        const auto digit = [&](std::size_t k) {
            return std::isdigit(static_cast<unsigned char>((*t)[k])) != 0;
        };
        const bool ok = t->size() == 5 && (*t)[2] == ':' && digit(0) && digit(1) && digit(3) &&
                        digit(4) && t->substr(0, 2) < "24" && t->substr(3, 2) < "60";
        if (ok) {
            r.burial_time = *t;
        } else {
            problem("burial_time", "must be HH:MM, not " + quoted(*t));
        }
    }
    r.forenames = optional("forenames");
    r.surname = get("surname");
    if (r.surname.empty() || r.surname.size() > 200) {
        problem("surname", "is required (at most 200 characters)");
    }
    const std::string stillborn = lower_trimmed(get("stillborn"));
    if (stillborn == "y" || stillborn == "yes" || stillborn == "true" || stillborn == "1") {
        r.stillborn = true;
    } else if (!(stillborn.empty() || stillborn == "n" || stillborn == "no" ||
                 stillborn == "false" || stillborn == "0")) {
        problem("stillborn", "must be yes or no, not " + quoted(stillborn));
    }
    const std::string age_text = get("age");
    const std::string age_lower = lower_trimmed(age_text);
    if (age_lower == "stillborn" || age_lower == "s.b." || age_lower == "sb") {
        r.stillborn = true;
    } else if (const auto age = parse_burial_age(age_text)) {
        r.age = *age;
        if (r.stillborn && age->known()) {
            problem("age", "a stillborn child's age is left blank, not " + quoted(age_text));
        }
    } else {
        problem("age", "does not parse as an age (e.g. 72, 3 months, 2 weeks 3 days): " +
                           quoted(age_text));
    }
    r.parents_names = optional("parents_names");
    if (const auto died = optional("died_on")) {
        if (const auto d = parse_register_date(*died)) {
            r.died_on = *d;
            if (!r.buried_on.empty() && *d > r.buried_on) {
                problem("buried_on", "burial on " + r.buried_on + " is before the death on " + *d);
            }
        } else {
            problem("died_on", "must be a date (YYYY-MM-DD or DD/MM/YYYY), not " + quoted(*died));
        }
    }
    r.last_address = optional("last_address");
    if (const auto uprn = optional("uprn")) {
        std::int64_t v = 0;
        const auto [p, ec] = std::from_chars(uprn->data(), uprn->data() + uprn->size(), v);
        if (ec != std::errc() || p != uprn->data() + uprn->size() || v < 1 || v > 999'999'999'999) {
            problem("uprn",
                    "must be a UPRN (a whole number up to 12 digits), not " + quoted(*uprn));
        } else {
            r.last_address_uprn = v;
        }
    }
    const std::string kind = lower_trimmed(get("kind"));
    if (kind.empty() || kind == "coffin" || kind == "burial" || kind == "body") {
        r.kind = "coffin";
    } else if (kind == "cremated_remains" || kind == "cremated remains" || kind == "cr" ||
               kind == "ashes") {
        r.kind = "cremated_remains";
    } else {
        problem("kind", "must be coffin or cremated_remains (CR, ashes), not " + quoted(kind));
    }
    r.position = optional("position");
    r.officiating_minister = optional("minister");
    r.funeral_director = optional("funeral_director");
    if (problems.size() != before) {
        return std::nullopt;
    }
    return r;
}

} // namespace wardmap::importers
