#include "tests/support/server_process.hpp"

#include "tests/support/test_paths.hpp"

#include <algorithm>
#include <fcntl.h>
#include <poll.h>
#include <regex>
#include <signal.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace wardmap::testing {

std::filesystem::path wardmap_binary() {
    return binary_dir() / "server" / "cli" / "wardmap";
}

namespace {

pid_t spawn(const std::vector<std::string>& args,
            const std::vector<std::string>& env,
            int& out_fd) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        ::dup2(pipe_fds[1], STDOUT_FILENO);
        ::dup2(pipe_fds[1], STDERR_FILENO);
        for (const auto& e : env) {
            ::putenv(const_cast<char*>(e.c_str()));
        }
        std::vector<char*> argv;
        const std::string binary = wardmap_binary().string();
        argv.push_back(const_cast<char*>(binary.c_str()));
        for (const auto& a : args) {
            argv.push_back(const_cast<char*>(a.c_str()));
        }
        argv.push_back(nullptr);
        ::execv(binary.c_str(), argv.data());
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    out_fd = pipe_fds[0];
    return pid;
}

int decode_status(int status) {
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

} // namespace

int run_wardmap(const std::vector<std::string>& args,
                std::string* output,
                const std::vector<std::string>& env) {
    int fd = -1;
    const pid_t pid = spawn(args, env, fd);
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) {
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (output) {
        *output = text;
    }
    return decode_status(status);
}

ServerProcess::ServerProcess(const std::filesystem::path& db,
                             const std::vector<std::string>& extra_args,
                             const std::vector<std::string>& env) {
    // Port 0 unless the test needs a port it knew beforehand (an OIDC redirect URL).
    const bool own_port =
        std::find(extra_args.begin(), extra_args.end(), "--port") != extra_args.end();
    std::vector<std::string> args = {"serve", "--db", db.string()};
    if (!own_port) {
        args.insert(args.end(), {"--port", "0"});
    }
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    m_pid = spawn(args, env, m_out);
    m_reader = std::thread([this] { pump(); });
    const std::regex serving(R"(serving http://[^:]+:(\d+)/)");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        {
            std::lock_guard lock(m_mutex);
            std::smatch m;
            if (std::regex_search(m_output, m, serving)) {
                m_port = static_cast<std::uint16_t>(std::stoi(m[1]));
                return;
            }
            if (m_exited) {
                break;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const std::string seen = output();
    ::kill(m_pid, SIGKILL);
    throw std::runtime_error("wardmap serve did not start; it printed:\n" + seen);
}

void ServerProcess::pump() {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(m_out, buf, sizeof buf)) > 0) {
        std::lock_guard lock(m_mutex);
        m_output.append(buf, static_cast<std::size_t>(n));
    }
    std::lock_guard lock(m_mutex);
    m_exited = true;
}

std::string ServerProcess::output() const {
    std::lock_guard lock(m_mutex);
    return m_output;
}

int ServerProcess::terminate(std::chrono::seconds timeout) {
    if (m_pid <= 0) {
        return -1;
    }
    ::kill(m_pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        const pid_t r = ::waitpid(m_pid, &status, WNOHANG);
        if (r == m_pid) {
            m_pid = -1;
            return decode_status(status);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
}

ServerProcess::~ServerProcess() {
    if (m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        int status = 0;
        ::waitpid(m_pid, &status, 0);
    }
    if (m_reader.joinable()) {
        m_reader.join();
    }
    if (m_out >= 0) {
        ::close(m_out);
    }
}

} // namespace wardmap::testing
