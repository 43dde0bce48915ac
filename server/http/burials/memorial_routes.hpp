#pragma once

#include "server/http/router.hpp"
#include "server/services/burials/memorial_service.hpp"

namespace wardmap::http {

/// Memorials, their safety inspections, disinterments and the capacity forecast
/// (docs/burials.md "Memorials", "Disinterments", "Capacity"; all staff, the bereavement
/// team's and admins'; MemorialService checks the team):
///   GET  /api/burials/graves/:id/memorials          (burial_read) with their inspections
///   POST /api/burials/graves/:id/memorials          (burial_record)
///   POST /api/burials/memorials/:id/inspections     (burial_record)
///   GET  /api/burials/memorials/due?status=due|overdue&within=DAYS&on=&limit=&offset=
///                                                   (burial_read) GeoJSON for a map
///   POST /api/burials/interments/:id/disinterments  (burial_record)
///   GET  /api/burials/capacity?years=&rate=&section_rate=ID:RATE,...&on=  (burial_read)
void add_memorial_routes(Router& router, services::MemorialService& memorials);

} // namespace wardmap::http
