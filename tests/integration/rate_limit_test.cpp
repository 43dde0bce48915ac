// Rate limits on API keys over real HTTP: a key's per-address and per-key token buckets,
// the demo web client's own limit, 429 with Retry-After in Open311's error format, and the
// client address taken from the socket unless --trust-proxy lets X-Forwarded-For name it.

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <string>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::HttpResponse;

class RateLimits : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        const auto point = testing::make_demo_store(db_path);
        ASSERT_TRUE(point);
        where = point->lat_long();
    }
    static void TearDownTestSuite() { delete tmp; }

    static std::string add_key(const std::vector<std::string>& extra) {
        std::vector<std::string> args{"keys", "add", "--db", db_path.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        std::string out;
        EXPECT_EQ(testing::run_wardmap(args, &out), 0) << out;
        out.erase(out.find_last_not_of("\r\n") + 1);
        return out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
    }
    static HttpResponse create(std::uint16_t port,
                               const std::string& key,
                               const std::string& forwarded_for = "",
                               const std::string& ext = "json") {
        std::vector<std::pair<std::string, std::string>> headers{
            {"Content-Type", "application/x-www-form-urlencoded"}};
        if (!forwarded_for.empty()) {
            headers.emplace_back("X-Forwarded-For", forwarded_for);
        }
        return testing::http_request(
            port, "POST", "/open311/v2/requests." + ext,
            "api_key=" + key + "&service_code=litter&description=Tag+on+the+wall&" + where,
            headers);
    }
    static void expect_limited(const HttpResponse& r) {
        ASSERT_EQ(r.status, 429) << r.body;
        const int retry = std::stoi(r.header("retry-after"));
        EXPECT_GE(retry, 1);
        EXPECT_LE(retry, 86400);
        const auto body = json::parse(r.body);
        ASSERT_TRUE(body.is_array()) << r.body;
        ASSERT_EQ(body.size(), 1U);
        EXPECT_EQ(body[0]["code"], 429);
        EXPECT_NE(body[0]["description"].get<std::string>().find("rate limit"), std::string::npos)
            << r.body;
    }

    static inline testing::TempDir* tmp = nullptr;
    static inline std::filesystem::path db_path;
    static inline std::string where;
};

TEST_F(RateLimits, TheDemoWebKeyIsLimitedPerAddress) {
    testing::ServerProcess server(db_path, {"--no-access-log"});
    int accepted = 0;
    HttpResponse last;
    for (int i = 0; i < 30; ++i) {
        last = create(server.port(), "demo-web-key");
        if (last.status != 200) {
            break;
        }
        ++accepted;
    }
    // 10/min from one address; a token comes back every 6 s, so a slow machine may see one more.
    EXPECT_GE(accepted, 10) << last.body;
    EXPECT_LE(accepted, 12) << last.body;
    expect_limited(last);
    // Other keys are not limited by the web client's bucket.
    EXPECT_EQ(create(server.port(), "demo-client-key").status, 200);
    // XML clients get the same error as XML.
    const auto xml = create(server.port(), "demo-web-key", "", "xml");
    EXPECT_EQ(xml.status, 429);
    EXPECT_NE(xml.body.find("<errors><error><code>429</code><description>"), std::string::npos)
        << xml.body;
    EXPECT_FALSE(xml.header("retry-after").empty());
}

TEST_F(RateLimits, PerAddressAndPerKeyLimitsFromTheCli) {
    const std::string key =
        add_key({"--name", "Busy CRM", "--rate-limit", "3/hour", "--key-rate-limit", "5/day"});
    std::string listing;
    ASSERT_EQ(testing::run_wardmap({"keys", "list", "--db", db_path.string()}, &listing), 0);
    EXPECT_NE(listing.find("Busy CRM\tclient\tapp"), std::string::npos) << listing;
    EXPECT_NE(listing.find("3/hour per address, 5/day per key"), std::string::npos) << listing;

    // Behind nginx (--trust-proxy) the client is the last X-Forwarded-For address.
    testing::ServerProcess proxied(db_path, {"--no-access-log", "--trust-proxy"});
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(create(proxied.port(), key, "203.0.113.7").status, 200);
    }
    expect_limited(create(proxied.port(), key, "203.0.113.7"));
    // A client cannot escape by naming another address first: nginx appends the real one.
    expect_limited(create(proxied.port(), key, "198.51.100.1, 203.0.113.7"));
    // Another address has its own bucket, until the key's own limit (5/day) is spent.
    EXPECT_EQ(create(proxied.port(), key, "203.0.113.8").status, 200);
    EXPECT_EQ(create(proxied.port(), key, "203.0.113.9").status, 200);
    const auto spent = create(proxied.port(), key, "203.0.113.10");
    expect_limited(spent);
    EXPECT_GT(std::stoi(spent.header("retry-after")), 3600); // a token every 4.8 hours

    // Without --trust-proxy the header is ignored: every request is from 127.0.0.1.
    const std::string other = add_key({"--name", "Spoofer", "--rate-limit", "2/hour"});
    testing::ServerProcess direct(db_path, {"--no-access-log"});
    EXPECT_EQ(create(direct.port(), other, "192.0.2.1").status, 200);
    EXPECT_EQ(create(direct.port(), other, "192.0.2.2").status, 200);
    expect_limited(create(direct.port(), other, "192.0.2.3"));
}

TEST_F(RateLimits, BadLimitsAreRefusedByTheCli) {
    std::string out;
    EXPECT_NE(testing::run_wardmap({"keys", "add", "--db", db_path.string(), "--name", "X",
                                    "--rate-limit", "ten a minute"},
                                   &out),
              0);
    EXPECT_NE(out.find("rate"), std::string::npos) << out;
    EXPECT_NE(testing::run_wardmap({"keys", "add", "--db", db_path.string(), "--name", "Y",
                                    "--key-rate-limit", "0/min"},
                                   &out),
              0);
}

} // namespace
} // namespace wardmap
