#include "server/app/memory.hpp"

#include <algorithm>
#include <malloc.h>
#include <thread>

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
    : m_task(interval, [] { malloc_trim(0); }) {}

} // namespace wardmap::app
