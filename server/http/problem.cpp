#include "server/http/problem.hpp"

#include "geo/geojson_writer.hpp"

namespace wardmap::http {

Response problem_response(const services::DomainError& error, const Request& request) {
    const auto& info = services::error_info(error.code());
    std::string body;
    geo::JsonObjectWriter obj(body);
    obj.field("type", std::string("urn:wardmap:problem:") + info.slug)
        .field("title", info.title)
        .field("status", info.http_status)
        .field("detail", error.detail())
        .field("instance", request.path)
        .field("request_id", request.request_id);
    if (!error.problems().empty()) {
        std::string list = "[";
        for (const auto& p : error.problems()) {
            if (list.size() > 1) {
                list += ',';
            }
            geo::JsonObjectWriter item(list);
            item.field("name", p.name).field("message", p.message);
            item.close();
        }
        list += ']';
        obj.raw_field("errors", list);
    }
    obj.close();
    Response response =
        Response::text(std::move(body), "application/problem+json", info.http_status);
    for (const auto& [name, value] : error.headers) {
        response.header(name, value);
    }
    if (error.retry_after()) {
        response.header("Retry-After", std::to_string(*error.retry_after()));
    }
    return response;
}

Response
problem_response(services::ErrorCode code, const std::string& detail, const Request& request) {
    return problem_response(services::DomainError(code, detail), request);
}

} // namespace wardmap::http
