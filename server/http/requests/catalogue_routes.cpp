#include "server/http/requests/catalogue_routes.hpp"

#include "server/http/json_body.hpp"

namespace wardmap::http {

using services::DomainError;
using services::ErrorCode;

namespace {

/// Who edits, for the catalogue's history: a signed-in admin (the dispatcher has checked
/// catalogue_manage), or the staff system behind the key, counted against its rate limits
/// (403 for no key, an unknown one or a client's).
std::string staff_of(const Request& request, const services::RequestService& requests) {
    if (request.principal.signed_in()) {
        return "person:" + request.principal.name;
    }
    auto key = request.header("X-Api-Key");
    if (!key || key->empty()) {
        key = request.query_param("api_key");
    }
    const auto client = requests.authenticate(key, true);
    requests.admit(client, request.client_address);
    return "staff:" + client.name;
}

Response definition(const services::ServiceDefinition& service, int status = 200) {
    Response response = Response::json(services::service_to_json(service), status);
    response.header("Cache-Control", "no-store");
    return response;
}

/// The whole staff catalogue API: staff systems' keys and admins.
const RouteOptions catalogue_managers{
    .access = services::RouteAccess::needs(services::Permission::catalogue_manage)};

} // namespace

void add_catalogue_routes(Router& router,
                          services::CatalogueService& catalogues,
                          const services::RequestService& requests) {
    router.get(
        "/api/services",
        [&catalogues, &requests](Request& request) {
            (void)staff_of(request, requests);
            const auto catalogue = catalogues.current();
            std::string out = R"({"services":[)";
            bool first = true;
            for (const auto& s : catalogue->services()) {
                out += first ? "" : ",";
                out += services::service_to_json(s);
                first = false;
            }
            out += "]}";
            Response response = Response::json(std::move(out));
            response.header("Cache-Control", "no-store");
            return response;
        },
        catalogue_managers);
    router.get(
        "/api/services/:code",
        [&catalogues, &requests](Request& request) {
            (void)staff_of(request, requests);
            const auto catalogue = catalogues.current();
            const auto* service = catalogue->find(request.param("code"));
            if (service == nullptr) {
                throw DomainError(ErrorCode::not_found,
                                  "no service '" + request.param("code") + "'");
            }
            return definition(*service);
        },
        catalogue_managers);
    router.post(
        "/api/services",
        [&catalogues, &requests](Request& request) {
            const auto actor = staff_of(request, requests);
            const auto body = parse_json_body(request);
            const auto created = catalogues.create(body.dump(), actor);
            Response response = definition(created, 201);
            response.header("Location", "/api/services/" + created.code);
            return response;
        },
        catalogue_managers);
    router.add(
        "PUT", "/api/services/:code",
        [&catalogues, &requests](Request& request) {
            const auto actor = staff_of(request, requests);
            const auto body = parse_json_body(request);
            return definition(catalogues.replace(request.param("code"), body.dump(), actor));
        },
        catalogue_managers);
    router.add(
        "DELETE", "/api/services/:code",
        [&catalogues, &requests](Request& request) {
            const auto actor = staff_of(request, requests);
            catalogues.retire(request.param("code"), actor);
            Response response = Response::text("", "", 204);
            return response;
        },
        catalogue_managers);
}

} // namespace wardmap::http
