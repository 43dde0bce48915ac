#pragma once

#include "geo/bng_transform.hpp"
#include "geo/coordinates.hpp"
#include "server/services/shared/transform_service.hpp"

namespace wardmap::services {

/// A point given by a client: lon/lat in WGS84, or x/y in EPSG:27700.
struct PointInput {
    Crs crs = Crs::wgs84;
    double x = 0;
    double y = 0;
};

/// The point in EPSG:27700. DomainError invalid_parameter naming lon/lat (x/y) when it is out
/// of range or outside OSTN15's coverage.
geo::EastNorth point_to_bng(const PointInput& p, const geo::BngTransform& transform);

/// "lon -2.6, lat 53.6" or "x 358000, y 417000", for messages.
std::string describe_point(const PointInput& p);

} // namespace wardmap::services
