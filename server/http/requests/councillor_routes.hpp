#pragma once

#include "server/http/router.hpp"
#include "server/services/requests/councillor_actions.hpp"

#include <nlohmann/json.hpp>

namespace wardmap::http {

/// A councillor's actions (docs/myward.md "Councillors' actions"): POST and DELETE
/// /api/requests/{id}/councillor-follow, GET /api/myward/following, POST
/// /api/requests/{id}/councillor-notes (councillor_act, the request in one of the councillor's
/// wards on the date it was received), GET /api/requests/{id}/councillor-notes (ward_read:
/// staff any ward, a councillor their own; audited) and POST /api/myward/requests (a request
/// raised on a resident's behalf, channel `councillor`). `actions` must outlive the router.
void add_councillor_routes(Router& router, const services::CouncillorActions& actions);

/// The body of POST /api/myward/requests as a NewRequest (exposed for the fuzz target):
/// service_code, lat, long, address_id, description, first_name, last_name, email, phone,
/// attributes ({code: value or [values]}). invalid_parameter naming the field for a wrong
/// type or an unknown field.
services::NewRequest raised_request_of(const nlohmann::json& body);

} // namespace wardmap::http
