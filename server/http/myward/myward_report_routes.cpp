#include "server/http/myward/myward_report_routes.hpp"

#include "server/http/json_body.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

namespace wardmap::http {

using services::invalid_parameter;
using services::Permission;
using services::RouteAccess;

namespace {

struct ReportArgs {
    services::MyWardQuery query;
    services::ReportMonth month;
};

/// `month` (required, YYYY-MM) and nothing else; the ward's code from the path.
ReportArgs report_args(const Request& request, const services::MyWardReport& report) {
    for (const auto& [name, value] : request.query) {
        if (name != "month") {
            invalid_parameter(name.substr(0, 40), "is not a parameter of this route");
        }
    }
    const auto ward = request.param("ward");
    if (ward.empty() || ward.size() > 20) {
        invalid_parameter("ward", "must be a ward's ONS code");
    }
    const auto text = request.query_param("month");
    if (!text) {
        invalid_parameter("month", "is required: the report's month, YYYY-MM");
    }
    const auto month = services::parse_report_month(*text);
    if (!month) {
        invalid_parameter("month", "must be a month YYYY-MM, not '" + text->substr(0, 40) + "'");
    }
    return {report.query(ward, *month), *month};
}

Response private_page(Response r) {
    r.header("Cache-Control", "private, no-store");
    return r;
}

} // namespace

void add_myward_report_routes(Router& router,
                              const services::MyWardReport& report,
                              const services::PdfRenderer& pdf,
                              const services::MyWardSummaries& summaries) {
    const RouteOptions ward_readers{.access =
                                        RouteAccess::needs_in_ward(Permission::ward_read, "ward")};
    router.get(
        "/api/myward/:ward/report",
        [&report](Request& request) {
            const auto a = report_args(request, report);
            return private_page(
                Response::text(report.html(a.query, a.month), "text/html; charset=utf-8"));
        },
        ward_readers);
    router.get(
        "/api/myward/:ward/report.pdf",
        [&report, &pdf](Request& request) {
            const auto a = report_args(request, report);
            auto r = Response::text(pdf.render(report.html(a.query, a.month)), "application/pdf");
            r.header("Content-Disposition", "inline; filename=\"" + a.query.ward_code + "-" +
                                                a.month.iso() + "-report.pdf\"");
            return private_page(std::move(r));
        },
        ward_readers);
    router.post(
        "/api/myward/summary-subscription",
        [&summaries](Request& request) {
            const auto body = parse_json_body(request);
            if (!body.is_object() || !body.contains("monthly") || !body["monthly"].is_boolean()) {
                throw services::DomainError(
                    services::ErrorCode::invalid_parameter, "monthly must be true or false",
                    {{"monthly", "is required: true to receive the monthly summary, false not"}});
            }
            for (const auto& [k, v] : body.items()) {
                if (k != "monthly") {
                    invalid_parameter(k.substr(0, 40), "is not a field of this body");
                }
            }
            const bool monthly = body["monthly"].get<bool>();
            summaries.set_monthly(request.principal, monthly);
            return private_page(Response::json(nlohmann::json{{"monthly", monthly}}.dump()));
        },
        {.access = RouteAccess::needs(Permission::councillor_act)});
}

} // namespace wardmap::http
