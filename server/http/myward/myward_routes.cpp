#include "server/http/myward/myward_routes.hpp"

#include "core/w3c_time.hpp"

#include "server/http/csv.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace wardmap::http {

using nlohmann::ordered_json;
using services::invalid_parameter;
using services::Permission;
using services::RouteAccess;

namespace {

core::Date date_of(const std::string& name, const std::string& text) {
    const auto d = core::parse_iso_date(text);
    if (!d) {
        invalid_parameter(name, "must be a date YYYY-MM-DD, not '" + text.substr(0, 40) + "'");
    }
    return *d;
}

/// The filters: to (default today), on (default to), from (default a year before to, and not
/// before the first stored request), category, status.
services::MyWardQuery query_of(const Request& request) {
    for (const auto& [name, value] : request.query) {
        if (name != "from" && name != "to" && name != "on" && name != "category" &&
            name != "status") {
            invalid_parameter(name.substr(0, 40), "is not a parameter of this route");
        }
    }
    services::MyWardQuery q;
    q.ward_code = request.param("ward");
    if (q.ward_code.empty() || q.ward_code.size() > 20) {
        invalid_parameter("ward", "must be a ward's ONS code");
    }
    const auto to = request.query_param("to");
    q.to = to ? date_of("to", *to) : core::uk_date(core::now_seconds());
    const auto on = request.query_param("on");
    q.on = on ? date_of("on", *on) : q.to;
    const auto from = request.query_param("from");
    if (from) {
        q.from = date_of("from", *from);
    } else {
        q.from_given = false;
        q.from = {q.to.year - 1, q.to.month, q.to.day == 29 && q.to.month == 2 ? 28 : q.to.day};
    }
    q.category = request.query_param("category");
    q.status = request.query_param("status");
    return q;
}

Response no_store(Response r) {
    r.header("Cache-Control", "private, no-store");
    return r;
}

Response csv_response(std::string body, const std::string& name) {
    auto r = Response::text(std::move(body), "text/csv; charset=utf-8; header=present");
    r.header("Content-Disposition", "attachment; filename=\"" + name + "\"");
    return no_store(std::move(r));
}

std::string fixed7(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.7f", v);
    return buf;
}

const RouteOptions ward_readers{.access =
                                    RouteAccess::needs_in_ward(Permission::ward_read, "ward")};

} // namespace

void add_myward_routes(Router& router, const services::MyWardService& myward) {
    router.get(
        "/api/myward/:ward",
        [&myward](Request& request) {
            auto q = query_of(request);
            myward.check(q);
            return no_store(Response::json(myward.dashboard_json(q)));
        },
        ward_readers);
    // Streamed: each row is sent (in chunks) as it is read; no list of requests is built.
    router.get(
        "/api/myward/:ward/requests.csv",
        [&myward](Request& request) {
            auto q = query_of(request);
            myward.check(q);
            auto r = csv_response(std::string(), q.ward_code + "-requests.csv");
            r.compressible = false;
            r.stream = [&myward, q](const BodyWriter& write) {
                std::string row;
                append_csv_row(row, {"id", "category", "status", "created_at", "closed_at",
                                     "expected_at", "open", "overdue", "lon", "lat"});
                write(row);
                myward.visit_requests(q, [&row, &write](const services::MyWardRequestRow& x) {
                    row.clear();
                    append_csv_row(row, {std::to_string(x.id), x.category, x.status, x.created_at,
                                         x.closed_at.value_or(""), x.expected_at.value_or(""),
                                         x.open ? "true" : "false", x.overdue ? "true" : "false",
                                         fixed7(x.lon), fixed7(x.lat)});
                    write(row);
                });
            };
            return r;
        },
        ward_readers);
    router.get(
        "/api/myward/:ward/requests.geojson",
        [&myward](Request& request) {
            auto q = query_of(request);
            myward.check(q);
            std::string out = R"({"type":"FeatureCollection","features":[)";
            bool first = true;
            myward.visit_requests(q, [&out, &first](const services::MyWardRequestRow& r) {
                const ordered_json f{
                    {"type", "Feature"},
                    {"id", r.id},
                    {"geometry",
                     {{"type", "Point"},
                      {"coordinates",
                       {std::round(r.lon * 1e7) / 1e7, std::round(r.lat * 1e7) / 1e7}}}},
                    {"properties",
                     {{"category", r.category},
                      {"status", r.status},
                      {"created_at", r.created_at},
                      {"closed_at", r.closed_at ? ordered_json(*r.closed_at) : ordered_json()},
                      {"overdue", r.overdue}}}};
                out += first ? "" : ",";
                first = false;
                out += f.dump();
            });
            out += "]}";
            return no_store(Response::geojson(std::move(out)));
        },
        ward_readers);
    for (const auto& panel : services::MyWardService::panel_names()) {
        router.get(
            "/api/myward/:ward/" + panel + ".csv",
            [&myward, panel](Request& request) {
                auto q = query_of(request);
                myward.check(q);
                const auto t = myward.panel_table(q, panel);
                std::string out;
                for (std::size_t i = 0; i < t.header.size(); ++i) {
                    out += i ? "," : "";
                    append_csv_cell(out, t.header[i]);
                }
                out += "\r\n";
                for (const auto& row : t.rows) {
                    for (std::size_t i = 0; i < row.size(); ++i) {
                        out += i ? "," : "";
                        append_csv_cell(out, row[i].value_or(""));
                    }
                    out += "\r\n";
                }
                return csv_response(std::move(out), q.ward_code + "-" + panel + ".csv");
            },
            ward_readers);
        // GeoJSON: the ward's outline as one Feature whose properties hold the panel's rows
        // (the same cells as the CSV, suppressed ones null).
        router.get(
            "/api/myward/:ward/" + panel + ".geojson",
            [&myward, panel](Request& request) {
                auto q = query_of(request);
                myward.check(q);
                const auto t = myward.panel_table(q, panel);
                ordered_json rows = ordered_json::array();
                for (const auto& row : t.rows) {
                    ordered_json r = ordered_json::object();
                    for (std::size_t i = 0; i < row.size() && i < t.header.size(); ++i) {
                        r[t.header[i]] = row[i] ? ordered_json(*row[i]) : ordered_json();
                    }
                    rows.push_back(std::move(r));
                }
                ordered_json f{{"type", "Feature"},
                               {"id", q.ward_code},
                               {"geometry", ordered_json::parse(myward.outline_geojson(q))},
                               {"properties",
                                {{"ward_code", q.ward_code},
                                 {"panel", panel},
                                 {"on", q.on.iso()},
                                 {"from", q.from.iso()},
                                 {"to", q.to.iso()},
                                 {"suppress_below", myward.suppress_below()},
                                 {"rows", std::move(rows)}}}};
                return no_store(Response::geojson(f.dump()));
            },
            ward_readers);
    }
}

} // namespace wardmap::http
