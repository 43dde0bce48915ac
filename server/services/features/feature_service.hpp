#pragma once

#include "geo/bng_transform.hpp"
#include "geo/coordinates.hpp"
#include "geo/store/connection_pool.hpp"
#include "geo/store/data_version.hpp"
#include "server/services/features/cql2.hpp"
#include "server/services/features/layer.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wardmap::services {

/// A `datetime` instant or interval; an empty end is open (`..`). Bounds are a date
/// (YYYY-MM-DD) or a normalised UTC timestamp (YYYY-MM-DDTHH:MM:SSZ).
struct TimeInterval {
    std::optional<std::string> start;
    std::optional<std::string> end;
};

/// Parses an RFC 3339 instant or interval (`a/b`, `../b`, `a/..`, `a/`); DomainError
/// invalid_parameter naming `datetime` otherwise.
TimeInterval parse_datetime(const std::string& text);

/// One page of `/collections/{id}/items`, as the HTTP layer parsed it.
struct ItemsQuery {
    int limit = 10;
    std::optional<std::int64_t> after; ///< keyset cursor: ids greater than this
    std::int64_t offset = 0;
    std::optional<std::array<double, 4>> bbox;
    FeatureCrs bbox_crs = FeatureCrs::crs84;
    std::optional<TimeInterval> datetime;
    std::vector<std::pair<std::string, std::string>> equals; ///< queryable = value
    std::optional<std::string> filter;                       ///< CQL2 text
    FeatureCrs filter_crs = FeatureCrs::crs84;
    FeatureCrs crs = FeatureCrs::crs84;
    /// Count the matches (numberMatched); the HTTP layer asks on first pages only.
    bool count = true;
};

struct ItemsPage {
    std::string features; ///< the JSON array of Features
    std::int64_t returned = 0;
    std::optional<std::int64_t> matched;
    /// The cursor for the next page, when more features follow.
    std::optional<std::int64_t> next_after;
};

/// A collection's extent for its metadata: CRS84 box (empty when the table is) and the
/// temporal extent as RFC 3339 text (nullopt ends are open).
struct LayerExtent {
    geo::BBox bbox;
    bool has_temporal = false;
    std::optional<std::string> first;
    std::optional<std::string> last;
};

/// Features of any registered layer, read with the layer's own SQL, filtered by bbox,
/// datetime, queryable equality and CQL2, paged by id, written as GeoJSON in CRS84,
/// EPSG:4326 (lat/lon), EPSG:27700 or EPSG:3857. Thread-safe: each call leases a connection.
class FeatureService {
  public:
    /// A filtered first page counts at most this many matches for numberMatched and omits it
    /// above; an unfiltered one counts the table (no cap: SQLite counts without reading rows).
    static constexpr std::int64_t count_cap = 10'000;

    FeatureService(store::ConnectionPool& pool,
                   std::shared_ptr<const geo::BngTransform> transform,
                   LayerRegistry registry);

    [[nodiscard]] const LayerRegistry& registry() const { return m_registry; }
    /// The public layer `id`; DomainError not_found naming the collections otherwise.
    [[nodiscard]] const Layer& layer(const std::string& id) const;
    [[nodiscard]] ItemsPage items(const Layer& layer, const ItemsQuery& query) const;
    /// One Feature by its id text; not_found unless it is a whole number of this layer.
    [[nodiscard]] std::string item(const Layer& layer, const std::string& id, FeatureCrs crs) const;
    /// Calls `visit` for each feature of `layer` meeting the WGS84 box, with exactly the rows
    /// and properties items() serves (the layer's row filter, its public properties): column 0
    /// the id, 1 the WGS84 WKB, then the properties in the layer's order (left out when not
    /// `with_properties`: only ids and geometry, without the per-row lookups), narrowed to
    /// `datetime` when given, as items() narrows. Stops after `limit` rows and returns how many
    /// were visited. For vector tiles.
    std::int64_t visit_box(const Layer& layer,
                           const geo::BBox& lonlat,
                           const std::optional<TimeInterval>& datetime,
                           bool with_properties,
                           std::int64_t limit,
                           const std::function<void(const store::Statement&)>& visit) const;
    /// Cached for a minute (the properties' extent reads a million-entry R*Tree).
    [[nodiscard]] LayerExtent extent(const Layer& layer) const;
    /// Moves on with every commit to the store (store::DataVersion): an answer made at one
    /// version is still right while the version is the same.
    [[nodiscard]] std::int64_t data_version() const { return m_data_version->current(); }

  private:
    SqlFragment where_clause(const Layer& layer, const ItemsQuery& query) const;
    SqlFragment intersects(const Layer& layer, const GeometryLiteral& literal) const;
    std::optional<geo::BBox> grid_box(const geo::BBox& wgs84) const;

    store::ConnectionPool& m_pool;
    std::shared_ptr<const geo::BngTransform> m_transform;
    LayerRegistry m_registry;
    std::unique_ptr<store::DataVersion> m_data_version;
    mutable std::mutex m_extent_mutex;
    mutable std::map<std::string, std::pair<std::chrono::steady_clock::time_point, LayerExtent>>
        m_extents;
};

} // namespace wardmap::services
