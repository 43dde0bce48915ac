#pragma once

// What My area's routes read from outside (docs/http-api.md): the query of GET /api/my-area and
// of the Atom feed, and the JSON body of POST /api/alerts, read into the services' plain
// values. Pure: a problem is a DomainError naming the field (invalid_parameter).
// fuzz/my_area_params.cpp feeds them arbitrary input.

#include "server/http/message.hpp"
#include "server/services/myarea/area_alerts.hpp"
#include "server/services/myarea/my_area_service.hpp"

#include <nlohmann/json.hpp>

namespace wardmap::http {

/// Exactly one of uprn=, postcode= or lon=&lat=; `today` is the query's date.
services::MyAreaQuery parse_my_area_query(const Request& request, const core::Date& today);
/// uprn= with an optional distance= (50..5000 m, default 500), or ward=.
services::AreaFeedQuery parse_area_feed_query(const Request& request, const core::Date& today);
/// {"email", one of "uprn" | "lon"+"lat" | "ward", "distance" (50..5000, default 500, not with
/// a ward), "kinds": ["reports", "planning"] (default both)}.
services::AlertSubscription parse_alert_body(const nlohmann::json& body);

} // namespace wardmap::http
