#include "server/http/requests/councillor_routes.hpp"

#include "server/http/json_body.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace wardmap::http {

using nlohmann::ordered_json;
using services::invalid_parameter;
using services::Permission;
using services::RouteAccess;

namespace {

std::int64_t id_param(const Request& request) {
    const std::string& text = request.param("id");
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || ptr != end || v < 1) {
        invalid_parameter("id", "must be a service request id, not '" + text.substr(0, 40) + "'");
    }
    return v;
}

Response no_store(Response r) {
    r.header("Cache-Control", "private, no-store");
    return r;
}

ordered_json note_json(const services::CouncillorNote& n) {
    return {{"id", n.id},
            {"service_request_id", std::to_string(n.request_id)},
            {"author", n.author},
            {"text", n.text},
            {"created_at", n.created_at}};
}

Response follow_answer(std::int64_t id, bool following, bool changed) {
    return no_store(Response::json(ordered_json{
        {"service_request_id", std::to_string(id)},
        {"following", following},
        {"changed", changed}}.dump()));
}

/// A number or a numeric string, as text for NewRequest (which parses it again).
std::optional<std::string> coordinate(const nlohmann::json& v, const char* name) {
    if (v.is_null()) {
        return std::nullopt;
    }
    if (v.is_number()) {
        const double d = v.get<double>();
        if (!std::isfinite(d)) {
            invalid_parameter(name, "must be a number");
        }
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.9f", d);
        return std::string(buf);
    }
    if (v.is_string()) {
        return v.get<std::string>();
    }
    invalid_parameter(name, "must be a number (degrees, WGS84)");
}

const RouteOptions councillors{.access = RouteAccess::needs(Permission::councillor_act)};

} // namespace

services::NewRequest raised_request_of(const nlohmann::json& body) {
    if (!body.is_object()) {
        invalid_parameter("body", "must be a JSON object with service_code and a location");
    }
    services::NewRequest r;
    const auto text = [&body](const char* name) -> std::optional<std::string> {
        const auto it = body.find(name);
        if (it == body.end() || it->is_null()) {
            return std::nullopt;
        }
        if (!it->is_string()) {
            invalid_parameter(name, "must be a string");
        }
        auto s = it->get<std::string>();
        if (s.empty()) {
            return std::nullopt; // an empty field is an absent one, as in Open311's form
        }
        return s;
    };
    for (const auto& item : body.items()) {
        static const char* known[] = {"service_code", "lat",         "long",       "lon",
                                      "address_id",   "description", "first_name", "last_name",
                                      "email",        "phone",       "attributes"};
        const std::string& name = item.key();
        if (std::none_of(std::begin(known), std::end(known),
                         [&name](const char* k) { return name == k; })) {
            invalid_parameter(name.substr(0, 40), "is not a field of this request");
        }
    }
    r.service_code = text("service_code");
    if (!r.service_code) {
        invalid_parameter("service_code", "is required");
    }
    if (body.contains("lat")) {
        r.lat = coordinate(body["lat"], "lat");
    }
    if (body.contains("long")) {
        r.lon = coordinate(body["long"], "long");
    } else if (body.contains("lon")) {
        r.lon = coordinate(body["lon"], "long");
    }
    if (body.contains("address_id") && body["address_id"].is_number_integer()) {
        r.address_id = std::to_string(body["address_id"].get<std::int64_t>());
    } else {
        r.address_id = text("address_id");
    }
    r.description = text("description");
    r.first_name = text("first_name");
    r.last_name = text("last_name");
    r.email = text("email");
    r.phone = text("phone");
    if (body.contains("attributes") && !body["attributes"].is_null()) {
        const auto& a = body["attributes"];
        if (!a.is_object()) {
            invalid_parameter("attributes", "must be an object of {code: value or [values]}");
        }
        for (const auto& [code, v] : a.items()) {
            auto& values = r.attributes[code];
            if (v.is_string()) {
                values.push_back(v.get<std::string>());
            } else if (v.is_array()) {
                for (const auto& item : v) {
                    if (!item.is_string()) {
                        invalid_parameter("attributes", "'" + code.substr(0, 40) +
                                                            "' must be a string or strings");
                    }
                    values.push_back(item.get<std::string>());
                }
            } else {
                invalid_parameter("attributes",
                                  "'" + code.substr(0, 40) + "' must be a string or strings");
            }
        }
    }
    return r;
}

void add_councillor_routes(Router& router, const services::CouncillorActions& actions) {
    router.post(
        "/api/requests/:id/councillor-follow",
        [&actions](Request& request) {
            const auto id = id_param(request);
            const bool added = actions.follow(request.principal, id);
            return follow_answer(id, true, added);
        },
        councillors);
    router.add(
        "DELETE", "/api/requests/:id/councillor-follow",
        [&actions](Request& request) {
            const auto id = id_param(request);
            const bool removed = actions.unfollow(request.principal, id);
            return follow_answer(id, false, removed);
        },
        councillors);
    router.get(
        "/api/myward/following",
        [&actions](Request& request) {
            ordered_json list = ordered_json::array();
            for (const auto& f : actions.following(request.principal)) {
                list.push_back({{"service_request_id", std::to_string(f.id)},
                                {"service_code", f.service_code},
                                {"status", f.status},
                                {"open", f.open},
                                {"ward_code", f.ward_code},
                                {"requested_datetime", f.requested},
                                {"updated_datetime", f.updated},
                                {"followed_at", f.followed}});
            }
            return no_store(Response::json(ordered_json{{"following", std::move(list)}}.dump()));
        },
        councillors);
    router.post(
        "/api/requests/:id/councillor-notes",
        [&actions](Request& request) {
            const auto id = id_param(request);
            const auto body = parse_json_body(request);
            if (!body.is_object() || !body.contains("text") || !body["text"].is_string()) {
                invalid_parameter("text", "is required: the note's text, a string");
            }
            const auto note =
                actions.add_note(request.principal, id, body["text"].get<std::string>(),
                                 request.route, request.client_address);
            return no_store(Response::json(note_json(note).dump(), 201));
        },
        councillors);
    router.get(
        "/api/requests/:id/councillor-notes",
        [&actions](Request& request) {
            const auto id = id_param(request);
            ordered_json list = ordered_json::array();
            for (const auto& n :
                 actions.notes(request.principal, id, request.route, request.client_address)) {
                list.push_back(note_json(n));
            }
            return no_store(Response::json(
                ordered_json{{"service_request_id", std::to_string(id)}, {"notes", list}}.dump()));
        },
        RouteOptions{.access = RouteAccess::needs(Permission::ward_read)});
    router.post(
        "/api/myward/requests",
        [&actions](Request& request) {
            auto raised = raised_request_of(parse_json_body(request));
            const auto created = actions.raise(request.principal, std::move(raised), request.route,
                                               request.client_address);
            ordered_json out{{"service_request_id", std::to_string(created.id)},
                             {"token", created.token},
                             {"channel", "councillor"}};
            if (created.service_notice) {
                out["service_notice"] = *created.service_notice;
            }
            return no_store(Response::json(out.dump(), 201));
        },
        councillors);
}

} // namespace wardmap::http
