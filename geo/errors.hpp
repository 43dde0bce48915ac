#pragma once

#include <stdexcept>
#include <string>

namespace wardmap::geo {

/// A geometry or coordinate operation failed (invalid geometry, GEOS/PROJ error, no transform).
class GeoError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

} // namespace wardmap::geo
