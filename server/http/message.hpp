#pragma once

#include "server/services/access/access.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wardmap::http {

/// Case-insensitive ordering for header names.
struct CaseInsensitiveLess {
    bool operator()(std::string_view a, std::string_view b) const;
    using is_transparent = void;
};

using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

/// A request as handlers see it: framework-free, with path and query already percent-decoded.
struct Request {
    std::string method;                        // "GET", "POST", ... (HEAD arrives as HEAD)
    std::string path;                          // decoded
    std::map<std::string, std::string> query;  // decoded names and values
    std::map<std::string, std::string> params; // decoded route parameters (":code" -> "code")
    Headers headers;
    std::string body;
    std::string request_id;
    std::string remote_address;
    /// Who is asking, for rate limits: the socket peer, or with --trust-proxy the address
    /// the proxy appended to X-Forwarded-For.
    std::string client_address;
    std::string route; // the matched route pattern, for logs and metrics
    /// Who is calling: filled by the Dispatcher's principal resolver before the handler runs
    /// (anonymous without credentials).
    services::Principal principal;
    /// For a session cookie: the token its POST/PUT/PATCH/DELETE must echo in X-CSRF-Token.
    std::string csrf_token;
    /// Credentials that were presented and refused (unknown key; expired, revoked or forged
    /// session): the caller is anonymous, and a protected route says why.
    enum class Refused { none, api_key, session };
    Refused refused = Refused::none;

    [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
    /// A query parameter, with an empty value treated as absent.
    [[nodiscard]] std::optional<std::string> query_param(const std::string& name) const;
    [[nodiscard]] const std::string& param(const std::string& name) const;
};

/// Sends one piece of a streamed body (Response::stream).
using BodyWriter = std::function<void(std::string_view)>;

/// A whole response, sent once by the server.
struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    /// Set false for bodies that must not be re-encoded (already compressed, tiny, ...).
    bool compressible = true;
    /// A ready gzip form of `body` (static files cache it), used when the client accepts gzip.
    std::optional<std::string> gzip_body;
    /// Set for a body written as it is made (`body` is then unused): the server sends the head
    /// with `Transfer-Encoding: chunked` (HTTP/1.0: no length, the close ends it), then calls
    /// this on the worker, after the handler has returned and outside its query budget,
    /// sending what it writes in chunks of about 64 KiB, each written before the next is
    /// made (memory stays at one chunk). Never compressed; the connection closes after it.
    /// A throw after the head cuts the body short (no last chunk): the client sees it
    /// incomplete. A HEAD request gets the head only.
    std::function<void(const BodyWriter&)> stream;

    static Response json(std::string body, int status = 200);
    static Response geojson(std::string body);
    static Response text(std::string body, std::string content_type, int status = 200);
    Response& header(std::string name, std::string value);
    [[nodiscard]] std::optional<std::string> find_header(std::string_view name) const;
};

} // namespace wardmap::http
