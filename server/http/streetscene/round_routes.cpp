#include "server/http/streetscene/round_routes.hpp"

#include "core/w3c_time.hpp"

#include "server/http/json_body.hpp"
#include "server/services/shared/errors.hpp"

#include <charconv>

namespace wardmap::http {

using services::DomainError;
using services::ErrorCode;

namespace {

/// Rounds are planned in the council's days: today in Europe/London.
core::Date today_uk() {
    return core::uk_date(core::now_seconds());
}

/// Who made the change, for schedule_changes: the signed-in person (the dispatcher has
/// checked rounds_manage; no key holds it).
std::string actor_of(const Request& request) {
    return "person:" + std::to_string(request.principal.id) + " " + request.principal.name;
}

Response json_answer(const nlohmann::ordered_json& doc, int status = 200) {
    Response response = Response::json(doc.dump(), status);
    response.header("Cache-Control", "no-store");
    return response;
}

void no_query(const Request& request) {
    for (const auto& [name, value] : request.query) {
        services::invalid_parameter(name.substr(0, 40), "is not a parameter of this route");
    }
}

nlohmann::ordered_json saved_json(const services::SaveResult& saved,
                                  const nlohmann::ordered_json& round) {
    nlohmann::ordered_json out{{"created", saved.created},
                               {"changed", saved.changed},
                               {"visits",
                                {{"dates", saved.visits.dates},
                                 {"planned", saved.visits.planned},
                                 {"kept", saved.visits.kept},
                                 {"removed", saved.visits.removed}}}};
    if (saved.next_in_season) {
        out["out_of_season_until"] = saved.next_in_season->iso();
    }
    out["round"] = round;
    return out;
}

/// Rounds carry up to 20,000 stops: a larger body than the default.
const RouteOptions round_editors{
    .max_body_bytes = 1024 * 1024,
    .access = services::RouteAccess::needs(services::Permission::rounds_manage)};

} // namespace

void add_round_routes(Router& router, services::RoundAdmin& rounds) {
    router.get(
        "/api/rounds",
        [&rounds](Request& request) {
            no_query(request);
            return json_answer(rounds.list(today_uk()));
        },
        round_editors);
    router.post(
        "/api/rounds",
        [&rounds](Request& request) {
            no_query(request);
            auto body = services::parse_round_body(parse_json_body(request));
            const auto today = today_uk();
            const auto saved = rounds.create(body, actor_of(request), today);
            const auto code = *body.code;
            Response response = json_answer(saved_json(saved, rounds.view(code, today)), 201);
            response.header("Location", "/api/rounds/" + code);
            return response;
        },
        round_editors);
    router.get(
        "/api/rounds/:code",
        [&rounds](Request& request) {
            no_query(request);
            return json_answer(rounds.view(request.param("code"), today_uk()));
        },
        round_editors);
    router.add(
        "PUT", "/api/rounds/:code",
        [&rounds](Request& request) {
            no_query(request);
            const auto code = request.param("code");
            auto body = services::parse_round_body(parse_json_body(request));
            const auto today = today_uk();
            const auto saved = rounds.update(code, std::move(body), actor_of(request), today);
            return json_answer(saved_json(saved, rounds.view(code, today)));
        },
        round_editors);
    router.get(
        "/api/rounds/:code/changes",
        [&rounds](Request& request) {
            no_query(request);
            return json_answer(rounds.changes(request.param("code")));
        },
        round_editors);
    // Public: the register and its history hold no personal data (an owner is an organisation
    // kind; a change's source is an import and its file, demo-data or a migration).
    router.get(
        "/api/assets/:id/history",
        [&rounds](Request& request) {
            no_query(request);
            const auto& text = request.param("id");
            std::int64_t id = 0;
            const char* end = text.data() + text.size();
            const auto [ptr, ec] = std::from_chars(text.data(), end, id);
            if (text.empty() || ec != std::errc() || ptr != end || id < 1) {
                services::invalid_parameter("id", "must be an asset's id (a whole number from 1)");
            }
            Response response = Response::json(rounds.asset_history(id).dump());
            response.header("Cache-Control", "public, max-age=60");
            return response;
        },
        RouteOptions{.access = services::RouteAccess::public_route()});
}

} // namespace wardmap::http
