#pragma once

// Memorials and their safety inspections, disinterments, and the capacity forecast
// (docs/burials.md "Memorials", "Disinterments", "Capacity"). Inspections are append-only; a
// memorial's next inspection date is derived from its latest inspection, never stored:
//
//   - a pass, or a fail of risk category 3 (low):     five years on;
//   - a fail of risk category 2 (medium):              one year on;
//   - a fail of risk category 1 (immediate):           one month on (the memorial was made safe
//                                                      at once; it is seen again to repair it);
//   - never inspected: five years after it was erected (the day it was recorded when the
//     erection date is unknown).
//
// Only admins and the bereavement team may call any of it (burial_read, burial_record; this
// service checks the team as BurialService does). Thread-safe.

#include "core/dates.hpp"

#include "geo/store/connection_pool.hpp"
#include "server/services/burials/burial_service.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wardmap::services {

inline constexpr std::string_view memorial_types[] = {"headstone", "kerb_set", "tablet", "vase",
                                                      "plaque",    "cross",    "book",   "desk",
                                                      "statue",    "other"};
inline constexpr std::string_view inspection_results[] = {"pass", "fail"};
inline constexpr std::string_view memorial_actions[] = {"none", "laid_flat", "staked", "made_safe",
                                                        "repaired"};

struct NewMemorial {
    std::optional<std::string> permit_number, mason;
    std::string memorial_type;
    std::optional<std::string> inscription, erected_on;
};
struct NewMemorialInspection {
    std::string inspected_on;
    std::string inspector;
    std::string result;
    int risk_category = 3;
    std::string action = "none";
    std::optional<std::string> notes;
};
struct NewDisinterment {
    std::string disinterred_on;
    std::string licence_reference;
    std::optional<std::int64_t> reinterred_grave_id;
    std::optional<std::string> reinterred_on, notes;
};

/// The SQL date a memorial aliased `m` is next due for inspection (the rule above).
std::string memorial_next_due_sql(std::string_view m);

struct MemorialInspectionRecord {
    std::int64_t id = 0;
    std::string inspected_on, inspector, result;
    int risk_category = 3;
    std::string action;
    std::optional<std::string> notes;
    std::string recorded_at, recorded_by;
};
struct MemorialRecord {
    std::int64_t id = 0;
    std::int64_t grave_id = 0;
    std::optional<std::string> permit_number, mason;
    std::string memorial_type;
    std::optional<std::string> inscription, erected_on;
    std::string next_due;
    std::vector<MemorialInspectionRecord> inspections; ///< oldest first
};

/// One row of the due list: the memorial, its grave and its latest inspection.
struct DueMemorial {
    std::int64_t id = 0;
    std::int64_t grave_id = 0;
    std::string grave_number, cemetery, section, memorial_type;
    std::string next_due;
    std::optional<std::string> last_inspected_on, last_result, last_action;
    std::optional<int> last_risk_category;
    std::string geometry; ///< GeoJSON Point (WGS84): a point on the grave
};

/// The forecast arithmetic (docs/burials.md "Capacity"), pure so it can be checked by hand.
struct FullForecast {
    std::optional<double> years_to_full; ///< nullopt: never at this rate (rate 0)
    std::optional<int> full_year;
};
/// The mean of `per_year` (0 for no years).
double mean_rate(const std::vector<int>& per_year);
/// With `available` graves left and `rate` new graves used per year from `on`: years to full
/// is available / rate; the year full is on's year plus the whole years of that (the year the
/// last grave is taken, counting from the reference date). 0 available: full now.
FullForecast forecast_full(int available, double rate, const core::Date& on);

struct CapacitySection {
    std::int64_t id = 0;
    std::string cemetery, name, kind;
    int graves = 0, available = 0;
    std::map<std::string, int> available_by_type;
    std::vector<int> new_graves_per_year; ///< the last N complete years, oldest first
    double current_rate = 0;
    FullForecast at_current;
    std::optional<double> officer_rate;
    std::optional<FullForecast> at_officer;
};
struct CapacityCemetery {
    std::int64_t id = 0;
    std::string name;
    int graves = 0, available = 0;
    std::map<std::string, int> available_by_type;
    std::vector<int> new_graves_per_year;
    double current_rate = 0;
    FullForecast at_current;
    std::optional<double> officer_rate;
    std::optional<FullForecast> at_officer;
    std::vector<std::pair<int, int>> burials_per_year; ///< year, interments (last 10 years)
    std::vector<CapacitySection> sections;
};
struct CapacityQuery {
    core::Date on;
    int years = 5;              ///< N complete years the current rate is the mean of
    std::optional<double> rate; ///< the officer's rate per cemetery (graves a year)
    std::map<std::int64_t, double> section_rates; ///< the officer's rate per section
};
struct CapacityReport {
    core::Date on;
    int years = 5;
    std::vector<int> rate_years; ///< the years the current rate is the mean of
    std::vector<CapacityCemetery> cemeteries;
};

class MemorialService {
  public:
    explicit MemorialService(store::ConnectionPool& pool) : m_pool(pool) {}

    /// A memorial on a grave; returns its id. 404 for no such grave.
    std::int64_t
    add_memorial(std::int64_t grave_id, const NewMemorial& in, const BurialCaller& caller);
    /// Appends an inspection; returns its id and the memorial's next due date.
    std::pair<std::int64_t, std::string> add_inspection(std::int64_t memorial_id,
                                                        const NewMemorialInspection& in,
                                                        const BurialCaller& caller);
    /// The memorials of a grave with their inspections (staff).
    [[nodiscard]] std::vector<MemorialRecord> memorials_of(std::int64_t grave_id,
                                                           const BurialCaller& caller) const;
    /// Overdue (next due before `on`) or due (from `on` to `on` + within_days) memorials,
    /// soonest first, a page at a time; returns the number matching.
    std::int64_t due(bool overdue,
                     const core::Date& on,
                     int within_days,
                     int limit,
                     int offset,
                     const BurialCaller& caller,
                     const std::function<void(const DueMemorial&)>& row) const;
    /// Records a disinterment of an interment (licence required); 409 already_disinterred.
    std::int64_t add_disinterment(std::int64_t interment_id,
                                  const NewDisinterment& in,
                                  const BurialCaller& caller);
    /// Available graves and the forecast year each section and cemetery is full.
    [[nodiscard]] CapacityReport capacity(const CapacityQuery& q, const BurialCaller& caller) const;

  private:
    store::ConnectionPool& m_pool;
};

} // namespace wardmap::services
