#include "server/app/server_routes.hpp"

#include "server/http/access/access_routes.hpp"
#include "server/http/access/audit_routes.hpp"
#include "server/http/access/link_routes.hpp"
#include "server/http/access/oidc_routes.hpp"
#include "server/http/burials/booking_routes.hpp"
#include "server/http/burials/burial_routes.hpp"
#include "server/http/burials/memorial_routes.hpp"
#include "server/http/features/ogc_routes.hpp"
#include "server/http/features/tile_routes.hpp"
#include "server/http/housing/housing_routes.hpp"
#include "server/http/myarea/account_routes.hpp"
#include "server/http/myarea/my_area_routes.hpp"
#include "server/http/myward/myward_report_routes.hpp"
#include "server/http/myward/myward_routes.hpp"
#include "server/http/performance/performance_routes.hpp"
#include "server/http/requests/catalogue_routes.hpp"
#include "server/http/requests/councillor_routes.hpp"
#include "server/http/requests/open311_routes.hpp"
#include "server/http/requests/photo_routes.hpp"
#include "server/http/requests/request_routes.hpp"
#include "server/http/routes.hpp"
#include "server/http/streetscene/crew_routes.hpp"
#include "server/http/streetscene/job_routes.hpp"
#include "server/http/streetscene/round_routes.hpp"
#include "server/http/streetscene/schedule_routes.hpp"
#include "server/services/access/oidc_accounts.hpp"
#include "server/services/streetscene/asset_sql.hpp"

#include <spdlog/spdlog.h>

namespace wardmap::app {

namespace {

std::shared_ptr<const services::WardIndex> load_ward_index(store::ConnectionPool& pool) {
    auto index = services::WardIndex::load(pool);
    spdlog::info("ward index: {} wards in {} boundary sets", index->wards().size(),
                 index->boundary_set_count());
    return index;
}

services::ImageLimits image_limits(const ServiceSettings& settings) {
    services::ImageLimits limits;
    limits.max_bytes = settings.max_photo_bytes;
    return limits;
}

} // namespace

ServerServices::ServerServices(store::ConnectionPool& pool,
                               std::shared_ptr<const geo::BngTransform> bng,
                               services::ServiceCatalogue catalogue,
                               const ServiceSettings& settings)
    : health(pool, bng), wards(pool, bng, load_ward_index(pool)), transform(bng), imports(pool),
      addresses(pool, bng, wards), streets(pool), features(pool, bng, services::default_layers()),
      ogc_documents(features), tiles(features), tile_documents(tiles),
      // The file's services with the staff's stored edits on top (docs/http-api.md).
      catalogues(pool, std::move(catalogue)),
      requests(pool, bng, catalogues, wards, addresses, streets, {}, settings.public_url),
      photos(pool, requests, image_limits(settings)),
      my_reports(pool, requests, settings.public_url),
      followers(pool, requests, settings.public_url), schedules(pool), crews(pool), rounds(pool),
      jobs(pool, requests, bng, settings.job_categories),
      empty_properties(pool, image_limits(settings)), burials(pool), bookings(pool),
      memorials(pool), burial_search(pool, settings.burial_search),
      my_area(pool, bng, wards, schedules),
      area_alerts(pool, bng, wards, settings.public_url, requests.catalogue()->council()),
      resident_accounts(pool,
                        requests,
                        my_area,
                        {.public_url = settings.public_url,
                         .council_name = requests.catalogue()->council(),
                         .limits = {}}),
      myward(pool, wards, empty_properties, settings.suppress_below),
      councillor_actions(pool, requests, wards),
      myward_report(pool, wards, myward, settings.public_url), report_pdf(settings.report_pdf),
      myward_summaries(pool, myward_report, requests.catalogue()->council()),
      performance(pool, requests, wards, settings.suppress_below), audit(pool), accounts(pool),
      sessions(pool, settings.sessions), sign_in(accounts, sessions, settings.sign_in),
      authenticator(pool, sessions), sign_in_links(pool,
                                                   accounts,
                                                   sessions,
                                                   {.public_url = settings.public_url,
                                                    .council_name = requests.catalogue()->council(),
                                                    .limits = settings.sign_in_links}),
      cookies(settings.cookies), mail_delivered(settings.mail_delivered), files(settings.web_root),
      pages(settings.page_cache_bytes) {
    // The street-asset collections derive each asset's ward from the ward index (never stored).
    services::define_ward_function(pool, wards);
    requests.sync_categories();
    // Streetscene's intake rules: the missed-collection check and bin links (0018).
    requests.set_intake_hooks(jobs.intake_hooks());
    // A crew's completion of a job's visit closes (or updates) its request in the
    // completion's own transaction.
    crews.set_completion_hook([this](store::Database& db, const services::Principal& by,
                                     const services::Completion& completion) {
        jobs.on_crew_completion(db, by, completion);
    });
    if (settings.oidc) {
        oidc = std::make_unique<services::OidcClient>(*settings.oidc);
        oidc_accounts = std::make_unique<services::AccountsOidcBridge>(accounts, sessions,
                                                                       oidc->settings().provision);
    }
}

http::Dispatcher::PrincipalResolver principal_resolver(const ServerServices& services) {
    return http::principal_resolver(services.authenticator);
}

void add_server_routes(http::Router& router,
                       ServerServices& services,
                       const http::Metrics& metrics,
                       std::function<bool()> draining) {
    http::add_system_routes(router, services.health, metrics, std::move(draining));
    http::add_api_routes(router, {services.health, services.wards, services.transform,
                                  services.imports, services.addresses, services.streets});
    http::add_ogc_routes(router, services.features, services.ogc_documents, services.pages);
    http::add_tile_routes(router, services.tiles, services.tile_documents, services.pages);
    http::add_open311_routes(router, services.requests, services.photos);
    http::add_request_routes(router, services.requests);
    http::add_follower_routes(router, services.followers, services.requests);
    http::add_photo_routes(router, services.photos);
    http::add_my_reports_routes(router, services.my_reports);
    http::add_catalogue_routes(router, services.catalogues, services.requests);
    http::add_schedule_routes(router, services.schedules, services.requests.catalogue()->council());
    http::add_crew_routes(router, services.crews);
    http::add_round_routes(router, services.rounds);
    http::add_job_routes(router, services.jobs);
    http::add_housing_routes(router, services.empty_properties);
    http::add_myward_routes(router, services.myward);
    http::add_councillor_routes(router, services.councillor_actions);
    http::add_myward_report_routes(router, services.myward_report, services.report_pdf,
                                   services.myward_summaries);
    http::add_performance_routes(router, services.performance);
    http::add_burial_routes(router, services.burials);
    http::add_burial_search_route(router, services.burial_search);
    http::add_booking_routes(router, services.bookings);
    http::add_memorial_routes(router, services.memorials);
    http::add_my_area_routes(router, services.my_area, services.area_alerts,
                             services.requests.catalogue()->council());
    http::add_account_routes(router, services.resident_accounts, services.cookies);
    http::add_access_routes(router, services.accounts, services.sessions, services.sign_in,
                            services.cookies);
    if (services.mail_delivered) {
        http::add_sign_in_link_routes(router, services.sign_in_links, services.sessions,
                                      services.cookies);
    }
    if (services.oidc) {
        http::add_oidc_routes(router, *services.oidc, *services.oidc_accounts, services.cookies);
    }
    // After the ways above: it reports which of them are registered.
    http::add_sign_in_methods_route(router);
    http::add_audit_routes(router, services.audit);
    http::add_static_routes(router, services.files);
}

} // namespace wardmap::app
