#pragma once

// The empty-property register's date rules, as pure functions: the risk cadence, when the next
// inspection is due (derived, never stored), whether it is overdue on a date, and how long a
// property has been empty in the bands councillors see. docs/housing.md states the rules.

#include "core/dates.hpp"

#include <optional>
#include <string_view>

namespace wardmap::services {

enum class EmptyRisk { low, medium, high };
std::string_view risk_name(EmptyRisk risk);
std::optional<EmptyRisk> parse_risk(std::string_view text);

/// Months between inspections: high 3, medium 6, low 12.
int inspection_cadence_months(EmptyRisk risk);

/// `date` plus `months` calendar months; a day past the new month's end becomes its last day
/// (31 August + 6 months = 28 or 29 February).
core::Date add_months(const core::Date& date, int months);
/// `date` plus `days` (negative goes back).
core::Date add_days_to(const core::Date& date, long days);
/// Days from `from` to `to` (negative when `to` is earlier).
long days_between(const core::Date& from, const core::Date& to);
/// a < b, a <= b by calendar order.
bool date_before(const core::Date& a, const core::Date& b);

/// What the next inspection's date follows from.
struct InspectionBasis {
    core::Date empty_since;
    core::Date registered_on;
    std::optional<core::Date> last_inspected_on;
    EmptyRisk risk = EmptyRisk::medium;
    bool back_in_use = false; ///< closed: no inspection is due
};

/// The last inspection plus the cadence; without one, the later of empty_since and
/// registered_on plus the cadence. nullopt once the property is back in use.
std::optional<core::Date> next_inspection_due(const InspectionBasis& basis);

/// Due strictly before `on` (an inspection due today is due, not overdue).
bool is_overdue(const core::Date& due, const core::Date& on);

/// How long a property has been empty on a date, in the bands MyWard shows.
enum class EmptyBand { under_6_months, from_6_to_12_months, from_1_to_2_years, over_2_years };
inline constexpr EmptyBand all_empty_bands[] = {
    EmptyBand::under_6_months, EmptyBand::from_6_to_12_months, EmptyBand::from_1_to_2_years,
    EmptyBand::over_2_years};
std::string_view band_name(EmptyBand band);
/// The band of a property empty since `empty_since` on `on` (a date before empty_since counts
/// as under 6 months): 6 months, 1 and 2 years are whole calendar months from empty_since.
EmptyBand empty_band(const core::Date& empty_since, const core::Date& on);

} // namespace wardmap::services
