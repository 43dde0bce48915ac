#pragma once

#include "server/http/message.hpp"

#include <nlohmann/json.hpp>

namespace wardmap::http {

/// Parses a JSON request body. 415 unless Content-Type is JSON; 400 naming the line, column
/// and what the parser expected when it is malformed.
nlohmann::json parse_json_body(const Request& request);

} // namespace wardmap::http
