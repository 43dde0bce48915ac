#pragma once

// The server's route table as `wardmap serve` builds it (app::add_server_routes), and who may
// call each route: the expected permission matrix, computed from each route's declared access
// and services::allows(). The route-table unit test and the permission-matrix integration test
// share it, and docs/permissions.md is written from it.

#include "geo/store/connection_pool.hpp"
#include "server/app/server_routes.hpp"
#include "server/http/metrics.hpp"
#include "server/http/router.hpp"
#include "server/services/access/access.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace wardmap::testing {

/// Every route of the real server, registered over a fresh database in `dir`, with every
/// optional way of signing in (emailed links, OpenID Connect) switched on.
class ServedRoutes {
  public:
    explicit ServedRoutes(const std::filesystem::path& dir);
    ~ServedRoutes();
    [[nodiscard]] const http::Router& router() const { return m_router; }
    [[nodiscard]] app::ServerServices& services() { return *m_services; }
    [[nodiscard]] store::ConnectionPool& pool() { return *m_pool; }

  private:
    std::unique_ptr<store::ConnectionPool> m_pool;
    std::unique_ptr<app::ServerServices> m_services;
    http::Metrics m_metrics;
    http::Router m_router;
};

/// One column of the permission matrix.
struct MatrixCaller {
    std::string name; ///< as docs/permissions.md heads the column
    services::Principal principal;
};

/// anonymous; a councillor for `ward`; officers of customer_services, streetscene and housing;
/// supervisors of customer_services and of streetscene; an admin; a client API key; a staff
/// API key.
std::vector<MatrixCaller> matrix_callers(const std::string& ward);

/// What a caller gets from a route before its handler runs.
enum class Expect { allowed, unauthorized, forbidden };
Expect expected(const services::RouteAccess& access, const services::Principal& caller);
/// 0 for allowed (any status but 401 and 403), else 401 or 403.
int expected_status(Expect expect);

/// "public", "resident token", "signed in" or the permission's name.
std::string access_name(const services::RouteAccess& access);

/// docs/permissions.md's route table: one row per route, one column per matrix caller.
std::string route_table_markdown(const http::Router& router);

} // namespace wardmap::testing
