#include "server/services/myward/report_pdf.hpp"

#include "server/services/shared/errors.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace wardmap::services {

namespace {

/// Counts one render while it lives; `acquired` is false when the limit was reached.
class Slot {
  public:
    Slot(std::atomic<int>& running, int limit) : m_running(running) {
        int now = m_running.load();
        while (now < limit) {
            if (m_running.compare_exchange_weak(now, now + 1)) {
                acquired = true;
                return;
            }
        }
    }
    ~Slot() {
        if (acquired) {
            --m_running;
        }
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    bool acquired = false;

  private:
    std::atomic<int>& m_running;
};

/// A private temporary folder, removed with everything in it.
class TempFolder {
  public:
    TempFolder() {
        std::string pattern = (std::filesystem::temp_directory_path() / "wardmap-pdf-XXXXXX");
        if (mkdtemp(pattern.data()) == nullptr) {
            throw DomainError(ErrorCode::internal, "cannot make a temporary folder for the PDF");
        }
        path = pattern;
    }
    ~TempFolder() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;
    std::filesystem::path path;
};

DomainError unavailable(const std::string& detail, int retry_after) {
    DomainError e(ErrorCode::unavailable, detail);
    e.with_retry_after(retry_after);
    return e;
}

} // namespace

PdfRenderer::PdfRenderer(PdfSettings settings) : m_settings(std::move(settings)) {}

bool PdfRenderer::available() const {
    return access(m_settings.chromium.c_str(), X_OK) == 0;
}

std::string PdfRenderer::render(const std::string& html) const {
    if (!available()) {
        throw unavailable("PDF rendering is not available here (no Chromium at the path set by "
                          "serve --chromium); the HTML report prints to PDF from a browser",
                          3600);
    }
    Slot slot(m_running, m_settings.max_concurrent);
    if (!slot.acquired) {
        throw unavailable("the server is already printing " +
                              std::to_string(m_settings.max_concurrent) +
                              " reports; try again in a few seconds",
                          5);
    }
    TempFolder tmp;
    const auto page = tmp.path / "report.html";
    const auto pdf = tmp.path / "report.pdf";
    {
        std::ofstream out(page, std::ios::binary);
        out << html;
        if (!out) {
            throw DomainError(ErrorCode::internal, "cannot write the page to print");
        }
    }
    // Only what Chromium needs in its environment (never the server's, which may hold
    // secrets such as an SMTP password), its home and profile in the temporary folder.
    std::vector<std::string> args = {m_settings.chromium.string(),
                                     "--headless",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--disable-dev-shm-usage",
                                     "--no-first-run",
                                     "--no-default-browser-check",
                                     "--disable-extensions",
                                     "--disable-background-networking",
                                     "--disable-component-update",
                                     "--disable-sync",
                                     "--user-data-dir=" + (tmp.path / "profile").string(),
                                     "--no-pdf-header-footer",
                                     "--print-to-pdf=" + pdf.string(),
                                     "file://" + page.string()};
    std::vector<std::string> env = {"PATH=/usr/bin:/bin", "HOME=" + tmp.path.string(),
                                    "LANG=C.UTF-8", "XDG_CONFIG_HOME=" + tmp.path.string(),
                                    "XDG_CACHE_HOME=" + tmp.path.string()};
    std::vector<char*> argv, envp;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    for (auto& e : env) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Its own process group, so a timeout kills Chromium's helper processes too.
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        throw unavailable("cannot start Chromium to print the report", 60);
    }
    const auto deadline = std::chrono::steady_clock::now() + m_settings.timeout;
    int status = 0;
    bool finished = false;
    while (!finished) {
        const pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR)) {
            finished = true;
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    // Whatever happened, nothing of this render outlives it.
    kill(-pid, SIGKILL);
    if (!finished) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        throw unavailable("printing the report took longer than " +
                              std::to_string(m_settings.timeout.count()) + " s and was stopped",
                          30);
    }
    std::error_code ec;
    const auto size = std::filesystem::file_size(pdf, ec);
    if (ec || size < 8 || size > m_settings.max_bytes) {
        throw unavailable("Chromium did not print the report (exit status " +
                              std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")",
                          30);
    }
    std::ifstream in(pdf, std::ios::binary);
    std::string out((std::istreambuf_iterator<char>(in)), {});
    if (!out.starts_with("%PDF-")) {
        throw unavailable("Chromium's output is not a PDF", 30);
    }
    return out;
}

} // namespace wardmap::services
