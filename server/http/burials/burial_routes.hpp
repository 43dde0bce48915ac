#pragma once

#include "server/http/router.hpp"
#include "server/services/burials/burial_search.hpp"
#include "server/services/burials/burial_service.hpp"

namespace wardmap::http {

/// The burial routes (docs/burials.md, docs/http-api.md "Burials"):
///   public   GET  /api/burials/graves/status?bbox=minx,miny,maxx,maxy[&on=YYYY-MM-DD]
///            every grave's number and derived status in an EPSG:27700 box, nothing else;
///   staff    GET  /api/burials/graves/:id                   (burial_read; holders audited)
///            POST /api/burials/graves/:id/interments        (burial_record)
///            POST /api/burials/graves/:id/grants            (burial_record)
///            POST /api/burials/graves/:id/status-override   (burial_record)
///            POST /api/burials/grants/:id/events            (burial_record)
/// Staff routes are the bereavement team's (and admins'): BurialService checks the team.
void add_burial_routes(Router& router, services::BurialService& burials);

/// The public grave search (docs/burials.md "Public grave search"), account-free:
///   GET /api/burials/search?name=&year_from=&year_to=&cemetery=&page=&limit=
/// The deceased's names, age, dates, cemetery, section, grave number and place; nothing of
/// the living, funeral directors, ministers, fees, addresses or parents.
void add_burial_search_route(Router& router, const services::BurialSearch& search);

} // namespace wardmap::http
