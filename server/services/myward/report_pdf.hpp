#pragma once

// An HTML page printed to PDF by headless Chromium (Debian's /usr/bin/chromium), for MyWard's
// monthly report (docs/myward.md "Monthly report"). Each render writes the page to a private
// temporary folder, runs Chromium there as a child process in its own process group with no
// network-facing input but that file, waits at most `timeout` (then kills the whole group),
// and checks the output (begins %PDF-, at most `max_bytes`). At most `max_concurrent` renders
// run at once; one more is refused at once (503 with Retry-After), never queued.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>

namespace wardmap::services {

struct PdfSettings {
    std::filesystem::path chromium = "/usr/bin/chromium";
    std::chrono::seconds timeout{60};
    int max_concurrent = 2;
    std::size_t max_bytes = std::size_t{20} << 20;
};

class PdfRenderer {
  public:
    explicit PdfRenderer(PdfSettings settings);

    /// Whether the Chromium executable exists and is executable.
    [[nodiscard]] bool available() const;

    /// The PDF of `html`. Throws DomainError: unavailable (503) when Chromium is absent, when
    /// `max_concurrent` renders are already running (Retry-After 5), when it took longer than
    /// the timeout (killed) or wrote no PDF.
    [[nodiscard]] std::string render(const std::string& html) const;

    [[nodiscard]] const PdfSettings& settings() const { return m_settings; }
    /// Prints running now.
    [[nodiscard]] int running() const { return m_running.load(); }

  private:
    PdfSettings m_settings;
    mutable std::atomic<int> m_running{0};
};

} // namespace wardmap::services
