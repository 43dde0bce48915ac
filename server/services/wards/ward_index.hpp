#pragma once

#include "core/dates.hpp"

#include "geo/coordinates.hpp"
#include "geo/store/connection_pool.hpp"
#include "geo/store/database.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wardmap::services {

/// One ward of one boundary set, as loaded from the store. Plain value.
struct WardRecord {
    std::int64_t id = 0; ///< wards.id, for fetching more (e.g. the WGS84 geometry)
    std::string code;    ///< ONS GSS code
    std::string name;
    std::string boundary_set;            ///< boundary_sets.label
    std::string valid_from;              ///< ISO date, inclusive
    std::optional<std::string> valid_to; ///< ISO date, exclusive; nullopt while current
    std::vector<unsigned char> wkb;      ///< EPSG:27700 geometry as OGC WKB
};

/// Point-in-ward for every boundary set, answering "which ward held this point on this date".
/// The loaded records are immutable and shared by all threads. GEOS prepared geometries and
/// STRtrees are not thread-safe (reference/stack-notes.md §5), so each thread builds its own
/// from the shared WKB on its first lookup, in its own GEOS context, and keeps them in a
/// thread_local cache keyed by this instance's generation: a reloaded index (a new instance)
/// never sees another's trees. Thread-safe; always held as shared_ptr<const WardIndex>.
class WardIndex : public std::enable_shared_from_this<WardIndex> {
    struct Private {};

  public:
    /// Reads every ward of every boundary set (code, name, set, dates, AsBinary(geom)).
    /// Throws StoreError, or GeoError for a geometry GEOS cannot read.
    static std::shared_ptr<const WardIndex> load(store::Database& db);
    static std::shared_ptr<const WardIndex> load(store::ConnectionPool& pool);

    /// The ward valid on `date` that covers `p` (EPSG:27700); a point on an edge shared by
    /// several wards gets the lowest code. nullptr when the point is in no ward on that date.
    /// The pointer lives as long as this index.
    [[nodiscard]] const WardRecord* find(geo::EastNorth p, const core::Date& date) const;

    [[nodiscard]] const std::vector<WardRecord>& wards() const { return m_wards; }
    [[nodiscard]] std::size_t boundary_set_count() const { return m_sets.size(); }
    /// Unique per instance in this process; keys the per-thread GEOS caches.
    [[nodiscard]] std::uint64_t generation() const { return m_generation; }

    WardIndex(Private, std::vector<WardRecord> wards);
    ~WardIndex();
    WardIndex(const WardIndex&) = delete;
    WardIndex& operator=(const WardIndex&) = delete;

    struct ThreadTrees; // this thread's STRtrees and prepared geometries (ward_index.cpp)

  private:
    struct SetInfo {
        std::string label;
        int from = 0; // yyyymmdd, inclusive
        int to = 0;   // yyyymmdd, exclusive (INT_MAX while current)
        geo::BBox box;
        std::vector<std::uint32_t> wards; // indexes into m_wards
    };
    [[nodiscard]] const ThreadTrees& thread_trees() const;

    std::uint64_t m_generation;
    std::vector<WardRecord> m_wards; // sorted by code, so a lower index is a lower code
    std::vector<SetInfo> m_sets;
};

/// yyyymmdd as an integer, for cheap date comparisons.
constexpr int date_key(const core::Date& d) {
    return d.year * 10000 + d.month * 100 + d.day;
}

} // namespace wardmap::services
