#include "server/http/streetscene/job_routes.hpp"

#include "core/w3c_time.hpp"

#include "server/http/json_body.hpp"
#include "server/services/shared/errors.hpp"

#include <charconv>

namespace wardmap::http {

using services::invalid_parameter;

namespace {

std::int64_t id_param(const Request& request, const char* what) {
    const std::string& text = request.param("id");
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || ptr != end || v < 1) {
        invalid_parameter("id",
                          std::string("must be ") + what + ", not '" + text.substr(0, 40) + "'");
    }
    return v;
}

/// The dispatcher lets an anonymous call through to routes a staff key may call (so that
/// those answer 403 naming the key, as key routes always have): refuse it here, first.
void require_caller(const services::Principal& who) {
    if (who.kind == services::Principal::Kind::anonymous) {
        throw services::DomainError(services::ErrorCode::forbidden,
                                    "streetscene jobs need a streetscene officer's or "
                                    "supervisor's session, or a staff api_key",
                                    {{"api_key", "is required (or sign in)"}});
    }
}

nlohmann::json body_or_empty(const Request& request) {
    if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        return nlohmann::json::object();
    }
    auto body = parse_json_body(request);
    if (!body.is_object()) {
        throw services::DomainError(services::ErrorCode::malformed_body,
                                    "the body must be a JSON object");
    }
    return body;
}

std::optional<std::string>
optional_string(const nlohmann::json& body, const char* name, std::size_t max_chars) {
    if (!body.contains(name) || body[name].is_null()) {
        return std::nullopt;
    }
    if (!body[name].is_string()) {
        invalid_parameter(name, "must be a string");
    }
    auto value = body[name].get<std::string>();
    if (value.empty() || value.size() > max_chars) {
        invalid_parameter(name, "must be 1 to " + std::to_string(max_chars) + " characters");
    }
    return value;
}

void only_members(const nlohmann::json& body, std::initializer_list<const char*> known) {
    for (const auto& [name, _] : body.items()) {
        bool ok = false;
        for (const char* k : known) {
            ok = ok || name == k;
        }
        if (!ok) {
            std::string list;
            for (const char* k : known) {
                list += (list.empty() ? "" : ", ") + std::string(k);
            }
            invalid_parameter(name.substr(0, 40), "is not a member of this body (" + list + ")");
        }
    }
}

Response job_response(const services::Job& j, int status = 200) {
    nlohmann::ordered_json out{{"id", j.id},
                               {"request_id", j.request_id},
                               {"category", j.category},
                               {"activity", j.activity},
                               {"crew", j.crew},
                               {"planned_date", j.planned_date.iso()},
                               {"due_date", j.due_date.iso()},
                               {"chosen", j.chosen},
                               {"distance_m", j.distance_m ? nlohmann::ordered_json(*j.distance_m)
                                                           : nlohmann::ordered_json(nullptr)},
                               {"visit_id", j.visit_id},
                               {"state", j.state},
                               {"request_status", j.request_status},
                               {"lon", j.lon},
                               {"lat", j.lat}};
    Response response = Response::json(out.dump(), status);
    response.header("Cache-Control", "no-store");
    return response;
}

std::string review_json(const services::BinReview& r) {
    nlohmann::ordered_json reports = nlohmann::ordered_json::array();
    for (const auto& rep : r.reports) {
        reports.push_back({{"service_request_id", std::to_string(rep.id)},
                           {"requested_datetime", core::format_w3c_uk(rep.at)},
                           {"status", rep.status},
                           {"matched_by", rep.matched_by}});
    }
    nlohmann::ordered_json fills = nlohmann::ordered_json::array();
    for (const auto& f : r.fills) {
        fills.push_back(
            {{"date", f.date.iso()}, {"visit_id", f.visit_id}, {"fill_percent", f.fill_percent}});
    }
    return nlohmann::ordered_json{
        {"asset_id", r.asset_id},
        {"asset_type", r.asset_type},
        {"reference", r.reference},
        {"window", {{"from", r.from.iso()}, {"to", r.to.iso()}}},
        {"reports",
         {{"total", r.reports_total}, {"in_window", r.reports_window}, {"list", reports}}},
        {"fill",
         {{"readings_in_window", r.readings_window},
          {"mean_percent_in_window",
           r.mean_fill ? nlohmann::ordered_json(*r.mean_fill) : nlohmann::ordered_json(nullptr)},
          {"emptyings_in_window", r.emptyings_window},
          {"history", fills}}},
        {"frequency",
         {{"visits_per_week", r.visits_per_week},
          {"suggestion", r.suggestion},
          {"suggested_visits_per_week", r.suggested_visits_per_week},
          {"reason", r.reason}}}}
        .dump();
}

} // namespace

services::JobOrder job_order_from(const nlohmann::json& body, std::int64_t request_id) {
    only_members(body, {"crew", "date"});
    services::JobOrder order;
    order.request_id = request_id;
    order.crew = optional_string(body, "crew", 40);
    if (const auto date = optional_string(body, "date", 10)) {
        order.date = core::parse_iso_date(*date);
        if (!order.date) {
            invalid_parameter("date", "must be a date YYYY-MM-DD, not '" + *date + "'");
        }
    }
    return order;
}

void add_job_routes(Router& router, const services::JobService& jobs) {
    const RouteOptions staff{.access =
                                 services::RouteAccess::needs(services::Permission::job_manage)};
    router.post(
        "/api/requests/:id/job",
        [&jobs](Request& request) {
            require_caller(request.principal);
            const auto order =
                job_order_from(body_or_empty(request), id_param(request, "a service request id"));
            const auto job = jobs.create(order, request.principal);
            Response response = job_response(job, 201);
            response.header("Location", "/api/jobs/" + std::to_string(job.id));
            return response;
        },
        staff);
    router.get(
        "/api/jobs/:id",
        [&jobs](Request& request) {
            require_caller(request.principal);
            return job_response(jobs.get(id_param(request, "a job id")));
        },
        staff);
    router.post(
        "/api/jobs/:id/close",
        [&jobs](Request& request) {
            require_caller(request.principal);
            const auto id = id_param(request, "a job id");
            const auto body = body_or_empty(request);
            only_members(body, {"status", "note"});
            const auto status = optional_string(body, "status", 40).value_or("fixed");
            const auto note = optional_string(body, "note", 2000).value_or("");
            return job_response(jobs.close(id, status, note, request.principal));
        },
        staff);
    router.get(
        "/api/assets/:id/review",
        [&jobs](Request& request) {
            require_caller(request.principal);
            Response response =
                Response::json(review_json(jobs.review(id_param(request, "an asset id"))));
            response.header("Cache-Control", "no-store");
            return response;
        },
        staff);
}

} // namespace wardmap::http
