#pragma once

#include <stdexcept>
#include <string>

namespace wardmap::geo {

/// A geometry or coordinate operation failed (invalid geometry, GEOS/PROJ error, no transform).
class GeoError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// No accurate EPSG:27700 <-> WGS84 transformation (OSTN15) is installed and the ~2 m
/// approximation was not allowed: the one GeoError the CLI maps to its own exit code.
class NoAccurateTransform : public GeoError {
  public:
    using GeoError::GeoError;
};

} // namespace wardmap::geo
