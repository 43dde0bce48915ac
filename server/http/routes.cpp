#include "server/http/routes.hpp"

#include "geo/geojson_writer.hpp"
#include "server/http/json_body.hpp"
#include "server/http/query_params.hpp"
#include "server/services/shared/errors.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <optional>

namespace wardmap::http {

using services::invalid_parameter;

namespace {

using services::RouteAccess;

/// Open data and probes: anyone, no credentials.
const RouteOptions open_to_all{.access = RouteAccess::public_route()};

void append_transform(geo::JsonObjectWriter& obj, const geo::TransformInfo& info) {
    std::string t;
    geo::JsonObjectWriter inner(t);
    inner.field("method", geo::to_string(info.method))
        .field("name", info.name)
        .field("accuracy_m", info.accuracy_m, 3)
        .field("source", info.source);
    inner.close();
    obj.raw_field("transformation", t);
}

Response healthz(const services::HealthService& health, bool draining) {
    const auto report = health.check();
    std::string body;
    geo::JsonObjectWriter obj(body);
    const bool ok = report.healthy() && !draining;
    obj.field("status", draining ? "draining" : (report.healthy() ? "ok" : "unhealthy"))
        .field("version", services::HealthService::version())
        .field("database", report.database_ok ? "ok" : "unavailable")
        .field("schema_version", report.schema_version)
        .field("schema_expected", report.schema_expected);
    append_transform(obj, report.transform);
    obj.field("dataset", report.dataset).field("synthetic", report.synthetic);
    obj.close();
    Response response = Response::json(std::move(body), ok ? 200 : 503);
    response.header("Cache-Control", "no-store");
    return response;
}

core::Date date_param(const Request& request) {
    auto text = request.query_param("date");
    if (!text) {
        return core::today_utc();
    }
    auto date = core::parse_iso_date(*text);
    if (!date) {
        invalid_parameter("date", "must be a calendar date as YYYY-MM-DD, not '" + *text + "'");
    }
    return *date;
}

std::optional<core::Date> optional_date_param(const Request& request) {
    if (!request.query_param("date")) {
        return std::nullopt;
    }
    return date_param(request);
}

bool bool_param(const Request& request, const std::string& name) {
    const auto text = request.query_param(name);
    if (!text || *text == "false") {
        return false;
    }
    if (*text == "true") {
        return true;
    }
    invalid_parameter(name, "must be true or false, not '" + *text + "'");
}

int int_param(const Request& request, const std::string& name, int fallback, const char* meaning) {
    const auto text = request.query_param(name);
    if (!text) {
        return fallback;
    }
    int value = 0;
    const char* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, value);
    if (ec != std::errc() || ptr != end) {
        invalid_parameter(name, std::string("must be a whole number (") + meaning + "), not '" +
                                    *text + "'");
    }
    return value;
}

services::Crs crs_param(const Request& request) {
    const auto crs = request.query_param("crs");
    return crs ? services::TransformService::parse_crs(*crs, "crs") : services::Crs::wgs84;
}

/// lon/lat, or x/y with crs=EPSG:27700: a parameter name never changes meaning with crs.
services::PointInput point_param(const Request& request) {
    services::PointInput point;
    point.crs = crs_param(request);
    const bool bng = point.crs == services::Crs::bng;
    for (const char* other : bng ? std::array{"lon", "lat"} : std::array{"x", "y"}) {
        if (request.query_param(other)) {
            invalid_parameter(other, bng ? "is not used with crs=EPSG:27700 (give x and y)"
                                         : "is used only with crs=EPSG:27700 (give lon and lat "
                                           "for WGS84)");
        }
    }
    point.x = bng ? number_param(request, "x", "easting in metres, EPSG:27700")
                  : number_param(request, "lon", "longitude in degrees, WGS84");
    point.y = bng ? number_param(request, "y", "northing in metres, EPSG:27700")
                  : number_param(request, "lat", "latitude in degrees, WGS84");
    return point;
}

std::int64_t uprn_param(const Request& request) {
    const std::string text = request.param("uprn");
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < 1 || value > 999'999'999'999) {
        invalid_parameter("uprn", "must be a UPRN: a whole number from 1 to 999999999999, not '" +
                                      text + "'");
    }
    return value;
}

services::WardAtQuery ward_at_query(const Request& request) {
    services::WardAtQuery query;
    const auto point = point_param(request);
    query.crs = point.crs;
    query.x = point.x;
    query.y = point.y;
    query.date = date_param(request);
    query.with_geometry = bool_param(request, "geometry");
    return query;
}

Response ward_at_response(const services::WardLocation& ward, const core::Date& date) {
    std::string body;
    geo::JsonObjectWriter obj(body);
    obj.field("code", ward.code)
        .field("name", ward.name)
        .field("boundary_set", ward.boundary_set)
        .field("valid_from", ward.valid_from)
        .field("valid_to", ward.valid_to)
        .field("date", date.iso())
        .field("easting", ward.point.easting, geo::metre_decimals)
        .field("northing", ward.point.northing, geo::metre_decimals);
    if (ward.geometry) {
        obj.raw_field("geometry", *ward.geometry);
    }
    obj.close();
    return Response::json(std::move(body));
}

services::TransformRequest transform_request(const nlohmann::json& body) {
    if (!body.is_object()) {
        invalid_parameter("body", "must be a JSON object with 'crs' and 'points'");
    }
    services::TransformRequest request;
    if (!body.contains("crs") || !body["crs"].is_string()) {
        invalid_parameter("crs", "is required: EPSG:27700 or EPSG:4326");
    }
    request.from = services::TransformService::parse_crs(body["crs"].get<std::string>(), "crs");
    if (!body.contains("points") || !body["points"].is_array()) {
        invalid_parameter("points", "is required: an array of [x, y] pairs");
    }
    const auto& points = body["points"];
    if (points.size() > services::TransformService::max_points) {
        invalid_parameter("points", "may hold at most " +
                                        std::to_string(services::TransformService::max_points) +
                                        " pairs");
    }
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto& p = points[i];
        if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) {
            invalid_parameter("points[" + std::to_string(i) + "]",
                              "must be an [x, y] pair of numbers");
        }
        request.points.emplace_back(p[0].get<double>(), p[1].get<double>());
    }
    return request;
}

Response transform_response(const services::TransformResult& result) {
    const int decimals =
        result.to == services::Crs::bng ? geo::metre_decimals + 1 : geo::wgs84_decimals + 1;
    std::string points = "[";
    for (const auto& [x, y] : result.points) {
        if (points.size() > 1) {
            points += ',';
        }
        points += '[';
        geo::append_number(points, x, decimals);
        points += ',';
        geo::append_number(points, y, decimals);
        points += ']';
    }
    points += ']';
    std::string body;
    geo::JsonObjectWriter obj(body);
    obj.field("crs", services::TransformService::crs_name(result.to)).raw_field("points", points);
    append_transform(obj, *result.transform);
    obj.close();
    return Response::json(std::move(body));
}

Response imports_response(const std::vector<services::ImportRecord>& records) {
    std::string body = "[";
    for (const auto& r : records) {
        if (body.size() > 1) {
            body += ',';
        }
        geo::JsonObjectWriter obj(body);
        obj.field("id", r.id)
            .field("kind", r.kind)
            .field("source", r.source)
            .field("sha256", r.sha256)
            .field("started_at", r.started_at)
            .field("finished_at", r.finished_at)
            .field("status", r.status)
            .field("read", r.read)
            .field("inserted", r.inserted)
            .field("updated", r.updated)
            .field("deleted", r.deleted)
            .field("rejected", r.rejected)
            .field("repaired", r.repaired)
            .field("detail", r.detail);
        obj.close();
    }
    body += ']';
    return Response::json(std::move(body));
}

// ?crs= picks the geometry's CRS (WGS84 by default); Content-Crs says which (OGC API Features).
Response street_response(const Request& request, const services::StreetService& streets) {
    auto crs = services::Crs::wgs84;
    if (const auto text = request.query_param("crs")) {
        crs = services::TransformService::parse_crs(*text, "crs");
    }
    Response response = Response::geojson(streets.street(request.param("usrn"), crs));
    response.header("Content-Crs", crs == services::Crs::bng
                                       ? "<http://www.opengis.net/def/crs/EPSG/0/27700>"
                                       : "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>");
    return response;
}

} // namespace

void add_system_routes(Router& router,
                       const services::HealthService& health,
                       const Metrics& metrics,
                       std::function<bool()> draining) {
    router.get(
        "/healthz", [&health, draining](Request&) { return healthz(health, draining()); },
        open_to_all);
    // Public to wardmap: Prometheus has no account. It holds no personal data, and nginx
    // answers /metrics only on loopback (docs/deploy.md, docs/permissions.md).
    router.get(
        "/metrics",
        [&metrics](Request&) {
            return Response::text(metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
        },
        open_to_all);
}

void add_api_routes(Router& router, const ApiServices& services) {
    // ApiServices holds references: copy it into each handler, never capture it by reference.
    router.get(
        "/api/wards",
        [services](Request& request) {
            auto wards = services.wards.wards_on(date_param(request));
            return Response::geojson(std::move(wards.geojson));
        },
        open_to_all);
    // The literal "at" beats the ":code" parameter in the router.
    router.get(
        "/api/wards/at",
        [services](Request& request) {
            const auto query = ward_at_query(request);
            return ward_at_response(services.wards.ward_at(query), query.date);
        },
        open_to_all);
    router.get(
        "/api/wards/:code",
        [services](Request& request) {
            return Response::geojson(
                services.wards.ward(request.param("code"), optional_date_param(request)));
        },
        open_to_all);
    router.get(
        "/api/addresses",
        [services](Request& request) {
            services::AddressSearch query;
            query.q = request.query_param("q").value_or("");
            query.limit = int_param(request, "limit", 10, "how many addresses, 1 to 100");
            query.crs = crs_param(request);
            return Response::geojson(services.addresses.search(query));
        },
        open_to_all);
    // The literal "nearest" beats the ":uprn" parameter in the router.
    router.get(
        "/api/addresses/nearest",
        [services](Request& request) {
            services::NearestQuery query;
            query.point = point_param(request);
            query.radius_m = request.query_param("radius")
                                 ? number_param(request, "radius", "metres, at most 1000")
                                 : 50.0;
            query.limit = int_param(request, "limit", 10, "how many addresses, 1 to 100");
            return Response::geojson(services.addresses.nearest(query));
        },
        open_to_all);
    router.get(
        "/api/addresses/:uprn",
        [services](Request& request) {
            return Response::geojson(
                services.addresses.property(uprn_param(request), crs_param(request)));
        },
        open_to_all);
    router.get(
        "/api/postcodes/:postcode",
        [services](Request& request) {
            return Response::geojson(
                services.addresses.postcode(request.param("postcode"), crs_param(request)));
        },
        open_to_all);
    router.get(
        "/api/streets/:usrn",
        [services](Request& request) { return street_response(request, services.streets); },
        open_to_all);
    router.get(
        "/api/imports", [services](Request&) { return imports_response(services.imports.list()); },
        open_to_all);
    router.post(
        "/api/transform",
        [services](Request& request) {
            const auto body = parse_json_body(request);
            return transform_response(services.transform.convert(transform_request(body)));
        },
        RouteOptions{.max_body_bytes = 512 * 1024, .access = RouteAccess::public_route()});
}

void add_static_routes(Router& router, StaticFiles& files) {
    router.get(
        "/*", [&files](Request& request) { return files.serve(request.param("*"), request); },
        open_to_all);
}

} // namespace wardmap::http
