#pragma once

#include "server/http/router.hpp"
#include "server/services/streetscene/job_service.hpp"

#include <nlohmann/json.hpp>

namespace wardmap::http {

/// The body of POST /api/requests/{id}/job: `{"crew"?: code, "date"?: "YYYY-MM-DD"}` (an empty
/// body is `{}`). invalid_parameter naming the member for a bad or unknown one.
services::JobOrder job_order_from(const nlohmann::json& body, std::int64_t request_id);

/// Streetscene jobs (docs/http-api.md, "Jobs"): POST /api/requests/{id}/job, GET
/// /api/jobs/{id}, POST /api/jobs/{id}/close, and GET /api/assets/{id}/review; all need
/// job_manage, and a person making a job must be streetscene staff (or admin).
void add_job_routes(Router& router, const services::JobService& jobs);

} // namespace wardmap::http
