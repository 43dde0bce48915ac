#pragma once

// The composition of the HTTP server: every service the API calls, wired over one database,
// and every route registered on one router, exactly as `wardmap serve` runs them. Tests build
// the same router (the route-table test, the permission matrix) so that what they check is
// what is served.

#include "geo/bng_transform.hpp"
#include "geo/store/connection_pool.hpp"
#include "server/http/access/access_routes.hpp"
#include "server/http/dispatcher.hpp"
#include "server/http/features/page_cache.hpp"
#include "server/http/metrics.hpp"
#include "server/http/router.hpp"
#include "server/http/static_files.hpp"
#include "server/services/access/accounts.hpp"
#include "server/services/access/audit.hpp"
#include "server/services/access/oidc.hpp"
#include "server/services/access/sessions.hpp"
#include "server/services/access/sign_in.hpp"
#include "server/services/access/sign_in_links.hpp"
#include "server/services/burials/booking_service.hpp"
#include "server/services/burials/burial_search.hpp"
#include "server/services/burials/burial_service.hpp"
#include "server/services/burials/memorial_service.hpp"
#include "server/services/features/feature_service.hpp"
#include "server/services/features/ogc_documents.hpp"
#include "server/services/features/tile_documents.hpp"
#include "server/services/features/tile_service.hpp"
#include "server/services/gazetteer/address_service.hpp"
#include "server/services/gazetteer/street_service.hpp"
#include "server/services/housing/empty_property_service.hpp"
#include "server/services/myarea/area_alerts.hpp"
#include "server/services/myarea/my_area_service.hpp"
#include "server/services/myarea/resident_accounts.hpp"
#include "server/services/myward/myward_report.hpp"
#include "server/services/myward/myward_service.hpp"
#include "server/services/myward/myward_summaries.hpp"
#include "server/services/myward/report_pdf.hpp"
#include "server/services/performance/performance_service.hpp"
#include "server/services/requests/catalogue_service.hpp"
#include "server/services/requests/councillor_actions.hpp"
#include "server/services/requests/followers.hpp"
#include "server/services/requests/my_reports_service.hpp"
#include "server/services/requests/photo_store.hpp"
#include "server/services/requests/request_service.hpp"
#include "server/services/shared/health_service.hpp"
#include "server/services/shared/import_history.hpp"
#include "server/services/shared/transform_service.hpp"
#include "server/services/streetscene/crew_service.hpp"
#include "server/services/streetscene/job_service.hpp"
#include "server/services/streetscene/round_admin.hpp"
#include "server/services/streetscene/schedule_service.hpp"
#include "server/services/wards/ward_service.hpp"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace wardmap::app {

/// What the services need from `wardmap serve`'s options.
struct ServiceSettings {
    std::filesystem::path web_root;
    std::string public_url = "http://localhost:8080";
    std::size_t page_cache_bytes = std::size_t{64} << 20;
    std::size_t max_photo_bytes = std::size_t{10} * 1024 * 1024;
    services::SessionPolicy sessions;
    services::SignInLimits sign_in;
    services::SignInLinkLimits sign_in_links;
    http::CookieSettings cookies;
    /// Whether mail is delivered (SMTP or .eml files): without it an emailed sign-in link
    /// would never arrive, so that way is not offered.
    bool mail_delivered = false;
    /// Which categories are streetscene jobs, bin reports and missed collections
    /// (data/streetscene/jobs.json; JobCategories::defaults() when not given).
    services::JobCategories job_categories = services::JobCategories::defaults();
    /// OpenID Connect sign-in for staff; off when absent.
    std::optional<services::OidcSettings> oidc;
    /// The public grave search's embargo and infant policy (docs/burials.md).
    services::BurialSearchPolicy burial_search;
    /// MyWard and the performance page: counts from 1 to this - 1 are suppressed in exports
    /// and public figures (`serve --suppress-below`).
    int suppress_below = services::MyWardService::default_suppress_below;
    /// MyWard's report as PDF: the Chromium that prints it (`serve --chromium`).
    services::PdfSettings report_pdf;
};

/// Every service behind the HTTP API, built in dependency order over `pool`. Loads the ward
/// index and writes the catalogue's categories on construction. Not movable: services hold
/// references to each other.
class ServerServices {
  public:
    ServerServices(store::ConnectionPool& pool,
                   std::shared_ptr<const geo::BngTransform> transform,
                   services::ServiceCatalogue catalogue,
                   const ServiceSettings& settings);
    ServerServices(const ServerServices&) = delete;
    ServerServices& operator=(const ServerServices&) = delete;

    services::HealthService health;
    services::WardService wards;
    services::TransformService transform;
    services::ImportHistory imports;
    services::AddressService addresses;
    services::StreetService streets;
    services::FeatureService features;
    services::OgcDocuments ogc_documents;
    services::TileService tiles;
    services::TileDocuments tile_documents;
    services::CatalogueService catalogues;
    services::RequestService requests;
    services::PhotoService photos;
    services::MyReportsService my_reports;
    services::FollowerService followers;
    services::ScheduleService schedules;
    services::CrewService crews;
    services::RoundAdmin rounds;
    services::JobService jobs;
    services::EmptyPropertyService empty_properties;
    services::BurialService burials;
    services::BookingService bookings;
    services::MemorialService memorials;
    services::BurialSearch burial_search;
    services::MyAreaService my_area;
    services::AreaAlerts area_alerts;
    services::ResidentAccounts resident_accounts; ///< My Account (0031)
    services::MyWardService myward;
    services::CouncillorActions councillor_actions;
    services::MyWardReport myward_report;
    services::PdfRenderer report_pdf;
    services::MyWardSummaries myward_summaries;
    services::PerformanceService performance; ///< the public performance page (issue #16)
    services::AuditService audit;
    services::AccountService accounts;
    services::SessionService sessions;
    services::PasswordSignIn sign_in;
    services::Authenticator authenticator;
    services::SignInLinkService sign_in_links;
    std::unique_ptr<services::OidcClient> oidc;            ///< null without OIDC settings
    std::unique_ptr<services::OidcAccounts> oidc_accounts; ///< null without OIDC settings
    http::CookieSettings cookies;
    bool mail_delivered = false;
    http::StaticFiles files;
    http::PageCache pages;
};

/// Who is calling each request (session cookie or API key), for the Dispatcher.
http::Dispatcher::PrincipalResolver principal_resolver(const ServerServices& services);

/// Registers every route of the server on `router` (the web client's files last, below every
/// other route). `draining` tells /healthz to report 503 during shutdown. `services` and
/// `metrics` must outlive the router.
void add_server_routes(http::Router& router,
                       ServerServices& services,
                       const http::Metrics& metrics,
                       std::function<bool()> draining);

} // namespace wardmap::app
