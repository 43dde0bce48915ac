#pragma once

// MyWard's monthly report and e-mailed summary (docs/myward.md "Monthly report" and "Monthly
// summary by e-mail"): the printable A4 report as HTML and PDF, and a councillor's opt-in.

#include "server/http/router.hpp"
#include "server/services/myward/myward_report.hpp"
#include "server/services/myward/myward_summaries.hpp"
#include "server/services/myward/report_pdf.hpp"

namespace wardmap::http {

/// GET /api/myward/{ward}/report?month=YYYY-MM and .../report.pdf?month= (ward_read, ward
/// checked), POST /api/myward/summary-subscription {"monthly": bool} (a councillor, for
/// themselves). The services must outlive the router.
void add_myward_report_routes(Router& router,
                              const services::MyWardReport& report,
                              const services::PdfRenderer& pdf,
                              const services::MyWardSummaries& summaries);

} // namespace wardmap::http
