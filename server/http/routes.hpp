#pragma once

#include "server/http/metrics.hpp"
#include "server/http/router.hpp"
#include "server/http/static_files.hpp"
#include "server/services/gazetteer/address_service.hpp"
#include "server/services/gazetteer/street_service.hpp"
#include "server/services/shared/health_service.hpp"
#include "server/services/shared/import_history.hpp"
#include "server/services/shared/transform_service.hpp"
#include "server/services/wards/ward_service.hpp"

#include <functional>

namespace wardmap::http {

/// The services the HTTP layer exposes; owned by the composition root.
struct ApiServices {
    const services::HealthService& health;
    const services::WardService& wards;
    const services::TransformService& transform;
    const services::ImportHistory& imports;
    const services::AddressService& addresses;
    const services::StreetService& streets;
};

/// /healthz and /metrics. `draining` tells /healthz to report 503 during shutdown.
void add_system_routes(Router& router,
                       const services::HealthService& health,
                       const Metrics& metrics,
                       std::function<bool()> draining);
/// /api/... endpoints.
void add_api_routes(Router& router, const ApiServices& services);
/// The web client's files, below every other route.
void add_static_routes(Router& router, StaticFiles& files);

} // namespace wardmap::http
