#pragma once

#include "geo/store/connection_pool.hpp"
#include "server/services/dates.hpp"

#include <cstddef>
#include <string>

namespace wardmap::services {

struct WardCollection {
    std::string geojson; // RFC 7946 FeatureCollection, WGS84
    std::size_t count = 0;
};

/// Ward boundaries as they stood on a date (boundary sets are versioned). Thread-safe.
class WardService {
  public:
    explicit WardService(store::ConnectionPool& pool);
    /// Wards valid on `date` with code, name and boundary set; throws nothing for a date with
    /// no boundary set (an empty collection is the truthful answer).
    [[nodiscard]] WardCollection wards_on(const Date& date) const;

  private:
    store::ConnectionPool& m_pool;
};

} // namespace wardmap::services
