// The permission matrix over real HTTP: the real server with one signed-in person per role, a
// client and a staff API key and an anonymous caller, each calling every protected route the
// server registers (taken from the same route table `wardmap serve` builds). Expected: what
// each route declares, through services::allows() (tests/support/served_routes.hpp; the same
// table is docs/permissions.md).

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/served_routes.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using services::RouteAccess;
using testing::Expect;
using testing::HttpResponse;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* password = "correct horse battery staple 17";
constexpr const char* reporter_email = "matrix.reporter@example.org";

/// How a caller presents itself: a session (cookie and CSRF token) or an API key.
struct Credentials {
    std::string cookie;
    std::string csrf_token;
    std::string api_key;
};

class PermissionMatrix : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        const auto point = testing::make_demo_store(db_path);
        ASSERT_TRUE(point);
        {
            auto db = store::Database::open(db_path);
            // The ward of the matrix's request today: a councillor's routes about a request
            // (councillor_act) answer 403 for one outside their wards.
            auto in = db.prepare("SELECT w.code FROM wards w JOIN boundary_sets b ON b.id = "
                                 "w.boundary_set_id WHERE b.valid_to IS NULL AND "
                                 "ST_Contains(w.geom_wgs84, MakePoint(?1, ?2, 4326)) ORDER BY "
                                 "w.code LIMIT 1");
            in.bind(1, point->lon).bind(2, point->lat);
            ward = in.step() ? std::string(in.text(0)) : "";
        }
        ASSERT_FALSE(ward.empty());
        const std::vector<std::vector<std::string>> people = {
            {"cllr@example.org", "Cllr A", "councillor", "--ward", ward},
            {"officer.cs@example.org", "Officer CS", "officer", "--team", "customer_services"},
            {"officer.ss@example.org", "Officer SS", "officer", "--team", "streetscene"},
            {"officer.h@example.org", "Officer H", "officer", "--team", "housing"},
            {"officer.br@example.org", "Officer BR", "officer", "--team", "bereavement"},
            {"supervisor.cs@example.org", "Supervisor CS", "supervisor", "--team",
             "customer_services"},
            {"supervisor.ss@example.org", "Supervisor SS", "supervisor", "--team", "streetscene"},
            {"admin@example.org", "Admin", "admin"},
            {"fd@example.org", "Funeral Director", "funeral_director", "--firm", "A Firm"},
        };
        for (const auto& p : people) {
            std::vector<std::string> args = {"users",  "add", p[0],     "--db", db_path.string(),
                                             "--name", p[1],  "--role", p[2]};
            args.insert(args.end(), p.begin() + 3, p.end());
            std::string output;
            ASSERT_EQ(
                testing::run_wardmap(args, &output, {std::string("WARDMAP_PASSWORD=") + password}),
                0)
                << output;
        }
        server = new testing::ServerProcess(db_path, {"--no-access-log"});
        // One real request with a reporter's contact details, for the contact route.
        const auto created = testing::http_request(
            server->port(), "POST", "/open311/v2/requests.json",
            "api_key=demo-client-key&service_code=fly_tipping&description=Sofa&attribute%5Bwaste_"
            "type%5D%5B%5D=furniture&attribute%5Bamount%5D=car_boot&email=" +
                testing::form_encode(reporter_email) + "&first_name=Pat&" + point->lat_long(),
            {{"Content-Type", "application/x-www-form-urlencoded"}});
        ASSERT_EQ(created.status, 200) << created.body;
        request_id = json::parse(created.body)[0]["service_request_id"].get<std::string>();

        credentials["anonymous"] = {};
        const std::map<std::string, std::string> emails = {
            {"councillor (own wards)", "cllr@example.org"},
            {"officer (customer_services)", "officer.cs@example.org"},
            {"officer (streetscene)", "officer.ss@example.org"},
            {"officer (housing)", "officer.h@example.org"},
            {"officer (bereavement)", "officer.br@example.org"},
            {"supervisor (customer_services)", "supervisor.cs@example.org"},
            {"supervisor (streetscene)", "supervisor.ss@example.org"},
            {"admin", "admin@example.org"},
            {"funeral director", "fd@example.org"}};
        for (const auto& [name, email] : emails) {
            credentials[name] = sign_in(email);
        }
        credentials["API key: client"] = {"", "", "demo-client-key"};
        credentials["API key: staff"] = {"", "", "demo-staff-key"};
        routes = new testing::ServedRoutes(tmp->path());
    }
    static void TearDownTestSuite() {
        delete routes;
        delete server;
        delete tmp;
    }

    static Credentials sign_in(const std::string& email) {
        const auto r = testing::http_request(server->port(), "POST", "/api/session",
                                             json{{"email", email}, {"password", password}}.dump(),
                                             {{"Content-Type", "application/json"}});
        EXPECT_EQ(r.status, 200) << email << ": " << r.body;
        const auto set_cookie = r.header("set-cookie");
        Credentials c;
        c.cookie = set_cookie.substr(0, set_cookie.find(';'));
        c.csrf_token = json::parse(r.body).value("csrf_token", "");
        return c;
    }

    /// The route's pattern with harmless values: the real request for ":id", a ward of the
    /// councillor's for the ward parameter, codes that name nothing elsewhere (an allowed call
    /// then answers 404 or 400 and changes nothing).
    static std::string path_of(const http::Route& route) {
        std::string out;
        std::size_t start = 1;
        const auto& p = route.pattern;
        while (start <= p.size()) {
            const auto slash = p.find('/', start);
            const auto segment =
                p.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
            out += '/';
            if (segment.starts_with(":")) {
                const auto name = segment.substr(1);
                if (route.options.access.ward_param && name == *route.options.access.ward_param) {
                    out += ward;
                } else if (name == "id") {
                    out += request_id;
                } else {
                    out += "no-such-" + name;
                }
            } else {
                out += segment;
            }
            if (slash == std::string::npos) {
                break;
            }
            start = slash + 1;
        }
        return out;
    }

    static HttpResponse call(const http::Route& route, const Credentials& who) {
        Headers headers;
        std::string target = path_of(route);
        std::string body;
        const bool open311 = route.pattern.starts_with("/open311/");
        if (!who.cookie.empty()) {
            headers.emplace_back("Cookie", who.cookie);
            headers.emplace_back("X-CSRF-Token", who.csrf_token);
        }
        if (!who.api_key.empty() && route.pattern == "/api/photos") {
            target += "?api_key=" + who.api_key; // as the web client sends it
        } else if (!who.api_key.empty() && !open311) {
            headers.emplace_back("X-Api-Key", who.api_key);
        }
        if (route.method == "POST" || route.method == "PUT" || route.method == "PATCH") {
            if (open311) {
                // Open311 clients send their key among the form fields.
                body = who.api_key.empty() ? "" : "api_key=" + who.api_key;
                headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
            } else if (route.pattern == "/api/photos") {
                body = "not an image";
                headers.emplace_back("Content-Type", "image/png");
            } else {
                body = "{}";
                headers.emplace_back("Content-Type", "application/json");
            }
        }
        return testing::http_request(server->port(), route.method, target, body, headers);
    }

    static testing::TempDir* tmp;
    static std::filesystem::path db_path;
    static std::string ward;
    static std::string request_id;
    static testing::ServerProcess* server;
    static testing::ServedRoutes* routes;
    static std::map<std::string, Credentials> credentials;
};
testing::TempDir* PermissionMatrix::tmp = nullptr;
std::filesystem::path PermissionMatrix::db_path;
std::string PermissionMatrix::ward;
std::string PermissionMatrix::request_id;
testing::ServerProcess* PermissionMatrix::server = nullptr;
testing::ServedRoutes* PermissionMatrix::routes = nullptr;
std::map<std::string, Credentials> PermissionMatrix::credentials;

bool is_protected(const RouteAccess& access) {
    return access.kind == RouteAccess::Kind::permission ||
           access.kind == RouteAccess::Kind::signed_in ||
           access.kind == RouteAccess::Kind::resident_session;
}

TEST_F(PermissionMatrix, EveryRoleAgainstEveryProtectedRoute) {
    const auto callers = testing::matrix_callers(ward);
    int protected_routes = 0;
    std::vector<const http::Route*> last; // signing out ends the caller's session: do it last
    std::vector<const http::Route*> order;
    for (const auto& route : routes->router().routes()) {
        if (!is_protected(route.options.access)) {
            continue;
        }
        ++protected_routes;
        (route.method == "DELETE" && route.pattern == "/api/session" ? last : order)
            .push_back(&route);
    }
    order.insert(order.end(), last.begin(), last.end());
    ASSERT_GE(protected_routes, 12);
    for (const auto* route : order) {
        const auto& access = route->options.access;
        for (const auto& caller : callers) {
            SCOPED_TRACE(route->method + " " + route->pattern + " as " + caller.name);
            const Expect expect = testing::expected(access, caller.principal);
            const auto r = call(*route, credentials.at(caller.name));
            switch (expect) {
            case Expect::allowed:
                EXPECT_NE(r.status, 401) << r.body;
                EXPECT_NE(r.status, 403) << r.body;
                EXPECT_LT(r.status, 500) << r.body;
                break;
            case Expect::unauthorized:
            case Expect::forbidden:
                EXPECT_EQ(r.status, testing::expected_status(expect)) << r.body;
                // Never the data: no reporter's details in a refusal.
                EXPECT_EQ(r.body.find(reporter_email), std::string::npos) << r.body;
                if (route->pattern.ends_with(".xml")) {
                    EXPECT_NE(r.body.find("<errors><error><code>"), std::string::npos) << r.body;
                } else if (route->pattern.starts_with("/open311/")) {
                    EXPECT_TRUE(r.body.starts_with("[{\"code\"")) << r.body;
                } else {
                    EXPECT_EQ(r.header("content-type"), "application/problem+json");
                }
                if (expect == Expect::forbidden && access.kind == RouteAccess::Kind::permission &&
                    caller.principal.kind != services::Principal::Kind::anonymous) {
                    // A signed-in or keyed caller is told which permission it lacks.
                    EXPECT_NE(r.body.find(services::permission_name(access.permission)),
                              std::string::npos)
                        << r.body;
                }
                break;
            }
        }
    }
}

// A resident signed in to My Account is a caller of its own kind: its session opens the
// account routes and nothing else; to every staff route it is an anonymous caller.
TEST_F(PermissionMatrix, AResidentSessionOpensOnlyTheAccountRoutes) {
    const std::string email = "matrix.resident@example.org";
    ASSERT_EQ(testing::http_request(server->port(), "POST", "/api/account/sign-in",
                                    json{{"email", email}}.dump(),
                                    {{"Content-Type", "application/json"}})
                  .status,
              202);
    // This server delivers no mail: the link waits in the outbox, read from there.
    std::string token;
    {
        auto db = store::Database::open(db_path);
        const auto body = db.query_text("SELECT body FROM notification_outbox WHERE recipient = '" +
                                        email + "' ORDER BY id DESC LIMIT 1")
                              .value_or("");
        const auto at = body.find("/account.html#");
        ASSERT_NE(at, std::string::npos) << body;
        const auto start = at + std::string("/account.html#").size();
        token = body.substr(start, body.find('\n', start) - start);
    }
    const auto redeemed = testing::http_request(
        server->port(), "POST", "/api/account/sign-in/redeem", json{{"token", token}}.dump(),
        {{"Content-Type", "application/json"}});
    ASSERT_EQ(redeemed.status, 200) << redeemed.body;
    const auto set_cookie = redeemed.header("set-cookie");
    const Credentials resident{set_cookie.substr(0, set_cookie.find(';')),
                               json::parse(redeemed.body)["csrf_token"], ""};
    const services::Principal anonymous;
    const http::Route* erase = nullptr;
    int account_routes = 0;
    for (const auto& route : routes->router().routes()) {
        const auto& access = route.options.access;
        if (!is_protected(access) || route.pattern == "/api/account/sign-out") {
            continue; // signing out is account_test's: it would end this session
        }
        if (route.method == "DELETE" && route.pattern == "/api/account") {
            erase = &route; // last: it ends the account
            continue;
        }
        SCOPED_TRACE(route.method + " " + route.pattern + " as a resident session");
        const auto r = call(route, resident);
        if (access.kind == RouteAccess::Kind::resident_session) {
            ++account_routes;
            EXPECT_NE(r.status, 401) << r.body;
            EXPECT_NE(r.status, 403) << r.body;
            EXPECT_LT(r.status, 500) << r.body;
        } else {
            EXPECT_EQ(r.status, testing::expected_status(testing::expected(access, anonymous)))
                << r.body;
            EXPECT_EQ(r.body.find(reporter_email), std::string::npos) << r.body;
        }
    }
    EXPECT_GE(account_routes, 2);
    ASSERT_NE(erase, nullptr);
    EXPECT_EQ(call(*erase, resident).status, 200);
}

TEST_F(PermissionMatrix, AllowedCallersReadTheContactAndEachReadIsAudited) {
    // Fresh sessions: the matrix signs its callers out at the end.
    const auto admin = sign_in("admin@example.org");
    const auto officer = sign_in("officer.cs@example.org");
    const auto before =
        json::parse(testing::http_get(server->port(), "/api/audit?record_id=" + request_id,
                                      {{"Cookie", admin.cookie}})
                        .body)["entries"]
            .size();
    const auto r = testing::http_get(server->port(), "/api/requests/" + request_id + "/contact",
                                     {{"Cookie", officer.cookie}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["email"], reporter_email);
    const auto after = testing::http_get(server->port(), "/api/audit?record_id=" + request_id,
                                         {{"Cookie", admin.cookie}});
    ASSERT_EQ(after.status, 200) << after.body;
    const auto entries = json::parse(after.body)["entries"];
    ASSERT_EQ(entries.size(), before + 1);
    EXPECT_EQ(entries[0]["actor_name"], "Officer CS");
    EXPECT_EQ(entries[0]["route"], "/api/requests/:id/contact");
    EXPECT_EQ(entries[0]["client_address"], "127.0.0.1");
}

} // namespace
} // namespace wardmap
