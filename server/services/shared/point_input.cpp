#include "server/services/shared/point_input.hpp"

#include "geo/errors.hpp"
#include "geo/geojson_writer.hpp"
#include "server/services/shared/errors.hpp"

namespace wardmap::services {

namespace {

// The National Grid's false origin to its far corner (700 x 1250 km).
constexpr double max_easting = 700000;
constexpr double max_northing = 1250000;

} // namespace

std::string describe_point(const PointInput& p) {
    std::string out = p.crs == Crs::wgs84 ? "lon " : "x ";
    const int decimals = p.crs == Crs::wgs84 ? geo::wgs84_decimals : geo::metre_decimals;
    geo::append_number(out, p.x, decimals);
    out += p.crs == Crs::wgs84 ? ", lat " : ", y ";
    geo::append_number(out, p.y, decimals);
    return out;
}

geo::EastNorth point_to_bng(const PointInput& p, const geo::BngTransform& transform) {
    if (p.crs == Crs::bng) {
        if (!(p.x >= 0 && p.x <= max_easting)) {
            invalid_parameter("x", "must be an easting from 0 to 700000 metres");
        }
        if (!(p.y >= 0 && p.y <= max_northing)) {
            invalid_parameter("y", "must be a northing from 0 to 1250000 metres");
        }
        return {p.x, p.y};
    }
    if (!(p.x >= -180 && p.x <= 180)) {
        invalid_parameter("lon", "must be a longitude from -180 to 180 degrees");
    }
    if (!(p.y >= -90 && p.y <= 90)) {
        invalid_parameter("lat", "must be a latitude from -90 to 90 degrees");
    }
    try {
        return transform.to_bng({p.x, p.y});
    } catch (const geo::GeoError&) {
        invalid_parameter("lon", "with lat, is outside the area the OSTN15 transformation "
                                 "covers (Great Britain and its waters)");
    }
}

} // namespace wardmap::services
