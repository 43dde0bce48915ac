#pragma once

#include "server/http/router.hpp"
#include "server/services/streetscene/round_admin.hpp"

namespace wardmap::http {

/// Staff editing of rounds (rounds_manage: a streetscene supervisor or an admin):
/// GET/POST /api/rounds, GET/PUT /api/rounds/{code}, GET /api/rounds/{code}/changes; and the
/// public GET /api/assets/{id}/history. docs/streetscene.md, docs/http-api.md.
void add_round_routes(Router& router, services::RoundAdmin& rounds);

} // namespace wardmap::http
