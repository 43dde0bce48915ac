// A round's rule as the council types it: the first line is an RRULE, the second a season
// "MM-DD..MM-DD" (or empty), the third a suspension, the fourth the rule kind and the fifth
// the bank-holiday rule. Besides not crashing: a refusal is only ever DomainError naming a
// field, the dates given are inside the horizon, in order, on no bank holiday when they
// were moved, and inside the season and outside the suspension.

#include "core/working_days.hpp"
#include "fuzz/fuzz_support.hpp"

#include "server/services/shared/errors.hpp"
#include "server/services/streetscene/recurrence.hpp"

#include <string>
#include <vector>

using namespace wardmap;

namespace {

std::vector<std::string_view> lines(std::string_view in) {
    std::vector<std::string_view> out;
    while (out.size() < 6) {
        const auto nl = in.find('\n');
        out.push_back(in.substr(0, nl));
        if (nl == std::string_view::npos) {
            break;
        }
        in.remove_prefix(nl + 1);
    }
    out.resize(6);
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = lines(fuzz::text(data, size));
    services::ScheduleRule rule;
    rule.rrule = std::string(parts[0]);
    rule.first_date = core::Date{2026, 3, 2};
    rule.interval_working_days = 10;
    rule.visits_per_season = 7;
    rule.season = services::parse_season(parts[1]);
    rule.suspension = services::parse_season(parts[2]);
    rule.kind = services::parse_rule_kind(parts[3]).value_or(services::RuleKind::rrule);
    rule.bank_holidays = services::parse_bank_holiday_rule(parts[4]).value_or(
        services::BankHolidayRule::next_working_day);
    if (const auto md = services::parse_month_day(parts[5])) {
        fuzz::check(services::parse_month_day(md->text()) == md, "a month-day does not read back");
    }
    const core::Date from{2026, 12, 7};
    const core::Date to = services::add_days(from, 91);
    fuzz::expect_only<services::DomainError>([&] {
        const auto dates = services::expand_rule(rule, from, to);
        for (std::size_t i = 0; i < dates.size(); ++i) {
            const auto& d = dates[i];
            fuzz::check(!services::date_less(d.planned_date, from) &&
                            !services::date_less(to, d.planned_date),
                        "a date outside the horizon");
            fuzz::check(i == 0 || services::date_less(dates[i - 1].planned_date, d.planned_date),
                        "dates out of order or twice");
            if (d.moved) {
                fuzz::check(core::is_working_day(d.planned_date), "moved onto a non-working day");
            }
            if (rule.season) {
                fuzz::check(rule.season->contains(d.rule_date), "a date outside the season");
            }
            if (rule.suspension) {
                fuzz::check(!rule.suspension->contains(d.rule_date), "a date in the suspension");
            }
        }
    });
    return 0;
}
