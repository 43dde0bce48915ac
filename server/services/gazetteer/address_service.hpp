#pragma once

#include "geo/bng_transform.hpp"
#include "geo/store/connection_pool.hpp"
#include "server/services/gazetteer/address_index.hpp"
#include "server/services/shared/point_input.hpp"
#include "server/services/wards/ward_service.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace wardmap::services {

struct AddressSearch {
    std::string q;
    int limit = 10;
    Crs crs = Crs::wgs84; ///< of the coordinates written out
};

struct NearestQuery {
    PointInput point;
    double radius_m = 50;
    int limit = 10;
};

/// One address, as other services use it (geocoding a report). Plain value.
struct AddressHit {
    std::int64_t uprn = 0;
    std::string address; ///< single line
    std::optional<std::string> postcode;
    std::optional<std::int64_t> usrn;
    geo::EastNorth at;
    double distance_m = 0; ///< from the query point (nearest_address)
};

/// The gazetteer as residents and staff use it: type-ahead search, a property by UPRN, the
/// addresses nearest a point and a postcode's addresses. Answers are GeoJSON (WGS84, or
/// EPSG:27700 when asked). Thread-safe: every call takes its own pooled connection.
class AddressService {
  public:
    static constexpr int max_limit = 100;
    static constexpr double max_radius_m = 1000;

    /// When the in-memory search index is built: at once (the server, so no search waits),
    /// or on the first search (a writer that only asks for nearest addresses, such as the
    /// demo's activity, never pays for it).
    enum class SearchIndex { at_start, on_first_search };

    AddressService(store::ConnectionPool& pool,
                   std::shared_ptr<const geo::BngTransform> transform,
                   const WardService& wards,
                   SearchIndex build = SearchIndex::at_start);

    /// Best matches first: a whole postcode lists its addresses in street and house-number
    /// order; otherwise every word must match (the last as a prefix, common abbreviations
    /// such as "rd" for "road" understood) and addresses whose house or flat number is the
    /// number typed come first. DomainError invalid_parameter naming q for an empty query.
    [[nodiscard]] std::string search(const AddressSearch& query) const;
    /// A property (BLPU) with all its addresses (LPIs) and its current ward.
    [[nodiscard]] std::string property(std::int64_t uprn, Crs crs) const;
    /// Addresses within radius of a point, nearest first, with their distance.
    [[nodiscard]] std::string nearest(const NearestQuery& query) const;
    /// A postcode's centroid (Code-Point, or the mean of its addresses) and its addresses.
    [[nodiscard]] std::string postcode(const std::string& text, Crs crs) const;

    /// search() as values: the best `limit` properties for typed text (geocoding).
    [[nodiscard]] std::vector<AddressHit> find(const std::string& text, int limit) const;
    /// The nearest addressable property within `radius_m` of a point (EPSG:27700).
    [[nodiscard]] std::optional<AddressHit> nearest_address(geo::EastNorth at,
                                                            double radius_m) const;
    /// A property's main address and place by UPRN; nullopt when no property has it.
    [[nodiscard]] std::optional<AddressHit> address_of(std::int64_t uprn) const;

  private:
    [[nodiscard]] LiveAddressIndex& search_index() const;

    store::ConnectionPool& m_pool;
    std::shared_ptr<const geo::BngTransform> m_transform;
    const WardService& m_wards;
    mutable std::once_flag m_index_built;
    mutable std::unique_ptr<LiveAddressIndex> m_index;
};

} // namespace wardmap::services
