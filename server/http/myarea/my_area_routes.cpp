#include "server/http/myarea/my_area_routes.hpp"

#include "core/w3c_time.hpp"

#include "server/services/shared/errors.hpp"

#include <charconv>
#include <cmath>

namespace wardmap::http {

using services::invalid_parameter;

namespace {

std::int64_t uprn_param(const std::string& text) {
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < 1 || value > 999'999'999'999) {
        invalid_parameter("uprn", "must be a whole number from 1 to 999999999999, not '" +
                                      text.substr(0, 40) + "'");
    }
    return value;
}

double degrees_param(const std::string& name, const std::string& text, double limit) {
    double value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value) ||
        std::fabs(value) > limit) {
        invalid_parameter(name, "must be a number of degrees from -" +
                                    std::to_string(static_cast<int>(limit)) + " to " +
                                    std::to_string(static_cast<int>(limit)) + ", not '" +
                                    text.substr(0, 40) + "'");
    }
    return value;
}

services::MyAreaQuery my_area_query(const Request& request) {
    for (const auto& [name, value] : request.query) {
        if (name != "uprn" && name != "postcode" && name != "lon" && name != "lat") {
            invalid_parameter(name.substr(0, 40),
                              "is not a parameter of this route (uprn, postcode, or lon and lat)");
        }
    }
    const auto uprn = request.query_param("uprn");
    const auto postcode = request.query_param("postcode");
    const auto lon = request.query_param("lon");
    const auto lat = request.query_param("lat");
    const int given = (uprn ? 1 : 0) + (postcode ? 1 : 0) + ((lon || lat) ? 1 : 0);
    if (given == 0) {
        invalid_parameter("uprn", "is required: give uprn, postcode, or lon and lat");
    }
    if (given > 1) {
        invalid_parameter(uprn ? (postcode ? "postcode" : "lon") : "lon",
                          "give exactly one of uprn, postcode, or lon and lat");
    }
    services::MyAreaQuery query;
    query.today = core::uk_date(core::now_seconds());
    if (uprn) {
        query.uprn = uprn_param(*uprn);
    } else if (postcode) {
        if (postcode->empty() || postcode->size() > 16) {
            invalid_parameter("postcode", "must be a UK postcode (e.g. PR7 1DP)");
        }
        query.postcode = *postcode;
    } else {
        if (!lon) {
            invalid_parameter("lon", "is required with lat");
        }
        if (!lat) {
            invalid_parameter("lat", "is required with lon");
        }
        query.point = geo::LonLat{degrees_param("lon", *lon, 180), degrees_param("lat", *lat, 90)};
    }
    return query;
}

} // namespace

void add_my_area_routes(Router& router, const services::MyAreaService& area) {
    // Public, account-free: public fields only (no reporter data, councillors' public contact).
    const RouteOptions public_read{.access = services::RouteAccess::public_route()};
    router.get(
        "/api/my-area",
        [&area](Request& request) {
            Response response = Response::json(area.area(my_area_query(request)));
            response.header("Cache-Control", "public, max-age=60");
            return response;
        },
        public_read);
}

} // namespace wardmap::http
