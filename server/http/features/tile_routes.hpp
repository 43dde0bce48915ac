#pragma once

#include "server/http/features/page_cache.hpp"
#include "server/http/router.hpp"
#include "server/services/features/tile_documents.hpp"
#include "server/services/features/tile_service.hpp"

namespace wardmap::http {

/// OGC API - Tiles under /ogc: the WebMercatorQuad tile matrix set, each collection's vector
/// tileset and the dataset's (the basemap), their metadata and their Mapbox vector tiles.
/// Tiles are kept in `pages` until the store changes (ETag, 304, gzip as for items pages).
/// Every route is public: the tiles hold only what the public collections serve. `tiles`,
/// `documents` and `pages` must outlive the router.
void add_tile_routes(Router& router,
                     const services::TileService& tiles,
                     const services::TileDocuments& documents,
                     PageCache& pages);

} // namespace wardmap::http
