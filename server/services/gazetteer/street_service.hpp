#pragma once

#include "geo/coordinates.hpp"
#include "geo/store/connection_pool.hpp"
#include "server/services/shared/transform_service.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace wardmap::services {

/// BS 7666 street record type -> its meaning ("Designated street name", ...); "" if unknown.
const char* street_type_label(int street_type);

/// Streets by USRN (table `streets`, loaded by the LLPG or `wardmap import streets`).
/// Thread-safe: each call leases its own connection.
class StreetService {
  public:
    explicit StreetService(store::ConnectionPool& pool) : m_pool(pool) {}
    /// One street as a GeoJSON Feature: its centreline (WGS84, or EPSG:27700 with a "crs"
    /// member when `crs` is bng), descriptor, locality, town, street type, state, how many
    /// addresses are on it and the current wards it crosses. `usrn` is the path text:
    /// DomainError invalid_parameter naming "usrn" unless it is a whole number from 1 to
    /// 99999999, not_found when no street has it.
    [[nodiscard]] std::string street(const std::string& usrn, Crs crs) const;
    /// The USRN of the street whose centreline passes nearest a point (EPSG:27700), within
    /// `radius_m`; nullopt when none is that close.
    [[nodiscard]] std::optional<std::int64_t> nearest_usrn(geo::EastNorth at,
                                                           double radius_m) const;

  private:
    store::ConnectionPool& m_pool;
};

} // namespace wardmap::services
