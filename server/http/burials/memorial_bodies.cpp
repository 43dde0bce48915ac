#include "server/http/burials/memorial_bodies.hpp"

#include "core/dates.hpp"

#include "server/services/shared/errors.hpp"

#include <algorithm>
#include <span>

namespace wardmap::http {

using services::invalid_parameter;

namespace {

void require_object(const nlohmann::json& body) {
    if (!body.is_object()) {
        throw services::DomainError(services::ErrorCode::malformed_body,
                                    "the body must be a JSON object");
    }
}

std::optional<std::string> opt_text(const nlohmann::json& body, const char* name, std::size_t max) {
    const auto it = body.find(name);
    if (it == body.end() || it->is_null()) {
        return std::nullopt;
    }
    if (!it->is_string()) {
        invalid_parameter(name, "must be a string");
    }
    auto s = it->get<std::string>();
    if (s.empty()) {
        return std::nullopt;
    }
    if (s.size() > max) {
        invalid_parameter(name, "is longer than " + std::to_string(max) + " characters");
    }
    return s;
}

std::string required_text(const nlohmann::json& body, const char* name, std::size_t max) {
    auto s = opt_text(body, name, max);
    if (!s) {
        invalid_parameter(name, "is required");
    }
    return *s;
}

std::optional<std::string> opt_date(const nlohmann::json& body, const char* name) {
    auto s = opt_text(body, name, 10);
    if (s && !core::parse_iso_date(*s)) {
        invalid_parameter(name, "must be a date YYYY-MM-DD");
    }
    return s;
}

std::string required_date(const nlohmann::json& body, const char* name) {
    auto s = opt_date(body, name);
    if (!s) {
        invalid_parameter(name, "is required: a date YYYY-MM-DD");
    }
    return *s;
}

std::string one_of(const nlohmann::json& body,
                   const char* name,
                   std::span<const std::string_view> allowed,
                   std::optional<std::string_view> fallback) {
    auto s = opt_text(body, name, 40);
    if (!s) {
        if (fallback) {
            return std::string(*fallback);
        }
        invalid_parameter(name, "is required");
    }
    if (std::find(allowed.begin(), allowed.end(), *s) == allowed.end()) {
        std::string list;
        for (const auto a : allowed) {
            list += (list.empty() ? "" : ", ") + std::string(a);
        }
        invalid_parameter(name, "must be one of " + list);
    }
    return *s;
}

} // namespace

services::NewMemorial parse_memorial(const nlohmann::json& body) {
    require_object(body);
    services::NewMemorial m;
    m.memorial_type = one_of(body, "memorial_type", services::memorial_types, std::nullopt);
    m.permit_number = opt_text(body, "permit_number", 40);
    m.mason = opt_text(body, "mason", 200);
    m.inscription = opt_text(body, "inscription", 4000);
    m.erected_on = opt_date(body, "erected_on");
    return m;
}

services::NewMemorialInspection parse_memorial_inspection(const nlohmann::json& body) {
    require_object(body);
    services::NewMemorialInspection in;
    in.inspected_on = required_date(body, "inspected_on");
    in.inspector = required_text(body, "inspector", 200);
    in.result = one_of(body, "result", services::inspection_results, std::nullopt);
    const auto risk = body.find("risk_category");
    if (risk == body.end() || risk->is_null()) {
        in.risk_category = in.result == "pass" ? 3 : 0;
        if (in.risk_category == 0) {
            invalid_parameter("risk_category", "is required for a failed memorial: 1 "
                                               "(immediate), 2 (medium) or 3 (low)");
        }
    } else {
        if (!risk->is_number_integer() || risk->get<std::int64_t>() < 1 ||
            risk->get<std::int64_t>() > 3) {
            invalid_parameter("risk_category", "must be 1 (immediate), 2 (medium) or 3 (low)");
        }
        in.risk_category = static_cast<int>(risk->get<std::int64_t>());
    }
    in.action = one_of(body, "action", services::memorial_actions, "none");
    in.notes = opt_text(body, "notes", 2000);
    return in;
}

services::NewDisinterment parse_disinterment(const nlohmann::json& body) {
    require_object(body);
    services::NewDisinterment d;
    d.disinterred_on = required_date(body, "disinterred_on");
    d.licence_reference = required_text(body, "licence_reference", 80);
    const auto g = body.find("reinterred_grave_id");
    if (g != body.end() && !g->is_null()) {
        if (!g->is_number_integer() || g->get<std::int64_t>() < 1) {
            invalid_parameter("reinterred_grave_id", "must be a grave's id (a whole number)");
        }
        d.reinterred_grave_id = g->get<std::int64_t>();
    }
    d.reinterred_on = opt_date(body, "reinterred_on");
    d.notes = opt_text(body, "notes", 2000);
    return d;
}

} // namespace wardmap::http
