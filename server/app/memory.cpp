#include "server/app/memory.hpp"

#include <algorithm>
#include <malloc.h>

namespace wardmap::app {

void limit_malloc_arenas() {
    const int cores = static_cast<int>(std::thread::hardware_concurrency());
    mallopt(M_ARENA_MAX, std::max(2, cores));
    // A fixed threshold (setting one turns off glibc's sliding one, which rises to 32 MB after
    // the first large free): a photo's decode buffers are mapped and unmapped on their own
    // instead of staying in an arena.
    mallopt(M_MMAP_THRESHOLD, 512 * 1024);
}

MemoryTrimmer::MemoryTrimmer(std::chrono::milliseconds interval)
    : m_interval(interval), m_thread([this](std::stop_token stop) { run(stop); }) {}

MemoryTrimmer::~MemoryTrimmer() {
    m_thread.request_stop();
}

std::uint64_t MemoryTrimmer::runs() const {
    std::lock_guard lock(m_mutex);
    return m_runs;
}

void MemoryTrimmer::run(std::stop_token stop) {
    std::unique_lock lock(m_mutex);
    for (;;) {
        // Returns early only when a stop is requested.
        m_wake.wait_for(lock, stop, m_interval, [] { return false; });
        if (stop.stop_requested()) {
            return;
        }
        lock.unlock();
        malloc_trim(0);
        lock.lock();
        ++m_runs;
    }
}

} // namespace wardmap::app
