// People, passwords and sessions over real HTTP against the real binary and a real store:
// sign-in, /api/me and sign-out with the cookie and CSRF token; one 401 for every failed
// sign-in; throttling with Retry-After; ended, expired and forged sessions; a disabled person's
// sessions ending at once; the Secure cookie behind TLS; `wardmap users ...` through the CLI;
// and no password, token or email in the server's log.

#include "geo/store/database.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::HttpResponse;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* officer_email = "casey.officer@example.org";
constexpr const char* officer_password = "Tr1cky-Sign-In-Secret";
constexpr const char* ward_code = "E05099901";

class Accounts : public ::testing::Test {
  protected:
    void SetUp() override {
        db_path = tmp.path() / "accounts.sqlite";
        ASSERT_EQ(cli({"migrate"}), 0) << out;
        {
            auto db = store::Database::open(db_path);
            db.exec("INSERT INTO boundary_sets (id, label, valid_from) VALUES (1, 'test', "
                    "'2020-01-01')");
            for (const char* code : {ward_code, "E05099902"}) {
                db.exec(std::string("INSERT INTO wards (boundary_set_id, code, name, geom, "
                                    "geom_wgs84) VALUES (1, '") +
                        code +
                        "', 'Ward', GeomFromText('MULTIPOLYGON(((350000 417000,351000 417000,"
                        "351000 418000,350000 417000)))', 27700), GeomFromText('MULTIPOLYGON((("
                        "-2.7 53.6,-2.69 53.6,-2.69 53.61,-2.7 53.6)))', 4326))");
            }
        }
        ASSERT_EQ(cli({"users", "add", officer_email, "--name", "Casey Officer", "--role",
                       "officer", "--team", "customer_services"},
                      {std::string("WARDMAP_PASSWORD=") + officer_password}),
                  0)
            << out;
    }
    void TearDown() override {
        if (server) {
            // Whatever a test did, nothing secret reached the log.
            const std::string log = server->output();
            EXPECT_EQ(log.find(officer_password), std::string::npos) << log;
            EXPECT_EQ(log.find(officer_email), std::string::npos) << log;
            EXPECT_EQ(log.find("Wrong-Password-99"), std::string::npos) << log;
            for (const auto& token : tokens) {
                EXPECT_EQ(log.find(token), std::string::npos) << "a session token was logged";
            }
        }
    }
    int cli(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
        args.emplace_back("--db");
        args.push_back(db_path.string());
        out.clear();
        return testing::run_wardmap(args, &out, env);
    }
    void start(std::vector<std::string> args = {}) {
        server = std::make_unique<testing::ServerProcess>(db_path, args);
    }
    HttpResponse call(const std::string& method,
                      const std::string& path,
                      const std::string& body = "",
                      Headers headers = {}) {
        if (!body.empty()) {
            headers.emplace_back("Content-Type", "application/json");
        }
        return testing::http_request(server->port(), method, path, body, headers);
    }
    HttpResponse
    sign_in(const std::string& email, const std::string& password, const Headers& headers = {}) {
        auto r = call("POST", "/api/session", json{{"email", email}, {"password", password}}.dump(),
                      headers);
        if (r.status == 200) {
            const auto cookie = r.header("set-cookie");
            tokens.push_back(cookie.substr(0, cookie.find(';')).substr(cookie.find('=') + 1));
        }
        return r;
    }
    /// "wardmap_session=..." from a sign-in's Set-Cookie.
    static std::string cookie_of(const HttpResponse& r) {
        const auto set = r.header("set-cookie");
        return set.substr(0, set.find(';'));
    }
    static json problem_without_id(const HttpResponse& r) {
        auto body = json::parse(r.body);
        body.erase("request_id");
        return body;
    }

    testing::TempDir tmp;
    std::filesystem::path db_path;
    std::string out;
    std::unique_ptr<testing::ServerProcess> server;
    std::vector<std::string> tokens;
};

TEST_F(Accounts, SignInMeAndSignOutWithCookieAndCsrf) {
    start();
    const auto r = sign_in(officer_email, officer_password);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto set_cookie = r.header("set-cookie");
    EXPECT_TRUE(set_cookie.starts_with("wardmap_session=")) << set_cookie;
    EXPECT_NE(set_cookie.find("; HttpOnly"), std::string::npos);
    EXPECT_NE(set_cookie.find("; SameSite=Lax"), std::string::npos);
    EXPECT_NE(set_cookie.find("; Path=/"), std::string::npos);
    EXPECT_EQ(set_cookie.find("Secure"), std::string::npos); // plain HTTP, no proxy
    EXPECT_EQ(r.header("cache-control"), "no-store");
    const auto body = json::parse(r.body);
    EXPECT_EQ(body["person"]["email"], officer_email);
    EXPECT_EQ(body["person"]["name"], "Casey Officer");
    EXPECT_EQ(body["person"]["roles"][0]["role"], "officer");
    EXPECT_EQ(body["person"]["roles"][0]["teams"][0], "customer_services");
    const std::string csrf = body["csrf_token"];
    const Headers cookie{{"Cookie", "theme=dark; " + cookie_of(r)}};

    const auto me = call("GET", "/api/me", "", cookie);
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(json::parse(me.body)["csrf_token"], csrf);
    EXPECT_EQ(json::parse(me.body)["person"]["id"], body["person"]["id"]);

    // Sign-out is a state change: the cookie alone is not enough.
    const auto no_csrf = call("DELETE", "/api/session", "", cookie);
    EXPECT_EQ(no_csrf.status, 403);
    EXPECT_EQ(no_csrf.header("content-type"), "application/problem+json");
    EXPECT_EQ(json::parse(no_csrf.body)["errors"][0]["name"], "X-CSRF-Token");
    Headers bad_csrf = cookie;
    bad_csrf.emplace_back("X-CSRF-Token", std::string(csrf.size(), '0'));
    EXPECT_EQ(call("DELETE", "/api/session", "", bad_csrf).status, 403);
    EXPECT_EQ(call("GET", "/api/me", "", cookie).status, 200);

    Headers with_csrf = cookie;
    with_csrf.emplace_back("X-CSRF-Token", csrf);
    const auto out_r = call("DELETE", "/api/session", "", with_csrf);
    EXPECT_EQ(out_r.status, 204);
    EXPECT_NE(out_r.header("set-cookie").find("Max-Age=0"), std::string::npos);
    const auto after = call("GET", "/api/me", "", cookie);
    EXPECT_EQ(after.status, 401);
    EXPECT_EQ(json::parse(after.body)["type"], "urn:wardmap:problem:unauthorized");
    EXPECT_TRUE(after.header("www-authenticate").empty());
    // Nobody signed in at all.
    EXPECT_EQ(call("GET", "/api/me").status, 401);
    EXPECT_EQ(call("DELETE", "/api/session").status, 401);
}

TEST_F(Accounts, OneAnswerForWrongPasswordUnknownEmailAndDisabledAccount) {
    ASSERT_EQ(cli({"users", "add", "gone@example.org", "--name", "Gone", "--role", "admin"},
                  {"WARDMAP_PASSWORD=Former-Admin-Pass1"}),
              0)
        << out;
    ASSERT_EQ(cli({"users", "disable", "gone@example.org"}), 0) << out;
    start();
    const auto wrong = sign_in(officer_email, "Wrong-Password-99");
    const auto unknown = sign_in("nobody@example.org", officer_password);
    const auto disabled = sign_in("gone@example.org", "Former-Admin-Pass1");
    for (const auto* r : {&wrong, &unknown, &disabled}) {
        EXPECT_EQ(r->status, 401) << r->body;
        EXPECT_EQ(r->header("content-type"), "application/problem+json");
        EXPECT_TRUE(r->header("set-cookie").empty());
        EXPECT_TRUE(r->header("www-authenticate").empty());
    }
    EXPECT_EQ(problem_without_id(wrong), problem_without_id(unknown));
    EXPECT_EQ(problem_without_id(wrong), problem_without_id(disabled));
    // Malformed sign-ins are 400 or 415, never a hint about the account.
    EXPECT_EQ(call("POST", "/api/session", R"({"email":"x@example.org"})").status, 400);
    EXPECT_EQ(testing::http_request(server->port(), "POST", "/api/session", "email=a&password=b",
                                    {{"Content-Type", "application/x-www-form-urlencoded"}})
                  .status,
              415);
}

TEST_F(Accounts, SignInIsThrottledPerAccountAndPerAddress) {
    start({"--sign-in-rate-limit", "3/min", "--sign-in-address-rate-limit", "5/min"});
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(sign_in(officer_email, "Wrong-Password-99").status, 401) << i;
    }
    // Even the right password waits now: the limit counts attempts on the account.
    const auto limited = sign_in(officer_email, officer_password);
    EXPECT_EQ(limited.status, 429) << limited.body;
    EXPECT_EQ(json::parse(limited.body)["type"], "urn:wardmap:problem:rate-limited");
    const int retry = std::stoi(limited.header("retry-after"));
    EXPECT_GE(retry, 1);
    EXPECT_LE(retry, 20);
    // Another account from the same address: one more attempt, then the address's own limit
    // (5 attempts, whichever accounts they name).
    EXPECT_EQ(sign_in("someone@example.org", "Wrong-Password-99").status, 401);
    const auto address_limited = sign_in("someone@example.org", "Wrong-Password-99");
    EXPECT_EQ(address_limited.status, 429);
    EXPECT_NE(address_limited.header("retry-after"), "");
}

TEST_F(Accounts, ExpiredRevokedAndForgedSessionsAre401) {
    start();
    const auto r = sign_in(officer_email, officer_password);
    ASSERT_EQ(r.status, 200);
    const Headers cookie{{"Cookie", cookie_of(r)}};
    EXPECT_EQ(call("GET", "/api/me", "", cookie).status, 200);
    EXPECT_EQ(call("GET", "/api/me", "", {{"Cookie", "wardmap_session=forged-token"}}).status, 401);
    EXPECT_EQ(call("GET", "/api/me", "", {{"Cookie", cookie_of(r) + "x"}}).status, 401);
    {
        auto db = store::Database::open(db_path);
        db.exec("UPDATE sessions SET idle_expires_at = '2001-01-01T00:00:00Z'");
    }
    const auto expired = call("GET", "/api/me", "", cookie);
    EXPECT_EQ(expired.status, 401);
    EXPECT_NE(json::parse(expired.body)["detail"].get<std::string>().find("sign in again"),
              std::string::npos);
    // A public page does not care about a stale cookie.
    EXPECT_EQ(call("GET", "/healthz", "", cookie).status, 200);
}

TEST_F(Accounts, DisablingAPersonEndsTheirSessionsAtOnce) {
    start();
    const auto r = sign_in(officer_email, officer_password);
    ASSERT_EQ(r.status, 200);
    const Headers cookie{{"Cookie", cookie_of(r)}};
    EXPECT_EQ(call("GET", "/api/me", "", cookie).status, 200);
    ASSERT_EQ(cli({"users", "disable", officer_email}), 0) << out;
    EXPECT_EQ(call("GET", "/api/me", "", cookie).status, 401);
    EXPECT_EQ(sign_in(officer_email, officer_password).status, 401);
}

TEST_F(Accounts, TheCookieIsSecureOverTls) {
    start({"--trust-proxy"});
    const auto plain = sign_in(officer_email, officer_password);
    EXPECT_EQ(plain.header("set-cookie").find("Secure"), std::string::npos);
    const auto tls = sign_in(officer_email, officer_password, {{"X-Forwarded-Proto", "https"}});
    ASSERT_EQ(tls.status, 200);
    EXPECT_NE(tls.header("set-cookie").find("; Secure"), std::string::npos);
    server->terminate();
    start({"--cookie-secure"});
    EXPECT_NE(sign_in(officer_email, officer_password).header("set-cookie").find("; Secure"),
              std::string::npos);
}

TEST_F(Accounts, UsersCommandsThroughTheRealBinary) {
    // add: roles checked, wards known to the boundaries, no password on the command line;
    // a refused value exits 1 (run_guarded).
    EXPECT_EQ(cli({"users", "add", "cllr@example.org", "--name", "Cllr Two", "--role", "councillor",
                   "--ward", ward_code, "--ward", "E05099902"}),
              0)
        << out;
    EXPECT_NE(out.find("no password yet"), std::string::npos) << out;
    EXPECT_EQ(cli({"users", "add", "x@example.org", "--name", "X", "--role", "councillor", "--ward",
                   "E05000000"}),
              1);
    EXPECT_NE(out.find("E05000000"), std::string::npos) << out;
    EXPECT_EQ(cli({"users", "add", "y@example.org", "--name", "Y", "--role", "officer"}), 1);
    EXPECT_EQ(cli({"users", "add", officer_email, "--name", "Again", "--role", "admin"}), 1);
    EXPECT_EQ(cli({"users", "add", "z@example.org", "--name", "Z", "--role", "admin", "--password",
                   "Some-Password-1"}),
              1);
    EXPECT_EQ(cli({"users", "add", "w@example.org", "--name", "W", "--role", "admin"},
                  {"WARDMAP_PASSWORD=short"}),
              1);
    EXPECT_NE(out.find("at least 12 characters"), std::string::npos) << out;

    ASSERT_EQ(cli({"users", "list"}), 0);
    EXPECT_NE(out.find("cllr@example.org\tCllr Two\tactive\tcouncillor(E05099901,E05099902)"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find(std::string(officer_email) +
                       "\tCasey Officer\tactive\tofficer(customer_services)"),
              std::string::npos)
        << out;
    EXPECT_EQ(out.find("$argon2"), std::string::npos);

    ASSERT_EQ(cli({"users", "set-role", "cllr@example.org", "--role", "supervisor", "--team",
                   "streetscene"}),
              0)
        << out;
    ASSERT_EQ(cli({"users", "list"}), 0);
    EXPECT_NE(out.find("cllr@example.org\tCllr Two\tactive\tsupervisor(streetscene)"),
              std::string::npos)
        << out;

    start();
    EXPECT_EQ(sign_in("cllr@example.org", "Cllr-Two-Password").status, 401);
    if (isatty(STDIN_FILENO) == 0) {
        EXPECT_EQ(cli({"users", "reset-password", "cllr@example.org"}), 1);
        EXPECT_NE(out.find("WARDMAP_PASSWORD"), std::string::npos) << out;
    }
    EXPECT_EQ(cli({"users", "reset-password", "cllr@example.org"},
                  {"WARDMAP_PASSWORD=cllrtwo"}), // the name without the space, and short
              1);
    ASSERT_EQ(cli({"users", "reset-password", "cllr@example.org"},
                  {"WARDMAP_PASSWORD=Cllr-Two-Password"}),
              0)
        << out;
    const auto r = sign_in("cllr@example.org", "Cllr-Two-Password");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["person"]["roles"][0]["role"], "supervisor");
    // A reset ends the sessions a leaked password may have opened.
    ASSERT_EQ(cli({"users", "reset-password", "cllr@example.org"},
                  {"WARDMAP_PASSWORD=Cllr-Two-Password-2"}),
              0);
    EXPECT_EQ(call("GET", "/api/me", "", {{"Cookie", cookie_of(r)}}).status, 401);
    EXPECT_EQ(cli({"users", "disable", "nobody@example.org"}), 1);
    ASSERT_EQ(cli({"users", "disable", "cllr@example.org"}), 0);
    ASSERT_EQ(cli({"users", "list"}), 0);
    EXPECT_NE(out.find("cllr@example.org\tCllr Two\tdisabled"), std::string::npos) << out;
}

TEST_F(Accounts, TheAuditLogIsAppendOnly) {
    auto db = store::Database::open(db_path);
    db.exec("INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, action, record_kind, "
            "record_id, route) VALUES ('2026-01-01T00:00:00Z', 'person', 1, 'Casey', 'read', "
            "'request_contact', '7', '/api/requests/:id/contact')");
    EXPECT_THROW(db.exec("UPDATE audit_log SET actor_name = 'Someone else'"), store::StoreError);
    EXPECT_THROW(db.exec("DELETE FROM audit_log"), store::StoreError);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM audit_log"), 1);
}

} // namespace
} // namespace wardmap
