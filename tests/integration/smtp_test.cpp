// Notifications delivered by SMTP to a real SMTP server on a real socket: Debian's aiosmtpd
// (tests/integration/smtp_sink.py) started here, the real wardmap server in front of it.
// Checks what arrives (envelope, To, Subject, body, nothing internal), that a 5xx refusal is
// marked failed and never retried, that a stopped mail server means retries and later
// delivery, SMTP AUTH, and that --smtp-require-tls refuses to send in clear text.

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using Fields = std::vector<std::pair<std::string, std::string>>;

constexpr const char* debian_python = "/usr/bin/python3"; // where python3-aiosmtpd lives

std::string form(const Fields& fields) {
    std::string out;
    for (const auto& [name, value] : fields) {
        out += out.empty() ? "" : "&";
        for (const std::string* s : {&name, &value}) {
            for (const unsigned char c : *s) {
                if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_') {
                    out += static_cast<char>(c);
                } else {
                    constexpr const char* hex = "0123456789ABCDEF";
                    out += '%';
                    out += hex[c >> 4];
                    out += hex[c & 15];
                }
            }
            out += s == &name ? "=" : "";
        }
    }
    return out;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

/// Waits (bounded) until `ready` holds; true when it did.
template <class F> bool wait_for(F ready, int tenths = 300) {
    for (int i = 0; i < tenths; ++i) {
        if (ready()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return ready();
}

/// tests/integration/smtp_sink.py as a child process, saving messages to `folder`.
class SmtpSink {
  public:
    SmtpSink(std::filesystem::path folder, int port = 0, const std::string& auth = "")
        : m_folder(std::move(folder)) {
        const auto port_file = m_folder.parent_path() / (m_folder.filename().string() + ".port");
        std::filesystem::remove(port_file);
        const std::string script =
            (testing::source_dir() / "tests" / "integration" / "smtp_sink.py").string();
        std::vector<std::string> args{debian_python,        script,        "--port",
                                      std::to_string(port), "--port-file", port_file.string()};
        if (!auth.empty()) {
            args.insert(args.end(), {"--auth", auth});
        }
        args.push_back(m_folder.string());
        m_pid = ::fork();
        if (m_pid == 0) {
            std::vector<char*> argv;
            for (auto& a : args) {
                argv.push_back(a.data());
            }
            argv.push_back(nullptr);
            ::execv(debian_python, argv.data());
            ::_exit(127);
        }
        if (!wait_for([&] { return std::filesystem::exists(port_file); })) {
            throw std::runtime_error("the SMTP sink did not start (is python3-aiosmtpd "
                                     "installed? run scripts/setup)");
        }
        m_port = std::stoi(read_file(port_file));
    }
    ~SmtpSink() { stop(); }
    SmtpSink(const SmtpSink&) = delete;
    SmtpSink& operator=(const SmtpSink&) = delete;

    void stop() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            int status = 0;
            ::waitpid(m_pid, &status, 0);
            m_pid = -1;
        }
    }
    [[nodiscard]] int port() const { return m_port; }
    /// Every message received so far whose text holds `needle`.
    [[nodiscard]] std::vector<std::string> messages_with(const std::string& needle) const {
        std::vector<std::string> out;
        if (!std::filesystem::exists(m_folder)) {
            return out;
        }
        for (const auto& f : std::filesystem::directory_iterator(m_folder)) {
            if (f.path().extension() == ".eml") {
                auto text = read_file(f.path());
                if (text.find(needle) != std::string::npos) {
                    out.push_back(std::move(text));
                }
            }
        }
        return out;
    }

  private:
    std::filesystem::path m_folder;
    pid_t m_pid = -1;
    int m_port = 0;
};

class Smtp : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        const auto point = testing::make_demo_store(db_path);
        ASSERT_TRUE(point);
        lon = point->lon;
        lat = point->lat;
    }
    static void TearDownTestSuite() { delete tmp; }

    /// A wardmap server on its own copy of the demo database, delivering through `url`.
    static std::unique_ptr<testing::ServerProcess> serve(const std::string& name,
                                                         const std::string& url,
                                                         std::vector<std::string> extra = {},
                                                         const std::vector<std::string>& env = {}) {
        const auto db = tmp->path() / (name + ".sqlite");
        std::filesystem::copy_file(db_path, db);
        std::vector<std::string> args{"--no-access-log",
                                      "--smtp-url",
                                      url,
                                      "--mail-from",
                                      "Chorley Council <no-reply@chorley.gov.uk>",
                                      "--mail-interval-seconds",
                                      "1",
                                      "--mail-retry-seconds",
                                      "1"};
        args.insert(args.end(), extra.begin(), extra.end());
        return std::make_unique<testing::ServerProcess>(db, args, env);
    }
    static std::string db_of(const std::string& name) {
        return (tmp->path() / (name + ".sqlite")).string();
    }
    static std::string ll(double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.7f", v);
        return buf;
    }
    /// A fly-tipping report with the reporter's contact details; returns its id.
    static std::string report(std::uint16_t port, const std::string& email) {
        const auto r =
            testing::http_request(port, "POST", "/open311/v2/requests.json",
                                  form({{"api_key", "demo-client-key"},
                                        {"service_code", "fly_tipping"},
                                        {"lat", ll(lat)},
                                        {"long", ll(lon)},
                                        {"email", email},
                                        {"first_name", "Rita"},
                                        {"last_name", "Resident"},
                                        {"phone", "07700 900123"},
                                        {"description", "Sofa dumped by the brook"},
                                        {"attribute[waste_type][]", "furniture"},
                                        {"attribute[amount]", "car_boot"}}),
                                  {{"Content-Type", "application/x-www-form-urlencoded"}});
        EXPECT_EQ(r.status, 200) << r.body;
        return json::parse(r.body)[0]["service_request_id"].get<std::string>();
    }
    static void update(std::uint16_t port,
                       const std::string& id,
                       const std::string& update_id,
                       const std::string& status,
                       const std::string& description) {
        const std::time_t now = std::time(nullptr) - 5;
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
        const auto r =
            testing::http_request(port, "POST", "/open311/v2/servicerequestupdates.json",
                                  form({{"api_key", "demo-staff-key"},
                                        {"service_request_id", id},
                                        {"update_id", update_id},
                                        {"status", status},
                                        {"updated_datetime", stamp},
                                        {"description", description}}),
                                  {{"Content-Type", "application/x-www-form-urlencoded"}});
        ASSERT_EQ(r.status, 200) << r.body;
    }
    static std::string outbox(const std::string& name, const std::string& sql) {
        auto conn = store::Database::open(db_of(name), {.mode = store::OpenMode::read_only});
        return conn.query_text(sql).value_or("(null)");
    }

    static inline testing::TempDir* tmp = nullptr;
    static inline std::filesystem::path db_path;
    static inline double lon = 0;
    static inline double lat = 0;
};

TEST_F(Smtp, StatusChangesArriveAtTheMailServerAndA5xxIsNotRetried) {
    SmtpSink sink(tmp->path() / "sink-a");
    const auto server = serve("a", "smtp://127.0.0.1:" + std::to_string(sink.port()));
    const auto port = server->port();
    const std::string id = report(port, "resident@example.org");
    ASSERT_EQ(testing::http_request(port, "POST", "/api/requests/" + id + "/followers",
                                    R"({"email": "refused-neighbour@example.org"})",
                                    {{"Content-Type", "application/json"}})
                  .status,
              202); // its confirmation is refused by the mail server, so it never confirms
    update(port, id, "smtp-1", "IN_PROGRESS", "Crew on the way");

    ASSERT_TRUE(wait_for([&] { return !sink.messages_with("Crew on the way").empty(); }))
        << server->output();
    const auto mails = sink.messages_with("Crew on the way");
    ASSERT_EQ(mails.size(), 1U); // the follower never confirmed
    const std::string& m = mails.front();
    EXPECT_NE(m.find("X-Envelope-From: no-reply@chorley.gov.uk\r\n"), std::string::npos) << m;
    EXPECT_NE(m.find("X-Envelope-To: resident@example.org\r\n"), std::string::npos) << m;
    EXPECT_NE(m.find("\r\nFrom: Chorley Council <no-reply@chorley.gov.uk>\r\n"), std::string::npos);
    EXPECT_NE(m.find("\r\nTo: <resident@example.org>\r\n"), std::string::npos) << m;
    EXPECT_NE(m.find("\r\nSubject: Your Fly-tipping report " + id + " is now in progress\r\n"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("The Fly-tipping report " + id + " is now: in progress."), std::string::npos);
    EXPECT_NE(m.find("Content-Type: text/plain; charset=utf-8"), std::string::npos);
    EXPECT_TRUE(
        std::regex_search(m, std::regex("\r\nMessage-ID: <[0-9a-f.]{33}@chorley\\.gov\\.uk>\r\n")))
        << m;
    // Nothing internal or personal beyond the recipient's own address.
    for (const char* leak : {"Rita", "07700", "demo-staff-key", "staff:", "smtp-1", "outbox",
                             "refused-neighbour", "sqlite", "attempt"}) {
        EXPECT_EQ(m.find(leak), std::string::npos) << leak << " in\n" << m;
    }

    // The refused follower's confirmation is failed for good, after one attempt, and its
    // body (with the link) is gone.
    const std::string refused = "FROM notification_outbox WHERE recipient = "
                                "'refused-neighbour@example.org'";
    ASSERT_TRUE(wait_for([&] { return outbox("a", "SELECT failed_at " + refused) != "(null)"; }));
    EXPECT_NE(outbox("a", "SELECT last_error " + refused).find("550"), std::string::npos);
    EXPECT_EQ(outbox("a", "SELECT body " + refused), "");
    // Another change goes through later passes; the refused one is never tried again.
    update(port, id, "smtp-2", "FIXED", "Cleared today");
    ASSERT_TRUE(wait_for([&] { return !sink.messages_with("Cleared today").empty(); }));
    EXPECT_EQ(outbox("a", "SELECT count(*) " + refused), "1");
    EXPECT_EQ(outbox("a", "SELECT max(attempts) " + refused), "1");
    EXPECT_EQ(outbox("a", "SELECT count(*) FROM notification_outbox WHERE recipient = "
                          "'resident@example.org' AND sent_at IS NOT NULL AND attempts = 1"),
              "2");
}

/// The token of the first `path` link (".../api/follow/confirm/TOKEN") in a message.
std::string link_token(const std::string& mail, const std::string& path) {
    std::smatch m;
    const std::regex link(path + "([A-Za-z0-9_-]+)");
    return std::regex_search(mail, m, link) ? m[1].str() : "";
}

/// A mail link's page in the residents' site look (web-client's header and stylesheet, whose
/// CSP lets the stylesheet load), titled `title`, linking on to the report's public ward page
/// and the local reports, with no script.
void expect_site_page(const testing::HttpResponse& page, const std::string& title) {
    const std::string& html = page.body;
    EXPECT_NE(html.find("<html lang=\"en-GB\">"), std::string::npos) << html;
    EXPECT_NE(html.find("<link rel=\"stylesheet\" href=\"/css/base.css\">"), std::string::npos)
        << html;
    EXPECT_NE(html.find("<header class=\"site-header\"><a class=\"brand\" href=\"/\">"),
              std::string::npos)
        << html;
    EXPECT_NE(html.find("<a class=\"skip-link\" href=\"#main\">"), std::string::npos) << html;
    EXPECT_NE(html.find("<main id=\"main\"><h1>" + title + "</h1>"), std::string::npos) << html;
    EXPECT_NE(html.find("<title>" + title + " \u2013 "), std::string::npos) << html;
    // The demo catalogue's council, as in the web client's header.
    EXPECT_NE(html.find("Chorley Council <span>wardmap</span>"), std::string::npos) << html;
    // The report is public, so the page links to its ward's page (a GSS code) and the map.
    EXPECT_TRUE(std::regex_search(html, std::regex("href=\"/ward\\.html\\?code=E05[0-9]{6}\"")))
        << html;
    EXPECT_NE(html.find("href=\"/reports.html\""), std::string::npos) << html;
    EXPECT_EQ(html.find("<script"), std::string::npos) << html;
    EXPECT_EQ(html.find("/track.html"), std::string::npos) << html;
    const auto csp = page.header("content-security-policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("style-src 'self'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("script-src"), std::string::npos) << csp;
}

TEST_F(Smtp, FollowingIsConfirmedByAPostedLinkAndEveryStatusMailCanUnsubscribe) {
    SmtpSink sink(tmp->path() / "sink-f");
    const auto server = serve("f", "smtp://127.0.0.1:" + std::to_string(sink.port()),
                              {"--public-url", "https://reports.example.gov.uk/"});
    const auto port = server->port();
    const std::string id = report(port, "Reporter@Example.org");
    const auto follow = [&](const std::string& email) {
        return testing::http_request(port, "POST", "/api/requests/" + id + "/followers",
                                     json{{"email", email}}.dump(),
                                     {{"Content-Type", "application/json"}});
    };
    const auto first = follow(" Neighbour@Example.ORG ");
    ASSERT_EQ(first.status, 202) << first.body;
    EXPECT_EQ(json::parse(first.body)["accepted"], true);

    // One confirmation message, and its link's token is stored only as a hash.
    ASSERT_TRUE(wait_for([&] { return !sink.messages_with("Subject: Confirm: follow").empty(); }))
        << server->output();
    const auto confirmations = sink.messages_with("Subject: Confirm: follow");
    ASSERT_EQ(confirmations.size(), 1U);
    EXPECT_NE(confirmations[0].find("\r\nTo: <neighbour@example.org>\r\n"), std::string::npos);
    const std::string confirm_path = "https://reports.example.gov.uk/api/follow/confirm/";
    const std::string token = link_token(confirmations[0], confirm_path);
    ASSERT_GE(token.size(), 40U) << confirmations[0];
    const std::string follower = "FROM service_request_followers WHERE email = "
                                 "'neighbour@example.org'";
    EXPECT_EQ(outbox("f", "SELECT confirmed_at " + follower), "(null)");
    EXPECT_EQ(outbox("f", "SELECT count(*) " + follower + " AND confirm_sha256 LIKE '%" +
                              token.substr(0, 12) + "%'"),
              "0");
    // Sent: the body with the link is cleared, the record stays.
    ASSERT_TRUE(wait_for([&] {
        return outbox("f", "SELECT body FROM notification_outbox WHERE subject LIKE 'Confirm%' "
                           "AND sent_at IS NOT NULL") == "";
    }));

    // Before confirming, a status change reaches the reporter only.
    update(port, id, "follow-1", "INVESTIGATING", "Having a look");
    ASSERT_TRUE(wait_for([&] { return !sink.messages_with("Having a look").empty(); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    ASSERT_EQ(sink.messages_with("Having a look").size(), 1U);
    EXPECT_NE(sink.messages_with("Having a look")[0].find("To: <reporter@example.org>"),
              std::string::npos);

    // GET shows a page and confirms nothing (a mail scanner fetching the link); POST does.
    const std::string page_path = "/api/follow/confirm/" + token;
    for (int i = 0; i < 2; ++i) {
        const auto page = testing::http_get(port, page_path);
        ASSERT_EQ(page.status, 200) << page.body;
        EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
        EXPECT_NE(page.body.find("<form method=\"post\">"), std::string::npos) << page.body;
        EXPECT_EQ(page.header("cache-control"), "no-store");
        expect_site_page(page, "Confirm following this report");
    }
    EXPECT_EQ(outbox("f", "SELECT confirmed_at " + follower), "(null)");
    const auto confirmed = testing::http_request(port, "POST", page_path, "", {});
    ASSERT_EQ(confirmed.status, 200) << confirmed.body;
    EXPECT_NE(confirmed.body.find("You are following this report"), std::string::npos);
    expect_site_page(confirmed, "You are following this report");
    for (const char* secret : {"neighbour@example.org", "reporter@example.org"}) {
        EXPECT_EQ(confirmed.body.find(secret), std::string::npos) << secret;
    }
    EXPECT_NE(outbox("f", "SELECT confirmed_at " + follower), "(null)");
    // The link works once.
    EXPECT_EQ(testing::http_request(port, "POST", page_path, "", {}).status, 404);
    EXPECT_EQ(testing::http_get(port, page_path).status, 404);
    EXPECT_EQ(
        testing::http_request(port, "POST", page_path, "", {{"Accept", "application/json"}}).status,
        404);

    // Asking again once following: the same answer, and no message at all.
    const auto again = follow("neighbour@example.org");
    ASSERT_EQ(again.status, 202);
    EXPECT_EQ(again.body, first.body);
    EXPECT_EQ(outbox("f", "SELECT count(*) FROM notification_outbox WHERE recipient = "
                          "'neighbour@example.org'"),
              "1");

    // Now both get the change, each with its own unsubscribe link.
    update(port, id, "follow-2", "ACTION_SCHEDULED", "Crew booked");
    ASSERT_TRUE(wait_for([&] { return sink.messages_with("Crew booked").size() == 2; }))
        << server->output();
    std::string neighbour_token;
    std::string reporter_token;
    const std::string unsubscribe_path = "https://reports.example.gov.uk/api/unsubscribe/";
    for (const auto& m : sink.messages_with("Crew booked")) {
        auto& t = m.find("To: <neighbour@example.org>") != std::string::npos ? neighbour_token
                                                                             : reporter_token;
        t = link_token(m, unsubscribe_path);
    }
    ASSERT_FALSE(neighbour_token.empty());
    ASSERT_FALSE(reporter_token.empty());
    EXPECT_NE(neighbour_token, reporter_token);

    // Unsubscribing: GET shows, POST stops (JSON for a script); twice is harmless.
    const auto shown = testing::http_get(port, "/api/unsubscribe/" + neighbour_token);
    ASSERT_EQ(shown.status, 200);
    EXPECT_NE(shown.body.find("<form method=\"post\">"), std::string::npos);
    expect_site_page(shown, "Stop messages about this report");
    EXPECT_EQ(shown.body.find(neighbour_token), std::string::npos);
    EXPECT_NE(outbox("f", "SELECT count(*) " + follower), "0");
    for (const auto& t : {neighbour_token, reporter_token, reporter_token}) {
        const auto stopped = testing::http_request(port, "POST", "/api/unsubscribe/" + t, "",
                                                   {{"Accept", "application/json"}});
        ASSERT_EQ(stopped.status, 200) << stopped.body;
        EXPECT_EQ(json::parse(stopped.body)["unsubscribed"], true);
        EXPECT_EQ(json::parse(stopped.body)["service_request_id"], id);
    }
    EXPECT_EQ(outbox("f", "SELECT count(*) " + follower), "0");
    const auto unknown = testing::http_get(port, "/api/unsubscribe/not-a-token");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_NE(unknown.body.find("class=\"site-header\""), std::string::npos) << unknown.body;
    EXPECT_EQ(unknown.body.find("/ward.html"), std::string::npos) << unknown.body;
    update(port, id, "follow-3", "FIXED", "All gone");
    EXPECT_EQ(outbox("f", "SELECT count(*) FROM notification_outbox WHERE subject LIKE '%is now "
                          "fixed'"),
              "0");
}

TEST_F(Smtp, UnconfirmedFollowersLapseAndAskingIsRateLimited) {
    SmtpSink sink(tmp->path() / "sink-g");
    const auto server = serve("g", "smtp://127.0.0.1:" + std::to_string(sink.port()));
    const auto port = server->port();
    const std::string id = report(port, "owner@example.org");
    const auto follow = [&](const std::string& email) {
        return testing::http_request(port, "POST", "/api/requests/" + id + "/followers",
                                     json{{"email", email}}.dump(),
                                     {{"Content-Type", "application/json"}});
    };
    ASSERT_EQ(follow("late@example.org").status, 202);
    ASSERT_TRUE(wait_for([&] { return !sink.messages_with("To: <late@example.org>").empty(); }));
    const std::string token =
        link_token(sink.messages_with("To: <late@example.org>")[0], "/api/follow/confirm/");
    ASSERT_FALSE(token.empty());
    {
        // A day and more later.
        auto conn = store::Database::open(db_of("g"));
        conn.exec("UPDATE service_request_followers SET confirm_expires_at = "
                  "'2020-01-01T00:00:00Z' WHERE email = 'late@example.org'");
    }
    EXPECT_EQ(testing::http_get(port, "/api/follow/confirm/" + token).status, 404);
    EXPECT_EQ(testing::http_request(port, "POST", "/api/follow/confirm/" + token, "", {}).status,
              404);
    // The next request to follow sweeps lapsed rows away.
    ASSERT_EQ(follow("other@example.org").status, 202);
    EXPECT_EQ(outbox("g", "SELECT count(*) FROM service_request_followers WHERE email = "
                          "'late@example.org'"),
              "0");

    // Per email address: 3 an hour, whatever the request; then 429 with Retry-After.
    ASSERT_EQ(follow("busy@example.org").status, 202);
    ASSERT_EQ(follow("BUSY@example.org").status, 202);
    ASSERT_EQ(follow("busy@example.org").status, 202);
    const auto limited = follow("busy@example.org");
    ASSERT_EQ(limited.status, 429) << limited.body;
    EXPECT_EQ(limited.header("content-type"), "application/problem+json");
    EXPECT_GT(std::stoi(limited.header("retry-after")), 0);
    EXPECT_EQ(json::parse(limited.body)["type"], "urn:wardmap:problem:rate-limited");
    // Per client address: 10 an hour (6 asked so far, the refused one included).
    for (int i = 0; i < 4; ++i) {
        ASSERT_EQ(follow("n" + std::to_string(i) + "@example.org").status, 202) << i;
    }
    EXPECT_EQ(follow("n9@example.org").status, 429);
    EXPECT_EQ(outbox("g", "SELECT count(*) FROM notification_outbox WHERE recipient LIKE "
                          "'busy@%'"),
              "3");
}

TEST_F(Smtp, AStoppedMailServerMeansRetriesThenLaterDelivery) {
    auto sink = std::make_unique<SmtpSink>(tmp->path() / "sink-b");
    const int smtp_port = sink->port();
    const auto server = serve("b", "smtp://127.0.0.1:" + std::to_string(smtp_port));
    const auto port = server->port();
    const std::string id = report(port, "patient@example.org");
    sink->stop(); // the mail server goes down
    update(port, id, "down-1", "ACTION_SCHEDULED", "Booked for Thursday");
    const std::string row = "FROM notification_outbox WHERE recipient = 'patient@example.org'";
    ASSERT_TRUE(wait_for([&] { return outbox("b", "SELECT attempts " + row) >= "2"; }))
        << server->output(); // tried, failed, retried with backoff
    EXPECT_EQ(outbox("b", "SELECT sent_at " + row), "(null)");
    EXPECT_EQ(outbox("b", "SELECT failed_at " + row), "(null)");
    EXPECT_NE(outbox("b", "SELECT last_error " + row), "(null)");

    sink = std::make_unique<SmtpSink>(tmp->path() / "sink-b", smtp_port); // back up
    ASSERT_TRUE(wait_for([&] { return !sink->messages_with("Booked for Thursday").empty(); }, 600))
        << server->output();
    EXPECT_EQ(sink->messages_with("Booked for Thursday").size(), 1U);
    ASSERT_TRUE(wait_for([&] { return outbox("b", "SELECT sent_at " + row) != "(null)"; }));
    EXPECT_EQ(outbox("b", "SELECT last_error " + row), "(null)");
}

TEST_F(Smtp, AuthUsesTheUserAndThePasswordFromTheEnvironment) {
    SmtpSink sink(tmp->path() / "sink-c", 0, "wardmap:s3cret pass");
    const std::string url = "smtp://127.0.0.1:" + std::to_string(sink.port());
    const auto good =
        serve("c", url, {"--smtp-user", "wardmap"}, {"WARDMAP_SMTP_PASSWORD=s3cret pass"});
    update(good->port(), report(good->port(), "authed@example.org"), "auth-1", "INVESTIGATING",
           "Looking into it");
    ASSERT_TRUE(wait_for([&] { return !sink.messages_with("Looking into it").empty(); }))
        << good->output();

    // A wrong password is the council's configuration to fix: kept and retried, not failed.
    const auto bad = serve("d", url, {"--smtp-user", "wardmap"}, {"WARDMAP_SMTP_PASSWORD=wrong"});
    update(bad->port(), report(bad->port(), "waiting@example.org"), "auth-2", "INVESTIGATING",
           "Not with that password");
    const std::string row = "FROM notification_outbox WHERE recipient = 'waiting@example.org'";
    ASSERT_TRUE(wait_for([&] { return outbox("d", "SELECT attempts " + row) >= "2"; }))
        << bad->output();
    EXPECT_EQ(outbox("d", "SELECT failed_at " + row), "(null)");
    EXPECT_TRUE(sink.messages_with("Not with that password").empty());
}

TEST_F(Smtp, RequiredTlsIsNeverSkipped) {
    SmtpSink sink(tmp->path() / "sink-e"); // offers no STARTTLS
    const auto server =
        serve("e", "smtp://127.0.0.1:" + std::to_string(sink.port()), {"--smtp-require-tls"});
    update(server->port(), report(server->port(), "careful@example.org"), "tls-1", "INVESTIGATING",
           "Sent only over TLS");
    const std::string row = "FROM notification_outbox WHERE recipient = 'careful@example.org'";
    ASSERT_TRUE(wait_for([&] { return outbox("e", "SELECT attempts " + row) >= "1"; }))
        << server->output();
    EXPECT_EQ(outbox("e", "SELECT sent_at " + row), "(null)");
    EXPECT_EQ(outbox("e", "SELECT failed_at " + row), "(null)"); // retried once TLS works
    EXPECT_TRUE(sink.messages_with("Sent only over TLS").empty());
}

TEST_F(Smtp, ABadSmtpUrlStopsTheServerAtStart) {
    std::string output;
    EXPECT_NE(testing::run_wardmap({"serve", "--port", "0", "--db", db_of("bad-url"), "--smtp-url",
                                    "http://127.0.0.1:25"},
                                   &output),
              0);
    EXPECT_NE(output.find("smtp://"), std::string::npos) << output;
}

// Local alerts without an account (docs/my-area.md): two neighbours ask for the reports within
// 300 m of the demo point; each gets one confirmation and nothing more until its link is
// POSTed. Then a new report there brings each one alert, naming the report's category but
// nothing of its reporter, with an unsubscribe link; the first neighbour uses it, and the next
// report reaches the second neighbour only (its mail proves the alert pass ran after it).
TEST_F(Smtp, LocalAlertsAreConfirmedByLinkAndStopWithTheUnsubscribeLink) {
    SmtpSink sink(tmp->path() / "sink-alerts");
    const auto server = serve("alerts", "smtp://127.0.0.1:" + std::to_string(sink.port()),
                              {"--public-url", "https://reports.example.gov.uk/"});
    const auto port = server->port();
    const auto post = [&](const std::string& path, const std::string& body,
                          const std::string& type) {
        return testing::http_request(port, "POST", path, body, {{"Content-Type", type}});
    };
    const auto mails_to = [&](const std::string& who, const std::string& subject) {
        std::vector<std::string> out;
        for (auto& m : sink.messages_with("Subject: " + subject)) {
            if (m.find("To: <" + who + ">") != std::string::npos) {
                out.push_back(std::move(m));
            }
        }
        return out;
    };
    const std::string confirm_path = "https://reports.example.gov.uk/api/alerts/confirm/";
    const std::string unsubscribe_path = "https://reports.example.gov.uk/api/alerts/unsubscribe/";
    for (const std::string who : {"first@example.org", "second@example.org"}) {
        const auto asked = post("/api/alerts",
                                json{{"email", who},
                                     {"lon", lon},
                                     {"lat", lat},
                                     {"distance", 300},
                                     {"kinds", {"reports"}}}
                                    .dump(),
                                "application/json");
        ASSERT_EQ(asked.status, 202) << asked.body;
        ASSERT_TRUE(wait_for([&] { return !mails_to(who, "Confirm your local alert").empty(); }))
            << who;
        const auto token =
            link_token(mails_to(who, "Confirm your local alert").at(0), confirm_path);
        ASSERT_FALSE(token.empty());
        // The GET shows a button and confirms nothing; the POST confirms.
        const auto page = testing::http_get(port, "/api/alerts/confirm/" + token);
        EXPECT_EQ(page.status, 200);
        EXPECT_NE(page.body.find("within 300 m of"), std::string::npos) << page.body;
        EXPECT_NE(page.body.find("<form method=\"post\">"), std::string::npos);
        EXPECT_EQ(page.body.find("<script"), std::string::npos);
        EXPECT_EQ(outbox("alerts", "SELECT count(*) FROM area_alerts WHERE confirmed_at IS NOT "
                                   "NULL AND email = '" +
                                       who + "'"),
                  "0");
        const auto confirmed = post("/api/alerts/confirm/" + token, "", "text/plain");
        EXPECT_EQ(confirmed.status, 200) << confirmed.body;
        EXPECT_NE(confirmed.body.find("Your local alert is on"), std::string::npos);
        // The link works once.
        EXPECT_EQ(post("/api/alerts/confirm/" + token, "", "text/plain").status, 404);
    }

    const std::string id = report(port, "rita@example.org");
    const std::string subject = "New in your area";
    ASSERT_TRUE(wait_for([&] {
        return !mails_to("first@example.org", subject).empty() &&
               !mails_to("second@example.org", subject).empty();
    }));
    const auto alert = mails_to("first@example.org", subject);
    ASSERT_EQ(alert.size(), 1U);
    EXPECT_NE(alert[0].find("Report " + id + ": "), std::string::npos) << alert[0];
    for (const char* leak : {"Rita", "rita@", "07700", "Sofa dumped"}) {
        EXPECT_EQ(alert[0].find(leak), std::string::npos) << leak << "\n" << alert[0];
    }
    const auto unsubscribe = link_token(alert[0], unsubscribe_path);
    ASSERT_FALSE(unsubscribe.empty()) << alert[0];
    const auto stop_page = testing::http_get(port, "/api/alerts/unsubscribe/" + unsubscribe);
    EXPECT_EQ(stop_page.status, 200);
    EXPECT_NE(stop_page.body.find("Stop this local alert"), std::string::npos);
    const auto stopped = post("/api/alerts/unsubscribe/" + unsubscribe, "", "text/plain");
    EXPECT_EQ(stopped.status, 200) << stopped.body;
    EXPECT_NE(stopped.body.find("Messages stopped"), std::string::npos);

    const std::string later = report(port, "rita@example.org");
    ASSERT_TRUE(wait_for([&] {
        for (const auto& m : mails_to("second@example.org", subject)) {
            if (m.find("Report " + later + ": ") != std::string::npos) {
                return true;
            }
        }
        return false;
    }));
    EXPECT_EQ(mails_to("first@example.org", subject).size(), 1U);
    EXPECT_EQ(mails_to("second@example.org", subject).size(), 2U);
}

} // namespace
} // namespace wardmap
