#include "server/http/worker_pool.hpp"

#include <spdlog/spdlog.h>

namespace wardmap::http {

WorkerPool::WorkerPool(std::size_t threads, std::size_t queue_capacity)
    : m_capacity(queue_capacity) {
    m_threads.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i) {
        m_threads.emplace_back([this] { run(); });
    }
}

WorkerPool::~WorkerPool() {
    stop();
}

bool WorkerPool::try_submit(std::function<void()> job) {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping || m_jobs.size() >= m_capacity) {
            return false;
        }
        m_jobs.push_back(std::move(job));
    }
    m_ready.notify_one();
    return true;
}

void WorkerPool::stop() {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping) {
            return;
        }
        m_stopping = true;
    }
    m_ready.notify_all();
    for (auto& t : m_threads) {
        if (t.joinable()) {
            t.join();
        }
    }
}

std::size_t WorkerPool::queued() const {
    std::lock_guard lock(m_mutex);
    return m_jobs.size();
}

void WorkerPool::run() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(m_mutex);
            m_ready.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
            if (m_jobs.empty()) {
                return;
            }
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        // Jobs answer their own errors (Dispatcher::dispatch never throws); this guard keeps
        // a worker alive if one ever escapes.
        try {
            job();
        } catch (const std::exception& e) {
            spdlog::error("worker job failed: {}", e.what());
        } catch (...) {
            spdlog::error("worker job failed with a non-standard exception");
        }
    }
}

} // namespace wardmap::http
