#include "importers/empty_property_rows.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace wardmap::importers {

namespace {

std::string trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

/// Lower case, spaces and hyphens as underscores: "Council Tax" -> "council_tax".
std::string word(std::string_view s) {
    std::string out;
    for (const char c : trimmed(s)) {
        out += c == ' ' || c == '-'
                   ? '_'
                   : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

template <std::size_t N>
bool one_of(const std::string& v, const std::array<std::string_view, N>& known) {
    return std::find(known.begin(), known.end(), v) != known.end();
}

constexpr std::array<std::string_view, 3> sources = {"council_tax", "complaint", "survey"};
constexpr std::array<std::string_view, 4> statuses = {"monitoring", "engaged", "enforcement",
                                                      "back_in_use"};
constexpr std::array<std::string_view, 3> risks = {"low", "medium", "high"};

} // namespace

const std::vector<EmptyPropertyColumn>& empty_property_columns() {
    static const std::vector<EmptyPropertyColumn> columns = {
        {"uprn", {"uprn", "property_uprn"}, true},
        {"source", {"source", "source_of_report", "found_by"}, true},
        {"empty_since", {"empty_since", "empty_date", "date_empty", "vacant_since"}, true},
        {"furnished", {"furnished", "is_furnished"}, true},
        {"status", {"status", "case_status"}, false},
        {"risk", {"risk", "risk_level", "priority"}, true},
        {"owner_name", {"owner_name", "owner"}, false},
        {"owner_address", {"owner_address", "correspondence_address"}, false},
        {"owner_phone", {"owner_phone", "owner_telephone", "phone"}, false},
        {"owner_email", {"owner_email", "email"}, false},
        {"notes", {"notes", "note", "comments"}, false},
    };
    return columns;
}

std::optional<EmptyPropertyRow> parse_empty_property_row(const EmptyPropertyFields& fields,
                                                         std::string_view today,
                                                         std::vector<RowProblem>& problems) {
    const auto get = [&](std::string_view name) {
        const auto it = fields.find(name);
        return it == fields.end() ? std::string() : trimmed(it->second);
    };
    const std::size_t before = problems.size();
    const auto problem = [&](const char* field, std::string reason) {
        problems.push_back({field, std::move(reason)});
    };
    const auto quoted = [](const std::string& s) { return "'" + s.substr(0, 40) + "'"; };
    const auto list = [](const auto& known) {
        std::string out;
        for (const auto k : known) {
            out += (out.empty() ? "" : ", ") + std::string(k);
        }
        return out;
    };

    EmptyPropertyRow r;
    const std::string uprn = get("uprn");
    {
        std::int64_t v = 0;
        const auto [p, ec] = std::from_chars(uprn.data(), uprn.data() + uprn.size(), v);
        if (uprn.empty() || ec != std::errc() || p != uprn.data() + uprn.size() || v < 1 ||
            v > 999'999'999'999) {
            problem("uprn", "must be a UPRN (a whole number up to 12 digits), not " + quoted(uprn));
        } else {
            r.uprn = v;
        }
    }
    r.source = word(get("source"));
    if (!one_of(r.source, sources)) {
        problem("source", "must be one of " + list(sources) + ", not " + quoted(get("source")));
    }
    const std::string since = get("empty_since");
    if (const auto d = parse_register_date(since)) {
        r.empty_since = *d;
        if (!today.empty() && r.empty_since > today) {
            problem("empty_since", "is after today (" + std::string(today) + "): " + quoted(since));
        }
    } else {
        problem("empty_since", "must be a date (YYYY-MM-DD or DD/MM/YYYY), not " + quoted(since));
    }
    const std::string furnished = word(get("furnished"));
    if (furnished == "yes" || furnished == "y" || furnished == "true" || furnished == "1") {
        r.furnished = true;
    } else if (furnished == "no" || furnished == "n" || furnished == "false" || furnished == "0") {
        r.furnished = false;
    } else {
        problem("furnished", "must be yes or no, not " + quoted(get("furnished")));
    }
    if (const std::string status = word(get("status")); !status.empty()) {
        if (one_of(status, statuses)) {
            r.status = status;
        } else {
            problem("status",
                    "must be one of " + list(statuses) + ", not " + quoted(get("status")));
        }
    }
    r.risk = word(get("risk"));
    if (!one_of(r.risk, risks)) {
        problem("risk", "must be one of " + list(risks) + ", not " + quoted(get("risk")));
    }
    const auto text = [&](const char* field, std::size_t max, std::optional<std::string>& out) {
        std::string v = get(field);
        if (v.empty()) {
            return;
        }
        if (v.size() > max) {
            problem(field, "is longer than " + std::to_string(max) + " characters");
            return;
        }
        if (std::any_of(v.begin(), v.end(), [](char c) {
                return static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t';
            })) {
            problem(field, "holds a control character");
            return;
        }
        out = std::move(v);
    };
    text("notes", 2000, r.notes);
    text("owner_name", 200, r.owner_name);
    text("owner_address", 500, r.owner_address);
    text("owner_phone", 40, r.owner_phone);
    text("owner_email", 254, r.owner_email);
    if (r.owner_email) {
        const auto at = r.owner_email->find('@');
        if (at == std::string::npos || at == 0 || at + 1 == r.owner_email->size() ||
            r.owner_email->find_first_of(" \t\n") != std::string::npos) {
            problem("owner_email", "is not an e-mail address");
            r.owner_email.reset();
        }
    }
    if (problems.size() != before) {
        return std::nullopt;
    }
    return r;
}

} // namespace wardmap::importers
