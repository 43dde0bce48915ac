#pragma once

// Reloads what a running server keeps in memory when an import (another process) changes it:
// a thread reads the datasets' generations (geo/store/generations) every `interval` on a
// connection of its own and calls the dataset's reload when its generation moves on.

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace wardmap::services {

class ChangeWatcher {
  public:
    ChangeWatcher(std::filesystem::path db, std::chrono::milliseconds interval);
    ~ChangeWatcher();
    ChangeWatcher(const ChangeWatcher&) = delete;
    ChangeWatcher& operator=(const ChangeWatcher&) = delete;

    /// Before start(): `reload` runs on the watcher's thread after `dataset` changes (a
    /// failure is logged and tried again at the next check).
    void on_change(std::string dataset, std::function<void()> reload);
    void start();

  private:
    struct Watch {
        std::string dataset;
        std::function<void()> reload;
        std::string seen;
    };
    void run();

    std::filesystem::path m_db;
    std::chrono::milliseconds m_interval;
    std::vector<Watch> m_watches;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace wardmap::services
