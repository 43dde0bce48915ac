#pragma once

// MyWard (issue #16, "The councillor's ward"; docs/myward.md): a ward's panels for its
// councillors and staff. Every figure is placed in the ward by point-in-polygon against the
// boundary set in force at the query's date (WardIndex), never from a stored ward column:
// candidates come from the layer's R-tree by the ward's bounding box, then each point is
// placed with the ward index. A domain without data answers {"in_use": false}.

#include "core/dates.hpp"

#include "geo/store/connection_pool.hpp"
#include "server/services/housing/empty_property_service.hpp"
#include "server/services/wards/ward_service.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace wardmap::services {

/// The filters of a ward's dashboard and exports.
struct MyWardQuery {
    std::string ward_code;
    core::Date on;   ///< the boundaries in force on this date
    core::Date from; ///< requests and planning received from this date (inclusive)
    /// false: `from` is the default (a year before `to`), moved up to the first stored
    /// request's date instead of being refused.
    bool from_given = true;
    core::Date to; ///< to this date (inclusive)
    std::optional<std::string> category;
    std::optional<std::string> status;
};

/// One request of a ward as exported: no description, no reporter.
struct MyWardRequestRow {
    std::int64_t id = 0;
    std::string category;
    std::string status;
    std::string created_at;
    std::optional<std::string> closed_at;
    std::optional<std::string> expected_at;
    bool open = false;
    bool overdue = false;
    double lon = 0;
    double lat = 0;
    double e = 0; ///< EPSG:27700 (the printed report's map)
    double n = 0;
};

/// A flat table (a panel as CSV): header and rows of text cells; nullopt is a suppressed or
/// absent value, written as an empty cell.
struct MyWardTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::optional<std::string>>> rows;
};

/// Thread-safe; each call leases one connection of the pool.
class MyWardService {
  public:
    static constexpr int default_suppress_below = 5;
    /// Reports within one cell of this size (metres) on the British National Grid count as
    /// one location; three or more make a repeat location.
    static constexpr double repeat_cell_m = 25.0;
    static constexpr int repeat_min_reports = 3;

    MyWardService(store::ConnectionPool& pool,
                  const WardService& wards,
                  const EmptyPropertyService& empty_properties,
                  int suppress_threshold = default_suppress_below);

    /// Checks the query: not_found for a ward code no boundary set has, or one that is not
    /// in force on `on`; invalid_parameter naming from/to for a range the wrong way round,
    /// ending after today, or starting before the first stored request.
    /// A default `from` (from_given false) is moved up to the first request's date instead.
    void check(MyWardQuery& q) const;

    /// The dashboard as a JSON document (every panel).
    [[nodiscard]] std::string dashboard_json(const MyWardQuery& q) const;

    /// Every request of the ward matching the query, oldest first, handed to `row` as each is
    /// read (no list is built: the export streams).
    void visit_requests(const MyWardQuery& q,
                        const std::function<void(const MyWardRequestRow&)>& row) const;

    /// A panel as a table: summary (the requests' headline counts), categories, statuses,
    /// months, repeat_locations, planning, bins,
    /// empty_properties, bereavement. Counts under the threshold are suppressed (nullopt).
    /// not_found for an unknown panel.
    [[nodiscard]] MyWardTable panel_table(const MyWardQuery& q, const std::string& panel) const;

    /// The ward's outline on `on`, a GeoJSON geometry in WGS84.
    [[nodiscard]] std::string outline_geojson(const MyWardQuery& q) const;

    [[nodiscard]] int suppress_below() const { return m_suppress_below; }

    /// The panels' names, for the routes and the docs.
    static const std::vector<std::string>& panel_names();

    /// Brings the request -> ward placement (myward_request_wards, 0028) of `ward`'s boundary
    /// set up to date: the whole set when it is not placed (first read, or its wards changed),
    /// else only the requests queued since (created, moved, re-dated). Returns the set's id.
    /// Public for the bench and the tests; every read calls it first.
    std::int64_t place_requests(store::Database& db, const WardRecord& ward) const;

  private:
    store::ConnectionPool& m_pool;
    /// The ward index MyWard places with, loaded from the store and loaded again whenever the
    /// store's "wards" generation moves on (so a placement is never built from an index older
    /// than the stored boundaries). `generation` receives the generation it was loaded from.
    std::shared_ptr<const WardIndex> current_index(store::Database& db,
                                                   std::string* generation = nullptr) const;

    mutable std::mutex m_placing; // one placement at a time in this process
    mutable std::mutex m_index_mutex;
    mutable std::shared_ptr<const WardIndex> m_index;
    mutable std::string m_index_generation;
    const WardService& m_wards;
    const EmptyPropertyService& m_empty;
    int m_suppress_below;
};

} // namespace wardmap::services
