#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace wardmap::importers {

/// Import progress on stderr: a bar with rate and ETA when stderr is a terminal, else a line
/// every few seconds (logs stay readable). Quiet mode prints nothing (tests, --quiet).
class Progress {
  public:
    enum class Mode { automatic, bar, lines, quiet };
    explicit Progress(Mode mode = Mode::automatic, std::FILE* out = stderr);
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    /// Starts a phase; `total` < 0 when unknown.
    void start(const std::string& label, std::int64_t total);
    void update(std::int64_t done);
    void finish();

  private:
    void draw(bool final_draw);

    Mode m_mode;
    std::FILE* m_out;
    std::string m_label;
    std::int64_t m_total = -1;
    std::int64_t m_done = 0;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_last;
};

} // namespace wardmap::importers
