#include "server/http/myarea/my_area_params.hpp"

#include "server/services/shared/errors.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

namespace wardmap::http {

using services::invalid_parameter;

namespace {

constexpr std::int64_t max_uprn = 999'999'999'999;

std::int64_t uprn_param(const std::string& text) {
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < 1 || value > max_uprn) {
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

double distance_param(const std::string& text) {
    std::int64_t d = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, d);
    if (text.empty() || ec != std::errc() || ptr != end || d < 50 || d > 5000) {
        invalid_parameter("distance",
                          "must be whole metres from 50 to 5000, not '" + text.substr(0, 40) + "'");
    }
    return static_cast<double>(d);
}

std::string ward_param(const std::string& code) {
    bool plain = !code.empty() && code.size() <= 16;
    for (const char c : code) {
        plain = plain && std::isalnum(static_cast<unsigned char>(c)) != 0;
    }
    if (!plain) {
        invalid_parameter("ward", "must be a ward's code (e.g. E05013064), not '" +
                                      code.substr(0, 40) + "'");
    }
    return code;
}

void only(const Request& request,
          std::initializer_list<std::string_view> known,
          const char* which) {
    for (const auto& [name, value] : request.query) {
        bool ok = false;
        for (const auto k : known) {
            ok = ok || k == name;
        }
        if (!ok) {
            invalid_parameter(name.substr(0, 40),
                              std::string("is not a parameter of this route (") + which + ")");
        }
    }
}

} // namespace

services::MyAreaQuery parse_my_area_query(const Request& request, const core::Date& today) {
    only(request, {"uprn", "postcode", "lon", "lat"}, "uprn, postcode, or lon and lat");
    const auto uprn = request.query_param("uprn");
    const auto postcode = request.query_param("postcode");
    const auto lon = request.query_param("lon");
    const auto lat = request.query_param("lat");
    const int given = (uprn ? 1 : 0) + (postcode ? 1 : 0) + ((lon || lat) ? 1 : 0);
    if (given == 0) {
        invalid_parameter("uprn", "is required: give uprn, postcode, or lon and lat");
    }
    if (given > 1) {
        invalid_parameter(uprn && postcode ? "postcode" : "lon",
                          "give exactly one of uprn, postcode, or lon and lat");
    }
    services::MyAreaQuery query;
    query.today = today;
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

services::AreaFeedQuery parse_area_feed_query(const Request& request, const core::Date& today) {
    only(request, {"uprn", "distance", "ward"}, "uprn and distance, or ward");
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
    query.today = today;
    if (uprn) {
        query.uprn = uprn_param(*uprn);
        if (distance) {
            query.distance_m = distance_param(*distance);
        }
    } else {
        if (distance) {
            invalid_parameter("distance", "applies to uprn, not to a ward");
        }
        query.ward_code = ward_param(*ward);
    }
    return query;
}

services::AlertSubscription parse_alert_body(const nlohmann::json& body) {
    if (!body.is_object()) {
        throw services::DomainError(services::ErrorCode::malformed_body,
                                    "the body must be a JSON object");
    }
    for (const auto& [name, value] : body.items()) {
        if (name != "email" && name != "uprn" && name != "lon" && name != "lat" && name != "ward" &&
            name != "distance" && name != "kinds") {
            invalid_parameter(name.substr(0, 40), "is not a member of this body (email, uprn or "
                                                  "lon and lat or ward, distance, kinds)");
        }
    }
    services::AlertSubscription alert;
    const auto email = body.find("email");
    if (email == body.end() || !email->is_string() || email->get<std::string>().empty() ||
        email->get<std::string>().size() > 254) {
        invalid_parameter("email", "is required: the address to send the alerts to");
    }
    alert.email = email->get<std::string>();
    const bool has_uprn = body.contains("uprn");
    const bool has_point = body.contains("lon") || body.contains("lat");
    const bool has_ward = body.contains("ward");
    const int given = (has_uprn ? 1 : 0) + (has_point ? 1 : 0) + (has_ward ? 1 : 0);
    if (given == 0) {
        invalid_parameter("uprn", "is required: give uprn, lon and lat, or ward");
    }
    if (given > 1) {
        invalid_parameter(has_ward ? "ward" : "lon", "give one of uprn, lon and lat, or ward");
    }
    if (has_uprn) {
        const auto& u = body["uprn"];
        if (!u.is_number_integer() || u.get<std::int64_t>() < 1 ||
            u.get<std::int64_t>() > max_uprn) {
            invalid_parameter("uprn", "must be a whole number from 1 to 999999999999");
        }
        alert.uprn = u.get<std::int64_t>();
    } else if (has_point) {
        for (const char* name : {"lon", "lat"}) {
            const double limit = name[1] == 'o' ? 180 : 90;
            if (!body.contains(name) || !body[name].is_number() ||
                !std::isfinite(body[name].get<double>()) ||
                std::fabs(body[name].get<double>()) > limit) {
                invalid_parameter(name, "must be a number of degrees (WGS84), with the other");
            }
        }
        alert.point = geo::LonLat{body["lon"].get<double>(), body["lat"].get<double>()};
    } else {
        if (!body["ward"].is_string()) {
            invalid_parameter("ward", "must be a ward's code");
        }
        alert.ward = ward_param(body["ward"].get<std::string>());
    }
    if (body.contains("distance")) {
        const auto& d = body["distance"];
        if (has_ward) {
            invalid_parameter("distance", "applies to a place, not to a ward");
        }
        if (!d.is_number_integer() || d.get<std::int64_t>() < 50 || d.get<std::int64_t>() > 5000) {
            invalid_parameter("distance", "must be whole metres from 50 to 5000");
        }
        alert.distance_m = static_cast<double>(d.get<std::int64_t>());
    }
    if (body.contains("kinds")) {
        const auto& k = body["kinds"];
        if (!k.is_array() || k.empty() || k.size() > 2) {
            invalid_parameter("kinds", "must be a list of reports and/or planning");
        }
        alert.reports = false;
        alert.planning = false;
        for (const auto& one : k) {
            if (one == "reports") {
                alert.reports = true;
            } else if (one == "planning") {
                alert.planning = true;
            } else {
                invalid_parameter("kinds", "must be a list of reports and/or planning");
            }
        }
    }
    return alert;
}

} // namespace wardmap::http
