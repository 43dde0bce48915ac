#pragma once

#include "server/http/router.hpp"
#include "server/services/requests/followers.hpp"
#include "server/services/requests/my_reports_service.hpp"
#include "server/services/requests/request_service.hpp"

namespace wardmap::http {

/// The residents' side of service requests, in wardmap's own JSON (problem+json errors):
/// GET /api/requests/duplicates, GET /api/track/{token} and POST /api/track/{token}/updates;
/// and for staff GET /api/requests/{id}/contact (the
/// reporter's contact details, audited).
void add_request_routes(Router& router, const services::RequestService& requests);

/// Following by email with consent: POST /api/requests/{id}/followers (a confirmation link
/// by email), GET (a page) and POST (confirms) /api/follow/confirm/{token}, and GET (a page)
/// and POST (stops the mail) /api/unsubscribe/{token}. The pages are HTML for people; a
/// caller sending `Accept: application/json` gets JSON (and problem+json errors). The pages
/// have the residents' site look, with the council's name from `requests`' catalogue and a link
/// to the report's ward page when the report is public.
void add_follower_routes(Router& router,
                         const services::FollowerService& followers,
                         const services::RequestService& requests);

/// "My reports": POST /api/my-reports (a link by email) and GET /api/my-reports/{token}.
void add_my_reports_routes(Router& router, const services::MyReportsService& my_reports);

} // namespace wardmap::http
