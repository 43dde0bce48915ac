#pragma once

#include "server/http/features/page_cache.hpp"
#include "server/http/router.hpp"
#include "server/services/features/feature_service.hpp"
#include "server/services/features/ogc_documents.hpp"

namespace wardmap::http {

/// Where the OGC API - Features lives: its landing page is `/ogc/` (`/api/...` is wardmap's own
/// API, so the OGC `/api` document is `/ogc/api`).
inline constexpr const char* ogc_prefix = "/ogc";

/// The OGC API - Features endpoints for every registered public layer: landing page,
/// conformance, OpenAPI, collections, queryables, items and single features, each with
/// content negotiation, unknown-parameter checks, ETag/If-None-Match, CORS (plus OPTIONS
/// preflight) and absolute links built from Host / X-Forwarded-*. Items pages and single
/// features are kept in `pages` until the store changes. `features`, `documents` and `pages`
/// must outlive the router.
void add_ogc_routes(Router& router,
                    const services::FeatureService& features,
                    const services::OgcDocuments& documents,
                    PageCache& pages);

/// `proto://host[prefix]/ogc` for links: X-Forwarded-Proto/-Host/-Prefix when they are
/// well-formed (a proxy in front sets them), else Host, else `localhost`.
std::string ogc_base_url(const Request& request);

} // namespace wardmap::http
