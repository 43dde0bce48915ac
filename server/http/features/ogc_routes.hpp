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

/// A GET handler for data that changes only with the store (items, features, tiles): answered
/// from `cache` while `data_version` has not moved since the answer was made, with an ETag,
/// If-None-Match 304s, gzip made once per cached answer, and CORS. `accept` checks the request
/// (Accept header, parameters) before the cache is asked; it throws DomainError to refuse.
Handler cached_data_handler(std::function<Response(Request&)> inner,
                            std::function<std::int64_t()> data_version,
                            PageCache& cache,
                            std::function<void(const Request&)> accept);

/// 400 for a query parameter not in `known` (/req/core/query-param-unknown).
void check_ogc_parameters(const Request& request, const std::vector<std::string>& known);

/// Registers a public GET JSON document route under the OGC API (negotiation, ETag, 304,
/// CORS and its OPTIONS preflight).
void add_ogc_route(Router& router,
                   const std::string& pattern,
                   std::function<Response(Request&)> handler);

/// Registers a public GET route with a ready handler (e.g. cached_data_handler) and its
/// OPTIONS preflight.
void add_ogc_data_route(Router& router, const std::string& pattern, Handler handler);

/// `proto://host[prefix]/ogc` for links: X-Forwarded-Proto/-Host/-Prefix when they are
/// well-formed (a proxy in front sets them), else Host, else `localhost`.
std::string ogc_base_url(const Request& request);

} // namespace wardmap::http
