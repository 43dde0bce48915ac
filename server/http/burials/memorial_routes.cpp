#include "server/http/burials/memorial_routes.hpp"

#include "server/http/burials/burial_http.hpp"
#include "server/http/burials/memorial_bodies.hpp"
#include "server/http/json_body.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>

namespace wardmap::http {

using services::invalid_parameter;
using services::Permission;
using services::RouteAccess;

namespace {

using burials::caller_of;
using burials::id_of;
using burials::opt;
using ojson = nlohmann::ordered_json;

void only_params(const Request& request, std::initializer_list<std::string_view> known) {
    for (const auto& [name, value] : request.query) {
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            std::string list;
            for (const auto k : known) {
                list += (list.empty() ? "" : ", ") + std::string(k);
            }
            invalid_parameter(name.substr(0, 40),
                              "is not a parameter of this route (" + list + ")");
        }
    }
}

int int_param(const Request& request, const char* name, int fallback, int min, int max) {
    const auto text = request.query_param(name);
    if (!text) {
        return fallback;
    }
    int v = 0;
    const char* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, v);
    if (ec != std::errc() || ptr != end || v < min || v > max) {
        invalid_parameter(name, "must be a whole number from " + std::to_string(min) + " to " +
                                    std::to_string(max));
    }
    return v;
}

double rate_of(std::string_view text, const char* name) {
    double v = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v) || v < 0 ||
        v > 100000) {
        invalid_parameter(name, "must be graves a year: a number from 0 to 100000");
    }
    return v;
}

core::Date on_param(const Request& request) {
    if (const auto t = request.query_param("on")) {
        const auto d = core::parse_iso_date(*t);
        if (!d) {
            invalid_parameter("on", "must be a date YYYY-MM-DD");
        }
        return *d;
    }
    return core::today_utc();
}

Response created(const ojson& doc) {
    Response r = Response::json(doc.dump(), 201);
    r.header("Cache-Control", "no-store");
    return r;
}

Response private_json(const ojson& doc) {
    Response r = Response::json(doc.dump());
    r.header("Cache-Control", "no-store");
    return r;
}

ojson forecast_json(const services::FullForecast& f) {
    return {{"years_to_full",
             f.years_to_full ? ojson(std::round(*f.years_to_full * 10) / 10) : ojson(nullptr)},
            {"full_year", opt(f.full_year)}};
}

template <typename T> ojson capacity_common(const T& x) {
    ojson by_type = ojson::object();
    for (const auto& [type, n] : x.available_by_type) {
        by_type[type] = n;
    }
    return {{"graves", x.graves},
            {"available", x.available},
            {"available_by_type", std::move(by_type)},
            {"new_graves_per_year", x.new_graves_per_year},
            {"current_rate", std::round(x.current_rate * 100) / 100},
            {"at_current_rate", forecast_json(x.at_current)},
            {"officer_rate",
             x.officer_rate ? ojson(std::round(*x.officer_rate * 100) / 100) : ojson(nullptr)},
            {"at_officer_rate", x.at_officer ? forecast_json(*x.at_officer) : ojson(nullptr)}};
}

std::map<std::int64_t, double> section_rates(const Request& request) {
    std::map<std::int64_t, double> out;
    const auto text = request.query_param("section_rate");
    if (!text) {
        return out;
    }
    std::string_view rest(*text);
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const auto item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        const auto colon = item.find(':');
        std::int64_t id = 0;
        if (colon == std::string_view::npos ||
            std::from_chars(item.data(), item.data() + colon, id).ptr != item.data() + colon ||
            id < 1) {
            invalid_parameter("section_rate", "must be SECTION_ID:RATE pairs separated by commas");
        }
        out[id] = rate_of(item.substr(colon + 1), "section_rate");
        if (out.size() > 500) {
            invalid_parameter("section_rate", "names more than 500 sections");
        }
    }
    return out;
}

} // namespace

void add_memorial_routes(Router& router, services::MemorialService& memorials) {
    const RouteOptions read{.access = RouteAccess::needs(Permission::burial_read)};
    const RouteOptions record{.access = RouteAccess::needs(Permission::burial_record)};

    router.get(
        "/api/burials/graves/:id/memorials",
        [&memorials](Request& request) {
            ojson out = ojson::array();
            for (const auto& m : memorials.memorials_of(id_of(request), caller_of(request))) {
                ojson inspections = ojson::array();
                for (const auto& i : m.inspections) {
                    inspections.push_back({{"id", i.id},
                                           {"inspected_on", i.inspected_on},
                                           {"inspector", i.inspector},
                                           {"result", i.result},
                                           {"risk_category", i.risk_category},
                                           {"action", i.action},
                                           {"notes", opt(i.notes)},
                                           {"recorded_at", i.recorded_at},
                                           {"recorded_by", i.recorded_by}});
                }
                out.push_back({{"id", m.id},
                               {"grave_id", m.grave_id},
                               {"memorial_type", m.memorial_type},
                               {"permit_number", opt(m.permit_number)},
                               {"mason", opt(m.mason)},
                               {"inscription", opt(m.inscription)},
                               {"erected_on", opt(m.erected_on)},
                               {"next_due", m.next_due},
                               {"inspections", std::move(inspections)}});
            }
            return private_json({{"memorials", std::move(out)}});
        },
        read);

    router.post(
        "/api/burials/graves/:id/memorials",
        [&memorials](Request& request) {
            const auto in = parse_memorial(parse_json_body(request));
            return created(
                {{"id", memorials.add_memorial(id_of(request), in, caller_of(request))}});
        },
        record);

    router.post(
        "/api/burials/memorials/:id/inspections",
        [&memorials](Request& request) {
            const auto in = parse_memorial_inspection(parse_json_body(request));
            const auto [id, next_due] =
                memorials.add_inspection(id_of(request), in, caller_of(request));
            return created({{"id", id}, {"next_due", next_due}});
        },
        record);

    router.get(
        "/api/burials/memorials/due",
        [&memorials](Request& request) {
            only_params(request, {"status", "within", "on", "limit", "offset"});
            const auto status = request.query_param("status").value_or("due");
            if (status != "due" && status != "overdue") {
                invalid_parameter("status", "must be due or overdue");
            }
            const int within = int_param(request, "within", 90, 0, 3660);
            const int limit = int_param(request, "limit", 500, 1, 5000);
            const int offset = int_param(request, "offset", 0, 0, 10000000);
            const auto on = on_param(request);
            std::string features;
            std::int64_t returned = 0;
            const auto matched =
                memorials.due(status == "overdue", on, within, limit, offset, caller_of(request),
                              [&](const services::DueMemorial& d) {
                                  ojson props = {{"memorial_id", d.id},
                                                 {"grave_id", d.grave_id},
                                                 {"grave_number", d.grave_number},
                                                 {"cemetery", d.cemetery},
                                                 {"section", d.section},
                                                 {"memorial_type", d.memorial_type},
                                                 {"next_due", d.next_due},
                                                 {"last_inspected_on", opt(d.last_inspected_on)},
                                                 {"last_result", opt(d.last_result)},
                                                 {"last_risk_category", opt(d.last_risk_category)},
                                                 {"last_action", opt(d.last_action)}};
                                  features += returned++ ? "," : "";
                                  features +=
                                      "{\"type\":\"Feature\",\"id\":" + std::to_string(d.id) +
                                      ",\"geometry\":" + d.geometry +
                                      ",\"properties\":" + props.dump() + "}";
                              });
            std::string out = "{\"type\":\"FeatureCollection\",\"status\":\"" + status +
                              "\",\"on\":\"" + on.iso() +
                              "\",\"within\":" + std::to_string(within) +
                              ",\"numberMatched\":" + std::to_string(matched) +
                              ",\"numberReturned\":" + std::to_string(returned) + ",\"links\":[";
            if (offset + returned < matched) {
                out += ojson{{"rel", "next"},
                             {"href", "/api/burials/memorials/due?status=" + status +
                                          "&within=" + std::to_string(within) + "&on=" + on.iso() +
                                          "&limit=" + std::to_string(limit) +
                                          "&offset=" + std::to_string(offset + returned)}}
                           .dump();
            }
            out += "],\"features\":[" + features + "]}";
            Response r = Response::json(std::move(out));
            r.header("Content-Type", "application/geo+json");
            r.header("Cache-Control", "no-store");
            return r;
        },
        read);

    router.post(
        "/api/burials/interments/:id/disinterments",
        [&memorials](Request& request) {
            const auto in = parse_disinterment(parse_json_body(request));
            return created(
                {{"id", memorials.add_disinterment(id_of(request), in, caller_of(request))}});
        },
        record);

    router.get(
        "/api/burials/capacity",
        [&memorials](Request& request) {
            only_params(request, {"years", "rate", "section_rate", "on"});
            services::CapacityQuery q;
            q.on = on_param(request);
            q.years = int_param(request, "years", 5, 1, 50);
            if (const auto r = request.query_param("rate")) {
                q.rate = rate_of(*r, "rate");
            }
            q.section_rates = section_rates(request);
            const auto report = memorials.capacity(q, caller_of(request));
            ojson cemeteries = ojson::array();
            for (const auto& c : report.cemeteries) {
                ojson sections = ojson::array();
                for (const auto& s : c.sections) {
                    ojson j = {{"id", s.id}, {"name", s.name}, {"kind", s.kind}};
                    j.update(capacity_common(s));
                    sections.push_back(std::move(j));
                }
                ojson burials = ojson::array();
                for (const auto& [year, n] : c.burials_per_year) {
                    burials.push_back({{"year", year}, {"burials", n}});
                }
                ojson j = {{"id", c.id}, {"name", c.name}};
                j.update(capacity_common(c));
                j["burials_per_year"] = std::move(burials);
                j["sections"] = std::move(sections);
                cemeteries.push_back(std::move(j));
            }
            return private_json({{"on", report.on.iso()},
                                 {"rate_years", report.rate_years},
                                 {"cemeteries", std::move(cemeteries)}});
        },
        read);
}

} // namespace wardmap::http
