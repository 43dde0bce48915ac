#include "tests/deploy/nginx_harness.hpp"

#include "tests/support/test_paths.hpp"

#include <arpa/inet.h>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <netinet/in.h>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace wardmap::testing {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void write_file(const std::filesystem::path& path, const std::string& content) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << content;
    if (!out) {
        throw std::runtime_error("cannot write " + path.string());
    }
}

std::optional<std::filesystem::path> find_program(const std::string& name) {
    std::string dirs = std::getenv("PATH") ? std::getenv("PATH") : "";
    dirs += ":/usr/sbin:/usr/local/sbin:/sbin"; // nginx lives in sbin, often not on a user's PATH
    std::stringstream in(dirs);
    std::string dir;
    while (std::getline(in, dir, ':')) {
        if (!dir.empty() && ::access((std::filesystem::path(dir) / name).c_str(), X_OK) == 0) {
            return std::filesystem::path(dir) / name;
        }
    }
    return std::nullopt;
}

std::uint16_t free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        throw std::runtime_error("cannot find a free loopback port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

int connect_loopback(std::uint16_t port, int rcvbuf) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        throw std::runtime_error("socket failed");
    }
    if (rcvbuf > 0) {
        // Before connect, so the advertised window is small from the first segment.
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + " failed");
    }
    return fd;
}

bool send_all(int fd, const std::string& data) {
    return ::send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
}

/// Starts `args` with stdout and stderr appended to `log`. The child gets SIGTERM if this
/// thread dies first, so a crashed test leaves no nginx behind.
pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& log) {
    std::vector<char*> argv;
    for (const auto& a : args) {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out < 0) {
        throw std::runtime_error("cannot open " + log.string());
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        ::dup2(out, STDOUT_FILENO);
        ::dup2(out, STDERR_FILENO);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(out);
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    return pid;
}

/// Waits for `pid` up to `timeout`; returns its exit code, or -1 after killing it.
int wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
        if (Clock::now() >= deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return -1;
        }
        std::this_thread::sleep_for(10ms);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// The nginx configuration a test or bench wraps around the repo's snippets: a plain-HTTP
/// loopback server with its own port, upstream and roots, everything nginx writes under
/// `prefix` so it runs unprivileged too.
std::string loopback_nginx_conf(const std::filesystem::path& prefix,
                                std::uint16_t listen_port,
                                std::uint16_t app_port,
                                const std::filesystem::path& web_root) {
    const auto snippets = source_dir() / "deploy" / "nginx";
    const auto p = prefix.string();
    std::ostringstream c;
    c << "# generated by tests/deploy/nginx_harness.cpp\n";
    if (::geteuid() == 0) {
        c << "user root;\n"; // as root nginx would switch workers to nobody; stay on our files
    }
    c << "worker_processes 1;\n"
      << "pid " << p << "/nginx.pid;\n"
      << "error_log " << p << "/error.log info;\n"
      << "events { worker_connections 512; }\n"
      << "http {\n"
      << "    include /etc/nginx/mime.types;\n"
      << "    default_type application/octet-stream;\n"
      << "    client_body_temp_path " << p << "/client_body;\n"
      << "    proxy_temp_path " << p << "/proxy;\n"
      << "    fastcgi_temp_path " << p << "/fastcgi;\n"
      << "    uwsgi_temp_path " << p << "/uwsgi;\n"
      << "    scgi_temp_path " << p << "/scgi;\n"
      << "    include \"" << (snippets / "wardmap-http.conf").string() << "\";\n"
      << "    access_log " << p << "/access.log wardmap;\n"
      << "    upstream wardmap_app {\n"
      << "        server 127.0.0.1:" << app_port << ";\n"
      << "        keepalive 16;\n"
      << "        keepalive_timeout 30s;\n"
      << "    }\n"
      << "    server {\n"
      << "        listen 127.0.0.1:" << listen_port << ";\n"
      << "        root \"" << web_root.string() << "\";\n"
      << "        include \"" << (snippets / "wardmap-proxy.conf").string() << "\";\n"
      << "    }\n"
      << "}\n";
    return c.str();
}

} // namespace wardmap::testing
