#pragma once

// The JSON bodies of the memorial, inspection and disinterment routes (docs/burials.md), read
// into the service's plain values. Pure functions: a member of the wrong JSON type or too long
// is a DomainError naming the field (invalid_parameter); the values' rules (known types,
// results, actions, real dates) are checked here too, so a body that passes holds only values
// the tables allow. fuzz/memorial_bodies.cpp feeds them arbitrary JSON.

#include "server/services/burials/memorial_service.hpp"

#include <nlohmann/json.hpp>

namespace wardmap::http {

services::NewMemorial parse_memorial(const nlohmann::json& body);
services::NewMemorialInspection parse_memorial_inspection(const nlohmann::json& body);
services::NewDisinterment parse_disinterment(const nlohmann::json& body);

} // namespace wardmap::http
