#pragma once

// A council's published bin-collection calendar (shared/data/schedules: a JSON array of
// {"collectionDate": "2023-09-07", "greenBin": true, "blueBin": false, "brownBin": false})
// loaded as household-waste rounds: one round per bin, its RRULE inferred from the dates and
// checked to give exactly the calendar's dates. `wardmap import bin-calendar FILE`.

#include "core/dates.hpp"

#include "geo/store/database.hpp"
#include "server/services/streetscene/schedule_service.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace wardmap::services {

/// One entry of the calendar: a date and which bins go out on it.
struct BinCalendarRow {
    std::int64_t line = 0;
    core::Date date;
    std::map<std::string, bool> bins; ///< "greenBin" -> true, ...
};

/// A refused entry or a problem with the whole file: where and why.
struct CalendarProblem {
    std::string file;
    std::int64_t line = 0; ///< 1-based text line; 0 for the whole file
    std::string field;     ///< the member, e.g. "collectionDate"; empty for none
    std::string reason;
    [[nodiscard]] std::string text() const; ///< "file:LINE: field 'F': reason"
};

struct ParsedCalendar {
    std::vector<BinCalendarRow> rows;
    std::vector<CalendarProblem> problems;
};

/// One entry (a JSON object's text) -> a row, or the problem with it (field named). The date
/// may be written without zero padding ("2023-09-7"). Members ending in "Bin" are bins and
/// must be true or false; other members are not allowed. At most 16 bins.
std::variant<BinCalendarRow, CalendarProblem>
parse_bin_calendar_row(std::string_view json, std::int64_t line, const std::string& file);

/// The whole file: a JSON array of objects. Each entry is parsed alone, so one bad entry is
/// reported with its line and the others are still read. Never throws on bad input.
ParsedCalendar parse_bin_calendar(std::string_view text, const std::string& file);

/// How the calendar becomes rounds.
struct BinCalendarOptions {
    std::string file;         ///< for the report
    std::string round_prefix; ///< rounds are <prefix>-<bin>, e.g. "PR6-7AD-greenBin"
    std::string label;        ///< for round names, e.g. "PR6 7AD"
    std::vector<StopTarget> stops;
    std::optional<core::Date> from; ///< default the first date of the calendar
    std::optional<core::Date> to;   ///< default the last
    bool open_ended = false;        ///< no UNTIL: the pattern goes on past the calendar
    std::string actor = "import bin-calendar";
};

struct BinRoundReport {
    std::string bin;
    std::string activity;
    std::string round_code;
    std::string rrule;
    std::int64_t dates = 0;
    std::int64_t visits = 0;
};

struct BinCalendarReport {
    std::string file;
    std::int64_t read = 0;
    std::vector<CalendarProblem> problems;
    std::vector<BinRoundReport> rounds;
    bool ok = false;
    [[nodiscard]] std::string to_text() const;
};

/// The bin's activity: greenBin -> household_waste (Chorley's green bin is general waste),
/// blueBin -> recycling, brownBin -> garden_waste; other bins -> recycling.
std::string bin_activity(const std::string& bin);

/// Reads the calendar, infers each bin's rule (FREQ=WEEKLY;INTERVAL=n;BYDAY=..;UNTIL=last),
/// checks it gives exactly the calendar's dates (bank holidays moved to the next working day),
/// and saves one round per bin through ScheduleService::save_round, all in the caller's
/// transaction. Problems go in the report (ok false, nothing should be committed); a stop
/// that is not in the gazetteer is a DomainError naming it.
BinCalendarReport
import_bin_calendar(store::Database& db, std::string_view text, const BinCalendarOptions& options);

} // namespace wardmap::services
