#pragma once

#include "server/http/router.hpp"
#include "server/services/streetscene/schedule_service.hpp"

#include <string>

namespace wardmap::http {

/// Public, account-free: GET /api/schedules?uprn= (or usrn=) the coming visits by activity as
/// JSON, and GET /api/schedules.ics?uprn= (or usrn=) the same as an iCalendar feed.
/// Optional from= and to= (YYYY-MM-DD; default today and 13 weeks on). `council` names the
/// feed.
void add_schedule_routes(Router& router,
                         const services::ScheduleService& schedules,
                         std::string council);

} // namespace wardmap::http
