#pragma once

// Keeps a long-running server's resident memory flat. glibc gives each thread that allocates
// under contention an arena of its own (up to 8 per core) and keeps what is freed in them;
// libvips' threads decoding 10 MB photos and the address index rebuilt on import left RSS
// climbing 15% over a ten-minute soak with nothing leaked (bench/soak.sh; heap flat with 2
// arenas). So: few arenas, and freed memory handed back to the system now and then.

#include "core/periodic_task.hpp"

#include <chrono>

namespace wardmap::app {

/// Caps glibc's malloc arenas at the machine's cores (at least 2) and maps every allocation of
/// 512 KiB or more on its own. Call before any threads start.
void limit_malloc_arenas();

/// Returns free heap memory to the system (malloc_trim) every `interval` on its own thread.
class MemoryTrimmer {
  public:
    explicit MemoryTrimmer(std::chrono::milliseconds interval);

  private:
    core::PeriodicTask m_task;
};

} // namespace wardmap::app
