#include "server/services/streetscene/bin_calendar.hpp"

#include "core/working_days.hpp"

#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>

namespace wardmap::services {

namespace {

constexpr std::size_t max_bins = 16;
constexpr std::size_t max_rows = 10'000;
constexpr const char* weekday_codes[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// "2023-09-7" or "2023-09-07": a year of four digits, a month and a day of one or two.
std::optional<core::Date> parse_loose_date(std::string_view text) {
    int parts[3] = {0, 0, 0};
    const std::size_t widths[3][2] = {{4, 4}, {1, 2}, {1, 2}};
    std::size_t at = 0;
    for (int i = 0; i < 3; ++i) {
        std::size_t n = 0;
        while (at + n < text.size() && text[at + n] >= '0' && text[at + n] <= '9') {
            ++n;
        }
        if (n < widths[i][0] || n > widths[i][1]) {
            return std::nullopt;
        }
        std::from_chars(text.data() + at, text.data() + at + n, parts[i]);
        at += n;
        if (i < 2) {
            if (at >= text.size() || text[at] != '-') {
                return std::nullopt;
            }
            ++at;
        }
    }
    if (at != text.size()) {
        return std::nullopt;
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", parts[0], parts[1], parts[2]);
    return core::parse_iso_date(buf);
}

CalendarProblem
problem(const std::string& file, std::int64_t line, std::string field, std::string reason) {
    return CalendarProblem{file, line, std::move(field), std::move(reason)};
}

std::string printable(std::string_view text) {
    std::string out;
    for (const char c : text.substr(0, 40)) {
        const auto u = static_cast<unsigned char>(c);
        out += (u >= 0x20 && u < 0x7f) ? c : '?';
    }
    return out;
}

std::string ical_date_text(const core::Date& d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d", d.year, d.month, d.day);
    return buf;
}

} // namespace

std::string CalendarProblem::text() const {
    std::string s = file;
    if (line > 0) {
        s += ":" + std::to_string(line);
    }
    s += ": ";
    if (!field.empty()) {
        s += "field '" + field + "': ";
    }
    return s + reason;
}

std::variant<BinCalendarRow, CalendarProblem>
parse_bin_calendar_row(std::string_view text, std::int64_t line, const std::string& file) {
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded()) {
        return problem(file, line, "", "the entry is not valid JSON");
    }
    if (!doc.is_object()) {
        return problem(file, line, "", "the entry is not an object");
    }
    BinCalendarRow row;
    row.line = line;
    bool has_date = false;
    for (const auto& [name, value] : doc.items()) {
        if (name == "collectionDate") {
            if (!value.is_string()) {
                return problem(file, line, name, "must be a date text YYYY-MM-DD");
            }
            const auto& s = value.get_ref<const std::string&>();
            const auto d = parse_loose_date(s);
            if (!d) {
                return problem(file, line, name,
                               "'" + printable(s) + "' is not a date YYYY-MM-DD that exists");
            }
            row.date = *d;
            has_date = true;
        } else if (name.size() > 3 && name.ends_with("Bin")) {
            if (!value.is_boolean()) {
                return problem(file, line, printable(name), "must be true or false");
            }
            if (row.bins.size() >= max_bins) {
                return problem(file, line, printable(name),
                               "more than " + std::to_string(max_bins) + " bins");
            }
            row.bins[name] = value.get<bool>();
        } else {
            return problem(file, line, printable(name),
                           "is not collectionDate or a bin (a name ending in 'Bin')");
        }
    }
    if (!has_date) {
        return problem(file, line, "collectionDate", "is required");
    }
    return row;
}

ParsedCalendar parse_bin_calendar(std::string_view text, const std::string& file) {
    ParsedCalendar out;
    std::size_t at = 0;
    std::int64_t line = 1;
    const auto advance_to = [&](std::size_t to) {
        for (; at < to && at < text.size(); ++at) {
            line += text[at] == '\n' ? 1 : 0;
        }
    };
    const auto skip_space = [&] {
        std::size_t p = at;
        while (p < text.size() && is_space(text[p])) {
            ++p;
        }
        advance_to(p);
    };
    if (text.starts_with("\xEF\xBB\xBF")) {
        at = 3;
    }
    skip_space();
    if (at >= text.size() || text[at] != '[') {
        out.problems.push_back(problem(file, line, "", "the file is not a JSON array of entries"));
        return out;
    }
    advance_to(at + 1);
    std::map<std::string, std::int64_t> seen_dates;
    for (bool first = true;; first = false) {
        skip_space();
        if (at < text.size() && text[at] == ']') {
            advance_to(at + 1);
            skip_space();
            if (at != text.size()) {
                out.problems.push_back(problem(file, line, "", "text after the array's end"));
            }
            return out;
        }
        if (!first) {
            if (at >= text.size() || text[at] != ',') {
                out.problems.push_back(problem(file, line, "", "expected ',' or ']' here"));
                return out;
            }
            advance_to(at + 1);
            skip_space();
        }
        if (at >= text.size() || text[at] != '{') {
            out.problems.push_back(problem(file, line, "", "expected an entry {...} here"));
            return out;
        }
        // The entry's extent: to the brace closing it, outside strings.
        std::size_t end = at;
        int depth = 0;
        bool in_string = false;
        for (; end < text.size(); ++end) {
            const char c = text[end];
            if (in_string) {
                if (c == '\\') {
                    ++end;
                } else if (c == '"') {
                    in_string = false;
                }
            } else if (c == '"') {
                in_string = true;
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) {
                    break;
                }
            }
        }
        if (end >= text.size()) {
            out.problems.push_back(problem(file, line, "", "the entry is not closed"));
            return out;
        }
        const std::int64_t entry_line = line;
        auto parsed = parse_bin_calendar_row(text.substr(at, end + 1 - at), entry_line, file);
        advance_to(end + 1);
        if (auto* p = std::get_if<CalendarProblem>(&parsed)) {
            out.problems.push_back(std::move(*p));
            continue;
        }
        auto& row = std::get<BinCalendarRow>(parsed);
        const auto [it, inserted] = seen_dates.emplace(row.date.iso(), entry_line);
        if (!inserted) {
            out.problems.push_back(
                problem(file, entry_line, "collectionDate",
                        row.date.iso() + " is already on line " + std::to_string(it->second)));
            continue;
        }
        if (out.rows.size() >= max_rows) {
            out.problems.push_back(problem(file, entry_line, "",
                                           "more than " + std::to_string(max_rows) + " entries"));
            return out;
        }
        out.rows.push_back(std::move(row));
    }
}

std::string bin_activity(const std::string& bin) {
    if (bin == "greenBin") {
        return "household_waste";
    }
    if (bin == "brownBin") {
        return "garden_waste";
    }
    return "recycling";
}

std::string BinCalendarReport::to_text() const {
    std::ostringstream s;
    s << "bin-calendar " << file << ": " << read << " entries read, " << problems.size()
      << " problems, " << rounds.size() << " rounds" << (ok ? "" : " (nothing saved)") << "\n";
    for (const auto& r : rounds) {
        s << "  " << r.round_code << " (" << r.activity << "): " << r.rrule << ", " << r.dates
          << " dates, " << r.visits << " planned visits\n";
    }
    for (const auto& p : problems) {
        s << "  rejected: " << p.text() << "\n";
    }
    return s.str();
}

BinCalendarReport
import_bin_calendar(store::Database& db, std::string_view text, const BinCalendarOptions& options) {
    BinCalendarReport report;
    report.file = options.file;
    auto parsed = parse_bin_calendar(text, options.file);
    report.read = static_cast<std::int64_t>(parsed.rows.size() + parsed.problems.size());
    report.problems = std::move(parsed.problems);
    if (parsed.rows.empty() && report.problems.empty()) {
        report.problems.push_back(problem(options.file, 0, "", "the calendar has no entries"));
    }
    if (!report.problems.empty()) {
        return report;
    }
    std::sort(parsed.rows.begin(), parsed.rows.end(),
              [](const auto& a, const auto& b) { return date_less(a.date, b.date); });
    const core::Date from = options.from.value_or(parsed.rows.front().date);
    const core::Date to = options.to.value_or(parsed.rows.back().date);
    // Bins in name order, each with its dates and the lines they came from.
    std::map<std::string, std::vector<const BinCalendarRow*>> by_bin;
    for (const auto& row : parsed.rows) {
        for (const auto& [bin, out] : row.bins) {
            auto& list = by_bin[bin];
            if (out) {
                list.push_back(&row);
            }
        }
    }
    std::vector<RoundDefinition> rounds;
    for (const auto& [bin, rows] : by_bin) {
        if (rows.empty()) {
            continue;
        }
        // The commonest gap between collections, in weeks, on the first date's weekday.
        std::map<long, int> gaps;
        for (std::size_t i = 1; i < rows.size(); ++i) {
            ++gaps[core::days_since_epoch(rows[i]->date) -
                   core::days_since_epoch(rows[i - 1]->date)];
        }
        // Only whole weeks count: a collection moved by a day is an exception to the pattern,
        // reported below, not the pattern.
        long gap = 7;
        int best = 0;
        for (const auto& [g, n] : gaps) {
            if (g % 7 == 0 && n > best) {
                gap = g;
                best = n;
            }
        }
        if (best == 0 && rows.size() > 1) {
            report.problems.push_back(problem(options.file, rows[1]->line, bin,
                                              "the collections are not a weekly pattern: no "
                                              "two follow each other by whole weeks"));
            continue;
        }
        RoundDefinition def;
        def.code = options.round_prefix + "-" + bin;
        def.name = bin + " collection" + (options.label.empty() ? "" : " (" + options.label + ")");
        def.activity = bin_activity(bin);
        def.team = "waste";
        def.rule.kind = RuleKind::rrule;
        def.rule.first_date = rows.front()->date;
        def.rule.rrule = "FREQ=WEEKLY;INTERVAL=" + std::to_string(gap / 7) +
                         ";BYDAY=" + weekday_codes[core::weekday(rows.front()->date)];
        if (!options.open_ended) {
            def.rule.rrule += ";UNTIL=" + ical_date_text(rows.back()->date);
        }
        def.rule.bank_holidays = BankHolidayRule::next_working_day;
        def.stops = options.stops;
        // The rule must give the calendar's dates, no more and no fewer, inside [from, to].
        std::set<std::string> calendar;
        std::map<std::string, std::int64_t> line_of;
        for (const auto* r : rows) {
            if (!date_less(r->date, from) && !date_less(to, r->date)) {
                calendar.insert(r->date.iso());
                line_of[r->date.iso()] = r->line;
            }
        }
        std::set<std::string> given;
        for (const auto& d : expand_rule(def.rule, from, to)) {
            given.insert(d.planned_date.iso());
        }
        for (const auto& d : calendar) {
            if (!given.contains(d)) {
                report.problems.push_back(
                    problem(options.file, line_of[d], bin,
                            d + " is not a date of the pattern " + def.rule.rrule));
            }
        }
        for (const auto& d : given) {
            if (!calendar.contains(d)) {
                report.problems.push_back(problem(options.file, 0, bin,
                                                  "the pattern " + def.rule.rrule + " gives " + d +
                                                      ", which the calendar does not have"));
            }
        }
        rounds.push_back(std::move(def));
    }
    if (!report.problems.empty()) {
        return report;
    }
    for (auto& def : rounds) {
        BinRoundReport r;
        r.bin = def.code.substr(options.round_prefix.size() + 1);
        r.activity = def.activity;
        r.round_code = def.code;
        r.rrule = def.rule.rrule;
        const auto saved = ScheduleService::save_round(db, std::move(def), options.actor, from, to);
        r.dates = saved.visits.dates;
        r.visits = saved.visits.planned;
        report.rounds.push_back(std::move(r));
    }
    report.ok = true;
    return report;
}

} // namespace wardmap::services
