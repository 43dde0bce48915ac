#include "server/http/burials/burial_routes.hpp"

#include "server/http/burials/burial_http.hpp"
#include "server/http/json_body.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>

namespace wardmap::http {

using services::invalid_parameter;
using services::Permission;
using services::RouteAccess;

namespace {

using burials::caller_of;
using burials::id_of;
using burials::opt;
using ojson = nlohmann::ordered_json;

std::optional<std::string>
opt_text(const nlohmann::json& body, const char* name, std::size_t max = 500) {
    if (!body.contains(name) || body[name].is_null()) {
        return std::nullopt;
    }
    if (!body[name].is_string()) {
        invalid_parameter(name, "must be a string");
    }
    auto s = body[name].get<std::string>();
    if (s.size() > max) {
        invalid_parameter(name, "is longer than " + std::to_string(max) + " characters");
    }
    return s;
}

std::string text(const nlohmann::json& body, const char* name, std::size_t max = 500) {
    auto s = opt_text(body, name, max);
    return s ? *s : std::string();
}

std::optional<std::int64_t> opt_int(const nlohmann::json& body, const char* name) {
    if (!body.contains(name) || body[name].is_null()) {
        return std::nullopt;
    }
    if (!body[name].is_number_integer()) {
        invalid_parameter(name, "must be a whole number");
    }
    return body[name].get<std::int64_t>();
}

std::optional<int> opt_small(const nlohmann::json& body, const char* name) {
    const auto v = opt_int(body, name);
    if (!v) {
        return std::nullopt;
    }
    if (*v < -1000000 || *v > 1000000) {
        invalid_parameter(name, "is out of range");
    }
    return static_cast<int>(*v);
}

nlohmann::json object_body(const Request& request) {
    auto body = parse_json_body(request);
    if (!body.is_object()) {
        throw services::DomainError(services::ErrorCode::malformed_body,
                                    "the body must be a JSON object");
    }
    return body;
}

std::vector<services::NewHolder> holders_of(const nlohmann::json& body) {
    std::vector<services::NewHolder> out;
    if (!body.contains("holders")) {
        return out;
    }
    if (!body["holders"].is_array() || body["holders"].size() > 10) {
        invalid_parameter("holders", "must be an array of at most 10 holders");
    }
    for (const auto& h : body["holders"]) {
        if (!h.is_object()) {
            invalid_parameter("holders", "each holder is an object with full_name");
        }
        out.push_back({text(h, "full_name", 200), opt_text(h, "address"), opt_text(h, "email", 254),
                       opt_text(h, "phone", 40)});
    }
    return out;
}

ojson grave_json(const services::GraveRecord& g) {
    ojson interments = ojson::array();
    for (const auto& i : g.interments) {
        interments.push_back({{"id", i.id},
                              {"register", i.register_name},
                              {"register_number", i.register_number},
                              {"buried_on", i.buried_on},
                              {"burial_time", opt(i.burial_time)},
                              {"forenames", opt(i.forenames)},
                              {"surname", i.surname},
                              {"age",
                               {{"years", opt(i.age_years)},
                                {"months", opt(i.age_months)},
                                {"weeks", opt(i.age_weeks)},
                                {"days", opt(i.age_days)}}},
                              {"stillborn", i.stillborn},
                              {"parents_names", opt(i.parents_names)},
                              {"died_on", opt(i.died_on)},
                              {"last_address", opt(i.last_address)},
                              {"last_address_uprn", opt(i.last_address_uprn)},
                              {"kind", i.kind},
                              {"position", opt(i.position)},
                              {"officiating_minister", opt(i.officiating_minister)},
                              {"funeral_director", opt(i.funeral_director)},
                              {"disinterred_on", opt(i.disinterred_on)},
                              {"licence_reference", opt(i.licence_reference)}});
    }
    ojson grants = ojson::array();
    for (const auto& gr : g.grants) {
        ojson holders = ojson::array();
        for (const auto& h : gr.holders) {
            holders.push_back({{"id", h.id},
                               {"full_name", h.full_name},
                               {"address", opt(h.address)},
                               {"email", opt(h.email)},
                               {"phone", opt(h.phone)},
                               {"held_from", h.held_from},
                               {"held_to", opt(h.held_to)}});
        }
        ojson events = ojson::array();
        for (const auto& e : gr.events) {
            events.push_back({{"id", e.id},
                              {"kind", e.kind},
                              {"effective_on", e.effective_on},
                              {"extend_years", opt(e.extend_years)},
                              {"evidence", opt(e.evidence)},
                              {"notes", opt(e.notes)},
                              {"recorded_at", e.recorded_at},
                              {"recorded_by", e.recorded_by}});
        }
        grants.push_back({{"id", gr.id},
                          {"deed_number", gr.deed_number},
                          {"granted_on", gr.granted_on},
                          {"term_years", gr.term_years},
                          {"expires_on", gr.expires_on},
                          {"active", gr.active},
                          {"holders", std::move(holders)},
                          {"events", std::move(events)}});
    }
    ojson overrides = ojson::array();
    for (const auto& o : g.overrides) {
        overrides.push_back({{"status", opt(o.status)},
                             {"reason", o.reason},
                             {"set_at", o.set_at},
                             {"set_by", o.set_by}});
    }
    const auto& s = g.status;
    return {{"id", s.id},
            {"grave_number", s.grave_number},
            {"cemetery", g.cemetery},
            {"section", g.section},
            {"section_kind", g.section_kind},
            {"denomination", opt(g.denomination)},
            {"consecrated", g.consecrated},
            {"row", opt(g.row)},
            {"grave_type", g.grave_type},
            {"status", s.status},
            {"status_overridden", s.overridden},
            {"unavailable_reason", opt(s.unavailable_reason)},
            {"capacity",
             {{"coffins", s.max_coffins},
              {"cremated_remains", s.max_cremated_remains},
              {"coffins_used", s.coffins_used},
              {"cremated_remains_used", s.cremated_remains_used}}},
            {"depth_used_m", opt(g.depth_used_m)},
            {"ground_notes", opt(g.ground_notes)},
            {"interments", std::move(interments)},
            {"grants", std::move(grants)},
            {"status_overrides", std::move(overrides)}};
}

Response created(ojson doc) {
    Response r = Response::json(doc.dump(), 201);
    r.header("Cache-Control", "no-store");
    return r;
}

geo::BBox bbox_param(const Request& request) {
    const auto text = request.query_param("bbox");
    if (!text) {
        invalid_parameter("bbox", "is required: minx,miny,maxx,maxy in EPSG:27700 metres");
    }
    double v[4];
    std::size_t at = 0;
    for (int k = 0; k < 4; ++k) {
        const auto comma = k < 3 ? text->find(',', at) : text->size();
        if (comma == std::string::npos) {
            invalid_parameter("bbox", "must be four numbers minx,miny,maxx,maxy");
        }
        const char* b = text->data() + at;
        const char* e = text->data() + comma;
        const auto [ptr, ec] = std::from_chars(b, e, v[k]);
        if (ec != std::errc() || ptr != e || !std::isfinite(v[k])) {
            invalid_parameter("bbox", "must be four numbers minx,miny,maxx,maxy");
        }
        at = comma + 1;
    }
    if (v[0] > v[2] || v[1] > v[3]) {
        invalid_parameter("bbox", "minx must not exceed maxx, nor miny maxy");
    }
    if ((v[2] - v[0]) * (v[3] - v[1]) > 25e6) {
        invalid_parameter("bbox", "covers more than 25 km²: ask for a cemetery at a time");
    }
    geo::BBox box;
    box.min_x = v[0];
    box.min_y = v[1];
    box.max_x = v[2];
    box.max_y = v[3];
    return box;
}

int int_param(const Request& request, const char* name, int fallback) {
    const auto text = request.query_param(name);
    if (!text) {
        return fallback;
    }
    int value = 0;
    const char* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, value);
    if (text->empty() || ec != std::errc() || ptr != end) {
        invalid_parameter(name, "must be a whole number");
    }
    return value;
}

std::optional<int> opt_int_param(const Request& request, const char* name) {
    if (!request.query_param(name)) {
        return std::nullopt;
    }
    return int_param(request, name, 0);
}

ojson search_hit_json(const services::BurialSearchHit& h) {
    ojson j{{"id", h.interment_id},
            {"forenames", opt(h.forenames)},
            {"surname", h.surname},
            {"age", opt(h.age)},
            {"died_on", opt(h.died_on)},
            {"buried_on", h.buried_on},
            {"cemetery", {{"id", h.cemetery_id}, {"name", h.cemetery}}},
            {"section", h.section},
            {"grave", {{"id", h.grave_id}, {"grave_number", h.grave_number}}},
            {"match", h.exact ? "exact" : "sounds_like"}};
    j["grave"]["point"] =
        h.lon && h.lat ? ojson{{"type", "Point"}, {"coordinates", ojson::array({*h.lon, *h.lat})}}
                       : ojson(nullptr);
    if (h.disinterred_on) {
        ojson moved{{"on", *h.disinterred_on}};
        if (h.reinterred_grave_id) {
            moved["cemetery"] = opt(h.reinterred_cemetery);
            moved["grave"] = {{"id", *h.reinterred_grave_id},
                              {"grave_number", opt(h.reinterred_grave_number)}};
        }
        j["disinterred"] = std::move(moved);
    } else {
        j["disinterred"] = nullptr;
    }
    return j;
}

} // namespace

void add_burial_search_route(Router& router, const services::BurialSearch& search) {
    router.get(
        "/api/burials/search",
        [&search](Request& request) {
            for (const auto& [name, value] : request.query) {
                if (name != "name" && name != "year_from" && name != "year_to" &&
                    name != "cemetery" && name != "page" && name != "limit") {
                    invalid_parameter(name.substr(0, 40),
                                      "is not a parameter of this route (name, year_from, "
                                      "year_to, cemetery, page, limit)");
                }
            }
            services::BurialSearchQuery q;
            const auto name = request.query_param("name");
            if (!name || name->empty()) {
                invalid_parameter("name", "is required: a surname, \"forename surname\" or "
                                          "\"surname, forename\"");
            }
            q.name = *name;
            q.year_from = opt_int_param(request, "year_from");
            q.year_to = opt_int_param(request, "year_to");
            if (const auto c = request.query_param("cemetery"); c && !c->empty()) {
                q.cemetery = *c;
            }
            q.page = int_param(request, "page", 1);
            q.limit = int_param(request, "limit", 20);
            const auto result = search.search(q, core::today_utc());
            ojson results = ojson::array();
            for (const auto& h : result.hits) {
                results.push_back(search_hit_json(h));
            }
            Response r = Response::json(ojson{
                {"total", result.total},
                {"total_capped", result.total_capped},
                {"page", q.page},
                {"limit", q.limit},
                {"embargo_days", search.policy().embargo_days},
                {"infants_excluded", search.policy().exclude_infants},
                {"results",
                 std::move(results)}}.dump());
            r.header("Cache-Control", "public, max-age=300");
            return r;
        },
        RouteOptions{.access = RouteAccess::public_route()});
}

void add_burial_routes(Router& router, services::BurialService& burials) {
    const RouteOptions read{.access = RouteAccess::needs(Permission::burial_read)};
    const RouteOptions record{.access = RouteAccess::needs(Permission::burial_record)};

    // Public: numbers and statuses only (the same as the graves collection shows).
    router.get(
        "/api/burials/graves/status",
        [&burials](Request& request) {
            for (const auto& [name, value] : request.query) {
                if (name != "bbox" && name != "on") {
                    invalid_parameter(name.substr(0, 40), "is not a parameter of this route "
                                                          "(bbox, on)");
                }
            }
            const auto box = bbox_param(request);
            core::Date on = core::today_utc();
            if (const auto t = request.query_param("on")) {
                const auto d = core::parse_iso_date(*t);
                if (!d) {
                    invalid_parameter("on", "must be a date YYYY-MM-DD");
                }
                on = *d;
            }
            std::string out = "{\"on\":\"" + on.iso() + "\",\"graves\":[";
            bool first = true;
            burials.statuses_in_box(box, on, [&](const services::GraveStatus& s) {
                out += first ? "" : ",";
                first = false;
                out += ojson{{"id", s.id}, {"grave_number", s.grave_number}, {"status", s.status}}
                           .dump();
            });
            out += "]}";
            return Response::json(std::move(out));
        },
        RouteOptions{.access = RouteAccess::public_route()});

    router.get(
        "/api/burials/graves/:id",
        [&burials](Request& request) {
            Response r = Response::json(
                grave_json(burials.grave(id_of(request), caller_of(request))).dump());
            r.header("Cache-Control", "no-store");
            return r;
        },
        read);

    router.post(
        "/api/burials/graves/:id/interments",
        [&burials](Request& request) {
            const auto body = object_body(request);
            services::NewInterment in;
            in.buried_on = text(body, "buried_on", 10);
            in.burial_time = opt_text(body, "burial_time", 5);
            in.forenames = opt_text(body, "forenames", 200);
            in.surname = text(body, "surname", 200);
            in.age_years = opt_small(body, "age_years");
            in.age_months = opt_small(body, "age_months");
            in.age_weeks = opt_small(body, "age_weeks");
            in.age_days = opt_small(body, "age_days");
            if (body.contains("stillborn")) {
                if (!body["stillborn"].is_boolean()) {
                    invalid_parameter("stillborn", "must be true or false");
                }
                in.stillborn = body["stillborn"].get<bool>();
            }
            in.parents_names = opt_text(body, "parents_names");
            in.died_on = opt_text(body, "died_on", 10);
            in.last_address = opt_text(body, "last_address");
            in.last_address_uprn = opt_int(body, "last_address_uprn");
            in.kind = opt_text(body, "kind", 20).value_or("coffin");
            in.position = opt_text(body, "position", 40);
            in.officiating_minister = opt_text(body, "officiating_minister", 200);
            in.funeral_director = opt_text(body, "funeral_director", 200);
            in.consent_holder_id = opt_int(body, "consent_holder_id");
            in.consent_on = opt_text(body, "consent_on", 10);
            in.booking_id = opt_int(body, "booking_id");
            const auto [id, number] = burials.add_interment(id_of(request), in, caller_of(request));
            return created({{"id", id}, {"register_number", number}});
        },
        record);

    router.post(
        "/api/burials/graves/:id/grants",
        [&burials](Request& request) {
            const auto body = object_body(request);
            services::NewGrant in;
            in.deed_number = text(body, "deed_number", 40);
            in.granted_on = text(body, "granted_on", 10);
            in.term_years = opt_small(body, "term_years").value_or(100);
            in.holders = holders_of(body);
            in.evidence = opt_text(body, "evidence");
            return created({{"id", burials.add_grant(id_of(request), in, caller_of(request))}});
        },
        record);

    router.post(
        "/api/burials/grants/:id/events",
        [&burials](Request& request) {
            const auto body = object_body(request);
            services::NewGrantEvent in;
            in.kind = text(body, "kind", 40);
            in.effective_on = text(body, "effective_on", 10);
            in.extend_years = opt_small(body, "extend_years");
            in.holders = holders_of(body);
            in.evidence = opt_text(body, "evidence");
            in.notes = opt_text(body, "notes", 2000);
            return created(
                {{"id", burials.add_grant_event(id_of(request), in, caller_of(request))}});
        },
        record);

    router.post(
        "/api/burials/graves/:id/status-override",
        [&burials](Request& request) {
            const auto body = object_body(request);
            if (!body.contains("status")) {
                invalid_parameter("status", "is required (a status, or null to clear)");
            }
            burials.set_override(id_of(request), opt_text(body, "status", 20), text(body, "reason"),
                                 caller_of(request));
            return created({{"grave", id_of(request)}});
        },
        record);
}

} // namespace wardmap::http
