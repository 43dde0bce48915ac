#include "server/http/streetscene/crew_routes.hpp"

#include "core/working_days.hpp"

#include "geo/geojson_writer.hpp"
#include "server/http/etag.hpp"
#include "server/http/json_body.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace wardmap::http {

using nlohmann::ordered_json;
using services::DomainError;
using services::ErrorCode;
using services::invalid_parameter;

namespace {

constexpr const char* weekdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

/// A route a staff key may call lets an anonymous caller through to the handler (the
/// dispatcher's rule for key routes): refuse it here, as key routes do.
void require_caller(const Request& request) {
    if (request.principal.kind == services::Principal::Kind::anonymous) {
        throw DomainError(ErrorCode::forbidden,
                          "sign in (POST /api/session) or send a staff API key (X-Api-Key)",
                          {{"api_key", "is required"}});
    }
}

void only_params(const Request& request, std::initializer_list<std::string_view> known) {
    for (const auto& [name, value] : request.query) {
        bool ok = false;
        for (const auto k : known) {
            ok = ok || name == k;
        }
        if (!ok) {
            invalid_parameter(name.substr(0, 40), "is not a parameter of this route");
        }
    }
}

core::Date date_param(const Request& request, const std::string& name) {
    const auto text = request.query_param(name);
    if (!text) {
        return services::london_date(core::now_seconds());
    }
    const auto d = core::parse_iso_date(*text);
    if (!d) {
        invalid_parameter(name, "must be a date YYYY-MM-DD, not '" + text->substr(0, 40) + "'");
    }
    return *d;
}

std::int64_t id_of(const std::string& name, const std::string& text) {
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < 1) {
        throw DomainError(ErrorCode::not_found,
                          "no " + name + " has id '" + text.substr(0, 40) + "'");
    }
    return value;
}

template <typename T> ordered_json opt(const std::optional<T>& v) {
    return v ? ordered_json(*v) : ordered_json(nullptr);
}

ordered_json counts_json(const services::VisitCounts3& c) {
    return {{"planned", c.planned}, {"done", c.done}, {"not_done", c.not_done}};
}

ordered_json completion_json(const services::Completion& c) {
    ordered_json photos = ordered_json::array();
    for (const auto& [id, role] : c.photos) {
        photos.push_back({{"id", id}, {"role", role}});
    }
    ordered_json position = nullptr;
    if (c.lon && c.lat) {
        position = {{"lon", *c.lon}, {"lat", *c.lat}, {"accuracy_m", opt(c.accuracy_m)}};
    }
    return {
        {"id", c.id},
        {"visit_id", c.visit_id},
        {"client_id", c.client_id},
        {"outcome", c.outcome},
        {"reason", opt(c.reason)},
        {"at", c.at},
        {"recorded_at", c.recorded_at},
        {"by", c.by},
        {"position", position},
        {"quantities", c.quantities ? ordered_json::parse(*c.quantities) : ordered_json(nullptr)},
        {"notes", opt(c.notes)},
        {"photos", photos},
        {"rolled_to", opt(c.rolled_to)}};
}

// The day's features are written straight into the body (a day of a thousand visits is
// 60% JSON building with nlohmann; bench/crews.sh).
void key(std::string& out, std::string_view name) {
    out += '"';
    out += name;
    out += "\":";
}

void text_or_null(std::string& out, const std::optional<std::string>& v) {
    if (v) {
        geo::append_json_string(out, *v);
    } else {
        out += "null";
    }
}

void int_or_null(std::string& out, const std::optional<std::int64_t>& v) {
    if (v) {
        geo::append_integer(out, *v);
    } else {
        out += "null";
    }
}

void append_feature(std::string& out, const services::DayVisit& v, bool with_crew) {
    out += R"({"type":"Feature","id":)";
    geo::append_integer(out, v.visit_id);
    out += R"(,"geometry":)";
    if (v.lon && v.lat) {
        out += R"({"type":"Point","coordinates":[)";
        geo::append_number(out, *v.lon, geo::wgs84_decimals);
        out += ',';
        geo::append_number(out, *v.lat, geo::wgs84_decimals);
        out += "]}";
    } else {
        out += "null";
    }
    out += R"(,"properties":{"visit_id":)";
    geo::append_integer(out, v.visit_id);
    if (with_crew) {
        out += ',';
        key(out, "crew");
        text_or_null(out, v.crew.empty() ? std::nullopt : std::optional(v.crew));
    }
    const auto text = [&out](std::string_view name, std::string_view value) {
        out += ',';
        key(out, name);
        geo::append_json_string(out, value);
    };
    text("round_code", v.round_code);
    text("round_name", v.round_name);
    text("activity", v.activity);
    text("activity_name", v.activity_name);
    out += ',';
    key(out, "seq");
    geo::append_integer(out, v.seq);
    text("stop_kind", v.stop_kind);
    text("label", v.label);
    out += ',';
    key(out, "usrn");
    int_or_null(out, v.usrn);
    out += ',';
    key(out, "uprn");
    int_or_null(out, v.uprn);
    out += ',';
    key(out, "asset_reference");
    text_or_null(out, v.asset_reference);
    text("planned_date", v.planned_date);
    out += ',';
    key(out, "rolled_from");
    int_or_null(out, v.rolled_from);
    text("status", v.status);
    out += ',';
    key(out, "assigned_person");
    if (v.assigned_person_id) {
        out += R"({"id":)";
        geo::append_integer(out, *v.assigned_person_id);
        out += R"(,"name":)";
        geo::append_json_string(out, v.assigned_person_name.value_or(""));
        out += '}';
    } else {
        out += "null";
    }
    out += ',';
    key(out, "completion");
    if (v.completion) {
        const auto& c = *v.completion;
        out += R"({"id":)";
        geo::append_integer(out, c.id);
        out += R"(,"outcome":)";
        geo::append_json_string(out, c.outcome);
        out += R"(,"reason":)";
        text_or_null(out, c.reason);
        out += R"(,"at":)";
        geo::append_json_string(out, c.at);
        out += R"(,"by":)";
        geo::append_json_string(out, c.by);
        out += '}';
    } else {
        out += "null";
    }
    // A job made from a service request (0018): its id, request, category and due date.
    out += R"(,"job":)";
    if (v.job) {
        out += R"({"id":)";
        geo::append_integer(out, v.job->id);
        out += R"(,"request_id":)";
        geo::append_integer(out, v.job->request_id);
        out += R"(,"category":)";
        geo::append_json_string(out, v.job->category);
        out += R"(,"due_date":)";
        geo::append_json_string(out, v.job->due_date);
        out += '}';
    } else {
        out += "null";
    }
    out += "}}";
}

std::string features(const services::Day& day, bool with_crew) {
    std::string out;
    out.reserve(day.visits.size() * 640 + 2);
    out += '[';
    for (std::size_t i = 0; i < day.visits.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        append_feature(out, day.visits[i], with_crew);
    }
    out += ']';
    return out;
}

ordered_json crew_json(const services::CrewInfo& c) {
    return {{"code", c.code},
            {"name", c.name.empty() ? ordered_json(nullptr) : ordered_json(c.name)},
            {"depot", opt(c.depot)},
            {"vehicle", opt(c.vehicle)}};
}

/// The day as GeoJSON with an ETag: a device polling its day gets 304 until something changes.
/// `head` holds the collection's members but its features, which come written already.
Response day_response(const Request& request, const ordered_json& head, const std::string& list) {
    std::string body;
    body.reserve(list.size() + 512);
    body = head.dump();
    body.pop_back(); // the closing brace
    body += R"(,"features":)";
    body += list;
    body += '}';
    const std::string etag = content_etag(body);
    const auto inm = request.header("If-None-Match");
    if (inm && etag_matches(*inm, etag)) {
        Response r = Response::text("", "application/geo+json", 304);
        r.header("ETag", etag);
        r.header("Cache-Control", "private, no-cache");
        return r;
    }
    Response r = Response::geojson(std::move(body));
    r.header("ETag", etag);
    r.header("Cache-Control", "private, no-cache");
    return r;
}

} // namespace

void add_crew_routes(Router& router, services::CrewService& crews) {
    using services::Permission;
    using services::RouteAccess;
    const RouteOptions work{.access = RouteAccess::needs(Permission::crew_work)};
    const RouteOptions supervise{.access = RouteAccess::needs(Permission::crew_supervise)};

    // The crews and the people a visit can be given to (the supervisor's page): names only.
    router.get(
        "/api/crews",
        [&crews](Request& request) {
            only_params(request, {});
            ordered_json list = ordered_json::array();
            for (const auto& c : crews.crews()) {
                ordered_json members = ordered_json::array();
                for (const auto& m : c.members) {
                    members.push_back({{"id", m.person_id}, {"name", m.name}});
                }
                auto item = crew_json(c.crew);
                item["members"] = std::move(members);
                list.push_back(std::move(item));
            }
            return Response::json(ordered_json{{"crews", std::move(list)}}.dump());
        },
        supervise);
    // Registered before /api/crews/:crew/... (a different depth: no clash, but read first).
    router.get(
        "/api/crews/progress",
        [&crews](Request& request) {
            only_params(request, {"date"});
            const auto progress = crews.progress(date_param(request, "date"));
            ordered_json list = ordered_json::array();
            for (const auto& c : progress.crews) {
                list.push_back({{"crew", crew_json(c.crew)}, {"counts", counts_json(c.counts)}});
            }
            return day_response(request,
                                {{"type", "FeatureCollection"},
                                 {"date", progress.date.iso()},
                                 {"counts", counts_json(progress.day.counts)},
                                 {"crews", std::move(list)}},
                                features(progress.day, true));
        },
        supervise);
    router.get(
        "/api/crews/:crew/day",
        [&crews](Request& request) {
            require_caller(request);
            only_params(request, {"date"});
            const auto [crew, day] = crews.crew_day(request.principal, request.param("crew"),
                                                    date_param(request, "date"));
            return day_response(request,
                                {{"type", "FeatureCollection"},
                                 {"crew", crew_json(crew)},
                                 {"date", day.date.iso()},
                                 {"counts", counts_json(day.counts)}},
                                features(day, false));
        },
        work);
    router.get(
        "/api/crews/:crew/week",
        [&crews](Request& request) {
            require_caller(request);
            only_params(request, {"from"});
            core::Date from = date_param(request, "from");
            if (!request.query_param("from")) {
                // This week's Monday.
                from = core::date_from_days(core::days_since_epoch(from) - core::weekday(from));
            }
            const auto [crew, days] = crews.week(request.principal, request.param("crew"), from);
            ordered_json list = ordered_json::array();
            for (const auto& d : days) {
                ordered_json rounds = ordered_json::array();
                for (const auto& r : d.rounds) {
                    rounds.push_back(
                        {{"round_code", r.round_code},
                         {"round_name", r.round_name},
                         {"activity", r.activity},
                         {"visits", r.counts.planned + r.counts.done + r.counts.not_done},
                         {"counts", counts_json(r.counts)}});
                }
                list.push_back({{"date", d.date.iso()},
                                {"weekday", weekdays[core::weekday(d.date)]},
                                {"working_day", core::is_working_day(d.date)},
                                {"visits", d.counts.planned + d.counts.done + d.counts.not_done},
                                {"counts", counts_json(d.counts)},
                                {"rounds", std::move(rounds)}});
            }
            ordered_json doc{{"crew", crew_json(crew)},
                             {"from", days.front().date.iso()},
                             {"to", days.back().date.iso()},
                             {"days", std::move(list)}};
            Response r = Response::json(doc.dump());
            r.header("Cache-Control", "private, no-cache");
            return r;
        },
        work);
    // Any signed-in person's own day (empty for one in no crew).
    router.get(
        "/api/me/day",
        [&crews](Request& request) {
            only_params(request, {"date"});
            const auto& who = request.principal;
            const auto day = crews.person_day(who.id, date_param(request, "date"));
            return day_response(request,
                                {{"type", "FeatureCollection"},
                                 {"person", {{"id", who.id}, {"name", who.name}}},
                                 {"date", day.date.iso()},
                                 {"counts", counts_json(day.counts)}},
                                features(day, true));
        },
        RouteOptions{.access = RouteAccess::signed_in()});
    router.post(
        "/api/visits/:id/completions",
        [&crews](Request& request) {
            require_caller(request);
            const auto body = parse_json_body(request);
            const auto visit_id = id_of("visit", request.param("id"));
            const auto result = crews.record_completion(request.principal, visit_id, body);
            ordered_json doc{{"completion", completion_json(result.completion)},
                             {"duplicate", result.duplicate}};
            Response r = Response::json(doc.dump(), result.duplicate ? 200 : 201);
            r.header("Cache-Control", "no-store");
            return r;
        },
        work);
    router.add(
        "PUT", "/api/visits/:id/assignment",
        [&crews](Request& request) {
            const auto body = parse_json_body(request);
            if (!body.is_object()) {
                throw DomainError(ErrorCode::malformed_body, "the body must be a JSON object");
            }
            std::optional<std::string> crew;
            std::optional<std::int64_t> person;
            for (const auto& [name, value] : body.items()) {
                if (name == "crew") {
                    if (!value.is_string()) {
                        invalid_parameter("crew", "must be a crew's code (a string)");
                    }
                    crew = value.get<std::string>();
                } else if (name == "person_id") {
                    if (!value.is_number_integer() || value.get<std::int64_t>() < 1) {
                        invalid_parameter("person_id", "must be a person's id (a whole number)");
                    }
                    person = value.get<std::int64_t>();
                } else {
                    invalid_parameter(name.substr(0, 40), "is not a member of an assignment "
                                                          "(crew, person_id)");
                }
            }
            if (!crew && !person) {
                invalid_parameter("crew", "give crew (a crew's code) or person_id");
            }
            const auto visit_id = id_of("visit", request.param("id"));
            const auto a = crews.assign_visit(request.principal, visit_id, crew, person);
            ordered_json doc{
                {"visit_id", a.visit_id},
                {"crew", opt(a.crew)},
                {"assigned_person", a.person_id ? ordered_json{{"id", *a.person_id},
                                                               {"name", a.person_name.value_or("")}}
                                                : ordered_json(nullptr)}};
            return Response::json(doc.dump());
        },
        supervise);
    router.add(
        "PUT", "/api/rounds/:code/crew",
        [&crews](Request& request) {
            const auto body = parse_json_body(request);
            if (!body.is_object()) {
                throw DomainError(ErrorCode::malformed_body, "the body must be a JSON object");
            }
            std::optional<std::string> crew;
            std::optional<core::Date> from;
            for (const auto& [name, value] : body.items()) {
                if (name == "crew") {
                    if (!value.is_string()) {
                        invalid_parameter("crew", "must be a crew's code (a string)");
                    }
                    crew = value.get<std::string>();
                } else if (name == "from") {
                    if (!value.is_string() || !core::parse_iso_date(value.get<std::string>())) {
                        invalid_parameter("from", "must be a date YYYY-MM-DD");
                    }
                    from = core::parse_iso_date(value.get<std::string>());
                } else {
                    invalid_parameter(name.substr(0, 40), "is not a member (crew, from)");
                }
            }
            if (!crew) {
                invalid_parameter("crew", "is required: the crew's code");
            }
            const core::Date when = from.value_or(services::london_date(core::now_seconds()));
            crews.set_round_crew(request.principal, request.param("code"), *crew, when);
            ordered_json doc{
                {"round", request.param("code")}, {"crew", *crew}, {"from", when.iso()}};
            return Response::json(doc.dump());
        },
        supervise);
}

} // namespace wardmap::http
