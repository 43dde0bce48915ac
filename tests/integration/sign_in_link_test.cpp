// Sign-in by a one-time link by email, over real HTTP against the real binary, with the real
// outbox sender writing .eml files: the link arrives by mail and signs in once; an unknown or
// disabled address gets the same 202 and no mail; expired, used and unknown links are one 401;
// asking is throttled per email address and per client address (429 with Retry-After); only
// the token's SHA-256 is stored; the way is offered only when mail is delivered; and no
// token or email reaches the server's log.

#include "core/tokens.hpp"

#include "geo/store/database.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::HttpResponse;

constexpr const char* public_url = "https://wardmap.chorley.example";
constexpr const char* councillor_email = "casey.councillor@example.org";
constexpr const char* officer_email = "olive.officer@example.org";
constexpr const char* leaver_email = "lee.leaver@example.org";
constexpr const char* ward_code = "E05099901";

class SignInLink : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "links.sqlite";
        mail_dir = tmp->path() / "mail";
        ASSERT_EQ(cli({"migrate"}), 0);
        {
            auto db = store::Database::open(db_path);
            db.exec("INSERT INTO boundary_sets (id, label, valid_from) VALUES (1, 'test', "
                    "'2020-01-01')");
            db.exec(std::string("INSERT INTO wards (boundary_set_id, code, name, geom, "
                                "geom_wgs84) VALUES (1, '") +
                    ward_code +
                    "', 'Ward', GeomFromText('MULTIPOLYGON(((350000 417000,351000 417000,"
                    "351000 418000,350000 417000)))', 27700), GeomFromText('MULTIPOLYGON((("
                    "-2.7 53.6,-2.69 53.6,-2.69 53.61,-2.7 53.6)))', 4326))");
        }
        // No passwords: a link is the only way these people sign in.
        ASSERT_EQ(cli({"users", "add", councillor_email, "--name", "Casey Councillor", "--role",
                       "councillor", "--ward", ward_code}),
                  0);
        ASSERT_EQ(cli({"users", "add", officer_email, "--name", "Olive Officer", "--role",
                       "officer", "--team", "streetscene"}),
                  0);
        ASSERT_EQ(cli({"users", "add", leaver_email, "--name", "Lee Leaver", "--role", "officer",
                       "--team", "housing"}),
                  0);
        ASSERT_EQ(cli({"users", "disable", leaver_email}), 0);
        // Behind a "proxy", so each test asks from a client address of its own.
        server = new testing::ServerProcess(
            db_path,
            {"--trust-proxy", "--mail-dir", mail_dir.string(), "--mail-interval-seconds", "1",
             "--public-url", std::string(public_url) + "/", "--sign-in-link-rate-limit", "3/hour",
             "--sign-in-link-address-rate-limit", "4/hour"});
    }
    static void TearDownTestSuite() {
        if (server != nullptr) {
            // Whatever the tests did, no token and no email reached the log.
            const std::string log = server->output();
            for (const auto& secret : secrets) {
                EXPECT_EQ(log.find(secret), std::string::npos) << "logged: " << secret;
            }
            for (const char* email : {councillor_email, officer_email, leaver_email}) {
                EXPECT_EQ(log.find(email), std::string::npos) << log;
            }
            EXPECT_EQ(log.find("nobody@example.org"), std::string::npos) << log;
            EXPECT_EQ(log.find("@example.org"), std::string::npos) << log;
        }
        delete server;
        delete tmp;
        server = nullptr;
        tmp = nullptr;
    }

    static int cli(std::vector<std::string> args) {
        args.emplace_back("--db");
        args.push_back(db_path.string());
        std::string out;
        const int code = testing::run_wardmap(args, &out);
        EXPECT_EQ(code, 0) << out;
        return code;
    }
    static HttpResponse post(const std::string& path, const json& body, const std::string& from) {
        return testing::http_request(
            server->port(), "POST", path, body.dump(),
            {{"Content-Type", "application/json"}, {"X-Forwarded-For", from}});
    }
    static HttpResponse ask(const std::string& email, const std::string& from) {
        return post("/api/session/link", {{"email", email}}, from);
    }
    static HttpResponse redeem(const std::string& token, const std::string& from) {
        auto r = post("/api/session/link/redeem", {{"token", token}}, from);
        if (r.status == 200) {
            const auto cookie = r.header("set-cookie");
            secrets.push_back(cookie.substr(0, cookie.find(';')).substr(cookie.find('=') + 1));
        }
        return r;
    }
    /// The mails to `recipient` so far.
    static std::vector<std::string> mails_to(const std::string& recipient) {
        std::vector<std::string> out;
        if (std::filesystem::exists(mail_dir)) {
            for (const auto& f : std::filesystem::directory_iterator(mail_dir)) {
                std::ifstream in(f.path(), std::ios::binary);
                std::string text((std::istreambuf_iterator<char>(in)), {});
                if (f.path().extension() == ".eml" &&
                    text.find("To: <" + recipient + ">\r\n") != std::string::npos) {
                    out.push_back(std::move(text));
                }
            }
        }
        return out;
    }
    /// The tokens of the links mailed to `recipient`, waiting up to 20 s for `want` of them.
    static std::vector<std::string> links_to(const std::string& recipient, std::size_t want) {
        const std::regex link(std::string(public_url) + "/staff/link\\.html#([A-Za-z0-9_-]+)\r\n");
        std::vector<std::string> tokens;
        for (int i = 0; i < 200; ++i) {
            tokens.clear();
            for (const auto& text : mails_to(recipient)) {
                std::smatch m;
                if (std::regex_search(text, m, link)) {
                    tokens.push_back(m[1]);
                }
            }
            if (tokens.size() >= want) {
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        secrets.insert(secrets.end(), tokens.begin(), tokens.end());
        return tokens;
    }
    /// The same 401 as for a token nobody was ever sent.
    static void expect_refused(const HttpResponse& r) {
        auto expected =
            json::parse(redeem("no-such-token-no-such-token-no-such-token00", "192.0.2.99").body);
        expected.erase("request_id");
        EXPECT_EQ(expected["status"], 401);
        EXPECT_EQ(r.status, 401) << r.body;
        EXPECT_EQ(r.header("content-type"), "application/problem+json");
        EXPECT_EQ(r.header("set-cookie"), "");
        auto body = json::parse(r.body);
        body.erase("request_id");
        EXPECT_EQ(body, expected);
    }

    static inline testing::TempDir* tmp = nullptr;
    static inline testing::ServerProcess* server = nullptr;
    static inline std::filesystem::path db_path;
    static inline std::filesystem::path mail_dir;
    static inline std::vector<std::string> secrets;
};

TEST_F(SignInLink, AMailedLinkSignsInOnce) {
    const auto asked = ask("  Casey.Councillor@EXAMPLE.org ", "192.0.2.1");
    ASSERT_EQ(asked.status, 202) << asked.body;
    EXPECT_EQ(asked.header("content-type"), "application/json");
    const auto tokens = links_to(councillor_email, 1);
    ASSERT_EQ(tokens.size(), 1U) << server->output();
    EXPECT_EQ(tokens[0].size(), 43U); // 32 random bytes, unpadded base64url
    const auto mail = mails_to(councillor_email).front();
    EXPECT_NE(mail.find("Subject: Your sign-in link for "), std::string::npos) << mail;
    EXPECT_NE(mail.find("within 15 minutes"), std::string::npos) << mail;

    // Only the token's SHA-256 is stored, with a 15-minute expiry.
    {
        auto db = store::Database::open(db_path);
        EXPECT_EQ(db.query_int("SELECT count(*) FROM sign_in_links WHERE token_sha256 = '" +
                               core::sha256_hex(tokens[0]) +
                               "' AND used_at IS NULL AND (julianday(expires_at) - "
                               "julianday(created_at)) * 1440 BETWEEN 14.9 AND 15.1"),
                  1);
        EXPECT_EQ(db.query_int("SELECT count(*) FROM sign_in_links WHERE token_sha256 = '" +
                               tokens[0] + "'"),
                  0);
    }
    // Once the mail is sent its body, link and all, is gone from the outbox; the record stays.
    const auto cleared = [&] {
        auto db = store::Database::open(db_path);
        return db.query_int("SELECT count(*) FROM notification_outbox WHERE recipient = '" +
                            std::string(councillor_email) +
                            "' AND sent_at IS NOT NULL AND body = '' AND subject LIKE "
                            "'Your sign-in link for %'") == 1 &&
               db.query_int("SELECT count(*) FROM notification_outbox WHERE instr(body, '" +
                            tokens[0] + "') > 0") == 0;
    };
    for (int i = 0; i < 50 && !cleared(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(cleared());

    const auto r = redeem(tokens[0], "198.51.100.7"); // another device may open the mail
    ASSERT_EQ(r.status, 200) << r.body;
    const auto set_cookie = r.header("set-cookie");
    ASSERT_TRUE(set_cookie.starts_with("wardmap_session=")) << set_cookie;
    EXPECT_NE(set_cookie.find("; HttpOnly"), std::string::npos);
    EXPECT_NE(set_cookie.find("; SameSite=Lax"), std::string::npos);
    EXPECT_EQ(r.header("cache-control"), "no-store");
    const auto body = json::parse(r.body);
    EXPECT_EQ(body["person"]["email"], councillor_email);
    EXPECT_EQ(body["person"]["roles"][0]["wards"], json::array({ward_code}));
    EXPECT_FALSE(body["csrf_token"].get<std::string>().empty());

    const auto me = testing::http_get(server->port(), "/api/me",
                                      {{"Cookie", set_cookie.substr(0, set_cookie.find(';'))}});
    ASSERT_EQ(me.status, 200) << me.body;
    const auto who = json::parse(me.body);
    EXPECT_EQ(who["person"]["name"], "Casey Councillor");
    EXPECT_EQ(who["sign_in_method"], "link");
    EXPECT_EQ(who["csrf_token"], body["csrf_token"]);

    // Used once: the second time is the same 401 as an unknown link.
    expect_refused(redeem(tokens[0], "192.0.2.1"));
}

TEST_F(SignInLink, AnUnknownOrDisabledAddressGetsTheSameAnswerAndNoMail) {
    const auto known = ask(officer_email, "192.0.2.2");
    const auto unknown = ask("nobody@example.org", "192.0.2.2");
    const auto disabled = ask(leaver_email, "192.0.2.2");
    ASSERT_EQ(known.status, 202) << known.body;
    EXPECT_EQ(unknown.status, 202);
    EXPECT_EQ(disabled.status, 202);
    EXPECT_EQ(unknown.body, known.body);
    EXPECT_EQ(disabled.body, known.body);
    EXPECT_EQ(unknown.header("content-type"), known.header("content-type"));

    // The officer's mail arrives; by then the sender has been through the outbox.
    ASSERT_EQ(links_to(officer_email, 1).size(), 1U) << server->output();
    EXPECT_TRUE(mails_to("nobody@example.org").empty());
    EXPECT_TRUE(mails_to(leaver_email).empty());
    auto db = store::Database::open(db_path);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM notification_outbox WHERE recipient IN "
                           "('nobody@example.org', '" +
                           std::string(leaver_email) + "')"),
              0);
}

TEST_F(SignInLink, AnExpiredLinkIsRefused) {
    ASSERT_EQ(cli({"users", "add", "eve.expired@example.org", "--name", "Eve Expired", "--role",
                   "officer", "--team", "planning"}),
              0);
    ASSERT_EQ(ask("eve.expired@example.org", "192.0.2.3").status, 202);
    const auto tokens = links_to("eve.expired@example.org", 1);
    ASSERT_EQ(tokens.size(), 1U);
    {
        auto db = store::Database::open(db_path);
        db.exec("UPDATE sign_in_links SET expires_at = '2026-01-01T00:00:00Z' WHERE token_sha256 "
                "= '" +
                core::sha256_hex(tokens[0]) + "'");
    }
    expect_refused(redeem(tokens[0], "192.0.2.3"));
}

TEST_F(SignInLink, ALinkOfAPersonDisabledSinceIsRefused) {
    ASSERT_EQ(cli({"users", "add", "dee.parted@example.org", "--name", "Dee Parted", "--role",
                   "officer", "--team", "planning"}),
              0);
    ASSERT_EQ(ask("dee.parted@example.org", "192.0.2.4").status, 202);
    const auto tokens = links_to("dee.parted@example.org", 1);
    ASSERT_EQ(tokens.size(), 1U);
    ASSERT_EQ(cli({"users", "disable", "dee.parted@example.org"}), 0);
    expect_refused(redeem(tokens[0], "192.0.2.4"));
}

TEST_F(SignInLink, AskingIsThrottledPerEmailAndPerClientAddress) {
    // Per email address, known or not, whatever the client address: 3 an hour here.
    for (const char* from : {"203.0.113.1", "203.0.113.2", "203.0.113.3"}) {
        EXPECT_EQ(ask("flood@example.org", from).status, 202) << from;
    }
    const auto email_limited = ask("Flood@Example.org", "203.0.113.4");
    EXPECT_EQ(email_limited.status, 429) << email_limited.body;
    EXPECT_EQ(email_limited.header("content-type"), "application/problem+json");
    EXPECT_GE(std::stoi(email_limited.header("retry-after")), 1);

    // Per client address, whichever addresses it asks for: 4 an hour here.
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(ask("someone" + std::to_string(i) + "@example.org", "203.0.113.9").status, 202);
    }
    const auto address_limited = ask("someone-else@example.org", "203.0.113.9");
    EXPECT_EQ(address_limited.status, 429) << address_limited.body;
    EXPECT_GE(std::stoi(address_limited.header("retry-after")), 1);
    // Another client is not held up by that one.
    EXPECT_EQ(ask("someone-else@example.org", "203.0.113.10").status, 202);
}

TEST_F(SignInLink, OfferedOnlyWhenMailIsDelivered) {
    const auto methods = testing::http_get(server->port(), "/api/session/methods");
    ASSERT_EQ(methods.status, 200) << methods.body;
    EXPECT_EQ(json::parse(methods.body)["link"], true);

    // The same store served without --mail-dir or --smtp-url: a link would never arrive.
    testing::ServerProcess no_mail(db_path, {"--no-access-log"});
    const auto without = testing::http_get(no_mail.port(), "/api/session/methods");
    ASSERT_EQ(without.status, 200) << without.body;
    EXPECT_EQ(json::parse(without.body)["link"], false);
    EXPECT_EQ(testing::http_request(no_mail.port(), "POST", "/api/session/link",
                                    json{{"email", councillor_email}}.dump(),
                                    {{"Content-Type", "application/json"}})
                  .status,
              405); // only the static files' GET answers that path now
}

TEST_F(SignInLink, BadRequestsAreProblems) {
    for (const auto& [path, body] : std::vector<std::pair<std::string, std::string>>{
             {"/api/session/link", "{}"},
             {"/api/session/link", "[1]"},
             {"/api/session/link", "not json"},
             {"/api/session/link/redeem", "{}"},
             {"/api/session/link/redeem", R"({"token": 7})"}}) {
        const auto r = testing::http_request(
            server->port(), "POST", path, body,
            {{"Content-Type", "application/json"}, {"X-Forwarded-For", "192.0.2.5"}});
        EXPECT_EQ(r.status, 400) << path << " " << body << ": " << r.body;
        EXPECT_EQ(r.header("content-type"), "application/problem+json");
    }
    const auto not_an_address = ask("not an address", "192.0.2.6");
    EXPECT_EQ(not_an_address.status, 400) << not_an_address.body;
    // Empty and absurdly long tokens are simply unknown.
    EXPECT_EQ(redeem("", "192.0.2.6").status, 401);
    EXPECT_EQ(redeem(std::string(500, 'a'), "192.0.2.6").status, 401);
}

} // namespace
} // namespace wardmap
