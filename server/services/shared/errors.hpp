#pragma once

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace wardmap::services {

/// Every expected failure a client can cause or see. The table below maps each to its wire
/// form; add a code and a row together (a static_assert keeps them in step).
enum class ErrorCode {
    invalid_parameter,
    malformed_body,
    unauthorized,
    forbidden,
    not_found,
    route_not_found,
    method_not_allowed,
    not_acceptable,
    payload_too_large,
    unsupported_media_type,
    conflict,
    rate_limited,
    malformed_request,
    uri_too_long,
    header_too_large,
    not_implemented,
    database_busy,
    unavailable,
    internal,
};

struct ErrorInfo {
    ErrorCode code;
    int http_status;
    const char* slug;  // problem+json "type" suffix and docs/errors.md anchor
    const char* title; // short, stable, human
};

inline constexpr std::array error_table = {
    ErrorInfo{ErrorCode::invalid_parameter, 400, "invalid-parameter", "Invalid parameter"},
    ErrorInfo{ErrorCode::malformed_body, 400, "malformed-body", "Malformed request body"},
    ErrorInfo{ErrorCode::unauthorized, 401, "unauthorized", "Not signed in"},
    ErrorInfo{ErrorCode::forbidden, 403, "forbidden", "Forbidden"},
    ErrorInfo{ErrorCode::not_found, 404, "not-found", "Not found"},
    ErrorInfo{ErrorCode::route_not_found, 404, "route-not-found", "No such endpoint"},
    ErrorInfo{ErrorCode::method_not_allowed, 405, "method-not-allowed", "Method not allowed"},
    ErrorInfo{ErrorCode::not_acceptable, 406, "not-acceptable", "Not acceptable"},
    ErrorInfo{ErrorCode::payload_too_large, 413, "payload-too-large", "Request body too large"},
    ErrorInfo{ErrorCode::unsupported_media_type, 415, "unsupported-media-type",
              "Unsupported media type"},
    ErrorInfo{ErrorCode::conflict, 409, "conflict", "Conflict"},
    ErrorInfo{ErrorCode::rate_limited, 429, "rate-limited", "Too many requests"},
    ErrorInfo{ErrorCode::malformed_request, 400, "malformed-request", "Malformed request"},
    ErrorInfo{ErrorCode::uri_too_long, 414, "uri-too-long", "Request line too long"},
    ErrorInfo{ErrorCode::header_too_large, 431, "header-too-large", "Request headers too large"},
    ErrorInfo{ErrorCode::not_implemented, 501, "not-implemented", "Not implemented"},
    ErrorInfo{ErrorCode::database_busy, 503, "database-busy", "Service busy, retry shortly"},
    ErrorInfo{ErrorCode::unavailable, 503, "unavailable", "Service unavailable"},
    ErrorInfo{ErrorCode::internal, 500, "internal-error", "Internal server error"},
};
static_assert(error_table.size() == static_cast<std::size_t>(ErrorCode::internal) + 1);

constexpr const ErrorInfo& error_info(ErrorCode code) {
    return error_table[static_cast<std::size_t>(code)];
}

/// One problem with one input (a query parameter, a body field, a header).
struct FieldProblem {
    std::string name;
    std::string message;
};

/// An expected outcome that is not success. `detail` and field messages are our own words and
/// are safe to show to clients; never put library or SQL messages here.
class DomainError : public std::runtime_error {
  public:
    DomainError(ErrorCode code, std::string detail, std::vector<FieldProblem> problems = {})
        : std::runtime_error(detail), m_code(code), m_detail(std::move(detail)),
          m_problems(std::move(problems)) {}

    [[nodiscard]] ErrorCode code() const { return m_code; }
    [[nodiscard]] const std::string& detail() const { return m_detail; }
    [[nodiscard]] const std::vector<FieldProblem>& problems() const { return m_problems; }
    /// Seconds a client should wait before retrying (503s).
    [[nodiscard]] std::optional<int> retry_after() const { return m_retry_after; }
    DomainError& with_retry_after(int seconds) {
        m_retry_after = seconds;
        return *this;
    }
    /// Extra headers for the error response (e.g. Allow for 405).
    std::vector<std::pair<std::string, std::string>> headers;

  private:
    ErrorCode m_code;
    std::string m_detail;
    std::vector<FieldProblem> m_problems;
    std::optional<int> m_retry_after;
};

/// Throws invalid_parameter naming `parameter`.
[[noreturn]] inline void invalid_parameter(const std::string& parameter, const std::string& why) {
    throw DomainError(ErrorCode::invalid_parameter, "parameter '" + parameter + "' " + why,
                      {{parameter, why}});
}

} // namespace wardmap::services
