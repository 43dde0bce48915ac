#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace wardmap::core {

/// Runs `tick` every `interval` on a thread of its own, the first time one interval after
/// construction. Destruction stops it at once (mid-wait) after a tick in progress ends, so an
/// owner declares it after everything `tick` uses. `tick` must not throw.
class PeriodicTask {
  public:
    PeriodicTask(std::chrono::milliseconds interval, std::function<void()> tick);
    ~PeriodicTask();
    PeriodicTask(const PeriodicTask&) = delete;
    PeriodicTask& operator=(const PeriodicTask&) = delete;

    /// Ticks completed so far (for tests and /metrics).
    [[nodiscard]] std::uint64_t runs() const;

  private:
    void run(std::stop_token stop);

    std::chrono::milliseconds m_interval;
    std::function<void()> m_tick;
    mutable std::mutex m_mutex;
    std::condition_variable_any m_wake;
    std::uint64_t m_runs = 0;
    std::jthread m_thread; // last: it starts once the members above exist
};

} // namespace wardmap::core
