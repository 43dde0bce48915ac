// "My reports" over real HTTP, the way FixMyStreet signs residents in by email: asking for a
// link answers the same whether or not the address has reports, the link arrives by mail (read
// here from the .eml the sender writes), lists that address's reports compared without case,
// and stores only a hash of its token; unknown and expired links are 404; asking is limited.

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
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

constexpr const char* public_url = "https://reports.chorley.example";

class MyReports : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        const auto point = testing::make_demo_store(db_path);
        ASSERT_TRUE(point);
        where = point->lat_long();
        mail_dir = tmp->path() / "mail";
        server = new testing::ServerProcess(db_path, {"--no-access-log", "--mail-dir",
                                                      mail_dir.string(), "--mail-interval-seconds",
                                                      "1", "--public-url", public_url});
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }
    static std::string report(const std::string& email, const std::string& description) {
        const auto r = testing::http_request(
            server->port(), "POST", "/open311/v2/requests.json",
            "api_key=demo-client-key&service_code=litter&first_name=Rita&phone=07700+900123"
            "&email=" +
                email + "&description=" + description + "&" + where,
            {{"Content-Type", "application/x-www-form-urlencoded"}});
        EXPECT_EQ(r.status, 200) << r.body;
        return json::parse(r.body)[0]["service_request_id"].get<std::string>();
    }
    static HttpResponse ask(const std::string& body) {
        return testing::http_request(server->port(), "POST", "/api/my-reports", body,
                                     {{"Content-Type", "application/json"}});
    }
    /// The links mailed to `recipient` so far, oldest first.
    static std::vector<std::string> links_to(const std::string& recipient, std::size_t want) {
        const std::regex link(std::string(public_url) + "/api/my-reports/([A-Za-z0-9_-]+)");
        std::vector<std::pair<std::filesystem::file_time_type, std::string>> found;
        for (int i = 0; i < 200; ++i) {
            found.clear();
            if (std::filesystem::exists(mail_dir)) {
                for (const auto& f : std::filesystem::directory_iterator(mail_dir)) {
                    std::ifstream in(f.path(), std::ios::binary);
                    const std::string text((std::istreambuf_iterator<char>(in)), {});
                    std::smatch m;
                    if (text.find("To: <" + recipient + ">\r\n") != std::string::npos &&
                        std::regex_search(text, m, link)) {
                        found.emplace_back(f.last_write_time(), m[1]);
                    }
                }
            }
            if (found.size() >= want) {
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        std::sort(found.begin(), found.end());
        std::vector<std::string> out;
        for (auto& [at, token] : found) {
            out.push_back(token);
        }
        return out;
    }

    static inline testing::TempDir* tmp = nullptr;
    static inline testing::ServerProcess* server = nullptr;
    static inline std::filesystem::path db_path;
    static inline std::filesystem::path mail_dir;
    static inline std::string where;
};

TEST_F(MyReports, ALinkByEmailListsThatAddresssReports) {
    const auto first = report("Rita%40Example.org", "Tag+on+the+bus+shelter");
    const auto second = report("RITA%40example.ORG", "Tag+on+the+bridge");
    const auto someone_else = report("other%40example.org", "Tag+on+the+school+wall");
    ASSERT_EQ(testing::http_request(server->port(), "POST",
                                    "/open311/v2/servicerequestupdates.json",
                                    "api_key=demo-staff-key&service_request_id=" + first +
                                        "&update_id=my-1&status=IN_PROGRESS&updated_datetime=" +
                                        "2026-01-05T09%3A00%3A00Z&description=Crew+booked",
                                    {{"Content-Type", "application/x-www-form-urlencoded"}})
                  .status,
              200);

    // The same answer whether or not the address has reports.
    const auto known = ask(R"({"email": "  rita@EXAMPLE.org "})");
    const auto unknown = ask(R"({"email": "nobody@example.org"})");
    EXPECT_EQ(known.status, 202) << known.body;
    EXPECT_EQ(unknown.status, known.status);
    EXPECT_EQ(unknown.body, known.body);

    const auto links = links_to("rita@example.org", 1);
    ASSERT_EQ(links.size(), 1U) << server->output();
    // Once sent, the message's body (the link) is cleared from the outbox; the record stays.
    const auto cleared = [&] {
        auto conn = store::Database::open(db_path);
        return conn.query_int("SELECT count(*) FROM notification_outbox WHERE recipient = "
                              "'rita@example.org' AND subject LIKE 'Your reports to %' AND "
                              "sent_at IS NOT NULL AND body = ''") == 1 &&
               conn.query_int("SELECT count(*) FROM notification_outbox WHERE instr(body, '" +
                              links[0] + "') > 0") == 0;
    };
    for (int i = 0; i < 50 && !cleared(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(cleared());
    const auto r = testing::http_get(server->port(), "/api/my-reports/" + links[0]);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("cache-control"), "no-store");
    const auto body = json::parse(r.body);
    std::vector<std::string> ids;
    for (const auto& rep : body["reports"]) {
        ids.push_back(rep["service_request_id"]);
        EXPECT_EQ(rep["service_code"], "litter");
        EXPECT_TRUE(rep["history"].is_array());
        EXPECT_TRUE(rep.contains("address"));
        EXPECT_TRUE(rep.contains("requested_datetime"));
    }
    EXPECT_EQ(ids, (std::vector<std::string>{second, first})) << r.body; // newest first
    const auto& history = body["reports"][1]["history"];
    EXPECT_TRUE(std::any_of(history.begin(), history.end(), [](const json& h) {
        return h["to"] == "in_progress" && h["note"] == "Crew booked";
    })) << history.dump();
    // No tracking token is issued again, and no personal data is shown.
    for (const char* secret : {"tracking_token", "token", "07700", "Rita", "example.org"}) {
        EXPECT_EQ(r.body.find(secret), std::string::npos) << secret << " in " << r.body;
    }
    EXPECT_EQ(r.body.find("\"" + someone_else + "\""), std::string::npos);

    // An address without reports gets a link to an empty list.
    const auto none = links_to("nobody@example.org", 1);
    ASSERT_EQ(none.size(), 1U);
    const auto empty = testing::http_get(server->port(), "/api/my-reports/" + none[0]);
    ASSERT_EQ(empty.status, 200);
    EXPECT_EQ(json::parse(empty.body)["reports"], json::array());

    // Only the token's SHA-256 is stored; an expired link is refused.
    {
        auto conn = store::Database::open(db_path);
        EXPECT_EQ(conn.query_int("SELECT count(*) FROM my_reports_links WHERE token_sha256 = '" +
                                 links[0] + "' OR email = '" + links[0] + "'"),
                  0);
        EXPECT_EQ(conn.query_int("SELECT count(*) FROM my_reports_links WHERE email = "
                                 "'rita@example.org' AND expires_at > created_at"),
                  1);
        conn.exec("UPDATE my_reports_links SET expires_at = '2026-01-01T00:00:00Z' WHERE email "
                  "= 'nobody@example.org'");
    }
    const auto expired = testing::http_get(server->port(), "/api/my-reports/" + none[0]);
    EXPECT_EQ(expired.status, 404);
    EXPECT_EQ(expired.header("content-type"), "application/problem+json");
    EXPECT_EQ(testing::http_get(server->port(), "/api/my-reports/not-a-real-token").status, 404);
}

TEST_F(MyReports, BadAddressesAreRefusedAndAskingIsRateLimited) {
    const auto bad = ask(R"({"email": "not an address"})");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(json::parse(bad.body)["errors"][0]["name"], "email");
    EXPECT_EQ(ask(R"({"mail": "x@example.org"})").status, 400);
    EXPECT_EQ(testing::http_request(server->port(), "POST", "/api/my-reports", "email=x",
                                    {{"Content-Type", "application/x-www-form-urlencoded"}})
                  .status,
              415);

    // Three links an hour for one address (the first test asked once for it).
    EXPECT_EQ(ask(R"({"email": "busy@example.org"})").status, 202);
    EXPECT_EQ(ask(R"({"email": "BUSY@example.org"})").status, 202);
    EXPECT_EQ(ask(R"({"email": "busy@example.org"})").status, 202);
    const auto limited = ask(R"({"email": "busy@example.org"})");
    ASSERT_EQ(limited.status, 429) << limited.body;
    EXPECT_EQ(limited.header("content-type"), "application/problem+json");
    EXPECT_EQ(json::parse(limited.body)["type"], "urn:wardmap:problem:rate-limited");
    EXPECT_GE(std::stoi(limited.header("retry-after")), 1);
}

} // namespace
} // namespace wardmap
