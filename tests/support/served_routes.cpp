#include "tests/support/served_routes.hpp"

#include "geo/store/migrations.hpp"
#include "tests/support/test_paths.hpp"

#include <algorithm>

namespace wardmap::testing {

using services::Permission;
using services::Principal;
using services::Role;
using services::RouteAccess;
using services::Team;

ServedRoutes::ServedRoutes(const std::filesystem::path& dir) {
    const auto db = dir / "routes.sqlite";
    store::migrate(db);
    m_pool = std::make_unique<store::ConnectionPool>(
        db, 2, store::OpenOptions{.mode = store::OpenMode::read_write, .busy_timeout_ms = 2000});
    app::ServiceSettings settings;
    settings.web_root = source_dir() / "web-client";
    settings.page_cache_bytes = 1 << 20;
    // Every way of signing in on, so that the table holds every route serve can register.
    settings.mail_delivered = true;
    services::OidcSettings oidc;
    oidc.issuer = "http://127.0.0.1:9/issuer";
    oidc.client_id = "wardmap";
    oidc.client_secret = "not-a-secret";
    oidc.redirect_url = "http://127.0.0.1/auth/oidc/callback";
    settings.oidc = oidc;
    m_services = std::make_unique<app::ServerServices>(
        *m_pool, geo::BngTransform::create(),
        services::ServiceCatalogue::load(source_dir() / "data/services/default.json"), settings);
    app::add_server_routes(m_router, *m_services, m_metrics, [] { return false; });
}

ServedRoutes::~ServedRoutes() = default;

namespace {

Principal person(std::int64_t id, std::string name, services::RoleGrant grant) {
    Principal p;
    p.kind = Principal::Kind::person;
    p.id = id;
    p.name = std::move(name);
    p.grants.push_back(std::move(grant));
    return p;
}

Principal key(std::int64_t id, std::string name, std::string role) {
    Principal p;
    p.kind = Principal::Kind::api_key;
    p.id = id;
    p.name = std::move(name);
    p.key_role = std::move(role);
    return p;
}

} // namespace

std::vector<MatrixCaller> matrix_callers(const std::string& ward) {
    return {
        {"anonymous", Principal{}},
        {"councillor (own wards)", person(1, "Cllr A", {Role::councillor, {ward}, {}})},
        {"officer (customer_services)",
         person(2, "Officer CS", {Role::officer, {}, {Team::customer_services}})},
        {"officer (streetscene)",
         person(3, "Officer SS", {Role::officer, {}, {Team::streetscene}})},
        {"officer (housing)", person(7, "Officer H", {Role::officer, {}, {Team::housing}})},
        {"officer (bereavement)",
         person(8, "Officer BR", {Role::officer, {}, {Team::bereavement}})},
        {"supervisor (customer_services)",
         person(4, "Supervisor CS", {Role::supervisor, {}, {Team::customer_services}})},
        {"supervisor (streetscene)",
         person(6, "Supervisor SS", {Role::supervisor, {}, {Team::streetscene}})},
        {"admin", person(5, "Admin", {Role::admin, {}, {}})},
        {"API key: client", key(1, "client key", "client")},
        {"API key: staff", key(2, "staff key", "staff")},
        {"funeral director",
         person(9, "Funeral Director", {Role::funeral_director, {}, {}, "A Firm"})},
    };
}

Expect expected(const RouteAccess& access, const Principal& caller) {
    switch (access.kind) {
    case RouteAccess::Kind::unset:
        return Expect::forbidden;
    case RouteAccess::Kind::public_route:
    case RouteAccess::Kind::resident_token:
        return Expect::allowed;
    case RouteAccess::Kind::resident_session:
        // No staff caller holds a resident session (its own cookie): sign in to My Account.
        return Expect::unauthorized;
    case RouteAccess::Kind::signed_in:
        // An API key is no session: sign in.
        return caller.signed_in() ? Expect::allowed : Expect::unauthorized;
    case RouteAccess::Kind::permission:
        // The matrix calls ward-scoped routes with the councillor's own ward.
        if (services::allows(caller, access.permission)) {
            return Expect::allowed;
        }
        if (caller.kind == Principal::Kind::anonymous) {
            return services::an_api_key_may_hold(access.permission) ? Expect::forbidden
                                                                    : Expect::unauthorized;
        }
        return Expect::forbidden;
    }
    return Expect::forbidden;
}

int expected_status(Expect expect) {
    switch (expect) {
    case Expect::allowed:
        return 0;
    case Expect::unauthorized:
        return 401;
    case Expect::forbidden:
        return 403;
    }
    return 403;
}

std::string access_name(const RouteAccess& access) {
    switch (access.kind) {
    case RouteAccess::Kind::unset:
        return "UNSET";
    case RouteAccess::Kind::public_route:
        return "public";
    case RouteAccess::Kind::resident_token:
        return "resident token";
    case RouteAccess::Kind::signed_in:
        return "signed in";
    case RouteAccess::Kind::resident_session:
        return "resident session";
    case RouteAccess::Kind::permission:
        return "`" + std::string(services::permission_name(access.permission)) + "`" +
               (access.ward_param ? " in ward `:" + *access.ward_param + "`" : "");
    }
    return "UNSET";
}

std::string route_table_markdown(const http::Router& router) {
    const auto callers = matrix_callers("A");
    std::string out = "| method | route | access |";
    std::string rule = "|---|---|---|";
    for (const auto& c : callers) {
        out += " " + c.name + " |";
        rule += ":-:|";
    }
    out += "\n" + rule + "\n";
    for (const auto& route : router.routes()) {
        out += "| " + route.method + " | `" + route.pattern + "` | " +
               access_name(route.options.access) + " |";
        for (const auto& c : callers) {
            const int status = expected_status(expected(route.options.access, c.principal));
            out += status == 0 ? std::string(" ✓ |") : " " + std::to_string(status) + " |";
        }
        out += "\n";
    }
    return out;
}

} // namespace wardmap::testing
