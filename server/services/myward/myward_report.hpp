#pragma once

// MyWard's monthly ward report (issue #16; docs/myward.md "Monthly report"): one printable A4
// HTML page of a ward's month for a councillor's ward surgery, built from MyWardService's
// panels (no figures of its own), counts from 1 to the threshold - 1 suppressed as in the
// exports, no personal data, and a map of the ward drawn here as inline SVG from EPSG:27700
// coordinates (the outline in force at the month's end, the month's requests as dots or, when
// there are many, 100 m heat cells): nothing is fetched, so a PDF of it needs no network.

#include "core/dates.hpp"

#include "geo/store/connection_pool.hpp"
#include "server/services/myward/myward_service.hpp"
#include "server/services/wards/ward_service.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wardmap::services {

/// A report's month (core::YearMonth: first_day, last_day, iso).
using ReportMonth = core::YearMonth;

/// "March 2026".
[[nodiscard]] std::string month_title(const ReportMonth& month);

/// Parses exactly `YYYY-MM` (core::parse_year_month) from the year 1900; nullopt otherwise.
std::optional<ReportMonth> parse_report_month(std::string_view text);

/// A headline figure: its label and its value as printed, nullopt when suppressed.
using ReportFigure = std::pair<std::string, std::optional<std::string>>;

/// Thread-safe (each call leases connections from the pool through the services).
class MyWardReport {
  public:
    MyWardReport(store::ConnectionPool& pool,
                 const WardService& wards,
                 const MyWardService& myward,
                 std::string public_url);

    /// The month's query (from the 1st to the month's end, or today for this month; the
    /// boundaries in force at that end), checked like the dashboard's: invalid_parameter
    /// naming `month` for a month after this one, not_found for a ward not in force then.
    [[nodiscard]] MyWardQuery query(const std::string& ward_code, const ReportMonth& month) const;

    /// The report as one HTML document (A4 print CSS, no script, no outside resource).
    [[nodiscard]] std::string html(const MyWardQuery& q, const ReportMonth& month) const;

    /// The ward's name on the query's date.
    [[nodiscard]] std::string ward_name(const MyWardQuery& q) const;

    /// The headline figures of the e-mailed summary (received, open, closed, overdue, closed
    /// within target, the same month a year earlier), suppressed as in the exports.
    [[nodiscard]] std::vector<ReportFigure> headline(const MyWardQuery& q) const;

    /// The report's address: {public_url}/api/myward/{ward}/report?month=YYYY-MM.
    [[nodiscard]] std::string report_url(const std::string& ward_code,
                                         const ReportMonth& month) const;

    /// The map: the ward's outline and the query's requests, inline SVG in British National
    /// Grid metres (y flipped), sized to `width_mm` wide.
    [[nodiscard]] std::string map_svg(const MyWardQuery& q, double width_mm) const;

    [[nodiscard]] int suppress_below() const { return m_myward.suppress_below(); }

  private:
    store::ConnectionPool& m_pool;
    const WardService& m_wards;
    const MyWardService& m_myward;
    std::string m_public_url;
};

} // namespace wardmap::services
