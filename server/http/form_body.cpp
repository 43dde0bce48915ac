#include "server/http/form_body.hpp"

#include "server/http/percent.hpp"
#include "server/services/shared/errors.hpp"

#include <cctype>

namespace wardmap::http {

using services::DomainError;
using services::ErrorCode;

std::vector<std::pair<std::string, std::string>> parse_form(std::string_view body) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t start = 0;
    while (start <= body.size()) {
        const std::size_t amp = body.find('&', start);
        const std::size_t end = amp == std::string_view::npos ? body.size() : amp;
        const std::string_view pair = body.substr(start, end - start);
        if (!pair.empty()) {
            const std::size_t eq = pair.find('=');
            const auto raw_name = pair.substr(0, eq);
            const auto raw_value =
                eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
            auto name = percent_decode(raw_name, true);
            if (!name) {
                throw DomainError(ErrorCode::invalid_parameter,
                                  "a field name is not validly percent-encoded UTF-8",
                                  {{"body", "has a field name that is not UTF-8"}});
            }
            auto value = percent_decode(raw_value, true);
            if (!value) {
                services::invalid_parameter(*name, "is not validly percent-encoded UTF-8");
            }
            out.emplace_back(std::move(*name), std::move(*value));
        }
        if (amp == std::string_view::npos) {
            break;
        }
        start = amp + 1;
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> parse_form_body(const Request& request) {
    std::string type = request.header("Content-Type").value_or("");
    for (char& c : type) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (!type.starts_with("application/x-www-form-urlencoded") &&
        !(type.empty() && request.body.empty())) {
        throw DomainError(ErrorCode::unsupported_media_type,
                          "send the body as application/x-www-form-urlencoded (got '" + type + "')",
                          {{"Content-Type", "must be application/x-www-form-urlencoded"}});
    }
    return parse_form(request.body);
}

} // namespace wardmap::http
