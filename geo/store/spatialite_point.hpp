#pragma once

// The x and y of a POINT in SpatiaLite's own BLOB geometry format, read in C++. SQL's X() and
// Y() build a whole geometry object per call; a list of 1,000 requests needs four of them per
// row, which was a quarter of the list's SQL time.

#include <optional>
#include <span>
#include <utility>

namespace wardmap::store {

/// {x, y} of a SpatiaLite POINT blob (XY, XYZ, XYM or XYZM); nullopt for any other
/// geometry, a NULL column (empty span) or a blob that is not SpatiaLite's format.
std::optional<std::pair<double, double>> spatialite_point_xy(std::span<const unsigned char> blob);

} // namespace wardmap::store
