#include "server/http/performance/performance_routes.hpp"

#include "core/w3c_time.hpp"

#include "server/http/csv.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <cstdio>

namespace wardmap::http {

using nlohmann::ordered_json;
using services::invalid_parameter;
using services::RouteAccess;

namespace {

core::YearMonth month_of(const std::string& name, const std::string& text) {
    const auto m = core::parse_year_month(text);
    if (!m) {
        invalid_parameter(name, "must be a month YYYY-MM, not '" + text.substr(0, 40) + "'");
    }
    return *m;
}

/// from, to (YYYY-MM; to defaults to this month, from to eleven months before to), ward (an
/// ONS code), by (month, the default, or ward).
services::PerformanceQuery query_of(const Request& request) {
    for (const auto& [name, value] : request.query) {
        if (name != "from" && name != "to" && name != "ward" && name != "by") {
            invalid_parameter(name.substr(0, 40), "is not a parameter of this route");
        }
    }
    services::PerformanceQuery q;
    const auto today = core::uk_date(core::now_seconds());
    const auto to = request.query_param("to");
    q.to = to ? month_of("to", *to) : core::YearMonth{today.year, today.month};
    const auto from = request.query_param("from");
    q.from = from ? month_of("from", *from) : core::YearMonth::from_index(q.to.index() - 11);
    q.ward = request.query_param("ward");
    if (q.ward && (q.ward->empty() || q.ward->size() > 20)) {
        invalid_parameter("ward", "must be a ward's ONS code");
    }
    const auto by = request.query_param("by").value_or("month");
    if (by != "month" && by != "ward") {
        invalid_parameter("by", "must be month or ward, not '" + by.substr(0, 40) + "'");
    }
    q.by_ward = by == "ward";
    return q;
}

double rounded(double v, double places) {
    return std::round(v * places) / places;
}

/// The value as the JSON and CSV show it: counts whole, shares to 4 places, days to 2.
std::optional<double> shown(const services::PerformanceMeasure& m,
                            const services::PerformanceCell& c) {
    if (!c.value) {
        return std::nullopt;
    }
    switch (m.kind) {
    case services::PerformanceMeasure::Kind::share:
        return rounded(*c.value, 1e4);
    case services::PerformanceMeasure::Kind::median_days:
        return rounded(*c.value, 1e2);
    case services::PerformanceMeasure::Kind::count:
        break;
    }
    return *c.value;
}

std::string cell_text(const services::PerformanceMeasure& m, const services::PerformanceCell& c) {
    const auto v = shown(m, c);
    if (!v) {
        return "";
    }
    char buf[32];
    if (m.kind == services::PerformanceMeasure::Kind::count) {
        std::snprintf(buf, sizeof buf, "%.0f", *v);
    } else if (m.kind == services::PerformanceMeasure::Kind::share) {
        std::snprintf(buf, sizeof buf, "%.4f", *v);
    } else {
        std::snprintf(buf, sizeof buf, "%.2f", *v);
    }
    return buf;
}

std::string to_json(const services::PerformanceAnswer& a) {
    const auto& measures = services::performance_measures();
    ordered_json doc;
    doc["from"] = a.from.iso();
    doc["to"] = a.to.iso();
    doc["by"] = a.by_ward ? "ward" : "month";
    doc["ward"] = a.ward_code ? ordered_json{{"code", *a.ward_code}, {"name", a.ward_name}}
                              : ordered_json(nullptr);
    doc["boundaries_on"] = a.boundaries_on.iso();
    doc["suppress_below"] = a.suppress_below;
    ordered_json ms = ordered_json::array();
    for (const auto& m : measures) {
        ms.push_back({{"key", m.key}, {"label", m.label}, {"kind", m.kind_name()}});
    }
    doc["measures"] = std::move(ms);
    ordered_json rows = ordered_json::array();
    for (const auto& r : a.rows) {
        ordered_json row;
        if (a.by_ward) {
            row["ward"] = r.label;
            row["name"] = r.name;
        } else {
            row["month"] = r.label;
        }
        for (std::size_t i = 0; i < measures.size(); ++i) {
            const auto v = shown(measures[i], r.cells[i]);
            ordered_json cell;
            if (!v) {
                cell["value"] = nullptr;
            } else if (measures[i].kind == services::PerformanceMeasure::Kind::count) {
                cell["value"] = static_cast<std::int64_t>(*v);
            } else {
                cell["value"] = *v;
            }
            cell["suppressed"] = r.cells[i].suppressed;
            row[measures[i].key] = std::move(cell);
        }
        rows.push_back(std::move(row));
    }
    doc["rows"] = std::move(rows);
    return doc.dump();
}

std::string to_csv(const services::PerformanceAnswer& a) {
    const auto& measures = services::performance_measures();
    std::string out;
    if (a.by_ward) {
        append_csv_cell(out, "ward");
        out += ',';
        append_csv_cell(out, "ward_name");
    } else {
        append_csv_cell(out, "month");
        out += ',';
        append_csv_cell(out, "ward");
    }
    for (const auto& m : measures) {
        out += ',';
        append_csv_cell(out, m.key);
    }
    out += ",note\r\n";
    const std::string note = "suppressed: fewer than " + std::to_string(a.suppress_below);
    for (const auto& r : a.rows) {
        append_csv_cell(out, r.label);
        out += ',';
        append_csv_cell(out, a.by_ward ? r.name : a.ward_code.value_or(""));
        std::string suppressed;
        for (std::size_t i = 0; i < measures.size(); ++i) {
            out += ',';
            append_csv_cell(out, cell_text(measures[i], r.cells[i]));
            if (r.cells[i].suppressed) {
                suppressed += (suppressed.empty() ? "" : " ") + measures[i].key;
            }
        }
        out += ',';
        append_csv_cell(out, suppressed.empty() ? "" : note + " (" + suppressed + ")");
        out += "\r\n";
    }
    return out;
}

Response cached(Response r) {
    // Public figures of past months change little; a minute keeps the current month fresh.
    r.header("Cache-Control", "public, max-age=60");
    return r;
}

const RouteOptions open_to_all{.access = RouteAccess::public_route()};

} // namespace

void add_performance_routes(Router& router, const services::PerformanceService& performance) {
    router.get(
        "/api/performance",
        [&performance](Request& request) {
            return cached(Response::json(to_json(performance.measure(query_of(request)))));
        },
        open_to_all);
    router.get(
        "/api/performance.csv",
        [&performance](Request& request) {
            const auto q = query_of(request);
            auto r = Response::text(to_csv(performance.measure(q)),
                                    "text/csv; charset=utf-8; header=present");
            const std::string name = "performance-" + q.from.iso() + "-" + q.to.iso() +
                                     (q.ward ? "-" + *q.ward : "") + (q.by_ward ? "-by-ward" : "") +
                                     ".csv";
            // The ward code went through the check above (at most 20 characters) but is
            // outside input: only letters and digits reach the header.
            std::string safe;
            for (const char c : name) {
                safe +=
                    std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_';
            }
            r.header("Content-Disposition", "attachment; filename=\"" + safe + "\"");
            return cached(std::move(r));
        },
        open_to_all);
}

} // namespace wardmap::http
