#pragma once

// A real nginx for tests: the repo's deploy/nginx snippets wrapped in a generated plain-HTTP
// loopback server, run unprivileged with everything it writes under its own prefix, plus the
// raw-socket and process helpers the nginx tests share.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <signal.h>
#include <stdexcept>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace wardmap::testing {

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& content);

/// `name` on PATH, or in the sbin folders where nginx lives.
std::optional<std::filesystem::path> find_program(const std::string& name);
std::uint16_t free_loopback_port();
/// A connected TCP socket to 127.0.0.1:port (with a small receive buffer if rcvbuf > 0).
int connect_loopback(std::uint16_t port, int rcvbuf = 0);
bool send_all(int fd, const std::string& data);

/// Starts `args` with stdout and stderr appended to `log`. The child gets SIGTERM if this
/// thread dies first, so a crashed test leaves no nginx behind.
pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& log);
/// Waits for `pid` up to `timeout`; returns its exit code, or -1 after killing it.
int wait_for_exit(pid_t pid, std::chrono::milliseconds timeout);

/// The nginx configuration a test or bench wraps around the repo's snippets: a plain-HTTP
/// loopback server with its own port, upstream and roots, everything nginx writes under
/// `prefix` so it runs unprivileged too.
std::string loopback_nginx_conf(const std::filesystem::path& prefix,
                                std::uint16_t listen_port,
                                std::uint16_t app_port,
                                const std::filesystem::path& web_root);

/// nginx in the foreground (`daemon off`) as a child; stopped in the destructor.
class NginxProcess {
  public:
    NginxProcess(const std::filesystem::path& binary,
                 const std::filesystem::path& prefix,
                 const std::filesystem::path& conf,
                 std::uint16_t port)
        : m_prefix(prefix), m_port(port) {
        m_pid = spawn({binary.string(), "-p", prefix.string() + "/", "-c", conf.string(), "-g",
                       "daemon off;"},
                      prefix / "stderr.log");
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
                m_pid = -1;
                throw std::runtime_error("nginx exited at start:\n" + log());
            }
            // nginx writes its pid file once it holds the port: before that, a connection
            // could have reached whoever took the port first.
            if (read_file(prefix / "nginx.pid").starts_with(std::to_string(m_pid) + "\n")) {
                ::close(connect_loopback(port));
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        stop();
        throw std::runtime_error("nginx did not listen on " + std::to_string(port) + ":\n" + log());
    }
    ~NginxProcess() { stop(); }
    NginxProcess(const NginxProcess&) = delete;
    NginxProcess& operator=(const NginxProcess&) = delete;

    [[nodiscard]] std::uint16_t port() const { return m_port; }
    [[nodiscard]] std::string log() const {
        return read_file(m_prefix / "stderr.log") + read_file(m_prefix / "error.log");
    }

  private:
    void stop() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM); // fast shutdown; the master takes its workers along
            wait_for_exit(m_pid, std::chrono::seconds(5));
            m_pid = -1;
        }
    }
    std::filesystem::path m_prefix;
    std::uint16_t m_port;
    pid_t m_pid = -1;
};

} // namespace wardmap::testing
