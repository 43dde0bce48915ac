#include "tests/support/http_client.hpp"

#include <zlib.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace wardmap::testing {

std::string HttpResponse::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

HttpConnection::HttpConnection(std::uint16_t port, const std::string& host) {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (m_fd < 0) {
        throw std::runtime_error("socket failed");
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    if (::connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(m_fd);
        throw std::runtime_error("connect to port " + std::to_string(port) + " failed");
    }
    int one = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

HttpConnection::~HttpConnection() {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

std::string HttpConnection::read_some() {
    pollfd pfd{m_fd, POLLIN, 0};
    if (::poll(&pfd, 1, 30000) <= 0) {
        throw std::runtime_error("timed out waiting for the server");
    }
    char buf[65536];
    const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
    if (n <= 0) {
        throw std::runtime_error("connection closed by the server");
    }
    return std::string(buf, static_cast<std::size_t>(n));
}

HttpResponse HttpConnection::read_response(bool head) {
    std::size_t header_end;
    while ((header_end = m_buffer.find("\r\n\r\n")) == std::string::npos) {
        m_buffer += read_some();
    }
    HttpResponse response;
    const std::string head_text = m_buffer.substr(0, header_end);
    m_buffer.erase(0, header_end + 4);
    std::size_t line_end = head_text.find("\r\n");
    const std::string status_line = head_text.substr(0, line_end);
    response.status = std::stoi(status_line.substr(status_line.find(' ') + 1, 3));
    while (line_end != std::string::npos && line_end < head_text.size()) {
        const std::size_t next = head_text.find("\r\n", line_end + 2);
        const std::string line = head_text.substr(
            line_end + 2, next == std::string::npos ? std::string::npos : next - line_end - 2);
        const auto colon = line.find(':');
        if (colon != std::string::npos) {
            std::string name = line.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            std::string value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            response.headers[name] = value;
        }
        line_end = next;
    }
    if (head || response.status == 304 || response.status == 204) {
        return response;
    }
    if (response.header("transfer-encoding") == "chunked") {
        for (;;) {
            std::size_t eol;
            while ((eol = m_buffer.find("\r\n")) == std::string::npos) {
                m_buffer += read_some();
            }
            const std::size_t size = std::stoul(m_buffer.substr(0, eol), nullptr, 16);
            while (m_buffer.size() < eol + 2 + size + 2) {
                m_buffer += read_some();
            }
            response.body += m_buffer.substr(eol + 2, size);
            m_buffer.erase(0, eol + 2 + size + 2);
            if (size == 0) {
                break;
            }
        }
        return response;
    }
    const std::size_t length = std::stoul(
        response.header("content-length").empty() ? "0" : response.header("content-length"));
    while (m_buffer.size() < length) {
        m_buffer += read_some();
    }
    response.body = m_buffer.substr(0, length);
    m_buffer.erase(0, length);
    return response;
}

HttpResponse
HttpConnection::request(const std::string& method,
                        const std::string& target,
                        const std::string& body,
                        const std::vector<std::pair<std::string, std::string>>& headers) {
    std::string text = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [k, v] : headers) {
        text += k + ": " + v + "\r\n";
    }
    if (!body.empty() || method == "POST" || method == "PUT") {
        text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    text += "\r\n" + body;
    if (::send(m_fd, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size())) {
        throw std::runtime_error("send failed");
    }
    return read_response(method == "HEAD");
}

HttpResponse HttpConnection::raw(const std::string& bytes) {
    if (::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(bytes.size())) {
        throw std::runtime_error("send failed");
    }
    return read_response(false);
}

bool HttpConnection::closed_by_peer(int wait_ms) {
    pollfd pfd{m_fd, POLLIN, 0};
    if (::poll(&pfd, 1, wait_ms) <= 0) {
        return false;
    }
    char c;
    return ::recv(m_fd, &c, 1, MSG_PEEK) == 0;
}

HttpResponse http_get(std::uint16_t port,
                      const std::string& target,
                      const std::vector<std::pair<std::string, std::string>>& headers) {
    HttpConnection c(port);
    return c.request("GET", target, "", headers);
}

HttpResponse http_request(std::uint16_t port,
                          const std::string& method,
                          const std::string& target,
                          const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
    HttpConnection c(port);
    return c.request(method, target, body, headers);
}

std::string gunzip(const std::string& data) {
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK) {
        throw std::runtime_error("inflateInit2 failed");
    }
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    std::string out;
    char buf[65536];
    int rc;
    do {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&zs);
            throw std::runtime_error("not gzip data");
        }
        out.append(buf, sizeof buf - zs.avail_out);
    } while (rc != Z_STREAM_END);
    inflateEnd(&zs);
    return out;
}

namespace {

std::string percent_encode(const std::string& s, bool space_as_plus) {
    std::string out;
    for (const unsigned char c : s) {
        if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else if (c == ' ' && space_as_plus) {
            out += '+';
        } else {
            constexpr const char* hex = "0123456789ABCDEF";
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

} // namespace

std::string url_encode(const std::string& s) {
    return percent_encode(s, false);
}

std::string form_encode(const std::string& s) {
    return percent_encode(s, true);
}

std::string form(const FormFields& fields) {
    std::string out;
    for (const auto& [name, value] : fields) {
        out += (out.empty() ? "" : "&") + form_encode(name) + "=" + form_encode(value);
    }
    return out;
}

} // namespace wardmap::testing
