// Issue #14 (hardening), the HTTP layer: every request reported to misbehave against
// `wardmap serve`, sent with raw sockets (the client library is too polite) to wardmap
// directly and through a real nginx running the repo's deploy/nginx snippets. Each case
// must be answered fast, correctly and in the API's words, and the server must keep
// answering afterwards.

#include "tests/deploy/nginx_harness.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace wardmap {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

// Bounds that separate "answered at once" from the reported waits (5.5 s, 10 s, 46 s, 60 s)
// with room for a loaded machine and sanitizers.
constexpr double fast_ms = 2000;
constexpr double prompt_close_ms = 1000;

/// What came back on one connection.
struct Exchange {
    std::string data;        // everything read
    bool closed = false;     // the server ended the connection (EOF or reset)
    double ms_to_answer = 0; // until a whole response had arrived
};

struct Answer {
    int status = 0;
    std::string head;
    std::string body;
};

/// The complete responses at the start of `data` (Content-Length framed).
std::vector<Answer> responses(const std::string& data) {
    std::vector<Answer> out;
    std::size_t at = 0;
    while (true) {
        const auto end = data.find("\r\n\r\n", at);
        if (end == std::string::npos) {
            return out;
        }
        Answer a;
        a.head = data.substr(at, end + 2 - at);
        if (a.head.size() > 12 && a.head.starts_with("HTTP/1.")) {
            a.status = std::atoi(a.head.c_str() + 9);
        }
        std::string lower = a.head;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::size_t length = 0;
        if (const auto cl = lower.find("\r\ncontent-length:"); cl != std::string::npos) {
            length = std::strtoull(lower.c_str() + cl + 17, nullptr, 10);
        }
        if (data.size() < end + 4 + length) {
            return out;
        }
        a.body = data.substr(end + 4, length);
        at = end + 4 + length;
        out.push_back(std::move(a));
    }
}

/// Sends `request` (from another thread, so a server that answers early cannot deadlock
/// us) and reads until the server closes or `linger` passes after the `expected`-th whole
/// response (or `timeout` in all).
Exchange exchange(std::uint16_t port,
                  const std::string& request,
                  std::size_t expected = 1,
                  std::chrono::milliseconds linger = 1500ms,
                  std::chrono::milliseconds timeout = 20s) {
    Exchange ex;
    const int fd = testing::connect_loopback(port);
    const auto started = Clock::now();
    std::thread sender([fd, &request] {
        // A server refusing early may close or reset before all is sent; that is fine.
        std::size_t sent = 0;
        while (sent < request.size()) {
            const ssize_t n =
                ::send(fd, request.data() + sent,
                       std::min<std::size_t>(request.size() - sent, 1U << 16), MSG_NOSIGNAL);
            if (n <= 0) {
                return;
            }
            sent += static_cast<std::size_t>(n);
        }
    });
    auto deadline = started + timeout;
    bool answered = false;
    char buf[65536];
    while (Clock::now() < deadline) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(std::max<long>(1, left.count()))) <= 0) {
            continue;
        }
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            ex.closed = true;
            break;
        }
        ex.data.append(buf, static_cast<std::size_t>(n));
        if (!answered && responses(ex.data).size() >= expected) {
            answered = true;
            ex.ms_to_answer =
                std::chrono::duration<double, std::milli>(Clock::now() - started).count();
            deadline = std::min(deadline, Clock::now() + linger);
        }
    }
    ::shutdown(fd, SHUT_RDWR); // ends a sender still blocked on a server that stopped reading
    sender.join();
    ::close(fd);
    if (!answered) {
        ex.ms_to_answer = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    }
    return ex;
}

std::size_t rss_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("VmRSS:")) {
            return std::strtoull(line.c_str() + 6, nullptr, 10);
        }
    }
    return 0;
}

/// One demo borough, one wardmap and one nginx in front of it for the whole suite.
struct Deployment {
    testing::TempDir tmp;
    std::unique_ptr<testing::ServerProcess> app;
    std::unique_ptr<testing::NginxProcess> nginx;
    std::string nginx_skip;
};

std::unique_ptr<Deployment> deployment;
std::string setup_error;

void start_deployment() {
    deployment = std::make_unique<Deployment>();
    auto& d = *deployment;
    const auto db = d.tmp.path() / "demo.sqlite";
    std::string output;
    if (testing::copy_demo_store(db, &output) != 0) {
        throw std::runtime_error("wardmap demo-data failed:\n" + output);
    }
    d.app = std::make_unique<testing::ServerProcess>(db);
    const auto nginx_binary = testing::find_program("nginx");
    if (!nginx_binary) {
        d.nginx_skip = "SKIPPED: nginx is not installed (scripts/setup installs it)";
        return;
    }
    const auto prefix = d.tmp.path() / "nginx";
    const auto web_root = d.tmp.path() / "web";
    fs::create_directories(prefix);
    fs::create_directories(web_root);
    std::string last_error;
    for (int attempt = 0; attempt < 3 && !d.nginx; ++attempt) {
        const auto port = testing::free_loopback_port();
        const auto conf = prefix / "nginx.conf";
        testing::write_file(conf,
                            testing::loopback_nginx_conf(prefix, port, d.app->port(), web_root));
        try {
            d.nginx = std::make_unique<testing::NginxProcess>(*nginx_binary, prefix, conf, port);
        } catch (const std::runtime_error& e) {
            last_error = e.what(); // most likely the port was taken meanwhile
        }
    }
    if (!d.nginx) {
        throw std::runtime_error(last_error);
    }
}

enum class Via { direct, nginx };

class HttpHardening : public ::testing::TestWithParam<Via> {
  protected:
    static void SetUpTestSuite() {
        try {
            start_deployment();
        } catch (const std::exception& e) {
            setup_error = e.what();
        }
    }
    static void TearDownTestSuite() { deployment.reset(); }

    void SetUp() override {
        ASSERT_TRUE(setup_error.empty()) << setup_error;
        if (GetParam() == Via::nginx && !deployment->nginx_skip.empty()) {
            GTEST_SKIP() << deployment->nginx_skip;
        }
    }

    void TearDown() override {
        if (HasFailure() && deployment && deployment->app) {
            const auto out = deployment->app->output();
            std::cout << "---- wardmap output (tail) ----\n"
                      << (out.size() > 3000 ? out.substr(out.size() - 3000) : out);
            if (deployment->nginx) {
                const auto log = deployment->nginx->log();
                std::cout << "---- nginx log (tail) ----\n"
                          << (log.size() > 3000 ? log.substr(log.size() - 3000) : log);
            }
        }
    }

    static std::uint16_t port() {
        return GetParam() == Via::nginx ? deployment->nginx->port() : deployment->app->port();
    }

    /// The server still answers an ordinary request.
    static void expect_still_serving() {
        const auto ex = exchange(port(), "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", 1, 0ms, 5s);
        const auto r = responses(ex.data);
        ASSERT_EQ(r.size(), 1U) << ex.data;
        EXPECT_EQ(r[0].status, 200);
    }

    /// A refusal in the API's words: problem+json, the expected type, no C++ internals.
    static void expect_problem(const Answer& a, const std::string& type) {
        std::string lower = a.head;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        EXPECT_NE(lower.find("content-type: application/problem+json"), std::string::npos)
            << a.head << a.body;
        const auto body = json::parse(a.body, nullptr, false);
        ASSERT_FALSE(body.is_discarded()) << a.body;
        EXPECT_EQ(body.value("type", ""), "urn:wardmap:problem:" + type) << a.body;
        for (const char* internal :
             {"basic_string", "std::", "bad_alloc", "_M_", "exception", "Pistache", "nginx"}) {
            EXPECT_EQ(a.body.find(internal), std::string::npos) << internal << " in " << a.body;
        }
    }
};

TEST_P(HttpHardening, HugeRequestLinesAreRefusedFastAndTheServerKeepsAnswering) {
    // Reported: 2 MB took 5.5 s; two 4 MB URLs at once took 46 s each.
    const std::string two_mb =
        "GET /" + std::string(2U << 20, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n";
    const auto one = exchange(port(), two_mb, 1, 0ms);
    auto r = responses(one.data);
    ASSERT_EQ(r.size(), 1U) << one.data.substr(0, 300);
    EXPECT_TRUE(r[0].status == 414 || r[0].status == 431 || r[0].status == 400) << r[0].head;
    EXPECT_LT(one.ms_to_answer, fast_ms);
    expect_problem(r[0], r[0].status == 414 ? "uri-too-long" : "header-too-large");
    std::cout << "2 MB request line answered " << r[0].status << " in " << one.ms_to_answer
              << " ms\n";

    const std::string four_mb =
        "GET /" + std::string(4U << 20, 'b') + " HTTP/1.1\r\nHost: t\r\n\r\n";
    Exchange a;
    Exchange b;
    std::thread other([&] { b = exchange(port(), four_mb, 1, 0ms); });
    a = exchange(port(), four_mb, 1, 0ms);
    other.join();
    for (const auto* ex : {&a, &b}) {
        r = responses(ex->data);
        ASSERT_EQ(r.size(), 1U) << ex->data.substr(0, 300);
        EXPECT_TRUE(r[0].status == 414 || r[0].status == 431 || r[0].status == 400);
        EXPECT_LT(ex->ms_to_answer, fast_ms);
        std::cout << "4 MB request line (two at once) answered " << r[0].status << " in "
                  << ex->ms_to_answer << " ms\n";
    }
    expect_still_serving();
}

/// `piece` repeated `n` times.
std::string repeat(const std::string& piece, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) {
        out += piece;
    }
    return out;
}

TEST_P(HttpHardening, DeepOrHugeCql2FiltersAreRefusedAtOnceAndTheServerLives) {
    // Reported: 20,000 nested '(' (a 120 KB URL), 20,000 NOTs or 20,000 CASEI( killed the
    // server; 60 NOTs and CASEI 30 deep answered 500; a 100,000-vertex polygon took 11-16 s.
    const std::string items = "/ogc/collections/litter_bins/items?filter=";
    const auto get = [&](const std::string& target) {
        const auto ex = exchange(port(), "GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n", 1, 0ms);
        const auto r = responses(ex.data);
        EXPECT_LT(ex.ms_to_answer, fast_ms) << target.substr(0, 80);
        return r.empty() ? Answer{} : r[0];
    };
    const std::string cmp = "bin_type%3D%27x%27";
    for (const auto& huge :
         {repeat("(", 20000) + cmp + repeat(")", 20000), repeat("NOT%20", 20000) + cmp,
          repeat("CASEI(", 20000) + "bin_type" + repeat(")", 20000) + "%3D%27x%27"}) {
        const auto a = get(items + huge);
        EXPECT_EQ(a.status, 414) << a.head;
        expect_problem(a, "uri-too-long");
    }
    // Within the request-line cap: the parser's own limits, named in a 400.
    for (const auto& deep :
         {repeat("(", 2000) + cmp + repeat(")", 2000), repeat("NOT%20", 60) + cmp,
          repeat("CASEI(", 30) + "bin_type" + repeat(")", 30) + "%3D%27x%27"}) {
        const auto a = get(items + deep);
        EXPECT_EQ(a.status, 400) << a.head << a.body;
        expect_problem(a, "invalid-parameter");
        EXPECT_NE(a.body.find("nests deeper than"), std::string::npos) << a.body;
    }
    // 100 ANDed comparisons are an ordinary filter now.
    std::string hundred = cmp;
    for (int i = 1; i < 100; ++i) {
        hundred += "%20AND%20" + cmp;
    }
    EXPECT_EQ(get(items + hundred).status, 200);
    // A polygon of 100,000 vertices is refused before a byte of it is parsed.
    std::string ring;
    for (int i = 0; i < 100000; ++i) {
        ring += (i ? "," : "") + std::string("-2.6%2053.6");
    }
    const auto polygon = get(items + "S_INTERSECTS(geometry,POLYGON((" + ring + ")))");
    EXPECT_EQ(polygon.status, 414) << polygon.head;
    expect_still_serving();
}

TEST_P(HttpHardening, HugeHeadersAndUnknownCodingsAreRefusedInTheApisWords) {
    auto ex =
        exchange(port(), "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(20000, 'a') +
                             "\r\n\r\n");
    auto r = responses(ex.data);
    ASSERT_EQ(r.size(), 1U) << ex.data.substr(0, 300);
    EXPECT_EQ(r[0].status, 431);
    expect_problem(r[0], "header-too-large");

    ex = exchange(port(), "POST /api/transform HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
                          "gzip, chunked\r\n\r\n0\r\n\r\n");
    r = responses(ex.data);
    ASSERT_EQ(r.size(), 1U) << ex.data.substr(0, 300);
    EXPECT_EQ(r[0].status, 501);
    expect_problem(r[0], "not-implemented");
    expect_still_serving();
}

TEST_P(HttpHardening, AnOversizedDeclaredBodyIsRefusedBeforeItIsSent) {
    // Headers only: the answer must come without a byte of the 50 MB body.
    const auto ex = exchange(port(),
                             "POST /api/transform HTTP/1.1\r\nHost: t\r\nContent-Type: "
                             "application/json\r\nContent-Length: 50000000\r\n\r\n",
                             1, 500ms);
    const auto r = responses(ex.data);
    ASSERT_EQ(r.size(), 1U) << ex.data;
    EXPECT_EQ(r[0].status, 413);
    EXPECT_LT(ex.ms_to_answer, fast_ms);
    expect_problem(r[0], "payload-too-large");
    if (GetParam() == Via::direct) {
        // wardmap closes rather than read a body it has refused. nginx keeps the connection
        // and reads the body only to drop it (lingering close): no memory either way.
        EXPECT_TRUE(ex.closed) << "the connection stays open for a body nobody will read";
    }
    expect_still_serving();
}

TEST_P(HttpHardening, BadContentLengthsAndChunkSizesAre400WithoutInternals) {
    const std::string head = "POST /api/transform HTTP/1.1\r\nHost: t\r\nContent-Type: "
                             "application/json\r\n";
    for (const std::string& request :
         {head + "Content-Length: -5\r\n\r\n", head + "Content-Length: abc\r\n\r\n{}",
          head + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n{}",
          head + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
          head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
        const auto ex = exchange(port(), request, 1, 500ms);
        const auto r = responses(ex.data);
        ASSERT_EQ(r.size(), 1U) << request << "\n->\n" << ex.data;
        EXPECT_EQ(r[0].status, 400) << request;
        EXPECT_LT(ex.ms_to_answer, fast_ms);
        expect_problem(r[0], "malformed-request");
    }
    expect_still_serving();
}

TEST_P(HttpHardening, AMalformedRequestLineIs400AtOnce) {
    // Reported: a 10 s wait, then 408.
    for (const std::string& request :
         {std::string("GARBAGE\r\n\r\n"), std::string("GET /x HTTP/9.9\r\n\r\n"),
          std::string("GET /a b c\r\n\r\n")}) {
        const auto ex = exchange(port(), request, 1, 500ms);
        const auto r = responses(ex.data);
        ASSERT_EQ(r.size(), 1U) << request << "\n->\n" << ex.data;
        EXPECT_EQ(r[0].status, 400) << request;
        EXPECT_LT(ex.ms_to_answer, 1000.0) << request;
        expect_problem(r[0], "malformed-request");
    }
    expect_still_serving();
}

TEST_P(HttpHardening, ConnectionCloseClosesRightAfterTheAnswer) {
    // Reported: the socket stayed open for 60 s.
    const auto started = Clock::now();
    const auto ex =
        exchange(port(), "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 1, 5s);
    const auto r = responses(ex.data);
    ASSERT_EQ(r.size(), 1U) << ex.data;
    EXPECT_EQ(r[0].status, 200);
    EXPECT_TRUE(ex.closed);
    const double close_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    EXPECT_LT(close_ms - ex.ms_to_answer, prompt_close_ms);
}

TEST_P(HttpHardening, PipelinedRequestsAreAnsweredInOrder) {
    // Reported: the second request was silently dropped (the connection stayed open).
    const std::string body = R"({"crs": "EPSG:27700", "points": [[358000, 417500]]})";
    const auto ex = exchange(port(),
                             "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
                             "GET /api/does-not-exist HTTP/1.1\r\nHost: t\r\n\r\n"
                             "POST /api/transform HTTP/1.1\r\nHost: t\r\nContent-Type: "
                             "application/json\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n" + body +
                                 "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                             4, 1s, 5s);
    const auto r = responses(ex.data);
    ASSERT_EQ(r.size(), 4U) << ex.data;
    EXPECT_EQ(r[0].status, 200);
    EXPECT_EQ(r[1].status, 404);
    EXPECT_EQ(r[2].status, 200);
    EXPECT_NE(r[2].body.find("points"), std::string::npos) << r[2].body;
    EXPECT_EQ(r[3].status, 200);
    EXPECT_TRUE(ex.closed) << "the last request asked to close";
}

TEST_P(HttpHardening, PipeliningMoreThanCanBeKeptIsNeverDroppedSilently) {
    // Past 64 KiB queued behind a request, wardmap answers that request with
    // Connection: close rather than drop the rest silently; nginx answers them all.
    std::string requests;
    while (requests.size() < 200 * 1024) {
        requests +=
            "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: " + std::string(1000, 'p') + "\r\n\r\n";
    }
    const std::size_t sent = requests.size() / (requests.find("\r\n\r\n") + 4);
    const auto ex = exchange(port(), requests, sent, 1s, 10s);
    const auto r = responses(ex.data);
    ASSERT_GE(r.size(), 1U) << ex.data.substr(0, 300);
    for (const auto& a : r) {
        EXPECT_EQ(a.status, 200);
    }
    EXPECT_TRUE(r.size() == sent || ex.closed)
        << r.size() << " of " << sent << " answered and the connection kept";
    std::cout << r.size() << " of " << sent << " pipelined requests answered\n";
}

TEST_P(HttpHardening, ExpectContinueIsAnsweredAndHttp10Closes) {
    // Pistache 0.0.5 never answered Expect: 100-continue, so curl waited a second per POST.
    const std::string body = R"({"crs": "EPSG:27700", "points": [[358000, 417500]]})";
    const int fd = testing::connect_loopback(port());
    ASSERT_TRUE(testing::send_all(fd, "POST /api/transform HTTP/1.1\r\nHost: t\r\nContent-Type: "
                                      "application/json\r\nExpect: 100-continue\r\n"
                                      "Content-Length: " +
                                          std::to_string(body.size()) + "\r\n\r\n"));
    std::string data;
    char buf[4096];
    const auto started = Clock::now();
    while (data.find("\r\n\r\n") == std::string::npos && Clock::now() - started < 1s) {
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, 100) > 0) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) {
                break;
            }
            data.append(buf, static_cast<std::size_t>(n));
        }
    }
    EXPECT_TRUE(data.starts_with("HTTP/1.1 100 Continue\r\n")) << data;
    ASSERT_TRUE(testing::send_all(fd, body));
    while (Clock::now() - started < 5s) {
        const auto continue_end = data.find("\r\n\r\n");
        if (continue_end != std::string::npos &&
            !responses(data.substr(continue_end + 4)).empty()) {
            break;
        }
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, 100) > 0) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) {
                break;
            }
            data.append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    const auto r = responses(data.substr(data.find("\r\n\r\n") + 4));
    ASSERT_EQ(r.size(), 1U) << data;
    EXPECT_EQ(r[0].status, 200) << r[0].body;

    const auto old = exchange(port(), "GET /healthz HTTP/1.0\r\n\r\n", 1, 2s);
    ASSERT_EQ(responses(old.data).size(), 1U) << old.data;
    EXPECT_EQ(responses(old.data)[0].status, 200);
    EXPECT_TRUE(old.closed);
    EXPECT_LT(old.ms_to_answer, prompt_close_ms);
}

TEST_P(HttpHardening, BigBodiesToASmallRouteDoNotGrowMemory) {
    // Reported: five 50 MB bodies to a 512 KiB route added 350 MB of RSS.
    const pid_t pid = deployment->app->pid();
    expect_still_serving();
    const auto before = rss_kib(pid);
    const std::string body(50U << 20, ' ');
    std::string chunked = "POST /api/transform HTTP/1.1\r\nHost: t\r\nContent-Type: "
                          "application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string chunk = "100000\r\n" + std::string(1U << 20, ' ') + "\r\n";
    for (int c = 0; c < 50; ++c) {
        chunked += chunk;
    }
    chunked += "0\r\n\r\n";
    std::vector<std::thread> senders;
    std::vector<int> statuses(10, 0);
    for (int i = 0; i < 5; ++i) {
        senders.emplace_back([&, i] {
            const auto ex = exchange(port(),
                                     "POST /api/transform HTTP/1.1\r\nHost: t\r\nContent-Type: "
                                     "application/json\r\nContent-Length: " +
                                         std::to_string(body.size()) + "\r\n\r\n" + body,
                                     1, 0ms);
            const auto r = responses(ex.data);
            statuses[static_cast<std::size_t>(i)] = r.empty() ? 0 : r[0].status;
        });
        // The same without a declared length: refused once the chunks pass the limit.
        senders.emplace_back([&, i] {
            const auto ex = exchange(port(), chunked, 1, 0ms);
            const auto r = responses(ex.data);
            statuses[static_cast<std::size_t>(5 + i)] = r.empty() ? 0 : r[0].status;
        });
    }
    for (auto& t : senders) {
        t.join();
    }
    for (const int status : statuses) {
        EXPECT_EQ(status, 413);
    }
    const auto after = rss_kib(pid);
    std::cout << "wardmap RSS " << before << " KiB before, " << after << " KiB after\n";
    EXPECT_LT(after, before + 32 * 1024) << "RSS grew by " << (after - before) << " KiB";
    expect_still_serving();
}

INSTANTIATE_TEST_SUITE_P(Layers,
                         HttpHardening,
                         ::testing::Values(Via::direct, Via::nginx),
                         [](const ::testing::TestParamInfo<Via>& layer) {
                             return layer.param == Via::direct ? "Direct" : "ThroughNginx";
                         });

} // namespace
} // namespace wardmap
