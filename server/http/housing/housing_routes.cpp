#include "server/http/housing/housing_routes.hpp"

#include "core/w3c_time.hpp"

#include "server/http/housing/housing_bodies.hpp"
#include "server/http/json_body.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>

namespace wardmap::http {

using nlohmann::ordered_json;
using services::DomainError;
using services::ErrorCode;
using services::invalid_parameter;
using services::Permission;
using services::RouteAccess;

namespace {

std::int64_t id_param(const Request& request, const char* what) {
    const std::string& text = request.param("id");
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || ptr != end || v < 1) {
        invalid_parameter("id",
                          std::string("must be ") + what + " id, not '" + text.substr(0, 40) + "'");
    }
    return v;
}

core::Date date_param(const Request& request, const std::string& name) {
    const auto text = request.query_param(name);
    if (!text) {
        return core::uk_date(core::now_seconds());
    }
    const auto d = core::parse_iso_date(*text);
    if (!d) {
        invalid_parameter(name, "must be a date YYYY-MM-DD, not '" + text->substr(0, 40) + "'");
    }
    return *d;
}

void only_params(const Request& request, std::initializer_list<std::string_view> known) {
    for (const auto& [name, value] : request.query) {
        bool ok = false;
        for (const auto k : known) {
            ok = ok || k == name;
        }
        if (!ok) {
            invalid_parameter(name.substr(0, 40), "is not a parameter of this route");
        }
    }
}

services::EmptyPropertyQuery list_query(const Request& request) {
    only_params(request, {"date", "status", "due_by", "overdue", "ward", "risk"});
    services::EmptyPropertyQuery q;
    q.on = date_param(request, "date");
    q.status = request.query_param("status");
    q.risk = request.query_param("risk");
    q.ward = request.query_param("ward");
    if (request.query_param("due_by")) {
        q.due_by = date_param(request, "due_by");
    }
    if (const auto o = request.query_param("overdue")) {
        if (*o != "true" && *o != "false") {
            invalid_parameter("overdue", "must be true or false");
        }
        q.overdue = *o == "true";
    }
    return q;
}

ordered_json or_null(const std::optional<std::string>& s) {
    return s ? ordered_json(*s) : ordered_json(nullptr);
}
ordered_json or_null(const std::optional<core::Date>& d) {
    return d ? ordered_json(d->iso()) : ordered_json(nullptr);
}

double seven_decimals(double degrees) {
    return std::round(degrees * 1e7) / 1e7;
}

/// A register entry's members, without any owner detail (only whether some are held).
ordered_json summary_json(const services::EmptyPropertySummary& s) {
    return {{"id", s.id},
            {"uprn", s.uprn},
            {"address", s.address},
            {"source", s.source},
            {"empty_since", s.empty_since.iso()},
            {"registered_on", s.registered_on.iso()},
            {"furnished", s.furnished},
            {"risk", services::risk_name(s.risk)},
            {"status", s.status},
            {"notes", or_null(s.notes)},
            {"last_inspected_on", or_null(s.last_inspected_on)},
            {"next_inspection_due", or_null(s.next_due)},
            {"overdue", s.overdue},
            {"ward_code", or_null(s.ward_code)},
            {"owner_details_held", s.has_owner},
            {"lon", seven_decimals(s.lon)},
            {"lat", seven_decimals(s.lat)}};
}

Response no_store(Response r) {
    r.header("Cache-Control", "no-store");
    return r;
}

Response list_response(const services::EmptyPropertyService& properties,
                       const services::EmptyPropertyQuery& q) {
    const auto rows = properties.list(q);
    ordered_json items = ordered_json::array();
    int overdue = 0;
    for (const auto& s : rows) {
        overdue += s.overdue ? 1 : 0;
        items.push_back(summary_json(s));
    }
    ordered_json doc{{"date", q.on.iso()},
                     {"count", rows.size()},
                     {"overdue", overdue},
                     {"properties", std::move(items)}};
    return no_store(Response::json(doc.dump()));
}

ordered_json detail_json(const services::EmptyPropertyDetail& d) {
    auto doc = summary_json(d.summary);
    ordered_json log = ordered_json::array();
    for (const auto& e : d.status_log) {
        log.push_back({{"status", e.status},
                       {"effective_on", e.effective_on},
                       {"recorded_at", e.recorded_at},
                       {"by", e.person_name},
                       {"note", or_null(e.note)}});
    }
    ordered_json inspections = ordered_json::array();
    for (const auto& i : d.inspections) {
        ordered_json photos = ordered_json::array();
        for (const auto& p : i.photo_ids) {
            photos.push_back({{"id", p},
                              {"url", "/api/housing/photos/" + p},
                              {"thumbnail_url", "/api/housing/photos/" + p + "?thumbnail=true"}});
        }
        inspections.push_back({{"id", i.id},
                               {"inspected_on", i.inspected_on},
                               {"inspector", i.inspector_name},
                               {"condition", i.condition},
                               {"security", i.security},
                               {"recommended_action", i.recommended_action},
                               {"notes", or_null(i.notes)},
                               {"recorded_at", i.recorded_at},
                               {"photos", std::move(photos)}});
    }
    doc["status_log"] = std::move(log);
    doc["inspections"] = std::move(inspections);
    return doc;
}

services::Actor actor_of(const Request& request) {
    return {request.principal, request.route, request.client_address};
}

ordered_json count_json(const std::optional<int>& n) {
    return n ? ordered_json(*n) : ordered_json(nullptr);
}

const RouteOptions readers{.access = RouteAccess::needs(Permission::housing_read)};
const RouteOptions managers{.access = RouteAccess::needs(Permission::housing_manage)};
const RouteOptions owner_readers{.access = RouteAccess::needs(Permission::housing_owner_read)};

} // namespace

void add_housing_routes(Router& router, const services::EmptyPropertyService& properties) {
    router.get(
        "/api/housing/properties",
        [&properties](Request& request) { return list_response(properties, list_query(request)); },
        readers);
    // The same list for the map: points at the gazetteer property's WGS84 position.
    router.get(
        "/api/housing/properties.geojson",
        [&properties](Request& request) {
            const auto q = list_query(request);
            ordered_json features = ordered_json::array();
            for (const auto& s : properties.list(q)) {
                auto props = summary_json(s);
                props.erase("lon");
                props.erase("lat");
                features.push_back(
                    {{"type", "Feature"},
                     {"id", s.id},
                     {"geometry",
                      {{"type", "Point"},
                       {"coordinates", {seven_decimals(s.lon), seven_decimals(s.lat)}}}},
                     {"properties", std::move(props)}});
            }
            ordered_json doc{{"type", "FeatureCollection"},
                             {"date", q.on.iso()},
                             {"features", std::move(features)}};
            return no_store(Response::geojson(doc.dump()));
        },
        readers);
    // Due and overdue inspections on a date: every open entry whose next inspection is due on
    // or before it.
    router.get(
        "/api/housing/due",
        [&properties](Request& request) {
            only_params(request, {"date"});
            services::EmptyPropertyQuery q;
            q.on = date_param(request, "date");
            q.due_by = q.on;
            q.include_closed = false;
            return list_response(properties, q);
        },
        readers);
    router.get(
        "/api/housing/properties/:id",
        [&properties](Request& request) {
            only_params(request, {"date"});
            const auto id = id_param(request, "an empty property");
            return no_store(Response::json(
                detail_json(properties.get(id, date_param(request, "date"))).dump()));
        },
        readers);
    router.post(
        "/api/housing/properties",
        [&properties](Request& request) {
            const auto input = parse_empty_property(parse_json_body(request));
            const auto id = properties.create(input, actor_of(request));
            auto r = Response::json(
                detail_json(properties.get(id, core::uk_date(core::now_seconds()))).dump(), 201);
            r.header("Location", "/api/housing/properties/" + std::to_string(id));
            return no_store(std::move(r));
        },
        managers);
    router.add(
        "PATCH", "/api/housing/properties/:id",
        [&properties](Request& request) {
            const auto id = id_param(request, "an empty property");
            properties.update(id, parse_empty_property_change(parse_json_body(request)));
            return no_store(Response::json(
                detail_json(properties.get(id, core::uk_date(core::now_seconds()))).dump()));
        },
        managers);
    router.post(
        "/api/housing/properties/:id/status",
        [&properties](Request& request) {
            const auto id = id_param(request, "an empty property");
            properties.change_status(id, parse_status_change(parse_json_body(request)),
                                     actor_of(request));
            return no_store(Response::json(
                detail_json(properties.get(id, core::uk_date(core::now_seconds()))).dump(), 201));
        },
        managers);
    router.post(
        "/api/housing/properties/:id/inspections",
        [&properties](Request& request) {
            const auto id = id_param(request, "an empty property");
            const auto inspection = properties.record_inspection(
                id, parse_inspection(parse_json_body(request)), actor_of(request));
            auto doc = detail_json(properties.get(id, core::uk_date(core::now_seconds())));
            doc["inspection_id"] = inspection;
            return no_store(Response::json(doc.dump(), 201));
        },
        managers);
    // An inspection's photo: the image itself as the body (JPEG, PNG or WebP), re-encoded.
    router.post("/api/housing/inspections/:id/photos",
                [&properties](Request& request) {
                    const auto id = id_param(request, "an inspection");
                    const auto photo = properties.add_photo(id, request.body);
                    ordered_json doc{
                        {"id", photo},
                        {"url", "/api/housing/photos/" + photo},
                        {"thumbnail_url", "/api/housing/photos/" + photo + "?thumbnail=true"}};
                    return no_store(Response::json(doc.dump(), 201));
                },
                {.max_body_bytes = 10U * 1024U * 1024U,
                 .access = RouteAccess::needs(Permission::housing_manage)});
    router.get(
        "/api/housing/photos/:photo",
        [&properties](Request& request) {
            only_params(request, {"thumbnail"});
            const auto& id = request.param("photo");
            if (id.size() != 32 || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
                invalid_parameter("photo", "must be a photo id (32 hex digits)");
            }
            const bool thumbnail = request.query_param("thumbnail") == "true";
            auto r = Response::text(properties.photo(id, thumbnail), "image/jpeg");
            r.compressible = false;
            r.header("Cache-Control", "private, max-age=86400");
            return r;
        },
        readers);
    // Personal data: the housing team only, each read and change audited in its transaction.
    router.get(
        "/api/housing/properties/:id/owner",
        [&properties](Request& request) {
            const auto id = id_param(request, "an empty property");
            const auto o = properties.owner(id, actor_of(request));
            ordered_json doc{{"property_id", id},
                             {"name", or_null(o.name)},
                             {"address", or_null(o.address)},
                             {"phone", or_null(o.phone)},
                             {"email", or_null(o.email)}};
            return no_store(Response::json(doc.dump()));
        },
        owner_readers);
    router.add(
        "PUT", "/api/housing/properties/:id/owner",
        [&properties](Request& request) {
            const auto id = id_param(request, "an empty property");
            const auto owner = parse_owner(parse_json_body(request));
            properties.set_owner(id, owner, actor_of(request));
            ordered_json doc{{"property_id", id},
                             {"name", or_null(owner.name)},
                             {"address", or_null(owner.address)},
                             {"phone", or_null(owner.phone)},
                             {"email", or_null(owner.email)}};
            return no_store(Response::json(doc.dump()));
        },
        owner_readers);
    // MyWard: counts only, small numbers suppressed; councillors for their own wards.
    router.get(
        "/api/wards/:code/empty-properties",
        [&properties](Request& request) {
            only_params(request, {"date"});
            const auto c =
                properties.ward_counts(request.param("code"), date_param(request, "date"));
            ordered_json bands = ordered_json::array();
            for (const auto& [band, n] : c.by_duration) {
                bands.push_back({{"band", services::band_name(band)}, {"count", count_json(n)}});
            }
            ordered_json doc{{"ward_code", c.ward_code},
                             {"date", c.on.iso()},
                             {"total", count_json(c.total)},
                             {"by_time_empty", std::move(bands)},
                             {"inspections",
                              {{"due_within_28_days", count_json(c.inspections_due)},
                               {"overdue", count_json(c.inspections_overdue)}}},
                             {"suppression",
                              "counts from 1 to 4 are null, and so is the next smallest count "
                              "when only one would be"}};
            return no_store(Response::json(doc.dump()));
        },
        {.access = RouteAccess::needs_in_ward(Permission::ward_read, "code")});
}

} // namespace wardmap::http
