// wardmap behind a real nginx that runs the repo's deploy/nginx snippets unchanged, wrapped in
// a generated plain-HTTP loopback server. The main check is the reason nginx is required:
// Pistache 0.0.5 busy-loops a reactor thread while a client reads a big response slowly
// (stack-notes 1.5), so through nginx a slow reader must not stall anybody else. The same
// slow reader aimed at wardmap directly is measured and printed, not asserted.

#include "tests/deploy/nginx_harness.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <tuple>
#include <unistd.h>
#include <vector>

namespace wardmap {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;
using testing::connect_loopback;
using testing::find_program;
using testing::free_loopback_port;
using testing::loopback_nginx_conf;
using testing::NginxProcess;
using testing::read_file;
using testing::send_all;
using testing::spawn;
using testing::wait_for_exit;
using testing::write_file;

constexpr std::size_t big_file_bytes = 32U << 20;
// Reading at 1 MB/s, the 32 MB response would hold a Pistache reactor for ~30 s.
constexpr std::size_t slow_bytes_per_second = 1U << 20;
constexpr int probe_count = 20;
// Not a speed target (that is bench/): a stalled reactor shows up as seconds, a healthy
// /healthz through nginx takes a few milliseconds, even under ASan.
constexpr double healthz_bound_ms = 250;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

/// Position-dependent bytes, so a lost, repeated or reordered chunk is caught.
std::string big_file_content() {
    std::string data(big_file_bytes, '\0');
    std::uint64_t x = 0x243F6A8885A308D3ULL;
    for (std::size_t i = 0; i < data.size(); i += 8) {
        x ^= x << 13; // xorshift64
        x ^= x >> 7;
        x ^= x << 17;
        for (std::size_t b = 0; b < 8 && i + b < data.size(); ++b) {
            data[i + b] = static_cast<char>(x >> (8 * b));
        }
    }
    return data;
}

/// A stylesheet over gzip_min_length, so nginx compresses it.
std::string stylesheet() {
    std::string css;
    for (int i = 0; i < 80; ++i) {
        css += ".ward-" + std::to_string(i) + " { fill: #3a7; stroke: #114; stroke-width: 1px; }\n";
    }
    return css;
}

/// Status and Content-Length of a response head (Content-Length missing: nullopt).
std::pair<int, std::optional<std::size_t>> parse_head(const std::string& head) {
    int status = 0;
    if (head.size() > 12 && head.starts_with("HTTP/1.")) {
        status = std::atoi(head.c_str() + 9);
    }
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto at = lower.find("\r\ncontent-length:");
    if (at == std::string::npos) {
        return {status, std::nullopt};
    }
    return {status, std::strtoull(lower.c_str() + at + 17, nullptr, 10)};
}

// ---- child processes ------------------------------------------------------------------------

/// Runs `args` to completion (at most 30 s); returns the exit code and fills `output`.
int run(const std::vector<std::string>& args, const fs::path& log, std::string& output) {
    fs::remove(log);
    const int code = wait_for_exit(spawn(args, log), 30s);
    output = read_file(log);
    return code;
}

// ---- clients ---------------------------------------------------------------------------------

struct Probe {
    int status = 0; // 0: no complete response before the timeout
    double ms = 0;
};

/// One GET on a fresh connection (a new client each time), bounded by `timeout`.
Probe timed_get(std::uint16_t port, const std::string& target, std::chrono::milliseconds timeout) {
    Probe probe;
    const auto started = Clock::now();
    const auto deadline = started + timeout;
    const int fd = connect_loopback(port);
    send_all(fd, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    std::string data;
    char buf[16384];
    for (;;) {
        const auto head_end = data.find("\r\n\r\n");
        if (head_end != std::string::npos) {
            const auto [status, length] = parse_head(data.substr(0, head_end + 2));
            if (length && data.size() >= head_end + 4 + *length) {
                probe.status = status;
                break;
            }
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd pfd{fd, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
            break;
        }
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            break;
        }
        data.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    probe.ms = ms_since(started);
    return probe;
}

struct LatencySummary {
    double p50 = 0;
    double max = 0;
    int failed = 0;
};

LatencySummary summarise(const std::vector<Probe>& probes) {
    LatencySummary s;
    std::vector<double> ms;
    for (const auto& p : probes) {
        ms.push_back(p.ms);
        s.failed += p.status != 200 ? 1 : 0;
    }
    std::sort(ms.begin(), ms.end());
    if (!ms.empty()) {
        s.p50 = ms[ms.size() / 2];
        s.max = ms.back();
    }
    return s;
}

std::string describe(const std::vector<Probe>& probes) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(1);
    for (const auto& p : probes) {
        out << ' ' << p.ms << (p.status == 200 ? "" : "(!)");
    }
    return out.str();
}

/// GETs `target` on a socket with a small receive buffer and reads the body at
/// `bytes_per_second` on its own thread, checking it against `expected` as it arrives.
class SlowReader {
  public:
    struct Result {
        int status = 0;
        std::optional<std::size_t> content_length;
        std::size_t body_bytes = 0;
        bool complete = false;
        std::optional<std::size_t> first_mismatch;
        std::string error;
        double seconds = 0;
    };

    SlowReader(std::uint16_t port,
               const std::string& target,
               const std::string& expected,
               std::size_t bytes_per_second,
               std::chrono::milliseconds give_up_after)
        : m_expected(expected), m_rate(bytes_per_second), m_give_up_after(give_up_after) {
        m_thread = std::thread([this, port, target] { read_response(port, target); });
    }
    ~SlowReader() {
        m_stop = true;
        if (m_thread.joinable()) {
            m_thread.join();
        }
    }
    SlowReader(const SlowReader&) = delete;
    SlowReader& operator=(const SlowReader&) = delete;

    /// True once body bytes arrive, i.e. the server is busy sending.
    bool wait_for_body(std::chrono::milliseconds timeout) const {
        const auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline && !m_done) {
            if (m_body_bytes > 0) {
                return true;
            }
            std::this_thread::sleep_for(5ms);
        }
        return m_body_bytes > 0;
    }
    [[nodiscard]] std::size_t body_bytes() const { return m_body_bytes; }
    void read_at_full_speed() { m_fast = true; }
    /// Joins the reader (closing its socket after `timeout`) and returns what it saw.
    Result finish(std::chrono::milliseconds timeout) {
        const auto deadline = Clock::now() + timeout;
        while (!m_done && Clock::now() < deadline) {
            std::this_thread::sleep_for(10ms);
        }
        m_stop = true;
        m_thread.join();
        return m_result;
    }

  private:
    void read_response(std::uint16_t port, const std::string& target) {
        const auto started = Clock::now();
        try {
            const int fd = connect_loopback(port, 16 * 1024);
            send_all(fd, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            read_body(fd);
            ::close(fd); // with unread data: a reset, which ends Pistache's write loop too
        } catch (const std::exception& e) {
            m_result.error = e.what();
        }
        m_result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
        m_done = true;
    }

    void read_body(int fd) {
        std::string head;
        std::optional<Clock::time_point> body_started;
        constexpr std::size_t slow_chunk = 16 * 1024;
        char buf[256 * 1024];
        while (!m_stop) {
            const auto now = Clock::now();
            if (body_started) {
                if (now - *body_started > m_give_up_after) {
                    m_result.error = "gave up as planned";
                    return;
                }
                const auto due = *body_started + std::chrono::microseconds(m_result.body_bytes *
                                                                           1'000'000 / m_rate);
                if (!m_fast && now < due) {
                    std::this_thread::sleep_for(std::min<Clock::duration>(due - now, 20ms));
                    continue;
                }
            }
            pollfd pfd{fd, POLLIN, 0};
            if (::poll(&pfd, 1, 50) <= 0) {
                continue;
            }
            const std::size_t want = body_started && !m_fast ? slow_chunk : sizeof buf;
            const ssize_t n = ::recv(fd, buf, want, 0);
            if (n == 0) {
                m_result.error = "connection closed early";
                return;
            }
            if (n < 0) {
                if (errno != EINTR) {
                    m_result.error = std::string("recv: ") + std::strerror(errno);
                    return;
                }
                continue;
            }
            const char* data = buf;
            std::size_t size = static_cast<std::size_t>(n);
            if (!body_started) {
                head.append(data, size);
                const auto end = head.find("\r\n\r\n");
                if (end == std::string::npos) {
                    continue;
                }
                std::tie(m_result.status, m_result.content_length) =
                    parse_head(head.substr(0, end + 2));
                body_started = Clock::now();
                consume(head.data() + end + 4, head.size() - end - 4);
            } else {
                consume(data, size);
            }
            if (m_result.content_length && m_result.body_bytes >= *m_result.content_length) {
                m_result.complete = m_result.body_bytes == *m_result.content_length;
                return;
            }
        }
        m_result.error = "stopped before the end";
    }

    void consume(const char* data, std::size_t size) {
        const std::size_t offset = m_result.body_bytes;
        if (!m_result.first_mismatch) {
            for (std::size_t i = 0; i < size; ++i) {
                if (offset + i >= m_expected.size() || data[i] != m_expected[offset + i]) {
                    m_result.first_mismatch = offset + i;
                    break;
                }
            }
        }
        m_result.body_bytes += size;
        m_body_bytes = m_result.body_bytes;
    }

    const std::string& m_expected;
    std::size_t m_rate;
    std::chrono::milliseconds m_give_up_after;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_fast{false};
    std::atomic<bool> m_done{false};
    std::atomic<std::size_t> m_body_bytes{0};
    Result m_result; // the reader thread's until m_done
    std::thread m_thread;
};

// ---- the suite -------------------------------------------------------------------------------

/// One demo borough, one wardmap and one nginx in front of it for the whole suite.
struct Deployment {
    testing::TempDir tmp;
    fs::path app_root = tmp.path() / "app-root";     // wardmap --web-root: the big file
    fs::path nginx_root = tmp.path() / "nginx-root"; // nginx `root`: the web client
    std::string big_file = big_file_content();
    std::unique_ptr<testing::ServerProcess> app;
    std::unique_ptr<NginxProcess> nginx;
};

class NginxFront : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        const auto nginx_binary = find_program("nginx");
        if (!nginx_binary) {
            skip_reason = "SKIPPED: nginx is not installed (scripts/setup installs it)";
            return;
        }
        try {
            deployment = std::make_unique<Deployment>();
            start(*nginx_binary);
        } catch (const std::exception& e) {
            setup_error = e.what();
        }
    }
    static void TearDownTestSuite() { deployment.reset(); }

    void SetUp() override {
        if (!skip_reason.empty()) {
            GTEST_SKIP() << skip_reason;
        }
        ASSERT_TRUE(setup_error.empty()) << setup_error;
    }

    // On failure, both servers' own words, which usually say why.
    void TearDown() override {
        if (HasFailure() && deployment) {
            if (deployment->nginx) {
                std::cout << "---- nginx log (tail) ----\n" << tail(deployment->nginx->log());
            }
            if (deployment->app) {
                std::cout << "---- wardmap output (tail) ----\n" << tail(deployment->app->output());
            }
        }
    }

    static std::string tail(const std::string& text, std::size_t bytes = 4000) {
        return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
    }

    static void start(const fs::path& nginx_binary) {
        auto& d = *deployment;
        const auto db = d.tmp.path() / "demo.sqlite";
        std::string output;
        if (testing::copy_demo_store(db, &output) != 0) {
            throw std::runtime_error("wardmap demo-data failed:\n" + output);
        }
        write_file(d.app_root / "big.bin", d.big_file);
        write_file(d.app_root / "only-in-app.txt", "served by wardmap\n");
        write_file(d.nginx_root / "index.html", "<!doctype html><title>wardmap</title>\n");
        write_file(d.nginx_root / "css" / "site.css", stylesheet());
        write_file(d.nginx_root / ".env", "SECRET=1\n");
        // One reactor thread: a stall in Pistache then delays every request, not just those
        // that happen to share the slow reader's thread (production runs two).
        d.app = std::make_unique<testing::ServerProcess>(
            db, std::vector<std::string>{"--web-root", d.app_root.string(), "--threads", "1"});

        const auto prefix = d.tmp.path() / "nginx";
        fs::create_directories(prefix);
        std::string last_error;
        for (int attempt = 0; attempt < 3 && !d.nginx; ++attempt) {
            const auto port = free_loopback_port();
            const auto conf = prefix / "nginx.conf";
            write_file(conf, loopback_nginx_conf(prefix, port, d.app->port(), d.nginx_root));
            if (run({nginx_binary.string(), "-t", "-p", prefix.string() + "/", "-c", conf.string()},
                    prefix / "nginx-t.log", output) != 0) {
                throw std::runtime_error("nginx -t rejects the configuration:\n" + output);
            }
            try {
                d.nginx = std::make_unique<NginxProcess>(nginx_binary, prefix, conf, port);
            } catch (const std::runtime_error& e) {
                last_error = e.what(); // most likely the port was taken meanwhile; try another
            }
        }
        if (!d.nginx) {
            throw std::runtime_error(last_error);
        }
    }

    static std::uint16_t nginx_port() { return deployment->nginx->port(); }
    static std::uint16_t app_port() { return deployment->app->port(); }

    static inline std::unique_ptr<Deployment> deployment;
    static inline std::string skip_reason;
    static inline std::string setup_error;
};

TEST_F(NginxFront, SlowReaderDoesNotStallOtherClients) {
    const auto& big = deployment->big_file;
    {
        SlowReader reader(nginx_port(), "/big.bin", big, slow_bytes_per_second, 60s);
        ASSERT_TRUE(reader.wait_for_body(30s)) << "no body for the slow reader via nginx";
        // First nginx takes the whole response off loopback into its buffers and a temp
        // file; until then Pistache's one reactor is busy writing it, however fast the reader
        // (~0.2 s for 32 MB here). Without buffering that would last as long as the slow
        // reader, ~30 s: so wait (at most 10 s) for a quick answer, then assert on the steady
        // state in which only nginx waits for the slow client.
        const auto body_seen = Clock::now();
        const auto first = timed_get(nginx_port(), "/healthz", 5s);
        auto settle = first;
        int settle_probes = 1;
        while (!(settle.status == 200 && settle.ms < healthz_bound_ms) &&
               Clock::now() - body_seen < 10s) {
            settle = timed_get(nginx_port(), "/healthz", 5s);
            ++settle_probes;
        }
        const double settled_ms = ms_since(body_seen);
        ASSERT_LT(settle.ms, healthz_bound_ms)
            << "10 s after the slow reader started, /healthz via nginx still stalls";
        std::vector<Probe> probes;
        for (int i = 0; i < probe_count; ++i) {
            probes.push_back(timed_get(nginx_port(), "/healthz", 5s));
            std::this_thread::sleep_for(50ms);
        }
        const std::size_t read_meanwhile = reader.body_bytes();
        const auto s = summarise(probes);
        std::cout << std::fixed << std::setprecision(1)
                  << "[ via nginx ] /healthz while a slow reader takes " << (big.size() >> 20)
                  << " MB at 1 MB/s: p50 " << s.p50 << " ms, max " << s.max << " ms (" << s.failed
                  << " failed)\n              all:" << describe(probes)
                  << " ms\n              (a probe at the start, while nginx took the response off"
                     " loopback: "
                  << first.ms << " ms; " << settle_probes << " probe(s) until quick, " << settled_ms
                  << " ms)\n";
        EXPECT_EQ(s.failed, 0) << describe(probes);
        EXPECT_LT(s.max, healthz_bound_ms)
            << "a slow client behind nginx stalled /healthz:" << describe(probes);
        // The probes really overlapped the slow transfer.
        EXPECT_LT(read_meanwhile, big.size() / 2);

        reader.read_at_full_speed();
        const auto r = reader.finish(60s);
        EXPECT_EQ(r.status, 200) << r.error;
        EXPECT_EQ(r.content_length, big.size());
        EXPECT_TRUE(r.complete) << r.error << " after " << r.body_bytes << " bytes";
        EXPECT_FALSE(r.first_mismatch) << "body differs from byte " << r.first_mismatch.value_or(0);
    }

    // For comparison only: the same slow reader on wardmap itself. It gives up after 3 s,
    // which is what lets the first probe through at all.
    SlowReader direct(app_port(), "/big.bin", big, slow_bytes_per_second, 3s);
    if (!direct.wait_for_body(30s)) {
        std::cout << "[ direct    ] the slow reader got no body from wardmap; nothing to compare\n";
        return;
    }
    std::vector<Probe> probes;
    const auto started = Clock::now();
    while (probes.size() < 5 && Clock::now() - started < 8s) {
        probes.push_back(timed_get(app_port(), "/healthz", 6s));
        std::this_thread::sleep_for(50ms);
    }
    const auto s = summarise(probes);
    std::cout << std::fixed << std::setprecision(1)
              << "[ direct    ] /healthz while the same slow reader reads from wardmap: p50 "
              << s.p50 << " ms, max " << s.max << " ms (" << s.failed
              << " failed)\n              all:" << describe(probes)
              << " ms (the reader hangs up after 3 s)\n";
    direct.finish(10s);
    const auto after = timed_get(app_port(), "/healthz", 5s);
    std::cout << "[ direct    ] /healthz after the reader left: " << after.ms << " ms, status "
              << after.status << "\n";
}

TEST_F(NginxFront, GzipsApiResponsesAndStaticFiles) {
    const auto wards = testing::http_get(nginx_port(), "/api/wards", {{"Accept-Encoding", "gzip"}});
    ASSERT_EQ(wards.status, 200) << wards.body;
    EXPECT_EQ(wards.header("content-type"), "application/geo+json");
    ASSERT_EQ(wards.header("content-encoding"), "gzip");
    const auto doc = json::parse(testing::gunzip(wards.body));
    EXPECT_EQ(doc["type"], "FeatureCollection");
    EXPECT_FALSE(doc["features"].empty());

    // Only nginx's root has this file, so nginx served and compressed it.
    const auto css =
        testing::http_get(nginx_port(), "/css/site.css", {{"Accept-Encoding", "gzip"}});
    ASSERT_EQ(css.status, 200) << css.body;
    EXPECT_EQ(css.header("content-encoding"), "gzip");
    EXPECT_EQ(testing::gunzip(css.body), stylesheet());
    EXPECT_NE(css.header("vary").find("Accept-Encoding"), std::string::npos);

    const auto plain = testing::http_get(nginx_port(), "/css/site.css");
    EXPECT_EQ(plain.header("content-encoding"), "");
    EXPECT_EQ(plain.body, stylesheet());
}

TEST_F(NginxFront, ServesTheWebClientAndFallsBackToTheApp) {
    const auto index = testing::http_get(nginx_port(), "/");
    ASSERT_EQ(index.status, 200);
    EXPECT_EQ(index.body, read_file(deployment->nginx_root / "index.html"));
    EXPECT_EQ(index.header("cache-control"), "no-cache");

    const auto css = testing::http_get(nginx_port(), "/css/site.css");
    ASSERT_EQ(css.status, 200);
    EXPECT_EQ(css.header("cache-control"), "max-age=300");
    ASSERT_FALSE(css.header("etag").empty());
    const auto again =
        testing::http_get(nginx_port(), "/css/site.css", {{"If-None-Match", css.header("etag")}});
    EXPECT_EQ(again.status, 304);

    // Not on nginx's disk: the app answers, its 404 included.
    const auto fallback = testing::http_get(nginx_port(), "/only-in-app.txt");
    EXPECT_EQ(fallback.status, 200);
    EXPECT_EQ(fallback.body, "served by wardmap\n");
    const auto missing = testing::http_get(nginx_port(), "/js/missing.js");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.header("content-type"), "application/problem+json");

    EXPECT_EQ(testing::http_get(nginx_port(), "/.env").status, 404);
}

TEST_F(NginxFront, PassesRequestIdsThrough) {
    const auto own =
        testing::http_get(nginx_port(), "/healthz", {{"X-Request-Id", "deploy-42.a_b"}});
    ASSERT_EQ(own.status, 200);
    EXPECT_EQ(own.header("x-request-id"), "deploy-42.a_b");

    // Without one (or with one wardmap would not echo) nginx makes one, and the app uses it.
    const auto made = testing::http_get(nginx_port(), "/healthz");
    const auto unsafe = testing::http_get(nginx_port(), "/healthz", {{"X-Request-Id", "a b\"c"}});
    for (const auto* r : {&made, &unsafe}) {
        ASSERT_EQ(r->status, 200);
        const auto id = r->header("x-request-id");
        EXPECT_EQ(id.size(), 32U) << id; // nginx's $request_id
        EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    }
    EXPECT_NE(made.header("x-request-id"), unsafe.header("x-request-id"));

    // The app logged the same ids (its access log goes to stdout).
    const auto deadline = Clock::now() + 5s;
    std::string log = deployment->app->output();
    while (log.find(unsafe.header("x-request-id")) == std::string::npos &&
           Clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
        log = deployment->app->output();
    }
    EXPECT_NE(log.find("\"deploy-42.a_b\""), std::string::npos);
    EXPECT_NE(log.find(made.header("x-request-id")), std::string::npos);
    EXPECT_NE(log.find(unsafe.header("x-request-id")), std::string::npos);

    // Files nginx serves itself carry one too.
    EXPECT_EQ(testing::http_get(nginx_port(), "/css/site.css").header("x-request-id").size(), 32U);
}

TEST_F(NginxFront, RefusesOversizedBodiesItself) {
    const std::string body(2U << 20, ' ');
    const auto api = testing::http_request(nginx_port(), "POST", "/api/transform", body,
                                           {{"Content-Type", "application/json"}});
    ASSERT_EQ(api.status, 413) << api.body;
    EXPECT_EQ(api.header("content-type"), "application/problem+json");
    const auto problem = json::parse(api.body);
    EXPECT_EQ(problem["type"], "urn:wardmap:problem:payload-too-large");
    EXPECT_EQ(problem["request_id"], api.header("x-request-id"));

    // Open311 takes photos: 2 MB passes nginx (the app may refuse it, in its own words), 13 MB
    // does not (in GeoReport's error format).
    const auto photo = testing::http_request(nginx_port(), "POST", "/open311/v2/requests.json",
                                             body, {{"Content-Type", "application/json"}});
    EXPECT_EQ(photo.body.find("12 MB size limit"), std::string::npos) << photo.body;
    // So does a photo upload: 2 MB reaches the app, which judges the bytes.
    const auto upload = testing::http_request(nginx_port(), "POST", "/api/photos", body,
                                              {{"Content-Type", "image/jpeg"}});
    EXPECT_NE(upload.status, 413) << upload.body;
    const std::string huge(13U << 20, ' ');
    const auto too_big = testing::http_request(nginx_port(), "POST", "/open311/v2/requests.json",
                                               huge, {{"Content-Type", "application/json"}});
    ASSERT_EQ(too_big.status, 413);
    EXPECT_EQ(json::parse(too_big.body)[0]["code"], 413);
}

TEST_F(NginxFront, RateLimitsPublicPostsButNotReads) {
    const std::string body = R"({"crs": "EPSG:27700", "points": [[358000, 417500]]})";
    std::vector<int> statuses;
    for (int i = 0; i < 40; ++i) {
        statuses.push_back(testing::http_request(nginx_port(), "POST", "/api/transform", body,
                                                 {{"Content-Type", "application/json"}})
                               .status);
    }
    // The burst of 20 passes (less whatever other tests' POSTs used), then one a second.
    EXPECT_EQ(std::count(statuses.begin(), statuses.begin() + 15, 200), 15);
    EXPECT_GE(std::count(statuses.begin(), statuses.end(), 429), 10);
    const auto limited = testing::http_request(nginx_port(), "POST", "/api/transform", body,
                                               {{"Content-Type", "application/json"}});
    ASSERT_EQ(limited.status, 429);
    EXPECT_EQ(json::parse(limited.body)["type"], "urn:wardmap:problem:rate-limited");

    for (int i = 0; i < 30; ++i) {
        ASSERT_EQ(testing::http_get(nginx_port(), "/api/wards").status, 200) << "GET " << i;
    }
}

/// The production site itself (TLS, redirect, snippets from /etc/nginx/snippets) must pass
/// `nginx -t` once its paths point at this checkout and a throwaway certificate.
TEST(NginxProductionSite, PassesNginxConfigTest) {
    const auto nginx = find_program("nginx");
    const auto openssl = find_program("openssl");
    if (!nginx || !openssl) {
        GTEST_SKIP() << "SKIPPED: needs nginx and openssl";
    }
    testing::TempDir tmp;
    const auto p = tmp.path();
    std::string output;
    ASSERT_EQ(run({openssl->string(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                   "-subj", "/CN=maps.example.gov.uk", "-keyout", (p / "privkey.pem").string(),
                   "-out", (p / "fullchain.pem").string()},
                  p / "openssl.log", output),
              0)
        << output;
    // Everything that points outside this checkout, including the public ports: even
    // `nginx -t` binds the listen addresses, and this test stays on loopback.
    auto site = read_file(testing::source_dir() / "deploy" / "nginx" / "wardmap.conf");
    const std::vector<std::pair<std::string, std::string>> rewrites = {
        {"/etc/nginx/snippets/", (testing::source_dir() / "deploy" / "nginx").string() + "/"},
        {"/etc/letsencrypt/live/maps.example.gov.uk/", p.string() + "/"},
        {"/var/log/nginx/", p.string() + "/"},
        {"listen 80;", "listen 127.0.0.1:" + std::to_string(free_loopback_port()) + ";"},
        {"listen 443 ssl http2;",
         "listen 127.0.0.1:" + std::to_string(free_loopback_port()) + " ssl http2;"},
        {"listen [::]:80;", ""},
        {"listen [::]:443 ssl http2;", ""},
    };
    for (const auto& [from, to] : rewrites) {
        ASSERT_NE(site.find(from), std::string::npos) << "wardmap.conf no longer has " << from;
        site = replace_all(site, from, to);
    }
    write_file(p / "wardmap.conf", site);
    const auto s = p.string();
    write_file(p / "nginx.conf", "pid " + s + "/nginx.pid;\nerror_log " + s +
                                     "/error.log;\nevents {}\nhttp {\n"
                                     "    include /etc/nginx/mime.types;\n"
                                     "    access_log " +
                                     s +
                                     "/access.log;\n"
                                     "    client_body_temp_path " +
                                     s +
                                     "/client_body;\n"
                                     "    proxy_temp_path " +
                                     s +
                                     "/proxy;\n"
                                     "    fastcgi_temp_path " +
                                     s +
                                     "/fastcgi;\n"
                                     "    uwsgi_temp_path " +
                                     s +
                                     "/uwsgi;\n"
                                     "    scgi_temp_path " +
                                     s +
                                     "/scgi;\n"
                                     "    include " +
                                     s + "/wardmap.conf;\n}\n");
    EXPECT_EQ(run({nginx->string(), "-t", "-p", s + "/", "-c", (p / "nginx.conf").string()},
                  p / "nginx-t.log", output),
              0)
        << output;
    EXPECT_EQ(output.find("[warn]"), std::string::npos) << output;
}

} // namespace
} // namespace wardmap
