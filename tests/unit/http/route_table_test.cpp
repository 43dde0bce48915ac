// Every route of the real server declares who may call it, and docs/permissions.md shows the
// matrix those declarations and services::allows() make.
#include "tests/support/served_routes.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace wardmap::testing {
namespace {

using services::RouteAccess;

constexpr const char* table_begin = "<!-- route table: begin (tests/unit/http/route_table_test.cpp "
                                    "writes it; WARDMAP_UPDATE_DOCS=1 to refresh) -->\n";
constexpr const char* table_end = "<!-- route table: end -->";

class RouteTable : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir = new TempDir();
        routes = new ServedRoutes(dir->path());
    }
    static void TearDownTestSuite() {
        delete routes;
        delete dir;
    }
    static TempDir* dir;
    static ServedRoutes* routes;
};
TempDir* RouteTable::dir = nullptr;
ServedRoutes* RouteTable::routes = nullptr;

const http::Route*
find(const http::Router& router, const std::string& method, const std::string& pattern) {
    for (const auto& route : router.routes()) {
        if (route.method == method && route.pattern == pattern) {
            return &route;
        }
    }
    return nullptr;
}

TEST_F(RouteTable, EveryRouteDeclaresWhoMayCallIt) {
    const auto& all = routes->router().routes();
    ASSERT_GT(all.size(), 50U);
    for (const auto& route : all) {
        EXPECT_NE(route.options.access.kind, RouteAccess::Kind::unset)
            << route.method << " " << route.pattern
            << " has no access declaration: give its RouteOptions an `access` "
               "(services::RouteAccess::public_route(), resident_token(), signed_in(), needs())";
    }
}

TEST_F(RouteTable, AnUnsetRouteIsFound) {
    // The check above walks what the router holds: one forgotten declaration shows.
    http::Router router;
    router.get("/forgotten", [](http::Request&) { return http::Response::json("{}"); });
    ASSERT_EQ(router.routes().size(), 1U);
    EXPECT_EQ(router.routes().front().options.access.kind, RouteAccess::Kind::unset);
    EXPECT_EQ(access_name(router.routes().front().options.access), "UNSET");
}

TEST_F(RouteTable, TheProtectedRoutesNeedTheirPermissions) {
    const auto& router = routes->router();
    const auto needs = [&](const std::string& method, const std::string& pattern) {
        const auto* route = find(router, method, pattern);
        EXPECT_NE(route, nullptr) << method << " " << pattern;
        return route ? access_name(route->options.access) : std::string();
    };
    EXPECT_EQ(needs("POST", "/open311/v2/requests.json"), "`request_create`");
    EXPECT_EQ(needs("POST", "/open311/v2/requests.xml"), "`request_create`");
    EXPECT_EQ(needs("POST", "/open311/v2/servicerequestupdates.json"), "`request_update`");
    EXPECT_EQ(needs("POST", "/api/photos"), "`photo_upload`");
    EXPECT_EQ(needs("GET", "/api/crews/:crew/day"), "`crew_work`");
    EXPECT_EQ(needs("GET", "/api/crews/:crew/week"), "`crew_work`");
    EXPECT_EQ(needs("GET", "/api/me/day"), "signed in");
    EXPECT_EQ(needs("POST", "/api/visits/:id/completions"), "`crew_work`");
    EXPECT_EQ(needs("PUT", "/api/visits/:id/assignment"), "`crew_supervise`");
    EXPECT_EQ(needs("PUT", "/api/rounds/:code/crew"), "`crew_supervise`");
    EXPECT_EQ(needs("GET", "/api/crews/progress"), "`crew_supervise`");
    EXPECT_EQ(needs("GET", "/api/crews"), "`crew_supervise`");
    for (const auto* method : {"GET", "POST"}) {
        EXPECT_EQ(needs(method, "/api/services"), "`catalogue_manage`");
    }
    for (const auto* method : {"GET", "PUT", "DELETE"}) {
        EXPECT_EQ(needs(method, "/api/services/:code"), "`catalogue_manage`");
    }
    EXPECT_EQ(needs("GET", "/api/requests/:id/contact"), "`request_contact_read`");
    for (const auto* method : {"GET", "PUT"}) {
        EXPECT_EQ(needs(method, "/api/housing/properties/:id/owner"), "`housing_owner_read`");
    }
    for (const auto* pattern :
         {"/api/housing/properties", "/api/housing/properties.geojson", "/api/housing/due",
          "/api/housing/properties/:id", "/api/housing/photos/:photo"}) {
        EXPECT_EQ(needs("GET", pattern), "`housing_read`");
    }
    EXPECT_EQ(needs("POST", "/api/housing/properties/:id/inspections"), "`housing_manage`");
    EXPECT_EQ(needs("PATCH", "/api/housing/properties/:id"), "`housing_manage`");
    EXPECT_EQ(needs("GET", "/api/wards/:code/empty-properties"), "`ward_read` in ward `:code`");
    // MyWard: the dashboard and every export, councillors for their own wards.
    EXPECT_EQ(needs("GET", "/api/myward/:ward"), "`ward_read` in ward `:ward`");
    for (const auto* pattern :
         {"/api/myward/:ward/requests.csv", "/api/myward/:ward/requests.geojson",
          "/api/myward/:ward/months.csv", "/api/myward/:ward/bins.geojson",
          "/api/myward/:ward/bereavement.csv"}) {
        EXPECT_EQ(needs("GET", pattern), "`ward_read` in ward `:ward`");
    }
    // A councillor's actions (CouncillorActions checks the request's or the point's ward).
    for (const auto* method : {"POST", "DELETE"}) {
        EXPECT_EQ(needs(method, "/api/requests/:id/councillor-follow"), "`councillor_act`");
    }
    EXPECT_EQ(needs("GET", "/api/myward/following"), "`councillor_act`");
    EXPECT_EQ(needs("POST", "/api/requests/:id/councillor-notes"), "`councillor_act`");
    EXPECT_EQ(needs("GET", "/api/requests/:id/councillor-notes"), "`ward_read`");
    EXPECT_EQ(needs("POST", "/api/myward/requests"), "`councillor_act`");
    // MyWard's monthly report (HTML, PDF) and a councillor's own summary opt-in.
    EXPECT_EQ(needs("GET", "/api/myward/:ward/report"), "`ward_read` in ward `:ward`");
    EXPECT_EQ(needs("GET", "/api/myward/:ward/report.pdf"), "`ward_read` in ward `:ward`");
    EXPECT_EQ(needs("POST", "/api/myward/summary-subscription"), "`councillor_act`");
    EXPECT_EQ(needs("GET", "/api/audit"), "`audit_read`");
    EXPECT_EQ(needs("GET", "/api/audit.csv"), "`audit_read`");
    for (const auto* method : {"GET", "POST"}) {
        EXPECT_EQ(needs(method, "/api/rounds"), "`rounds_manage`");
    }
    for (const auto* method : {"GET", "PUT"}) {
        EXPECT_EQ(needs(method, "/api/rounds/:code"), "`rounds_manage`");
    }
    EXPECT_EQ(needs("GET", "/api/rounds/:code/changes"), "`rounds_manage`");
    EXPECT_EQ(needs("GET", "/api/assets/:id/history"), "public");
    // Streetscene jobs (JobService).
    EXPECT_EQ(needs("POST", "/api/requests/:id/job"), "`job_manage`");
    EXPECT_EQ(needs("GET", "/api/jobs/:id"), "`job_manage`");
    EXPECT_EQ(needs("POST", "/api/jobs/:id/close"), "`job_manage`");
    EXPECT_EQ(needs("GET", "/api/assets/:id/review"), "`job_manage`");
    // Bookings of burials.
    for (const auto* pattern :
         {"/api/burials/slots", "/api/burials/bookings", "/api/burials/bookings/:id",
          "/api/burials/bookings/:id/documents/:doc"}) {
        EXPECT_EQ(needs("GET", pattern), "`burial_book`");
    }
    for (const auto* pattern : {"/api/burials/bookings", "/api/burials/bookings/:id/documents",
                                "/api/burials/bookings/:id/withdraw"}) {
        EXPECT_EQ(needs("POST", pattern), "`burial_book`");
    }
    EXPECT_EQ(needs("POST", "/api/burials/bookings/:id/confirm"), "`burial_record`");
    EXPECT_EQ(needs("POST", "/api/burials/bookings/:id/refuse"), "`burial_record`");
    EXPECT_EQ(needs("GET", "/api/track/:token"), "resident token");
    EXPECT_EQ(needs("GET", "/api/my-reports/:token"), "resident token");
    // My Account: a resident session (its own cookie), never a staff permission.
    EXPECT_EQ(needs("GET", "/api/account"), "resident session");
    EXPECT_EQ(needs("PUT", "/api/account/address"), "resident session");
    EXPECT_EQ(needs("DELETE", "/api/account"), "resident session");
    EXPECT_EQ(needs("POST", "/api/account/sign-out"), "resident session");
    EXPECT_EQ(needs("POST", "/api/account/sign-in"), "public");
    EXPECT_EQ(needs("POST", "/api/account/sign-in/redeem"), "public");
    EXPECT_EQ(needs("GET", "/open311/v2/tokens/:token"), "resident token");
    // Memorials, disinterments and the capacity forecast: the bereavement team's.
    for (const auto* pattern : {"/api/burials/graves/:id/memorials", "/api/burials/memorials/due",
                                "/api/burials/capacity"}) {
        EXPECT_EQ(needs("GET", pattern), "`burial_read`");
    }
    for (const auto* pattern :
         {"/api/burials/graves/:id/memorials", "/api/burials/memorials/:id/inspections",
          "/api/burials/interments/:id/disinterments"}) {
        EXPECT_EQ(needs("POST", pattern), "`burial_record`");
    }
    // My area and its local alerts (docs/my-area.md): public, the links' pages by token.
    EXPECT_EQ(needs("GET", "/api/my-area"), "public");
    EXPECT_EQ(needs("GET", "/api/alerts/feed.atom"), "public");
    EXPECT_EQ(needs("POST", "/api/alerts"), "public");
    for (const auto* method : {"GET", "POST"}) {
        EXPECT_EQ(needs(method, "/api/alerts/confirm/:token"), "resident token");
        EXPECT_EQ(needs(method, "/api/alerts/unsubscribe/:token"), "resident token");
    }
    // The performance page's figures (issue #16): public, small numbers suppressed.
    EXPECT_EQ(needs("GET", "/api/performance"), "public");
    EXPECT_EQ(needs("GET", "/api/performance.csv"), "public");
    EXPECT_EQ(needs("GET", "/healthz"), "public");
    EXPECT_EQ(needs("GET", "/metrics"), "public");
    EXPECT_EQ(needs("GET", "/*"), "public");
}

TEST_F(RouteTable, TheMatrixFollowsAllows) {
    const auto callers = matrix_callers("A");
    const auto row = [&](RouteAccess access) {
        std::string out;
        for (const auto& c : callers) {
            const int status = expected_status(expected(access, c.principal));
            out += status == 0 ? "ok " : std::to_string(status) + " ";
        }
        return out;
    };
    // anonymous, councillor, officer cs, officer ss, officer housing, officer bereavement,
    // supervisor cs, supervisor ss, admin, client key, staff key, funeral director
    EXPECT_EQ(row(RouteAccess::needs(services::Permission::request_contact_read)),
              "401 403 ok 403 403 403 ok 403 ok 403 403 403 ");
    EXPECT_EQ(row(RouteAccess::needs(services::Permission::audit_read)),
              "401 403 403 403 403 403 403 403 ok 403 403 403 ");
    // The burial register is the bereavement team's (and admins').
    EXPECT_EQ(row(RouteAccess::needs(services::Permission::burial_read)),
              "401 403 403 403 403 ok 403 403 ok 403 403 403 ");
    EXPECT_EQ(row(RouteAccess::needs(services::Permission::burial_record)),
              "401 403 403 403 403 ok 403 403 ok 403 403 403 ");
    // Bookings of burials: funeral directors (their own firm's: BookingService), bereavement
    // and admins; only bereavement and admins decide (burial_record above).
    EXPECT_EQ(row(RouteAccess::needs(services::Permission::burial_book)),
              "401 403 403 403 403 ok 403 403 ok 403 403 ok ");
    // Routes keys may call keep their 403 for a missing api_key.
    EXPECT_EQ(row(RouteAccess::needs(services::Permission::request_create)),
              "403 403 403 403 403 403 403 403 403 ok ok 403 ");
    EXPECT_EQ(row(RouteAccess::needs(services::Permission::catalogue_manage)),
              "403 403 403 403 403 403 403 403 ok 403 ok 403 ");
    EXPECT_EQ(row(RouteAccess::needs(services::Permission::request_update)),
              "403 403 ok 403 403 403 ok 403 ok 403 ok 403 ");
    EXPECT_EQ(row(RouteAccess::needs(services::Permission::crew_work)),
              "403 403 403 ok 403 403 403 ok ok 403 ok 403 ");
    EXPECT_EQ(row(RouteAccess::needs(services::Permission::crew_supervise)),
              "401 403 403 403 403 403 403 ok ok 403 403 403 ");
    EXPECT_EQ(row(RouteAccess::needs(services::Permission::photo_upload)),
              "403 403 403 ok 403 403 403 ok ok ok ok 403 ");
    EXPECT_EQ(row(RouteAccess::needs(services::Permission::rounds_manage)),
              "401 403 403 403 403 403 403 ok ok 403 403 403 ");
    // Keys may make jobs too: a route that lets a key through keeps 403 for no credentials.
    EXPECT_EQ(row(RouteAccess::needs(services::Permission::job_manage)),
              "403 403 403 ok 403 403 403 ok ok 403 ok 403 ");
    // The empty-property register: the housing team and admins; its owners the team alone.
    EXPECT_EQ(row(RouteAccess::needs(services::Permission::housing_read)),
              "401 403 403 403 ok 403 403 403 ok 403 403 403 ");
    EXPECT_EQ(row(RouteAccess::needs(services::Permission::housing_owner_read)),
              "401 403 403 403 ok 403 403 403 403 403 403 403 ");
    EXPECT_EQ(row(RouteAccess::needs_in_ward(services::Permission::ward_read, "code")),
              "401 ok ok ok ok ok ok ok ok 403 403 403 ");
    EXPECT_EQ(row(RouteAccess::public_route()), "ok ok ok ok ok ok ok ok ok ok ok ok ");
}

TEST_F(RouteTable, DocsPermissionsShowsTheMatrix) {
    const auto path = source_dir() / "docs/permissions.md";
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string doc = buffer.str();
    const auto begin = doc.find(table_begin);
    const auto end = doc.find(table_end);
    ASSERT_NE(begin, std::string::npos) << path << " lacks the line " << table_begin;
    ASSERT_NE(end, std::string::npos) << path << " lacks the line " << table_end;
    const auto from = begin + std::string(table_begin).size();
    const std::string table = route_table_markdown(routes->router());
    if (doc.substr(from, end - from) != table) {
        if (std::getenv("WARDMAP_UPDATE_DOCS") != nullptr) {
            doc.replace(from, end - from, table);
            std::ofstream(path) << doc;
        }
        FAIL() << path
               << " is out of step with the routes' declarations; rerun this test with "
                  "WARDMAP_UPDATE_DOCS=1 to rewrite its table, and commit it. Expected:\n"
               << table;
    }
}

} // namespace
} // namespace wardmap::testing
