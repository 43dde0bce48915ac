#include "importers/progress.hpp"

#include <algorithm>
#include <unistd.h>

namespace wardmap::importers {

Progress::Progress(Mode mode, std::FILE* out) : m_mode(mode), m_out(out) {
    if (m_mode == Mode::automatic) {
        m_mode = ::isatty(::fileno(out)) ? Mode::bar : Mode::lines;
    }
}

void Progress::start(const std::string& label, std::int64_t total) {
    m_label = label;
    m_total = total;
    m_done = 0;
    m_start = m_last = std::chrono::steady_clock::now();
}

void Progress::update(std::int64_t done) {
    m_done = done;
    if (m_mode == Mode::quiet) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    // A bar redraws 10 times a second; plain lines every 5 s so logs stay short.
    const auto every =
        m_mode == Mode::bar ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
    if (now - m_last >= every) {
        m_last = now;
        draw(false);
    }
}

void Progress::finish() {
    if (m_mode != Mode::quiet) {
        draw(true);
    }
}

void Progress::draw(bool final_draw) {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    const double rate = secs > 0 ? static_cast<double>(m_done) / secs : 0;
    if (m_mode == Mode::bar) {
        constexpr int width = 30;
        const double frac =
            m_total > 0 ? std::min(1.0, static_cast<double>(m_done) / static_cast<double>(m_total))
                        : 0;
        const int filled = static_cast<int>(frac * width);
        std::string bar(static_cast<size_t>(filled), '#');
        bar.append(static_cast<size_t>(width - filled), '-');
        const double eta =
            rate > 0 && m_total > 0 ? static_cast<double>(m_total - m_done) / rate : 0;
        std::fprintf(m_out, "\r%s [%s] %lld/%lld %.0f/s ETA %.0fs%s", m_label.c_str(), bar.c_str(),
                     static_cast<long long>(m_done), static_cast<long long>(m_total), rate, eta,
                     final_draw ? "\n" : "");
    } else {
        std::fprintf(m_out, "%s: %lld of %lld rows, %.0f rows/s%s\n", m_label.c_str(),
                     static_cast<long long>(m_done), static_cast<long long>(m_total), rate,
                     final_draw ? " (done)" : "");
    }
    std::fflush(m_out);
}

} // namespace wardmap::importers
