#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace wardmap::http {

/// Fixed threads running handlers off Pistache's reactor threads, so a slow query never
/// stalls the connections that share a reactor. The queue is bounded: a full queue refuses
/// work (the caller answers 503) instead of growing without limit. Thread-safe.
class WorkerPool {
  public:
    WorkerPool(std::size_t threads, std::size_t queue_capacity);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    /// False when the queue is full or the pool is stopping.
    bool try_submit(std::function<void()> job);
    /// Runs what is queued, then joins the threads.
    void stop();
    [[nodiscard]] std::size_t queued() const;
    [[nodiscard]] std::size_t size() const { return m_threads.size(); }

  private:
    void run();

    std::size_t m_capacity;
    mutable std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<std::function<void()>> m_jobs;
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};

} // namespace wardmap::http
