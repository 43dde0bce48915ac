// MyWard's report month parser and the PDF printer (server/services/myward/report_pdf.hpp)
// with Debian's real chromium: a page printed to a PDF; a page that never finishes loading
// killed at the timeout; a print beyond the concurrency limit refused at once, not queued;
// and a missing chromium answered as unavailable (503).

#include "server/services/myward/myward_report.hpp"
#include "server/services/myward/report_pdf.hpp"
#include "server/services/shared/errors.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>
#include <unistd.h>

namespace wardmap::services {
namespace {

constexpr const char* chromium = "/usr/bin/chromium";
// Chromium prints once the page has loaded; this one never does.
constexpr const char* never_loads = "<!doctype html><p>x</p><script>for (;;) {}</script>";

TEST(ReportMonth, ParsesExactlyYearDashMonth) {
    const auto m = parse_report_month("2024-02");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->year, 2024);
    EXPECT_EQ(m->month, 2);
    EXPECT_EQ(m->iso(), "2024-02");
    EXPECT_EQ(m->first_day().iso(), "2024-02-01");
    EXPECT_EQ(m->last_day().iso(), "2024-02-29");
    EXPECT_EQ(month_title(*m), "February 2024");
    EXPECT_EQ(parse_report_month("1900-02")->last_day().iso(), "1900-02-28");
    EXPECT_EQ(parse_report_month("2000-02")->last_day().iso(), "2000-02-29");
    EXPECT_EQ(parse_report_month("2026-12")->last_day().iso(), "2026-12-31");
    EXPECT_EQ(parse_report_month("2026-04")->last_day().iso(), "2026-04-30");
    for (const char* bad :
         {"", "2024", "2024-2", "2024-13", "2024-00", "1899-12", "2024-02-01", "2024/02",
          " 2024-02", "2024-02 ", "+024-02", "2024-0a", "２０２４-02"}) {
        EXPECT_FALSE(parse_report_month(bad)) << bad;
    }
}

TEST(PdfRenderer, MissingChromiumIsUnavailable) {
    const PdfRenderer pdf({.chromium = "/nonexistent/chromium"});
    EXPECT_FALSE(pdf.available());
    try {
        (void)pdf.render("<p>x</p>");
        FAIL() << "printed without chromium";
    } catch (const DomainError& e) {
        EXPECT_EQ(e.code(), ErrorCode::unavailable);
        EXPECT_TRUE(e.retry_after());
    }
}

TEST(PdfRenderer, PrintsAPageAndKillsOneThatNeverLoads) {
    if (access(chromium, X_OK) != 0) {
        GTEST_SKIP() << "SKIPPED: no " << chromium << " (scripts/setup installs it)";
    }
    const PdfRenderer pdf({.chromium = chromium, .timeout = std::chrono::seconds(30)});
    const auto out = pdf.render("<!doctype html><title>t</title><p>Hello</p>");
    EXPECT_TRUE(out.starts_with("%PDF-"));
    EXPECT_GT(out.size(), 500U);
    EXPECT_EQ(pdf.running(), 0);

    const PdfRenderer slow({.chromium = chromium, .timeout = std::chrono::seconds(2)});
    const auto start = std::chrono::steady_clock::now();
    try {
        (void)slow.render(never_loads);
        FAIL() << "a page that never loads was printed";
    } catch (const DomainError& e) {
        EXPECT_EQ(e.code(), ErrorCode::unavailable);
        EXPECT_NE(std::string(e.what()).find("longer than 2 s"), std::string::npos) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    EXPECT_EQ(slow.running(), 0);
}

TEST(PdfRenderer, BeyondTheLimitIsRefusedAtOnce) {
    if (access(chromium, X_OK) != 0) {
        GTEST_SKIP() << "SKIPPED: no " << chromium;
    }
    const PdfRenderer pdf(
        {.chromium = chromium, .timeout = std::chrono::seconds(3), .max_concurrent = 1});
    auto first = std::async(std::launch::async, [&pdf] {
        try {
            (void)pdf.render(never_loads);
        } catch (const DomainError&) {
            // killed at the timeout, as above
        }
    });
    for (int i = 0; i < 2000 && pdf.running() == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_EQ(pdf.running(), 1);
    const auto start = std::chrono::steady_clock::now();
    try {
        (void)pdf.render("<p>second</p>");
        FAIL() << "a second print ran beside the first";
    } catch (const DomainError& e) {
        EXPECT_EQ(e.code(), ErrorCode::unavailable);
        EXPECT_EQ(e.retry_after(), 5);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
    first.get();
    EXPECT_EQ(pdf.running(), 0);
}

} // namespace
} // namespace wardmap::services
