// My Account for residents over real HTTP against the real binary, the sign-in link read from
// the .eml the real outbox sender writes: the link signs in once and makes the account; the
// overview lists the address's reports (with expected dates), its confirmed follows and alerts
// and the saved address with My area's bin and sweeping days; a resident session passes no
// staff check; active accounts are counted in /api/kpis; and erasure leaves no row anywhere in
// the database holding the address while the public request still answers.

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
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

constexpr const char* public_url = "https://account.chorley.example";

class Account : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        const auto point = testing::make_demo_store(db_path);
        ASSERT_TRUE(point);
        where = point->lat_long();
        mail_dir = tmp->path() / "mail";
        server = new testing::ServerProcess(db_path, {"--trust-proxy", "--mail-dir",
                                                      mail_dir.string(), "--mail-interval-seconds",
                                                      "1", "--public-url", public_url});
    }
    static void TearDownTestSuite() {
        if (server != nullptr) {
            const std::string log = server->output();
            EXPECT_EQ(log.find("@example.org"), std::string::npos) << log;
        }
        delete server;
        delete tmp;
        server = nullptr;
        tmp = nullptr;
    }
    static HttpResponse call(const std::string& method,
                             const std::string& path,
                             const std::string& body = "",
                             const std::string& cookie = "",
                             const std::string& csrf = "",
                             const std::string& from = "192.0.2.1") {
        std::vector<std::pair<std::string, std::string>> headers = {
            {"Content-Type", "application/json"}, {"X-Forwarded-For", from}};
        if (!cookie.empty()) {
            headers.emplace_back("Cookie", cookie);
        }
        if (!csrf.empty()) {
            headers.emplace_back("X-CSRF-Token", csrf);
        }
        return testing::http_request(server->port(), method, path, body, headers);
    }
    static std::string report(const std::string& email, const std::string& description) {
        const auto r = testing::http_request(
            server->port(), "POST", "/open311/v2/requests.json",
            "api_key=demo-client-key&service_code=litter&first_name=Rita&last_name=Resident"
            "&phone=07700+900123&email=" +
                email + "&description=" + description + "&" + where,
            {{"Content-Type", "application/x-www-form-urlencoded"}});
        EXPECT_EQ(r.status, 200) << r.body;
        return json::parse(r.body)[0]["service_request_id"].get<std::string>();
    }
    /// The tokens of the sign-in links mailed to `recipient`, waiting for `want` of them.
    static std::vector<std::string> links_to(const std::string& recipient, std::size_t want) {
        const std::regex link(std::string(public_url) + "/account\\.html#([A-Za-z0-9_-]+)\r\n");
        std::vector<std::string> tokens;
        for (int i = 0; i < 200; ++i) {
            tokens.clear();
            if (std::filesystem::exists(mail_dir)) {
                for (const auto& f : std::filesystem::directory_iterator(mail_dir)) {
                    std::ifstream in(f.path(), std::ios::binary);
                    const std::string text((std::istreambuf_iterator<char>(in)), {});
                    std::smatch m;
                    if (text.find("To: <" + recipient + ">\r\n") != std::string::npos &&
                        std::regex_search(text, m, link)) {
                        tokens.push_back(m[1]);
                    }
                }
            }
            if (tokens.size() >= want) {
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return tokens;
    }
    struct Session {
        std::string cookie; ///< "wardmap_account=..."
        std::string csrf;
    };
    /// Asks for a link for `email`, takes it from the mail and redeems it.
    static Session sign_in(const std::string& email, const std::string& from) {
        const auto asked =
            call("POST", "/api/account/sign-in", json{{"email", email}}.dump(), "", "", from);
        EXPECT_EQ(asked.status, 202) << asked.body;
        const auto tokens = links_to(email, 1);
        EXPECT_EQ(tokens.size(), 1U);
        if (tokens.empty()) {
            return {};
        }
        const auto r = call("POST", "/api/account/sign-in/redeem",
                            json{{"token", tokens.front()}}.dump(), "", "", from);
        EXPECT_EQ(r.status, 200) << r.body;
        const auto set = r.header("set-cookie");
        EXPECT_NE(set.find("Path=/api/account"), std::string::npos) << set;
        EXPECT_NE(set.find("HttpOnly"), std::string::npos) << set;
        // The link works once.
        EXPECT_EQ(call("POST", "/api/account/sign-in/redeem",
                       json{{"token", tokens.front()}}.dump(), "", "", from)
                      .status,
                  401);
        return {set.substr(0, set.find(';')), json::parse(r.body)["csrf_token"]};
    }
    static std::int64_t active_accounts() {
        const auto r = call("GET", "/api/kpis");
        EXPECT_EQ(r.status, 200) << r.body;
        return json::parse(r.body)["active_accounts"].get<std::int64_t>();
    }

    static inline testing::TempDir* tmp = nullptr;
    static inline testing::ServerProcess* server = nullptr;
    static inline std::filesystem::path db_path;
    static inline std::filesystem::path mail_dir;
    static inline std::string where;
};

TEST_F(Account, SignInShowsReportsFollowsAlertsAndTheSavedAddress) {
    const auto mine = report("Rita%40Example.org", "Litter+by+the+bus+stop");
    const auto followed = report("someone.else%40example.org", "Litter+on+the+green");
    const std::int64_t before = active_accounts();
    // The same answer for any address; a malformed one is a 400.
    const auto a = call("POST", "/api/account/sign-in", R"({"email": "x1@example.org"})", "", "",
                        "192.0.2.10");
    const auto b = call("POST", "/api/account/sign-in", R"({"email": "x2@example.org"})", "", "",
                        "192.0.2.10");
    EXPECT_EQ(a.status, 202);
    EXPECT_EQ(a.body, b.body);
    EXPECT_EQ(call("POST", "/api/account/sign-in", R"({"email": "not an address"})").status, 400);
    EXPECT_EQ(call("POST", "/api/account/sign-in/redeem", R"({"token": "made-up"})").status, 401);

    const auto s = sign_in("rita@example.org", "192.0.2.11");
    ASSERT_FALSE(s.cookie.empty());
    EXPECT_EQ(active_accounts(), before + 1);
    {
        auto db = store::Database::open(db_path);
        db.exec("INSERT INTO service_request_followers (request_id, email, created_at, "
                "confirmed_at) VALUES (" +
                followed + ", 'rita@example.org', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
        db.exec("INSERT INTO area_alerts (email, ward_code, reports, planning, created_at, "
                "confirmed_at) SELECT 'rita@example.org', code, 1, 0, '2026-01-01T00:00:00Z', "
                "'2026-01-01T00:00:00Z' FROM wards LIMIT 1");
    }
    const auto r = call("GET", "/api/account", "", s.cookie);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("cache-control"), "no-store");
    const auto doc = json::parse(r.body);
    EXPECT_EQ(doc["email"], "rita@example.org");
    ASSERT_EQ(doc["reports"].size(), 1U) << r.body;
    EXPECT_EQ(doc["reports"][0]["service_request_id"], mine);
    EXPECT_TRUE(doc["reports"][0]["expected_datetime"].is_string()) << r.body;
    EXPECT_FALSE(doc["reports"][0]["overdue"].get<bool>());
    ASSERT_EQ(doc["following"].size(), 1U) << r.body;
    EXPECT_EQ(doc["following"][0]["service_request_id"], followed);
    ASSERT_EQ(doc["alerts"].size(), 1U) << r.body;
    EXPECT_TRUE(doc["address"].is_null());

    // The saved address: an unknown UPRN is a 400; a known one brings My area's days.
    EXPECT_EQ(
        call("PUT", "/api/account/address", R"({"uprn": 999999999998})", s.cookie, s.csrf).status,
        400);
    EXPECT_EQ(call("PUT", "/api/account/address", R"({"uprn": "12x"})", s.cookie, s.csrf).status,
              400);
    std::int64_t uprn = 0;
    {
        auto db = store::Database::open(db_path);
        uprn = db.query_int("SELECT uprn FROM service_requests WHERE id = " + mine).value_or(0);
    }
    ASSERT_GT(uprn, 0);
    const auto saved =
        call("PUT", "/api/account/address", json{{"uprn", uprn}}.dump(), s.cookie, s.csrf);
    ASSERT_EQ(saved.status, 200) << saved.body;
    const auto again = json::parse(call("GET", "/api/account", "", s.cookie).body);
    EXPECT_EQ(again["address"]["uprn"], uprn);
    EXPECT_TRUE(again["address"]["address"].is_string()) << again.dump();
    EXPECT_TRUE(again["address"]["bin_and_sweeping_days"].contains("in_use")) << again.dump();
    EXPECT_TRUE(again["address"]["ward"].is_object()) << again.dump();
}

TEST_F(Account, AResidentSessionPassesNoStaffCheck) {
    const auto s = sign_in("sam@example.org", "192.0.2.20");
    ASSERT_FALSE(s.cookie.empty());
    const std::string token = s.cookie.substr(s.cookie.find('=') + 1);
    // Its cookie, and its token put in the staff cookie, open nothing of the staff's.
    for (const auto& cookie : {s.cookie, "wardmap_session=" + token}) {
        EXPECT_EQ(call("GET", "/api/me", "", cookie).status, 401) << cookie;
        EXPECT_EQ(call("GET", "/api/audit", "", cookie, s.csrf).status, 401);
        EXPECT_EQ(call("GET", "/api/requests/1/contact", "", cookie, s.csrf).status, 401);
    }
    // Without one, or with a staff-shaped cookie, My Account is a 401; a change needs the CSRF.
    EXPECT_EQ(call("GET", "/api/account").status, 401);
    EXPECT_EQ(call("GET", "/api/account", "", "wardmap_session=" + token).status, 401);
    EXPECT_EQ(call("PUT", "/api/account/address", R"({"uprn": null})", s.cookie).status, 403);
    EXPECT_EQ(call("DELETE", "/api/account", "", s.cookie, "wrong").status, 403);
    EXPECT_EQ(call("GET", "/api/account", "", s.cookie).status, 200);
    // Signing out ends the session.
    EXPECT_EQ(call("POST", "/api/account/sign-out", "", s.cookie, s.csrf).status, 204);
    EXPECT_EQ(call("GET", "/api/account", "", s.cookie).status, 401);
}

TEST_F(Account, ErasureLeavesTheAddressInNoRowAndTheRequestPublic) {
    const std::string email = "erin.erase@example.org";
    const auto id = report("Erin.Erase%40example.org", "Litter+in+the+park");
    const auto followed = report("someone.else%40example.org", "Litter+on+the+path");
    ASSERT_EQ(
        call("POST", "/api/my-reports", json{{"email", email}}.dump(), "", "", "192.0.2.31").status,
        202);
    const auto s = sign_in(email, "192.0.2.30");
    ASSERT_FALSE(s.cookie.empty());
    {
        auto db = store::Database::open(db_path);
        db.exec("INSERT INTO service_request_followers (request_id, email, created_at, "
                "confirmed_at) VALUES (" +
                followed + ", '" + email + "', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
        db.exec("INSERT INTO area_alerts (email, ward_code, reports, planning, created_at, "
                "confirmed_at) SELECT '" +
                email +
                "', code, 1, 0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM "
                "wards LIMIT 1");
        db.exec("INSERT INTO area_alert_unsubscribe_tokens (token_sha256, alert_id, created_at) "
                "SELECT 'abc', max(id), '2026-01-01T00:00:00Z' FROM area_alerts");
    }
    const std::int64_t before = active_accounts();
    const auto r = call("DELETE", "/api/account", "", s.cookie, s.csrf);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto done = json::parse(r.body);
    EXPECT_EQ(done["reports_anonymised"], 1);
    EXPECT_EQ(done["follows_removed"], 1);
    EXPECT_EQ(done["alerts_removed"], 1);
    EXPECT_GE(done["messages_removed"].get<int>(), 2); // the my-reports and sign-in mails
    EXPECT_NE(r.header("set-cookie").find("Max-Age=0"), std::string::npos);
    EXPECT_EQ(call("GET", "/api/account", "", s.cookie).status, 401);
    EXPECT_EQ(active_accounts(), before - 1);

    // No row of any table holds the address, in any case, in any text column.
    auto db = store::Database::open(db_path);
    std::vector<std::pair<std::string, std::string>> columns;
    {
        auto tables = db.prepare("SELECT m.name, p.name FROM sqlite_master m, "
                                 "pragma_table_info(m.name) p WHERE m.type = 'table' AND "
                                 "m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'idx_%' AND "
                                 "m.sql NOT LIKE 'CREATE VIRTUAL%'");
        while (tables.step()) {
            columns.emplace_back(tables.text(0), tables.text(1));
        }
    }
    ASSERT_GT(columns.size(), 100U);
    for (const auto& [table, column] : columns) {
        auto hit = db.prepare("SELECT count(*) FROM \"" + table + "\" WHERE typeof(\"" + column +
                              "\") = 'text' AND instr(lower(\"" + column + "\"), ?1) > 0");
        hit.bind(1, "erin.erase@example.org");
        ASSERT_TRUE(hit.step());
        EXPECT_EQ(hit.int64(0), 0) << table << "." << column;
    }
    // The reporter's name and phone went with it; the erasure is recorded by hash.
    EXPECT_EQ(db.query_int("SELECT count(*) FROM service_request_contacts WHERE request_id = " +
                           id + " AND (first_name IS NOT NULL OR phone IS NOT NULL)"),
              0);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM resident_erasures"), 1);
    // The public request still answers.
    const auto pub = call("GET", "/open311/v2/requests/" + id + ".json");
    ASSERT_EQ(pub.status, 200) << pub.body;
    EXPECT_EQ(json::parse(pub.body)[0]["service_request_id"], id);
    // Erasing twice: the session is gone with the account.
    EXPECT_EQ(call("DELETE", "/api/account", "", s.cookie, s.csrf).status, 401);
}

} // namespace
} // namespace wardmap
