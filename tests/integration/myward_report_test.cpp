// MyWard's monthly report and e-mailed summary over real HTTP (issue #16; docs/myward.md
// "Monthly report", "Monthly summary by e-mail"): the demo councillor's ward report for last
// month as A4 HTML (figures the same as the dashboard's for that month, suppressed alike, an
// inline SVG map, nothing fetched, no personal data) and as a PDF printed by Debian's
// chromium (page count, A4, page 1 rasterised by poppler's pdftoppm and not blank; one PNG
// kept in build/browser-artifacts; the limit of two prints at once and the timeout are
// tests/unit/myward/report_pdf_test.cpp's); the scope and input errors; and the summary:
// councillors opt in or out, `wardmap myward send-summaries` queues, the real server delivers by
// SMTP to the real sink (tests/integration/smtp_sink.py), and a second run queues nothing.

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
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
using testing::HttpResponse;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* debian_python = "/usr/bin/python3"; // python3-aiosmtpd
constexpr const char* chromium = "/usr/bin/chromium";
constexpr const char* second_email = "robin.second@example.org";
constexpr const char* second_password = "Second-councillor-1";

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

/// Runs a shell command, returning its stdout and setting `status` to its exit status.
std::string run(const std::string& command, int* status = nullptr) {
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    if (p == nullptr) {
        return out;
    }
    std::array<char, 4096> buf{};
    while (const auto n = std::fread(buf.data(), 1, buf.size(), p)) {
        out.append(buf.data(), n);
    }
    const int rc = ::pclose(p);
    if (status != nullptr) {
        *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    }
    return out;
}

bool have(const char* tool) {
    int status = 0;
    run(std::string("command -v ") + tool + " >/dev/null 2>&1", &status);
    return status == 0;
}

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
    explicit SmtpSink(std::filesystem::path folder) : m_folder(std::move(folder)) {
        const auto port_file = m_folder.parent_path() / "sink.port";
        const std::string script =
            (testing::source_dir() / "tests" / "integration" / "smtp_sink.py").string();
        std::vector<std::string> args{
            debian_python,      script,           "--port", "0", "--port-file",
            port_file.string(), m_folder.string()};
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
            throw std::runtime_error("the SMTP sink did not start (python3-aiosmtpd missing? "
                                     "run scripts/setup)");
        }
        m_port = std::stoi(read_file(port_file));
    }
    ~SmtpSink() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            int status = 0;
            ::waitpid(m_pid, &status, 0);
        }
    }
    SmtpSink(const SmtpSink&) = delete;
    SmtpSink& operator=(const SmtpSink&) = delete;
    [[nodiscard]] int port() const { return m_port; }
    [[nodiscard]] std::vector<std::string> messages_to(const std::string& email) const {
        std::vector<std::string> out;
        if (!std::filesystem::exists(m_folder)) {
            return out;
        }
        for (const auto& f : std::filesystem::directory_iterator(m_folder)) {
            if (f.path().extension() == ".eml") {
                auto text = read_file(f.path());
                if (text.find("To: <" + email + ">") != std::string::npos) {
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

struct Who {
    std::string cookie;
    std::string csrf;
};

class MyWardReport : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        ASSERT_TRUE(testing::make_demo_store(db_path));
        sink = new SmtpSink(tmp->path() / "mail");
        server = new testing::ServerProcess(
            db_path,
            {"--no-access-log", "--smtp-url", "smtp://127.0.0.1:" + std::to_string(sink->port()),
             "--mail-interval-seconds", "1", "--public-url", "https://wardmap.example"});
        councillor = sign_in("councillor@demo.wardmap.test", "Demo-councillor-1");
        staff = sign_in("customer.services@demo.wardmap.test", "Demo-customer-1");
        const auto me = json::parse(get("/api/me", councillor).body);
        for (const auto& w : me["person"]["roles"][0]["wards"]) {
            wards.push_back(w.get<std::string>());
        }
        ASSERT_EQ(wards.size(), 2U) << me.dump();
        // Last month, whole.
        std::time_t t = std::time(nullptr);
        std::tm tm = *std::gmtime(&t);
        tm.tm_mday = 1;
        tm.tm_mon -= 1;
        tm.tm_hour = 12;
        const std::time_t first = timegm(&tm);
        char buf[16];
        std::strftime(buf, sizeof buf, "%Y-%m", std::gmtime(&first));
        month = buf;
        tm.tm_mon += 1;
        tm.tm_mday = 0; // the last day of last month
        const std::time_t last = timegm(&tm);
        std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&last));
        month_last = buf;
    }
    static void TearDownTestSuite() {
        delete server;
        delete sink;
        delete tmp;
    }

    static Who sign_in(const std::string& email, const std::string& password) {
        const auto r = testing::http_request(server->port(), "POST", "/api/session",
                                             json{{"email", email}, {"password", password}}.dump(),
                                             {{"Content-Type", "application/json"}});
        EXPECT_EQ(r.status, 200) << email << ": " << r.body;
        const auto set_cookie = r.header("set-cookie");
        return {set_cookie.substr(0, set_cookie.find(';')),
                json::parse(r.body).value("csrf_token", "")};
    }
    static HttpResponse get(const std::string& target, const Who& who = {}) {
        Headers h;
        if (!who.cookie.empty()) {
            h.emplace_back("Cookie", who.cookie);
        }
        return testing::http_get(server->port(), target, h);
    }
    static HttpResponse subscribe(const Who& who, const std::string& body) {
        return testing::http_request(server->port(), "POST", "/api/myward/summary-subscription",
                                     body,
                                     {{"Content-Type", "application/json"},
                                      {"Cookie", who.cookie},
                                      {"X-CSRF-Token", who.csrf}});
    }
    static std::string report(const std::string& ward, const std::string& m) {
        return "/api/myward/" + ward + "/report?month=" + m;
    }
    static int
    cli(std::vector<std::string> args, std::string* out, const std::vector<std::string>& env = {}) {
        args.emplace_back("--db");
        args.push_back(db_path.string());
        return testing::run_wardmap(args, out, env);
    }
    /// The <td> after the row headed `label`.
    static std::string row_value(const std::string& html, const std::string& label) {
        const std::regex re("<th scope=\"row\">" + label + "</th><td>(.*?)</td>");
        std::smatch m;
        return std::regex_search(html, m, re) ? m[1].str() : "(no row)";
    }

    static inline testing::TempDir* tmp = nullptr;
    static inline std::filesystem::path db_path;
    static inline SmtpSink* sink = nullptr;
    static inline testing::ServerProcess* server = nullptr;
    static inline Who councillor, staff;
    static inline std::vector<std::string> wards;
    static inline std::string month, month_last;
};

TEST_F(MyWardReport, HtmlIsA4WithTheDashboardsFiguresAMapAndNoPersonalData) {
    const auto r = get(report(wards[0], month), councillor);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(r.header("cache-control"), "private, no-store");
    const auto& html = r.body;
    EXPECT_NE(html.find("@page { size: A4;"), std::string::npos);
    // Nothing interactive, nothing fetched.
    for (const char* absent : {"<script", "<img", "<link", "<iframe", "url(", "src=", "http"}) {
        EXPECT_EQ(html.find(absent), std::string::npos) << absent;
    }
    EXPECT_FALSE(std::regex_search(html, std::regex("[A-Za-z0-9._-]+@[A-Za-z0-9-]+\\.")))
        << "an e-mail address";
    // The map: the ward's outline (27700 metres, y negated) and a dot or cell per request.
    EXPECT_TRUE(std::regex_search(html, std::regex("<svg [^>]*viewBox=\"3[0-9]{5} -4[0-9]{5} ")))
        << html.substr(0, 3000);
    EXPECT_NE(html.find("<path d=\"M 3"), std::string::npos);

    // The same figures as the dashboard's for that month and ward, suppressed under 5.
    const auto dash =
        get("/api/myward/" + wards[0] + "?from=" + month + "-01&to=" + month_last, councillor);
    ASSERT_EQ(dash.status, 200) << dash.body;
    const auto d = json::parse(dash.body);
    ASSERT_TRUE(d["requests"]["in_use"].get<bool>());
    const auto shown = [](const json& n) {
        const int v = n.get<int>();
        return v > 0 && v < 5 ? std::string("<span class=\"sup\">&lt;5</span>") : std::to_string(v);
    };
    EXPECT_EQ(row_value(html, "Requests received"), shown(d["requests"]["received"]));
    EXPECT_EQ(row_value(html, "Still open"), shown(d["requests"]["open"]));
    EXPECT_EQ(row_value(html, "Closed"), shown(d["requests"]["closed"]));
    EXPECT_EQ(row_value(html, "Open past their target"), shown(d["requests"]["overdue"]));
    EXPECT_GT(d["requests"]["received"].get<int>(), 0) << "the demo has no casework last month";
    for (const auto& c : d["requests"]["by_category"]) {
        EXPECT_EQ(row_value(html, c["category"].get<std::string>()), shown(c["count"])) << c.dump();
    }
    // Every request of the month is on the map (dots up to 400).
    const auto points = d["requests"]["points"].size();
    if (points <= 400) {
        std::size_t dots = 0;
        for (auto p = html.find("<circle "); p != std::string::npos;
             p = html.find("<circle ", p + 1)) {
            ++dots;
        }
        EXPECT_EQ(dots, points);
    }
}

TEST_F(MyWardReport, ManyRequestsAreDrawnAsHeatCells) {
    // 450 requests at one point of the ward (SpatiaLite's PointOnSurface of its outline), in
    // the month 13 months ago: over 400, the map draws 100 m cells instead of dots, and the
    // cell holding that point is the darkest.
    std::time_t t = std::time(nullptr);
    std::tm tm = *std::gmtime(&t);
    tm.tm_mday = 15;
    tm.tm_mon -= 13;
    tm.tm_hour = 12;
    const std::time_t when = timegm(&tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m", std::gmtime(&when));
    const std::string busy_month = buf;
    std::strftime(buf, sizeof buf, "%Y-%m-%dT10:00:00Z", std::gmtime(&when));
    const std::string created = buf;
    double e = 0, n = 0;
    {
        auto db = store::Database::open(db_path);
        auto at = db.prepare(
            "SELECT X(PointOnSurface(w.geom)), Y(PointOnSurface(w.geom)) FROM wards w JOIN "
            "boundary_sets b ON b.id = w.boundary_set_id WHERE w.code = ?1 ORDER BY "
            "b.valid_from DESC LIMIT 1");
        at.bind(1, wards[0]);
        ASSERT_TRUE(at.step());
        e = at.real(0);
        n = at.real(1);
        db.exec("INSERT OR IGNORE INTO service_categories (code, name, group_name) VALUES "
                "('mr_test', 'MyWard report test', 'Test')");
        auto ins = db.prepare(
            "INSERT INTO service_requests (category_code, status, description, created_at, "
            "updated_at, geom, geom_wgs84) VALUES ('mr_test', 'open', 'a test report', ?1, ?1, "
            "MakePoint(?2, ?3, 27700), ST_Transform(MakePoint(?2, ?3, 27700), 4326))");
        for (int i = 0; i < 450; ++i) {
            ins.reset();
            ins.bind(1, created).bind(2, e).bind(3, n).run();
        }
    }
    const auto r = get(report(wards[0], busy_month), councillor);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body.find("<circle "), std::string::npos);
    EXPECT_EQ(row_value(r.body, "mr_test"), "450");
    const auto x = static_cast<long>(std::floor(e / 100)) * 100;
    const auto y = -(static_cast<long>(std::floor(n / 100)) + 1) * 100;
    EXPECT_NE(r.body.find("<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) +
                          "\" width=\"100\" height=\"100\" fill-opacity=\"0.95\"/>"),
              std::string::npos)
        << r.body.substr(0, 4000);
}

TEST_F(MyWardReport, ScopeAndInputErrors) {
    // Staff with ward_read: any ward; the councillor: not a ward of someone else.
    EXPECT_EQ(get(report(wards[1], month), staff).status, 200);
    EXPECT_EQ(get(report(wards[0], month)).status, 401);
    const auto all = json::parse(get("/api/wards").body);
    std::string other;
    for (const auto& f : all.contains("features") ? all["features"] : all) {
        const auto code =
            f.contains("properties") ? f["properties"].value("code", "") : f.value("code", "");
        if (!code.empty() && code != wards[0] && code != wards[1]) {
            other = code;
            break;
        }
    }
    ASSERT_FALSE(other.empty()) << all.dump().substr(0, 500);
    EXPECT_EQ(get(report(other, month), councillor).status, 403);
    EXPECT_EQ(get(report(other, month), staff).status, 200);
    EXPECT_EQ(get(report("E05999999", month), staff).status, 404);
    for (const std::string bad :
         {"", "2019-13", "2019-1", "19-01", "2019-01-01", "2019/01", "9999-12", "0000-01"}) {
        const auto r =
            get(bad.empty() ? "/api/myward/" + wards[0] + "/report" : report(wards[0], bad),
                councillor);
        EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
        EXPECT_EQ(r.header("content-type"), "application/problem+json");
        EXPECT_EQ(json::parse(r.body)["errors"][0]["name"], "month") << r.body;
    }
    const auto extra = get(report(wards[0], month) + "&from=2019-01-01", councillor);
    EXPECT_EQ(extra.status, 400);
    EXPECT_EQ(json::parse(extra.body)["errors"][0]["name"], "from");
}

TEST_F(MyWardReport, PdfIsOneA4PageThatIsNotBlank) {
    if (access(chromium, X_OK) != 0) {
        GTEST_SKIP() << "SKIPPED: no " << chromium << " (scripts/setup installs it)";
    }
    const auto r = get("/api/myward/" + wards[0] + "/report.pdf?month=" + month, councillor);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/pdf");
    ASSERT_TRUE(r.body.starts_with("%PDF-")) << r.body.substr(0, 100);
    EXPECT_EQ(get("/api/myward/" + wards[0] + "/report.pdf?month=" + month).status, 401);
    if (!have("pdftoppm") || !have("pdfinfo")) {
        GTEST_SKIP() << "SKIPPED: the PDF's pages are not checked: no pdftoppm/pdfinfo "
                        "(poppler-utils; scripts/setup installs it)";
    }
    const auto pdf = tmp->path() / "report.pdf";
    std::ofstream(pdf, std::ios::binary) << r.body;
    const auto info = run("pdfinfo " + pdf.string());
    std::smatch m;
    ASSERT_TRUE(std::regex_search(info, m, std::regex("Pages:\\s+([0-9]+)"))) << info;
    EXPECT_EQ(std::stoi(m[1].str()), 1) << info;
    EXPECT_TRUE(std::regex_search(
        info, std::regex("Page size:\\s+59[45]\\.[0-9]+ x 841\\.[0-9]+ pts \\(A4\\)")))
        << info; // A4 in points
    int status = 0;
    const auto png_base = tmp->path() / "page";
    run("pdftoppm -png -r 50 -f 1 -l 1 -singlefile " + pdf.string() + " " + png_base.string(),
        &status);
    const auto png = tmp->path() / "page.png";
    ASSERT_EQ(status, 0);
    ASSERT_TRUE(std::filesystem::exists(png));
    const auto artifacts = testing::binary_dir() / "browser-artifacts";
    std::filesystem::create_directories(artifacts);
    std::filesystem::copy_file(png, artifacts / "myward-report-page1.png",
                               std::filesystem::copy_options::overwrite_existing);
    // Not blank: the grey levels of the same page (pdftoppm's PGM) vary.
    run("pdftoppm -gray -r 50 -f 1 -l 1 -singlefile " + pdf.string() + " " + png_base.string(),
        &status);
    const auto pgm = read_file(tmp->path() / "page.pgm");
    ASSERT_TRUE(pgm.starts_with("P5")) << pgm.substr(0, 20);
    // Header: P5 W H 255, then W*H bytes.
    std::size_t pos = 2, fields = 0;
    while (fields < 3 && pos < pgm.size()) {
        while (pos < pgm.size() && std::isspace(static_cast<unsigned char>(pgm[pos])) != 0) {
            ++pos;
        }
        while (pos < pgm.size() && std::isdigit(static_cast<unsigned char>(pgm[pos])) != 0) {
            ++pos;
        }
        ++fields;
    }
    ++pos;
    ASSERT_LT(pos, pgm.size());
    double sum = 0, sum2 = 0;
    std::size_t dark = 0;
    for (std::size_t i = pos; i < pgm.size(); ++i) {
        const double v = static_cast<unsigned char>(pgm[i]);
        sum += v;
        sum2 += v * v;
        dark += v < 128 ? 1 : 0;
    }
    const double n = static_cast<double>(pgm.size() - pos);
    const double variance = sum2 / n - (sum / n) * (sum / n);
    EXPECT_GT(variance, 100.0);
    EXPECT_GT(dark, 500U); // text and the outline
}

TEST_F(MyWardReport, MonthlySummaryGoesOnceToOptedInCouncillorsOnly) {
    // A second councillor of the same ward, who opts in and then out.
    std::string out;
    ASSERT_EQ(cli({"users", "add", second_email, "--name", "Robin Second", "--role", "councillor",
                   "--ward", wards[0]},
                  &out, {std::string("WARDMAP_PASSWORD=") + second_password}),
              0)
        << out;
    const auto second = sign_in(second_email, second_password);

    // Input and who may.
    EXPECT_EQ(subscribe(councillor, R"({"monthly": "yes"})").status, 400);
    EXPECT_EQ(subscribe(councillor, R"({})").status, 400);
    EXPECT_EQ(subscribe(councillor, R"({"monthly": true, "weekly": true})").status, 400);
    EXPECT_EQ(subscribe(staff, R"({"monthly": true})").status, 403);
    const auto on = subscribe(councillor, R"({"monthly": true})");
    ASSERT_EQ(on.status, 200) << on.body;
    EXPECT_EQ(json::parse(on.body)["monthly"], true);
    ASSERT_EQ(subscribe(second, R"({"monthly": true})").status, 200);
    ASSERT_EQ(subscribe(second, R"({"monthly": false})").status, 200);

    ASSERT_EQ(cli({"myward", "send-summaries", "--month", month, "--public-url",
                   "https://wardmap.example"},
                  &out),
              0)
        << out;
    EXPECT_NE(out.find(": 2 queued, 0 already sent"), std::string::npos) << out;
    // Delivered by the running server's outbox over SMTP: one per ward.
    ASSERT_TRUE(wait_for([] {
        return sink->messages_to("councillor@demo.wardmap.test").size() >= 2;
    })) << server->output();
    const auto mails = sink->messages_to("councillor@demo.wardmap.test");
    ASSERT_EQ(mails.size(), 2U);
    for (const auto& ward : wards) {
        const auto url = "https://wardmap.example/api/myward/" + ward + "/report?month=" + month;
        int found = 0;
        for (const auto& mail : mails) {
            found += mail.find(url) != std::string::npos ? 1 : 0;
        }
        EXPECT_EQ(found, 1) << ward;
    }
    for (const auto& mail : mails) {
        EXPECT_NE(mail.find("Requests received: "), std::string::npos) << mail;
        EXPECT_NE(mail.find("Subject: "), std::string::npos);
    }
    EXPECT_TRUE(sink->messages_to(second_email).empty());

    // A second run for the same month queues nothing (the outbox does not grow).
    auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
    const auto before = db.query_int("SELECT count(*) FROM notification_outbox").value_or(-1);
    ASSERT_EQ(cli({"myward", "send-summaries", "--month", month}, &out), 0) << out;
    EXPECT_NE(out.find(": 0 queued, 2 already sent"), std::string::npos) << out;
    EXPECT_EQ(db.query_int("SELECT count(*) FROM notification_outbox").value_or(-2), before);

    // A bad month is refused, naming the flag.
    EXPECT_NE(cli({"myward", "send-summaries", "--month", "2019-13"}, &out), 0);
    EXPECT_NE(out.find("--month"), std::string::npos) << out;
}

} // namespace
} // namespace wardmap
