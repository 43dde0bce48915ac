#pragma once

// Query parameters the API routes share, read the same way everywhere: a bad value is a 400
// invalid-parameter naming the parameter and what it should be.

#include "server/http/message.hpp"

#include <string>

namespace wardmap::http {

/// A required finite number; `meaning` says what it is ("longitude in degrees, WGS84").
double number_param(const Request& request, const std::string& name, const char* meaning);

} // namespace wardmap::http
