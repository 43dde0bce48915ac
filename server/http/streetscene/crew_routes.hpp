#pragma once

#include "server/http/router.hpp"
#include "server/services/streetscene/crew_service.hpp"

namespace wardmap::http {

/// The crews' day and the supervisors' API (docs/streetscene.md, "Crews and the day"):
/// GET /api/crews/{crew}/day, GET /api/me/day, POST /api/visits/{id}/completions,
/// PUT /api/visits/{id}/assignment, PUT /api/rounds/{code}/crew, GET /api/crews/progress,
/// GET /api/crews/{crew}/week.
void add_crew_routes(Router& router, services::CrewService& crews);

} // namespace wardmap::http
