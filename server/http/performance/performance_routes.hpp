#pragma once

// The public performance page's figures (issue #16, "Statistics for everyone";
// docs/http-api.md `GET /api/performance`): the service-request measures by month or by ward,
// as JSON and CSV, with small numbers suppressed.

#include "server/http/router.hpp"
#include "server/services/performance/performance_service.hpp"

namespace wardmap::http {

/// GET /api/performance and /api/performance.csv (public). `performance` must outlive the
/// router.
void add_performance_routes(Router& router, const services::PerformanceService& performance);

} // namespace wardmap::http
