#include "server/http/features/ogc_routes.hpp"

#include "core/w3c_time.hpp"

#include "geo/geojson_writer.hpp"
#include "server/http/base_url.hpp"
#include "server/http/etag.hpp"
#include "server/http/gzip.hpp"
#include "server/http/percent.hpp"
#include "server/services/shared/errors.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace wardmap::http {

using services::DomainError;
using services::ErrorCode;
using services::FeatureCrs;
using services::invalid_parameter;

namespace {

constexpr const char* geojson = "application/geo+json";
constexpr const char* json = "application/json";

/// Media types the client accepts include JSON (any +json, */*, application/*) or no Accept.
void negotiate(const Request& request) {
    if (const auto f = request.query_param("f")) {
        if (*f != "json" && *f != "geojson") {
            invalid_parameter("f",
                              "must be json or geojson (HTML is not served), not '" + *f + "'");
        }
        return;
    }
    const auto accept = request.header("Accept");
    if (!accept || accept->empty()) {
        return;
    }
    std::size_t start = 0;
    while (start <= accept->size()) {
        const auto comma = accept->find(',', start);
        std::string range =
            accept->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        std::string type = range.substr(0, range.find(';'));
        type.erase(0, type.find_first_not_of(' '));
        type.erase(type.find_last_not_of(' ') + 1);
        const bool zero_q =
            range.find("q=0") != std::string::npos && range.find("q=0.") == std::string::npos;
        if (!zero_q &&
            (type == "*/*" || type == "application/*" || type.find("json") != std::string::npos)) {
            return;
        }
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
    throw DomainError(ErrorCode::not_acceptable,
                      "this endpoint sends JSON only (application/json, application/geo+json); "
                      "the Accept header '" +
                          *accept + "' does not allow it; use Accept: application/json or f=json");
}

/// 400 for a query parameter the endpoint does not declare (/req/core/query-param-unknown).
void check_parameters(const Request& request,
                      const std::vector<std::string>& known,
                      const services::Layer* layer = nullptr) {
    for (const auto& [name, value] : request.query) {
        if (std::find(known.begin(), known.end(), name) != known.end()) {
            continue;
        }
        if (layer) {
            if (const auto* p = layer->property(name); p && p->queryable) {
                continue;
            }
        }
        std::string list;
        for (const auto& k : known) {
            list += list.empty() ? "" : ", ";
            list += k;
        }
        if (layer) {
            for (const auto& p : layer->properties) {
                if (p.queryable) {
                    list += ", " + p.name;
                }
            }
        }
        invalid_parameter(name, "is not a parameter of this endpoint; it takes: " + list);
    }
}

void add_cors(Response& response) {
    response.header("Access-Control-Allow-Origin", "*");
    response.header("Access-Control-Expose-Headers", "Content-Crs, ETag, X-Request-Id");
}

/// ETag from the body, caching rules and CORS: what every answer carries, cached or not.
void add_validators(Response& response) {
    response.header("ETag", content_etag(response.body));
    response.header("Cache-Control", "no-cache");
    add_cors(response);
}

/// A matching If-None-Match turns the response into an empty 304.
Response conditional(const Request& request, Response response) {
    const auto etag = response.find_header("ETag");
    if (auto inm = request.header("If-None-Match"); inm && etag && etag_matches(*inm, *etag)) {
        response.status = 304;
        response.body.clear();
        response.gzip_body.reset();
        response.compressible = false;
    }
    return response;
}

/// Wraps a handler: negotiation first; CORS headers on its errors too.
Handler ogc_handler(std::function<Response(Request&)> inner) {
    return [inner = std::move(inner)](Request& request) {
        try {
            negotiate(request);
            Response response = inner(request);
            add_validators(response);
            return conditional(request, std::move(response));
        } catch (DomainError& e) {
            e.headers.emplace_back("Access-Control-Allow-Origin", "*");
            throw;
        }
    };
}

/// Everything that shapes a data page's bytes: the base URL its links are built from (Host,
/// X-Forwarded-*), the path and the decoded query parameters in order. Accept only decides
/// whether the page is acceptable, which negotiate() checks before the cache is asked.
std::string page_key(const Request& request) {
    std::string key = ogc_base_url(request);
    key += '\x1f';
    key += request.path;
    for (const auto& [name, value] : request.query) {
        key += '\x1f';
        key += name;
        key += '=';
        key += value;
    }
    return key;
}

} // namespace

Handler cached_data_handler(std::function<Response(Request&)> inner,
                            std::function<std::int64_t()> data_version,
                            PageCache& cache,
                            std::function<void(const Request&)> accept) {
    return [inner = std::move(inner), data_version = std::move(data_version), &cache,
            accept = std::move(accept)](Request& request) {
        try {
            accept(request);
            if (!cache.enabled()) {
                Response response = inner(request);
                add_validators(response);
                return conditional(request, std::move(response));
            }
            const std::int64_t version = data_version(); // before reading any data
            const std::string key = page_key(request);
            const bool wants_gzip = accepts_gzip(request.header("Accept-Encoding").value_or(""));
            if (auto hit = cache.find(key, version, wants_gzip)) {
                if (wants_gzip && !hit->gzip_body && hit->body.size() >= min_gzip_bytes) {
                    // Made once per page, so worth the smallest encoding.
                    hit->gzip_body = gzip_compress(hit->body, gzip_smallest);
                    cache.add_gzip(key, version, *hit->gzip_body);
                }
                return conditional(request, std::move(*hit));
            }
            Response response = inner(request);
            add_validators(response);
            cache.store(key, version, response);
            return conditional(request, std::move(response));
        } catch (DomainError& e) {
            e.headers.emplace_back("Access-Control-Allow-Origin", "*");
            throw;
        }
    };
}

namespace {

/// ogc_handler for items and single features, answered from `cache` while the store has not
/// changed since the page was made. A cached page keeps its ETag, so If-None-Match stays
/// cheap and right (a freshly made items page differs in its timeStamp).
Handler cached_ogc_handler(std::function<Response(Request&)> inner,
                           const services::FeatureService& features,
                           PageCache& cache) {
    return cached_data_handler(
        std::move(inner), [&features] { return features.data_version(); }, cache, negotiate);
}

std::string query_string(const std::map<std::string, std::string>& query) {
    std::string out;
    for (const auto& [name, value] : query) {
        out += out.empty() ? "?" : "&";
        out += percent_encode(name) + "=" + percent_encode(value);
    }
    return out;
}

std::string link(const std::string& href, const char* rel, const char* type) {
    std::string out;
    geo::JsonObjectWriter obj(out);
    obj.field("href", href).field("rel", rel).field("type", type);
    obj.close();
    return out;
}

std::string now_rfc3339() {
    return core::format_utc(core::now_seconds());
}

std::int64_t int64_param(const std::string& name, const std::string& text, const char* meaning) {
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, v);
    if (ec == std::errc::result_out_of_range && p == end) {
        return text.front() == '-' ? INT64_MIN : INT64_MAX;
    }
    if (ec != std::errc() || p != end) {
        invalid_parameter(name, std::string("must be a whole number (") + meaning + "), not '" +
                                    text + "'");
    }
    return v;
}

std::array<double, 4> bbox_param(const std::string& text, FeatureCrs crs) {
    std::vector<double> v;
    std::size_t start = 0;
    for (;;) {
        const auto comma = text.find(',', start);
        const std::string part =
            text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        double d = 0;
        const char* first = part.data();
        const char* end = first + part.size();
        if (!part.empty() && *first == '+') {
            ++first;
        }
        const auto [p, ec] = std::from_chars(first, end, d);
        if (part.empty() || ec != std::errc() || p != end || !std::isfinite(d)) {
            invalid_parameter("bbox", "must be 4 or 6 comma-separated numbers "
                                      "(minx,miny,maxx,maxy), not '" +
                                          text + "'");
        }
        v.push_back(d);
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
    if (v.size() != 4 && v.size() != 6) {
        invalid_parameter("bbox", "must have 4 or 6 numbers, not " + std::to_string(v.size()));
    }
    const std::size_t half = v.size() / 2;
    std::array<double, 4> box = {v[0], v[1], v[half], v[half + 1]};
    // EPSG:4326 boxes are lat,lon: the first two numbers are the lower corner either way.
    if (box[1] > box[3]) {
        invalid_parameter("bbox", "has its lower bound " + std::to_string(box[1]) +
                                      " above its upper bound " + std::to_string(box[3]));
    }
    if (box[0] > box[2]) {
        invalid_parameter("bbox", "crosses the antimeridian (minx > maxx), which this server "
                                  "does not support; split it in two");
    }
    const bool degrees = crs == FeatureCrs::crs84 || crs == FeatureCrs::epsg4326;
    if (degrees) {
        const bool lat_first = crs == FeatureCrs::epsg4326;
        const double lon_a = lat_first ? box[1] : box[0], lon_b = lat_first ? box[3] : box[2];
        const double lat_a = lat_first ? box[0] : box[1], lat_b = lat_first ? box[2] : box[3];
        if (lon_a < -180 || lon_b > 180 || lat_a < -90 || lat_b > 90) {
            invalid_parameter("bbox", std::string("is outside the CRS's range (longitude -180 to "
                                                  "180, latitude -90 to 90") +
                                          (lat_first ? ", latitude first for EPSG:4326)" : ")"));
        }
    }
    return box;
}

FeatureCrs crs_of(const Request& request, const char* name) {
    const auto text = request.query_param(name);
    return text ? services::parse_feature_crs(*text, name) : FeatureCrs::crs84;
}

services::ItemsQuery items_query(const Request& request, const services::Layer& layer) {
    services::ItemsQuery q;
    if (const auto limit = request.query_param("limit")) {
        const auto v = int64_param("limit", *limit, "features per page, 1 or more");
        if (v < 1) {
            invalid_parameter("limit", "must be at least 1, not " + *limit);
        }
        q.limit = static_cast<int>(std::min<std::int64_t>(v, services::ogc_max_limit));
    }
    q.bbox_crs = crs_of(request, "bbox-crs");
    if (const auto bbox = request.query_param("bbox")) {
        q.bbox = bbox_param(*bbox, q.bbox_crs);
    }
    q.crs = crs_of(request, "crs");
    q.filter_crs = crs_of(request, "filter-crs");
    if (const auto dt = request.query_param("datetime")) {
        q.datetime = services::parse_datetime(*dt);
    }
    const auto offset = request.query_param("offset");
    const auto cursor = request.query_param("cursor");
    if (offset && cursor) {
        invalid_parameter("offset", "cannot be combined with cursor; follow the next link");
    }
    if (offset) {
        q.offset = int64_param("offset", *offset, "features to skip, 0 or more");
        if (q.offset < 0) {
            invalid_parameter("offset", "must be 0 or more, not " + *offset);
        }
    }
    if (cursor) {
        q.after = int64_param("cursor", *cursor, "the cursor of a next link");
    }
    if (const auto lang = request.query_param("filter-lang"); lang && *lang != "cql2-text") {
        invalid_parameter("filter-lang", "must be cql2-text, not '" + *lang + "'");
    }
    q.filter = request.query_param("filter");
    for (const auto& [name, value] : request.query) {
        if (const auto* p = layer.property(name); p && p->queryable) {
            q.equals.emplace_back(name, value);
        }
    }
    q.count = !offset && !cursor;
    return q;
}

Response items(Request& request, const services::FeatureService& features) {
    const auto& layer = features.layer(request.param("collectionId"));
    check_parameters(request, services::OgcDocuments::items_parameters(), &layer);
    const auto query = items_query(request, layer);
    const auto page = features.items(layer, query);
    const std::string base = ogc_base_url(request) + "/collections/" + layer.id + "/items";
    std::string body;
    body.reserve(page.features.size() + 1024);
    body += R"({"type":"FeatureCollection","features":)";
    body += page.features;
    body += R"(,"numberReturned":)";
    geo::append_integer(body, page.returned);
    if (page.matched) {
        body += R"(,"numberMatched":)";
        geo::append_integer(body, *page.matched);
    }
    body += R"(,"timeStamp":")" + now_rfc3339() + R"(","links":[)";
    body += link(base + query_string(request.query), "self", geojson);
    if (page.next_after) {
        auto next = request.query;
        next.erase("offset");
        next["cursor"] = std::to_string(*page.next_after);
        body += ',' + link(base + query_string(next), "next", geojson);
    }
    body +=
        ',' + link(ogc_base_url(request) + "/collections/" + layer.id, "collection", json) + "]}";
    Response response = Response::text(std::move(body), geojson);
    response.header("Content-Crs", std::string("<") + services::crs_uri(query.crs) + ">");
    return response;
}

Response feature(Request& request, const services::FeatureService& features) {
    const auto& layer = features.layer(request.param("collectionId"));
    check_parameters(request, {"f", "crs"});
    const FeatureCrs crs = crs_of(request, "crs");
    std::string body = features.item(layer, request.param("featureId"), crs);
    const std::string collection = ogc_base_url(request) + "/collections/" + layer.id;
    body.pop_back(); // the Feature's closing brace: links go inside
    body += R"(,"links":[)" +
            link(collection + "/items/" + request.param("featureId") + query_string(request.query),
                 "self", geojson) +
            ',' + link(collection, "collection", json);
    for (const auto& extra : layer.item_links) {
        std::string path = extra.path;
        if (const auto at = path.find("{id}"); at != std::string::npos) {
            path.replace(at, 4, percent_encode(request.param("featureId")));
        }
        body += ',' + link(public_base_url(request) + path, extra.rel.c_str(), extra.type.c_str());
    }
    body += "]}";
    Response response = Response::text(std::move(body), geojson);
    response.header("Content-Crs", std::string("<") + services::crs_uri(crs) + ">");
    return response;
}

/// Every layer served here is open data (features/layers.cpp registers public layers only);
/// a layer with personal data would get routes of its own, with their own access.
const RouteOptions open_data{.access = services::RouteAccess::public_route()};

void add_preflight(Router& router, const std::string& pattern) {
    // CORS preflight for browsers sending If-None-Match or custom headers.
    router.add(
        "OPTIONS", pattern,
        [](Request&) {
            Response response = Response::text("", "text/plain", 204);
            response.compressible = false;
            add_cors(response);
            response.header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
            response.header("Access-Control-Allow-Headers",
                            "Accept, If-None-Match, Content-Type, X-Request-Id");
            response.header("Access-Control-Max-Age", "86400");
            return response;
        },
        open_data);
}

void add(Router& router, const std::string& pattern, std::function<Response(Request&)> handler) {
    router.get(pattern, ogc_handler(std::move(handler)), open_data);
    add_preflight(router, pattern);
}

} // namespace

void check_ogc_parameters(const Request& request, const std::vector<std::string>& known) {
    check_parameters(request, known);
}

void add_ogc_route(Router& router,
                   const std::string& pattern,
                   std::function<Response(Request&)> handler) {
    add(router, pattern, std::move(handler));
}

void add_ogc_data_route(Router& router, const std::string& pattern, Handler handler) {
    router.get(pattern, std::move(handler), open_data);
    add_preflight(router, pattern);
}

std::string ogc_base_url(const Request& request) {
    return public_base_url(request) + ogc_prefix;
}

void add_ogc_routes(Router& router,
                    const services::FeatureService& features,
                    const services::OgcDocuments& documents,
                    PageCache& pages) {
    const std::string root = ogc_prefix;
    const std::vector<std::string> f_only = {"f"};
    add(router, root, [&documents, f_only](Request& request) {
        check_parameters(request, f_only);
        return Response::json(documents.landing(ogc_base_url(request)));
    });
    add(router, root + "/conformance", [f_only](Request& request) {
        check_parameters(request, f_only);
        return Response::json(services::OgcDocuments::conformance(ogc_base_url(request)));
    });
    add(router, root + "/api", [&documents, f_only](Request& request) {
        check_parameters(request, f_only);
        return Response::text(documents.openapi(ogc_base_url(request)),
                              "application/vnd.oai.openapi+json;version=3.0");
    });
    add(router, root + "/collections", [&documents, f_only](Request& request) {
        check_parameters(request, f_only);
        return Response::json(documents.collections(ogc_base_url(request)));
    });
    add(router, root + "/collections/:collectionId",
        [&documents, &features, f_only](Request& request) {
            const auto& layer = features.layer(request.param("collectionId"));
            check_parameters(request, f_only);
            return Response::json(documents.collection(ogc_base_url(request), layer));
        });
    add(router, root + "/collections/:collectionId/queryables",
        [&features, f_only](Request& request) {
            const auto& layer = features.layer(request.param("collectionId"));
            check_parameters(request, f_only);
            return Response::text(services::OgcDocuments::queryables(ogc_base_url(request), layer),
                                  "application/schema+json");
        });
    const std::string items_path = root + "/collections/:collectionId/items";
    router.get(
        items_path,
        cached_ogc_handler([&features](Request& request) { return items(request, features); },
                           features, pages),
        open_data);
    add_preflight(router, items_path);
    const std::string feature_path = items_path + "/:featureId";
    router.get(
        feature_path,
        cached_ogc_handler([&features](Request& request) { return feature(request, features); },
                           features, pages),
        open_data);
    add_preflight(router, feature_path);
}

} // namespace wardmap::http
