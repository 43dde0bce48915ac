#include "server/services/shared/transform_service.hpp"

#include "geo/errors.hpp"
#include "server/services/shared/errors.hpp"

#include <cmath>

namespace wardmap::services {

TransformService::TransformService(std::shared_ptr<const geo::BngTransform> transform)
    : m_transform(std::move(transform)) {}

Crs TransformService::parse_crs(const std::string& text, const std::string& parameter) {
    if (text == "EPSG:27700" || text == "http://www.opengis.net/def/crs/EPSG/0/27700") {
        return Crs::bng;
    }
    if (text == "EPSG:4326" || text == "CRS84" || text == "OGC:CRS84" ||
        text == "http://www.opengis.net/def/crs/OGC/1.3/CRS84" ||
        text == "http://www.opengis.net/def/crs/EPSG/0/4326") {
        return Crs::wgs84;
    }
    invalid_parameter(parameter, "must be EPSG:27700 or EPSG:4326 (CRS84), not '" + text + "'");
}

const char* TransformService::crs_name(Crs crs) {
    return crs == Crs::bng ? "EPSG:27700" : "EPSG:4326";
}

TransformResult TransformService::convert(const TransformRequest& request) const {
    if (request.points.empty()) {
        invalid_parameter("points", "must hold at least one [x, y] pair");
    }
    if (request.points.size() > max_points) {
        invalid_parameter("points", "may hold at most " + std::to_string(max_points) + " pairs");
    }
    TransformResult result;
    result.to = request.from == Crs::bng ? Crs::wgs84 : Crs::bng;
    result.transform = &m_transform->info();
    result.points.reserve(request.points.size());
    for (std::size_t i = 0; i < request.points.size(); ++i) {
        const auto [x, y] = request.points[i];
        const std::string where = "points[" + std::to_string(i) + "]";
        if (!std::isfinite(x) || !std::isfinite(y)) {
            invalid_parameter(where, "must be two finite numbers");
        }
        try {
            if (request.from == Crs::bng) {
                const auto p = m_transform->to_wgs84({x, y});
                result.points.emplace_back(p.lon, p.lat);
            } else {
                const auto p = m_transform->to_bng({x, y});
                result.points.emplace_back(p.easting, p.northing);
            }
        } catch (const geo::GeoError&) {
            invalid_parameter(where, "is outside the area the OSTN15 transformation covers "
                                     "(Great Britain and its waters)");
        }
    }
    return result;
}

} // namespace wardmap::services
