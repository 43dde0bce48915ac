#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace wardmap::testing {

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers; // names lower-cased
    std::string body;                           // as received (still gzip if encoded)
    [[nodiscard]] std::string header(const std::string& lower_name) const;
};

/// A minimal HTTP/1.1 client over a real TCP socket, for tests. One connection; requests
/// on it are sequential (keep-alive). Throws std::runtime_error on socket failures.
class HttpConnection {
  public:
    explicit HttpConnection(std::uint16_t port, const std::string& host = "127.0.0.1");
    ~HttpConnection();
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    HttpResponse request(const std::string& method,
                         const std::string& target,
                         const std::string& body = "",
                         const std::vector<std::pair<std::string, std::string>>& headers = {});
    /// Sends raw bytes and reads one response (for malformed-request tests).
    HttpResponse raw(const std::string& bytes);
    /// True when the server has closed this connection (read returns EOF quickly).
    bool closed_by_peer(int wait_ms = 200);

  private:
    HttpResponse read_response(bool head);
    std::string read_some();
    int m_fd = -1;
    std::string m_buffer;
};

/// Percent-encodes all but RFC 3986 unreserved characters (space as %20): for a path segment
/// or a query value.
std::string url_encode(const std::string& s);
/// application/x-www-form-urlencoded, as browsers and FixMyStreet's client send it
/// (space as '+', everything but unreserved characters percent-encoded).
std::string form_encode(const std::string& s);
using FormFields = std::vector<std::pair<std::string, std::string>>;
/// name=value&... in order, each side form-encoded.
std::string form(const FormFields& fields);

/// One request on a fresh connection.
HttpResponse http_get(std::uint16_t port,
                      const std::string& target,
                      const std::vector<std::pair<std::string, std::string>>& headers = {});
HttpResponse http_request(std::uint16_t port,
                          const std::string& method,
                          const std::string& target,
                          const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers = {});

/// Decompresses a gzip body (tests check Content-Encoding really is gzip).
std::string gunzip(const std::string& data);

} // namespace wardmap::testing
