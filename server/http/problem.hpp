#pragma once

#include "server/http/message.hpp"
#include "server/services/shared/errors.hpp"

namespace wardmap::http {

/// Renders an error as RFC 9457 application/problem+json, listing every field problem.
/// Only our own message strings reach the body; 5xx details are generic.
Response problem_response(const services::DomainError& error, const Request& request);

/// Shorthand for an error without field problems.
Response
problem_response(services::ErrorCode code, const std::string& detail, const Request& request);

} // namespace wardmap::http
