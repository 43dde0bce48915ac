#include "server/http/myarea/my_area_routes.hpp"

#include "core/w3c_time.hpp"

#include "server/http/base_url.hpp"
#include "server/services/shared/errors.hpp"

#include <cctype>
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

services::AreaFeedQuery feed_query(const Request& request) {
    for (const auto& [name, value] : request.query) {
        if (name != "uprn" && name != "distance" && name != "ward") {
            invalid_parameter(name.substr(0, 40),
                              "is not a parameter of this route (uprn and distance, or ward)");
        }
    }
    const auto uprn = request.query_param("uprn");
    const auto ward = request.query_param("ward");
    const auto distance = request.query_param("distance");
    if (uprn && ward) {
        invalid_parameter("ward", "give uprn (with distance) or ward, not both");
    }
    if (!uprn && !ward) {
        invalid_parameter("uprn", "is required: give uprn (with distance) or ward");
    }
    services::AreaFeedQuery query;
    query.today = core::uk_date(core::now_seconds());
    query.now = core::format_utc(core::now_seconds());
    query.base_url = public_base_url(request);
    if (uprn) {
        query.uprn = uprn_param(*uprn);
        if (distance) {
            std::int64_t d = 0;
            const char* end = distance->data() + distance->size();
            const auto [ptr, ec] = std::from_chars(distance->data(), end, d);
            if (distance->empty() || ec != std::errc() || ptr != end || d < 50 || d > 5000) {
                invalid_parameter("distance", "must be whole metres from 50 to 5000, not '" +
                                                  distance->substr(0, 40) + "'");
            }
            query.distance_m = static_cast<double>(d);
        }
    } else {
        if (distance) {
            invalid_parameter("distance", "applies to uprn, not to a ward");
        }
        const auto& code = *ward;
        bool plain = !code.empty() && code.size() <= 16;
        for (const char c : code) {
            plain = plain && std::isalnum(static_cast<unsigned char>(c));
        }
        if (!plain) {
            invalid_parameter("ward", "must be a ward's code (e.g. E05013064), not '" +
                                          code.substr(0, 40) + "'");
        }
        query.ward_code = code;
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
    // Public: the same public fields as a feed a reader can subscribe to, no account.
    router.get(
        "/api/alerts/feed.atom",
        [&area](Request& request) {
            Response response = Response::text(area.feed(feed_query(request)),
                                               "application/atom+xml; charset=utf-8");
            response.header("Cache-Control", "public, max-age=300");
            return response;
        },
        public_read);
}

} // namespace wardmap::http
