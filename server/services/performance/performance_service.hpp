#pragma once

// The borough's public performance page (issue #16, "Statistics for everyone";
// docs/http-api.md `GET /api/performance`): the service-request measures by month, or by ward,
// with small numbers suppressed. A request is placed in a ward by point-in-polygon against the
// boundary set in force on the last day of the range (never a stored ward column), as MyWard
// does. Private services are left out; nothing personal is read.
//
// The measures are data: a list of PerformanceMeasure entries over named tallies that the
// sources (PerformanceSource) count. A new series is one source filling a tally and one entry
// in the list (performance_measures()).

#include "core/dates.hpp"
#include "core/w3c_time.hpp"

#include "geo/coordinates.hpp"
#include "geo/store/connection_pool.hpp"
#include "server/services/requests/request_service.hpp"
#include "server/services/wards/ward_service.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wardmap::services {

/// The page's question: months `from` to `to` (inclusive), one ward or the borough, by month
/// or by ward (one row per ward in force at the range's end, over the whole range).
struct PerformanceQuery {
    core::YearMonth from;
    core::YearMonth to;
    std::optional<std::string> ward; ///< an ONS code of the boundaries in force at `to`'s end
    bool by_ward = false;
};

/// The tallies of one row (a month, or a ward): counts by name and the days to close of the
/// requests closed in it.
struct PerformanceTally {
    std::map<std::string, std::int64_t> counts;
    std::vector<double> close_days;
};

/// How a source's rows fall into the answer's rows: periods (each month, or the whole range
/// when by ward) and, for a point, the row it counts in.
class PerformanceFrame {
  public:
    struct Period {
        core::UnixSeconds start = 0; ///< inclusive (UK midnight of the first day)
        core::UnixSeconds end = 0;   ///< exclusive
    };
    PerformanceFrame(std::vector<Period> periods,
                     std::shared_ptr<const WardIndex> index,
                     core::Date boundaries_on,
                     const WardRecord* ward,
                     std::vector<const WardRecord*> row_wards);
    [[nodiscard]] const std::vector<Period>& periods() const { return m_periods; }
    /// The period holding `t`, or -1.
    [[nodiscard]] int period_of(core::UnixSeconds t) const;
    /// The row a point (EPSG:27700) counts in for `period`: the period itself by month (-1
    /// outside the asked ward), the point's ward's row by ward (-1 in no ward or outside the
    /// asked one). Placements are cached per point.
    [[nodiscard]] int row_of(std::size_t period, geo::EastNorth p) const;
    [[nodiscard]] std::size_t row_count() const;
    [[nodiscard]] bool by_ward() const { return !m_row_wards.empty(); }
    /// True when one ward was asked for (rows without a place then count in none).
    [[nodiscard]] bool one_ward() const { return m_ward != nullptr; }
    /// The instant the frame's "now" answers (the time the question is asked).
    core::UnixSeconds now = 0;

  private:
    [[nodiscard]] const WardRecord* place(geo::EastNorth p) const;
    std::vector<Period> m_periods;
    std::shared_ptr<const WardIndex> m_index;
    core::Date m_on;
    const WardRecord* m_ward;
    std::vector<const WardRecord*> m_row_wards;
    mutable std::map<std::pair<double, double>, const WardRecord*> m_placed;
};

/// Counts tallies into rows (tallies.size() == frame.row_count()) from the store.
using PerformanceSource = std::function<void(
    store::Database& db, const PerformanceFrame& frame, std::vector<PerformanceTally>& tallies)>;

/// One series of the page. `count`: the tally `numerator`; `share`: `numerator` over
/// `denominator`; `median_days`: the median of the row's close_days, counted by `denominator`.
struct PerformanceMeasure {
    enum class Kind { count, share, median_days };
    std::string key;   ///< JSON key and CSV column
    std::string label; ///< the page's words
    Kind kind = Kind::count;
    std::string numerator;
    std::string denominator;
    /// The page draws it as a line (shares, days) or bars (counts).
    [[nodiscard]] const char* kind_name() const;
};

/// The page's measures in order. A new series is one entry here plus a source filling its
/// tally (built in, or PerformanceService::add_source).
const std::vector<PerformanceMeasure>& performance_measures();

/// One figure: nullopt with suppressed=false when there is nothing to show (a share of none).
struct PerformanceCell {
    std::optional<double> value;
    bool suppressed = false;
};

struct PerformanceRow {
    std::string label;                  ///< YYYY-MM, or the ward's code
    std::string name;                   ///< the ward's name (by ward), empty by month
    std::vector<PerformanceCell> cells; ///< in performance_measures() order
};

struct PerformanceAnswer {
    core::YearMonth from;
    core::YearMonth to;
    core::Date boundaries_on;
    std::optional<std::string> ward_code;
    std::string ward_name;
    bool by_ward = false;
    int suppress_below = 5;
    std::vector<PerformanceRow> rows;
};

/// Thread-safe; each call leases one connection of the pool.
class PerformanceService {
  public:
    static constexpr int max_months = 36;

    PerformanceService(store::ConnectionPool& pool,
                       const RequestService& requests,
                       const WardService& wards,
                       int suppress_below);

    /// invalid_parameter naming from/to for a range the wrong way round, over 36 months or
    /// ending after this month; not_found for a ward code no boundary set has or one not in
    /// force on the range's last day.
    [[nodiscard]] PerformanceAnswer measure(const PerformanceQuery& q) const;

    /// Adds a source of tallies (the requests' source is built in). Call before serving.
    void add_source(PerformanceSource source);

    [[nodiscard]] int suppress_below() const { return m_suppress_below; }

  private:
    store::ConnectionPool& m_pool;
    const RequestService& m_requests;
    const WardService& m_wards;
    int m_suppress_below;
    std::vector<PerformanceSource> m_sources;
};

} // namespace wardmap::services
