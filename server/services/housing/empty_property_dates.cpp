#include "server/services/housing/empty_property_dates.hpp"

#include <algorithm>
#include <chrono>

namespace wardmap::services {

namespace {

std::chrono::year_month_day ymd(const core::Date& d) {
    return std::chrono::year_month_day{std::chrono::year{d.year},
                                       std::chrono::month{static_cast<unsigned>(d.month)},
                                       std::chrono::day{static_cast<unsigned>(d.day)}};
}

core::Date from_ymd(const std::chrono::year_month_day& d) {
    return {static_cast<int>(d.year()), static_cast<int>(static_cast<unsigned>(d.month())),
            static_cast<int>(static_cast<unsigned>(d.day()))};
}

} // namespace

std::string_view risk_name(EmptyRisk risk) {
    switch (risk) {
    case EmptyRisk::low:
        return "low";
    case EmptyRisk::medium:
        return "medium";
    case EmptyRisk::high:
        return "high";
    }
    return "medium";
}

std::optional<EmptyRisk> parse_risk(std::string_view text) {
    for (const auto r : {EmptyRisk::low, EmptyRisk::medium, EmptyRisk::high}) {
        if (risk_name(r) == text) {
            return r;
        }
    }
    return std::nullopt;
}

int inspection_cadence_months(EmptyRisk risk) {
    switch (risk) {
    case EmptyRisk::high:
        return 3;
    case EmptyRisk::medium:
        return 6;
    case EmptyRisk::low:
        return 12;
    }
    return 6;
}

core::Date add_months(const core::Date& date, int months) {
    using namespace std::chrono;
    const year_month ym = year_month{year{date.year}, month{static_cast<unsigned>(date.month)}} +
                          std::chrono::months{months};
    const auto last = year_month_day_last{ym.year(), month_day_last{ym.month()}};
    const unsigned day = std::min(static_cast<unsigned>(date.day), unsigned{last.day()});
    return from_ymd(year_month_day{ym.year(), ym.month(), std::chrono::day{day}});
}

core::Date add_days_to(const core::Date& date, long days) {
    return from_ymd(
        std::chrono::year_month_day{std::chrono::sys_days{ymd(date)} + std::chrono::days{days}});
}

long days_between(const core::Date& from, const core::Date& to) {
    return (std::chrono::sys_days{ymd(to)} - std::chrono::sys_days{ymd(from)}).count();
}

bool date_before(const core::Date& a, const core::Date& b) {
    if (a.year != b.year) {
        return a.year < b.year;
    }
    if (a.month != b.month) {
        return a.month < b.month;
    }
    return a.day < b.day;
}

std::optional<core::Date> next_inspection_due(const InspectionBasis& basis) {
    if (basis.back_in_use) {
        return std::nullopt;
    }
    core::Date from = basis.last_inspected_on.value_or(
        date_before(basis.empty_since, basis.registered_on) ? basis.registered_on
                                                            : basis.empty_since);
    return add_months(from, inspection_cadence_months(basis.risk));
}

bool is_overdue(const core::Date& due, const core::Date& on) {
    return date_before(due, on);
}

std::string_view band_name(EmptyBand band) {
    switch (band) {
    case EmptyBand::under_6_months:
        return "under_6_months";
    case EmptyBand::from_6_to_12_months:
        return "6_to_12_months";
    case EmptyBand::from_1_to_2_years:
        return "1_to_2_years";
    case EmptyBand::over_2_years:
        return "2_years_or_more";
    }
    return "under_6_months";
}

EmptyBand empty_band(const core::Date& empty_since, const core::Date& on) {
    if (date_before(on, add_months(empty_since, 6))) {
        return EmptyBand::under_6_months;
    }
    if (date_before(on, add_months(empty_since, 12))) {
        return EmptyBand::from_6_to_12_months;
    }
    if (date_before(on, add_months(empty_since, 24))) {
        return EmptyBand::from_1_to_2_years;
    }
    return EmptyBand::over_2_years;
}

} // namespace wardmap::services
