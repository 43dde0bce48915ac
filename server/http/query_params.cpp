#include "server/http/query_params.hpp"

#include "server/services/shared/errors.hpp"

#include <charconv>
#include <cmath>

namespace wardmap::http {

double number_param(const Request& request, const std::string& name, const char* meaning) {
    const auto text = request.query_param(name);
    if (!text) {
        services::invalid_parameter(name, std::string("is required: ") + meaning);
    }
    double value = 0;
    const char* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, value);
    if (ec != std::errc() || ptr != end || !std::isfinite(value)) {
        services::invalid_parameter(name, std::string("must be a number (") + meaning + "), not '" +
                                              *text + "'");
    }
    return value;
}

} // namespace wardmap::http
