#include "core/periodic_task.hpp"

namespace wardmap::core {

PeriodicTask::PeriodicTask(std::chrono::milliseconds interval, std::function<void()> tick)
    : m_interval(interval), m_tick(std::move(tick)),
      m_thread([this](std::stop_token stop) { run(stop); }) {}

PeriodicTask::~PeriodicTask() {
    m_thread.request_stop(); // wakes the wait through its stop token; the jthread joins
}

std::uint64_t PeriodicTask::runs() const {
    std::lock_guard lock(m_mutex);
    return m_runs;
}

void PeriodicTask::run(std::stop_token stop) {
    std::unique_lock lock(m_mutex);
    for (;;) {
        // Returns early only when a stop is requested.
        m_wake.wait_for(lock, stop, m_interval, [] { return false; });
        if (stop.stop_requested()) {
            return;
        }
        lock.unlock();
        m_tick();
        lock.lock();
        ++m_runs;
    }
}

} // namespace wardmap::core
