#pragma once

// The "transform" step shared by the importers: source geometry -> EPSG:27700 (OSTN15 for
// lon/lat input) -> GEOS validity (repair or reject) -> council extent -> WKB for the store.

#include "geo/bng_transform.hpp"
#include "geo/geos_context.hpp"
#include "geo/store/database.hpp"
#include "importers/gdal_source.hpp"

#include <ogr_geometry.h>

#include <optional>
#include <string>
#include <vector>

namespace wardmap::importers {

/// The council's extent: the council_area geometry if the store has one, else a bbox option,
/// else none (nothing is rejected for position).
class CouncilExtent {
  public:
    CouncilExtent(store::Database& db, const std::optional<geo::BBox>& bbox);
    /// True when `g` (EPSG:27700) intersects the extent (or there is none).
    [[nodiscard]] bool intersects(const GEOSGeometry* g) const;
    [[nodiscard]] const std::string& description() const { return m_description; }

  private:
    geo::GeosGeometry m_area;
    geo::GeosPrepared m_prepared;
    std::string m_description;
};

/// A geometry ready for the store.
struct StoredGeometry {
    geo::GeosGeometry bng; ///< EPSG:27700
    std::vector<unsigned char> bng_wkb;
    std::vector<unsigned char> wgs84_wkb;
    bool repaired = false;
};

/// Converts an OGR geometry in `crs` to EPSG:27700 in the thread's GEOS context. Throws
/// GeoError when a coordinate is outside the transform's coverage.
geo::GeosGeometry to_bng_geos(const OGRGeometry& g, SourceCrs crs, const geo::BngTransform& t);
/// Converts a 27700 GEOS geometry to WGS84 WKB.
std::vector<unsigned char> to_wgs84_wkb(const GEOSGeometry* bng, const geo::BngTransform& t);
/// Polygonal result as a MultiPolygon (MakeValid may give a collection); null if none.
geo::GeosGeometry as_multipolygon(geo::GeosGeometry g);

} // namespace wardmap::importers
