#pragma once

// The JSON bodies of the housing team's routes (docs/http-api.md, "Empty properties"), read
// into the service's plain values. Pure functions: every problem with the body is collected
// and thrown as one DomainError naming each field (invalid_parameter), or malformed_body when
// the body is not a JSON object. fuzz/housing_bodies.cpp feeds them arbitrary JSON.

#include "server/services/housing/empty_property_service.hpp"

#include <nlohmann/json.hpp>

namespace wardmap::http {

services::EmptyPropertyInput parse_empty_property(const nlohmann::json& body);
services::EmptyPropertyChange parse_empty_property_change(const nlohmann::json& body);
services::StatusChange parse_status_change(const nlohmann::json& body);
services::InspectionInput parse_inspection(const nlohmann::json& body);
services::OwnerContact parse_owner(const nlohmann::json& body);

} // namespace wardmap::http
