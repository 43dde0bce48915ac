#include "server/http/requests/catalogue_routes.hpp"

#include "server/http/json_body.hpp"

namespace wardmap::http {

using services::DomainError;
using services::ErrorCode;

namespace {

/// The staff member's system behind the request, counted against its key's rate limits;
/// 403 for no key, an unknown one or a client's.
services::ApiClient staff_of(const Request& request, const services::RequestService& requests) {
    auto key = request.header("X-Api-Key");
    if (!key || key->empty()) {
        key = request.query_param("api_key");
    }
    const auto client = requests.authenticate(key, true);
    requests.admit(client, request.client_address);
    return client;
}

std::string actor(const services::ApiClient& client) {
    return "staff:" + client.name;
}

Response definition(const services::ServiceDefinition& service, int status = 200) {
    Response response = Response::json(services::service_to_json(service), status);
    response.header("Cache-Control", "no-store");
    return response;
}

} // namespace

void add_catalogue_routes(Router& router,
                          services::CatalogueService& catalogues,
                          const services::RequestService& requests) {
    router.get("/api/services", [&catalogues, &requests](Request& request) {
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
    });
    router.get("/api/services/:code", [&catalogues, &requests](Request& request) {
        (void)staff_of(request, requests);
        const auto catalogue = catalogues.current();
        const auto* service = catalogue->find(request.param("code"));
        if (service == nullptr) {
            throw DomainError(ErrorCode::not_found, "no service '" + request.param("code") + "'");
        }
        return definition(*service);
    });
    router.post("/api/services", [&catalogues, &requests](Request& request) {
        const auto client = staff_of(request, requests);
        const auto body = parse_json_body(request);
        const auto created = catalogues.create(body.dump(), actor(client));
        Response response = definition(created, 201);
        response.header("Location", "/api/services/" + created.code);
        return response;
    });
    router.add("PUT", "/api/services/:code", [&catalogues, &requests](Request& request) {
        const auto client = staff_of(request, requests);
        const auto body = parse_json_body(request);
        return definition(catalogues.replace(request.param("code"), body.dump(), actor(client)));
    });
    router.add("DELETE", "/api/services/:code", [&catalogues, &requests](Request& request) {
        const auto client = staff_of(request, requests);
        catalogues.retire(request.param("code"), actor(client));
        Response response = Response::text("", "", 204);
        return response;
    });
}

} // namespace wardmap::http
