// OpenID Connect sign-in against a real provider: Debian's glewlwyd started on loopback by
// tests/support/oidc/glewlwyd_provider.py, the real wardmap server configured with --oidc-*,
// and the harness's `login` playing the browser. Checks the authorization request wardmap
// sends, whole sign-ins (a person matched by email, one provisioned by the email-domain rule,
// a disabled person refused), and that tampered callbacks (state unknown or reused, another
// browser, a code from another sign-in, a provider error, an unverified email) open no
// session and leave a log line naming the reason but never the code or the email.

#include "geo/store/database.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;

constexpr const char* debian_python = "/usr/bin/python3";
constexpr const char* glewlwyd = "/usr/bin/glewlwyd";
constexpr const char* councillor_password = "councillor-password";
constexpr const char* ward_code = "E05099901";

std::string harness() {
    return (testing::source_dir() / "tests" / "support" / "oidc" / "glewlwyd_provider.py").string();
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

/// A loopback port nobody listens on now: wardmap's redirect URL must be known before it starts.
int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

/// Runs the harness with `args`, returns its exit code and stdout.
int run_harness(const std::vector<std::string>& args, std::string& out) {
    std::string command = std::string(debian_python) + " '" + harness() + "'";
    for (const auto& a : args) {
        command += " '" + a + "'"; // URLs and our words hold no single quote
    }
    FILE* pipe = ::popen(command.c_str(), "r");
    out.clear();
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
        out.append(buffer, n);
    }
    const int status = ::pclose(pipe);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) {
        out.pop_back();
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// The harness's `start` in the foreground as a child; SIGTERM and waitpid at the end.
class Provider {
  public:
    Provider(const std::filesystem::path& dir, const std::string& redirect_uri) {
        std::vector<std::string> args{debian_python,
                                      harness(),
                                      "start",
                                      "--dir",
                                      dir.string(),
                                      "--redirect-uri",
                                      redirect_uri,
                                      "--password",
                                      councillor_password,
                                      "--user",
                                      "stranger:stranger@elsewhere.test:stranger-password",
                                      "--user",
                                      "unverified:unverified@example.test:unverified-password:"
                                      "Una Verified:unverified",
                                      "--user",
                                      "newcomer:nia.newcomer@council.example.test:"
                                      "newcomer-password:Nia Newcomer",
                                      "--exit-with-parent"};
        m_pid = ::fork();
        if (m_pid == 0) {
            std::vector<char*> argv;
            for (auto& a : args) {
                argv.push_back(a.data());
            }
            argv.push_back(nullptr);
            // Its JSON line goes to provider.json too; keep the test's output clean.
            std::freopen("/dev/null", "w", stdout);
            ::execv(debian_python, argv.data());
            ::_exit(127);
        }
        const auto file = dir / "provider.json";
        for (int i = 0; i < 600 && !std::filesystem::exists(file); ++i) {
            int status = 0;
            if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
                m_pid = -1;
                throw std::runtime_error("the OIDC provider did not start; see " + dir.string());
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        info = json::parse(read_file(file));
    }
    ~Provider() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            int status = 0;
            ::waitpid(m_pid, &status, 0);
        }
    }
    Provider(const Provider&) = delete;
    Provider& operator=(const Provider&) = delete;

    json info;

  private:
    pid_t m_pid = -1;
};

std::string percent_decode(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i] == '+' ? ' ' : text[i];
        }
    }
    return out;
}

std::map<std::string, std::string> query_of(const std::string& url) {
    std::map<std::string, std::string> out;
    const auto question = url.find('?');
    if (question == std::string::npos) {
        return out;
    }
    std::string rest = url.substr(question + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string pair = rest.substr(0, amp);
        rest = amp == std::string::npos ? "" : rest.substr(amp + 1);
        const auto eq = pair.find('=');
        out[percent_decode(pair.substr(0, eq))] =
            eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1));
    }
    return out;
}

/// "name=value" of a Set-Cookie header (without its attributes).
std::string cookie_pair(const testing::HttpResponse& response) {
    const std::string header = response.header("set-cookie");
    return header.substr(0, header.find(';'));
}

class Oidc : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (!std::filesystem::exists(glewlwyd)) {
            return;
        }
        tmp = new testing::TempDir();
        port = free_port();
        redirect_uri = "http://127.0.0.1:" + std::to_string(port) + "/auth/oidc/callback";
        provider = new Provider(tmp->path() / "provider", redirect_uri);
        const auto secret_file = tmp->path() / "client-secret";
        std::ofstream(secret_file) << provider->info["client_secret"].get<std::string>() << "\n";
        // The people wardmap knows: the provider's councillor (matched by email, in another
        // case) and its officer, disabled. Newcomers from council.example.test are provisioned.
        const auto db_path = tmp->path() / "wardmap.sqlite";
        std::string out;
        ASSERT_EQ(testing::run_wardmap({"migrate", "--db", db_path.string()}, &out), 0) << out;
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
        for (const std::vector<std::string>& args :
             {std::vector<std::string>{"users", "add", "Councillor@Example.test", "--name",
                                       "Casey Councillor", "--role", "councillor", "--ward",
                                       ward_code},
              std::vector<std::string>{"users", "add", "officer@example.test", "--name",
                                       "Olive Officer", "--role", "officer", "--team",
                                       "streetscene"},
              std::vector<std::string>{"users", "disable", "officer@example.test"}}) {
            auto with_db = args;
            with_db.insert(with_db.end(), {"--db", db_path.string()});
            ASSERT_EQ(testing::run_wardmap(with_db, &out), 0) << out;
        }
        server = new testing::ServerProcess(
            db_path,
            {"--port", std::to_string(port), "--oidc-provision-domain", "council.example.test",
             "--oidc-provision-role", "officer", "--oidc-provision-team", "streetscene",
             "--oidc-issuer", provider->info["issuer"].get<std::string>(), "--oidc-client-id",
             provider->info["client_id"].get<std::string>(), "--oidc-client-secret-file",
             secret_file.string(), "--oidc-redirect-url", redirect_uri});
    }
    static void TearDownTestSuite() {
        delete server;
        delete provider;
        delete tmp;
        server = nullptr;
        provider = nullptr;
        tmp = nullptr;
    }
    void SetUp() override {
        if (server == nullptr) {
            GTEST_SKIP() << "SKIPPED: glewlwyd is not installed (run scripts/setup): the OpenID "
                            "Connect tests need a real provider";
        }
    }

    struct Started {
        std::string authorization_url;
        std::string binding_cookie; // "wardmap_oidc=..."
        std::string state;
    };

    static Started start(const std::string& return_to = "/staff/") {
        const auto response =
            testing::http_get(static_cast<std::uint16_t>(port),
                              "/auth/oidc/start?return_to=" + testing::url_encode(return_to));
        EXPECT_EQ(response.status, 302) << response.body;
        Started out;
        out.authorization_url = response.header("location");
        out.binding_cookie = cookie_pair(response);
        out.state = query_of(out.authorization_url)["state"];
        return out;
    }

    /// The harness signs in at the provider; returns the redirect back to wardmap.
    static std::string login(const std::string& authorization_url,
                             const std::string& username = "councillor",
                             const std::string& password = councillor_password) {
        std::string location;
        const int code = run_harness(
            {"login", "--url", authorization_url, "--username", username, "--password", password},
            location);
        EXPECT_EQ(code, 0) << location;
        return location;
    }

    /// Calls wardmap's callback with the query of the provider's redirect.
    static testing::HttpResponse callback(const std::string& location, const std::string& cookie) {
        const auto query = location.substr(location.find('?'));
        std::vector<std::pair<std::string, std::string>> headers;
        if (!cookie.empty()) {
            headers.emplace_back("Cookie", cookie);
        }
        return testing::http_get(static_cast<std::uint16_t>(port), "/auth/oidc/callback" + query,
                                 headers);
    }

    /// A whole sign-in as `username`: start, the provider's login, the callback.
    static testing::HttpResponse sign_in(const std::string& username,
                                         const std::string& password,
                                         const std::string& return_to = "/staff/") {
        const auto started = start(return_to);
        return callback(login(started.authorization_url, username, password),
                        started.binding_cookie);
    }

    static testing::HttpResponse me(const std::string& cookie) {
        return testing::http_get(static_cast<std::uint16_t>(port), "/api/me", {{"Cookie", cookie}});
    }

    static void expect_refused(const testing::HttpResponse& response, const std::string& code) {
        EXPECT_EQ(response.status, 302);
        EXPECT_EQ(response.header("location"), "/staff/sign-in.html?error=" + code);
        EXPECT_EQ(response.header("set-cookie").find("wardmap_session="), std::string::npos);
    }

    /// The server's output once it holds `needle` (its log arrives through a pipe, a moment
    /// after the response), or all of it after five seconds.
    static std::string log_with(const std::string& needle) {
        for (int i = 0; i < 100; ++i) {
            auto log = server->output();
            if (log.find(needle) != std::string::npos) {
                return log;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return server->output();
    }

    static testing::TempDir* tmp;
    static Provider* provider;
    static testing::ServerProcess* server;
    static int port;
    static std::string redirect_uri;
};

testing::TempDir* Oidc::tmp = nullptr;
Provider* Oidc::provider = nullptr;
testing::ServerProcess* Oidc::server = nullptr;
int Oidc::port = 0;
std::string Oidc::redirect_uri;

TEST_F(Oidc, StartRedirectsToTheProviderWithPkceStateAndNonce) {
    const auto started = start();
    const auto& endpoint = provider->info["authorization_endpoint"].get_ref<const std::string&>();
    ASSERT_TRUE(started.authorization_url.starts_with(endpoint + "?")) << started.authorization_url;
    auto query = query_of(started.authorization_url);
    EXPECT_EQ(query["response_type"], "code");
    EXPECT_EQ(query["scope"], "openid email profile");
    EXPECT_EQ(query["client_id"], "wardmap");
    EXPECT_EQ(query["redirect_uri"], redirect_uri);
    EXPECT_EQ(query["code_challenge_method"], "S256");
    EXPECT_EQ(query["code_challenge"].size(), 43U);
    EXPECT_GE(query["state"].size(), 32U);
    EXPECT_GE(query["nonce"].size(), 32U);
    EXPECT_NE(start().state, started.state);
    EXPECT_TRUE(started.binding_cookie.starts_with("wardmap_oidc="));
}

TEST_F(Oidc, StartRefusesAReturnToOnAnotherOrigin) {
    for (const char* target :
         {"//evil.example/", "https://evil.example/", "/\\evil.example", "staff"}) {
        const auto response = testing::http_get(static_cast<std::uint16_t>(port),
                                                std::string("/auth/oidc/start?return_to=") +
                                                    testing::url_encode(target));
        EXPECT_EQ(response.status, 400) << target;
        EXPECT_EQ(response.header("content-type"), "application/problem+json") << target;
    }
}

TEST_F(Oidc, AKnownPersonIsSignedInAndSentBack) {
    const auto response = sign_in("councillor", councillor_password, "/ward.html?code=E05099901");
    ASSERT_EQ(response.status, 302) << response.body;
    EXPECT_EQ(response.header("location"), "/ward.html?code=E05099901");
    const auto set_cookie = response.header("set-cookie");
    ASSERT_TRUE(set_cookie.starts_with("wardmap_session=")) << set_cookie;
    EXPECT_NE(set_cookie.find("; Path=/;"), std::string::npos) << set_cookie;
    EXPECT_NE(set_cookie.find("; HttpOnly"), std::string::npos) << set_cookie;
    EXPECT_NE(set_cookie.find("; SameSite=Lax"), std::string::npos) << set_cookie;
    EXPECT_EQ(set_cookie.find("Secure"), std::string::npos) << "plain HTTP, no proxy";

    const auto who = me(cookie_pair(response));
    ASSERT_EQ(who.status, 200) << who.body;
    const auto body = json::parse(who.body);
    EXPECT_EQ(body["person"]["email"], "Councillor@Example.test"); // as the admin typed it
    EXPECT_EQ(body["person"]["name"], "Casey Councillor");
    EXPECT_EQ(body["person"]["roles"][0]["role"], "councillor");
    EXPECT_EQ(body["person"]["roles"][0]["wards"], json::array({ward_code}));
    EXPECT_EQ(body["sign_in_method"], "oidc");
    EXPECT_FALSE(body["csrf_token"].get<std::string>().empty());

    // The session token and the email never reach the log.
    const auto log = log_with("oidc sign-in: session opened");
    const auto pair = cookie_pair(response);
    EXPECT_EQ(log.find(pair.substr(pair.find('=') + 1)), std::string::npos);
    EXPECT_EQ(log.find("ouncillor@"), std::string::npos);
}

TEST_F(Oidc, ANewcomerFromTheProvisionedDomainGetsAnAccount) {
    const auto response = sign_in("newcomer", "newcomer-password");
    ASSERT_EQ(response.status, 302) << response.body;
    EXPECT_EQ(response.header("location"), "/staff/");
    const auto who = me(cookie_pair(response));
    ASSERT_EQ(who.status, 200) << who.body;
    const auto body = json::parse(who.body);
    EXPECT_EQ(body["person"]["email"], "nia.newcomer@council.example.test");
    EXPECT_EQ(body["person"]["name"], "Nia Newcomer");
    EXPECT_EQ(body["person"]["roles"],
              json::parse(R"([{"role": "officer", "wards": [], "teams": ["streetscene"]}])"));
    EXPECT_EQ(body["sign_in_method"], "oidc");

    // Once provisioned, the same person signs in again as themselves, not as a second account.
    const auto again = sign_in("newcomer", "newcomer-password");
    ASSERT_EQ(again.status, 302);
    EXPECT_EQ(json::parse(me(cookie_pair(again)).body)["person"]["id"], body["person"]["id"]);
    EXPECT_EQ(log_with("oidc: provisioned person").find("nia.newcomer"), std::string::npos);
}

TEST_F(Oidc, ADisabledPersonIsRefused) {
    expect_refused(sign_in("officer", "officer-password"), "oidc_account");
    EXPECT_NE(log_with("oidc sign-in refused (oidc_account)").find("oidc_account"),
              std::string::npos);
}

TEST_F(Oidc, AVerifiedIdentityWithoutAnAccountOpensNoSession) {
    const auto started = start();
    const auto location = login(started.authorization_url, "stranger", "stranger-password");
    const auto code = query_of(location)["code"];
    ASSERT_FALSE(code.empty()) << location;
    expect_refused(callback(location, started.binding_cookie), "oidc_account");
    const auto log = log_with("oidc sign-in refused (oidc_account)");
    EXPECT_NE(log.find("oidc sign-in refused (oidc_account)"), std::string::npos) << log;
    EXPECT_EQ(log.find(code), std::string::npos);
    EXPECT_EQ(log.find("stranger@"), std::string::npos);
}

TEST_F(Oidc, AnUnverifiedEmailIsRefused) {
    const auto started = start();
    const auto location = login(started.authorization_url, "unverified", "unverified-password");
    expect_refused(callback(location, started.binding_cookie), "oidc_token");
    EXPECT_NE(log_with("email address is not verified").find("email address is not verified"),
              std::string::npos);
}

TEST_F(Oidc, AnUnknownStateIsRefused) {
    const auto started = start();
    auto location = login(started.authorization_url);
    const auto at = location.find(started.state);
    ASSERT_NE(at, std::string::npos);
    location.replace(at, started.state.size(), "made-up-state-made-up-state-made-up");
    expect_refused(callback(location, started.binding_cookie), "oidc_state");
    EXPECT_NE(log_with("unknown or already used state").find("unknown or already used state"),
              std::string::npos);
}

TEST_F(Oidc, AStateIsUsedOnce) {
    const auto started = start();
    const auto location = login(started.authorization_url);
    static_cast<void>(callback(location, started.binding_cookie));
    expect_refused(callback(location, started.binding_cookie), "oidc_state");
}

TEST_F(Oidc, ACallbackInAnotherBrowserIsRefused) {
    const auto started = start();
    const auto location = login(started.authorization_url);
    expect_refused(callback(location, ""), "oidc_state");
    const auto other = start();
    const auto second = login(other.authorization_url);
    expect_refused(callback(second, started.binding_cookie), "oidc_state");
    EXPECT_NE(log_with("another browser").find("another browser"), std::string::npos);
}

TEST_F(Oidc, ACodeFromAnotherSignInIsRefused) {
    const auto mine = start();
    const auto theirs = start();
    // The code was issued for their PKCE challenge and nonce; it arrives with my state.
    const auto their_code = query_of(login(theirs.authorization_url))["code"];
    const auto response = callback("?state=" + testing::url_encode(mine.state) +
                                       "&code=" + testing::url_encode(their_code),
                                   mine.binding_cookie);
    EXPECT_EQ(response.status, 302);
    const auto location = response.header("location");
    EXPECT_TRUE(location == "/staff/sign-in.html?error=oidc_provider" ||
                location == "/staff/sign-in.html?error=oidc_token")
        << location;
    EXPECT_EQ(response.header("set-cookie").find("wardmap_session="), std::string::npos);
}

TEST_F(Oidc, AProviderErrorIsRefused) {
    const auto started = start();
    const auto response = callback(
        "?error=access_denied&state=" + testing::url_encode(started.state), started.binding_cookie);
    expect_refused(response, "oidc_provider");
    EXPECT_NE(log_with("the provider answered error=access_denied")
                  .find("the provider answered error=access_denied"),
              std::string::npos);
}

} // namespace
} // namespace wardmap
