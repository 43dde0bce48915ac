#pragma once

#include "server/http/router.hpp"
#include "server/services/access/audit.hpp"

namespace wardmap::http {

/// The admins' audit log (audit_read): GET /api/audit (JSON) and GET /api/audit.csv (the same
/// rows as CSV), filtered by ?person= (a person's id), record_kind=, record_id=, from= and to=
/// (YYYY-MM-DD, a whole UTC day, or a W3C date-time; from <= at < to) and limit= (JSON default
/// 100, CSV default 10,000, at most 10,000). Newest first.
void add_audit_routes(Router& router, const services::AuditService& audit);

} // namespace wardmap::http
