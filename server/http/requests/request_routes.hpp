#pragma once

#include "server/http/router.hpp"
#include "server/services/requests/my_reports_service.hpp"
#include "server/services/requests/request_service.hpp"

namespace wardmap::http {

/// The residents' side of service requests, in wardmap's own JSON (problem+json errors):
/// GET /api/requests/duplicates, GET /api/track/{token}, POST /api/track/{token}/updates and
/// POST /api/requests/{id}/followers; and for staff GET /api/requests/{id}/contact (the
/// reporter's contact details, audited).
void add_request_routes(Router& router, const services::RequestService& requests);

/// "My reports": POST /api/my-reports (a link by email) and GET /api/my-reports/{token}.
void add_my_reports_routes(Router& router, const services::MyReportsService& my_reports);

} // namespace wardmap::http
