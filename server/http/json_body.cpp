#include "server/http/json_body.hpp"

#include "server/services/shared/errors.hpp"

namespace wardmap::http {

using services::DomainError;
using services::ErrorCode;

nlohmann::json parse_json_body(const Request& request) {
    const auto type = request.header("Content-Type").value_or("");
    if (type.rfind("application/json", 0) != 0 && type.find("+json") == std::string::npos) {
        throw DomainError(ErrorCode::unsupported_media_type,
                          "send the body as application/json (got '" + type + "')",
                          {{"Content-Type", "must be application/json"}});
    }
    try {
        return nlohmann::json::parse(request.body);
    } catch (const nlohmann::json::exception& e) {
        // parse_error, and out_of_range for a number too large for a double (1e616; found by
        // fuzz/json_body.cpp), which would otherwise reach the dispatcher as a 500.
        // nlohmann's message names position and expectation and quotes only client input;
        // drop its internal "[json.exception...]" prefix.
        std::string message = e.what();
        if (auto pos = message.find("] "); pos != std::string::npos) {
            message = message.substr(pos + 2);
        }
        throw DomainError(ErrorCode::malformed_body, "the body is not valid JSON: " + message,
                          {{"body", message}});
    }
}

} // namespace wardmap::http
