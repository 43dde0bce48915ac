#pragma once
// What the burials domain's three route files (register, bookings, memorials) read from a
// request alike: a positive id from the path, the caller the services audit, and an optional
// value as JSON null.

#include "server/http/router.hpp"
#include "server/services/burials/burial_service.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>

namespace wardmap::http::burials {

/// A path id: a positive integer, else 404 "no such WHAT" (an id that cannot exist is not
/// found rather than a bad request).
inline std::int64_t positive_id(const std::string& text, const char* what) {
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < 1) {
        throw services::DomainError(services::ErrorCode::not_found, std::string("no such ") + what +
                                                                        ": '" + text.substr(0, 40) +
                                                                        "'");
    }
    return value;
}

/// The route's `:id`, named a record in the 404.
inline std::int64_t id_of(const Request& request) {
    return positive_id(request.param("id"), "record");
}

inline services::BurialCaller caller_of(const Request& request) {
    return {request.principal, request.route, request.client_address};
}

template <typename T> nlohmann::ordered_json opt(const std::optional<T>& v) {
    return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

} // namespace wardmap::http::burials
