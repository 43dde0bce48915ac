#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace wardmap::testing {

/// The built wardmap binary.
std::filesystem::path wardmap_binary();

/// Runs `wardmap args...` to completion; returns its exit code and fills `output` with
/// stdout and stderr.
int run_wardmap(const std::vector<std::string>& args,
                std::string* output = nullptr,
                const std::vector<std::string>& env = {});

/// The real server as a child process: `wardmap serve --port 0 --db DB ...`, its port read
/// from the "serving http://" line it prints (`--port N` among the extra arguments instead of
/// port 0 when the test must know it before the start). Killed in the destructor if still running.
class ServerProcess {
  public:
    explicit ServerProcess(const std::filesystem::path& db,
                           const std::vector<std::string>& extra_args = {},
                           const std::vector<std::string>& env = {});
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    [[nodiscard]] std::uint16_t port() const { return m_port; }
    [[nodiscard]] pid_t pid() const { return m_pid; }
    /// Sends SIGTERM and waits; returns the exit code (or 128+signal), -1 on timeout.
    int terminate(std::chrono::seconds timeout = std::chrono::seconds(20));
    /// Everything the process wrote so far (stdout and stderr).
    [[nodiscard]] std::string output() const;

  private:
    void pump();
    pid_t m_pid = -1;
    int m_out = -1;
    std::uint16_t m_port = 0;
    mutable std::mutex m_mutex;
    std::string m_output;
    std::thread m_reader;
    bool m_exited = false;
};

} // namespace wardmap::testing
