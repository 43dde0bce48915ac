#include "server/http/server.hpp"

#include "server/http/percent.hpp"
#include "server/http/problem.hpp"
#include "server/http/request_head.hpp"
#include "server/http/worker_pool.hpp"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>
#include <pistache/transport.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>
#include <string_view>
#include <sys/socket.h>
#include <thread>

namespace wardmap::http {

int default_worker_count() {
    return static_cast<int>(std::max(2U, std::thread::hardware_concurrency()));
}

using namespace Pistache;
using services::DomainError;
using services::ErrorCode;

struct HttpServer::Impl {
    const Router& router;
    const Dispatcher& dispatcher;
    ServerOptions options;
    std::unique_ptr<WorkerPool> workers;
    std::unique_ptr<Http::Endpoint> endpoint;
    bool stopped = false;
};

namespace {

// Pistache 0.0.5 writes only typed headers (Header::Raw entries are parsed-request only), so
// every header we set goes out through this one typed header with a runtime name.
class NamedHeader : public Http::Header::Header {
  public:
    NamedHeader(std::string name, std::string value)
        : m_name(std::move(name)), m_value(std::move(value)) {}
    const char* name() const override { return m_name.c_str(); }
    std::uint64_t hash() const override { return Http::Header::detail::hash(m_name.c_str()); }
    void parse(const std::string& data) override { m_value = data; }
    void write(std::ostream& stream) const override { stream << m_value; }

  private:
    std::string m_name;
    std::string m_value;
};

// Converts Pistache's parsed request into ours, decoding what 0.0.5 leaves encoded.
// Returns a problem message (and the parameter at fault) when the request line is malformed.
bool plausible_ip(const std::string& text) {
    return !text.empty() && text.size() <= 45 &&
           text.find_first_not_of("0123456789abcdefABCDEF.:") == std::string::npos;
}

/// The address nginx appended ($proxy_add_x_forwarded_for): the last entry. Earlier ones are
/// whatever the client sent and prove nothing.
std::optional<std::string> forwarded_client(const std::string& header) {
    const auto comma = header.rfind(',');
    std::string last = header.substr(comma == std::string::npos ? 0 : comma + 1);
    const auto first = last.find_first_not_of(" \t");
    const auto end = last.find_last_not_of(" \t");
    if (first == std::string::npos) {
        return std::nullopt;
    }
    last = last.substr(first, end - first + 1);
    return plausible_ip(last) ? std::optional<std::string>(last) : std::nullopt;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

/// Our Request from a parsed head and body, decoding what the wire leaves encoded.
/// Returns a problem (and the parameter at fault) when the target is badly percent-encoded.
std::optional<services::FieldProblem> convert(const RequestHead& head,
                                              std::string body,
                                              const std::string& peer_host,
                                              bool trust_proxy,
                                              Request& out) {
    out.method = head.method;
    const std::string_view target = head.target;
    const auto question = target.find('?');
    auto path = percent_decode(std::string(target.substr(0, question)), false);
    if (!path) {
        return services::FieldProblem{"path", "is not validly percent-encoded UTF-8"};
    }
    out.path = std::move(*path);
    if (question != std::string_view::npos) {
        std::string_view query = target.substr(question + 1);
        while (!query.empty()) {
            const auto amp = query.find('&');
            const std::string_view pair = query.substr(0, amp);
            query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
            if (pair.empty()) {
                continue;
            }
            const auto eq = pair.find('=');
            const std::string raw_name(pair.substr(0, eq));
            const std::string raw_value(eq == std::string_view::npos ? std::string_view()
                                                                     : pair.substr(eq + 1));
            auto name = percent_decode(raw_name, true);
            auto value = percent_decode(raw_value, true);
            if (!name || !value) {
                return services::FieldProblem{name.value_or(raw_name),
                                              "is not validly percent-encoded UTF-8"};
            }
            out.query.emplace(std::move(*name), std::move(*value)); // the first one wins
        }
    }
    for (const auto& [name, value] : head.headers) {
        auto it = out.headers.find(name);
        if (it != out.headers.end() && iequals(name, "Cookie")) {
            it->second += "; " + value;
        } else {
            out.headers.insert_or_assign(name, value);
        }
    }
    out.body = std::move(body);
    out.remote_address = peer_host;
    out.client_address = out.remote_address;
    if (trust_proxy) {
        if (auto it = out.headers.find("X-Forwarded-For"); it != out.headers.end()) {
            if (auto client = forwarded_client(it->second)) {
                out.client_address = *client;
            }
        }
    }
    // Behind the nginx front (deploy/nginx) the peer is loopback; log the client it names.
    if (out.remote_address == "127.0.0.1" || out.remote_address == "::1") {
        if (auto it = out.headers.find("X-Real-IP");
            it != out.headers.end() && plausible_ip(it->second)) {
            out.remote_address = it->second;
        }
    }
    return std::nullopt;
}

/// HTTP/1.1 keeps the connection unless the client says close; HTTP/1.0 never keeps it.
bool wants_close(const RequestHead& head) {
    if (head.minor_version == 0) {
        return true;
    }
    for (const auto& [name, value] : head.headers) {
        if (!iequals(name, "Connection")) {
            continue;
        }
        std::string_view tokens = value;
        while (!tokens.empty()) {
            const auto comma = tokens.find(',');
            std::string_view token = tokens.substr(0, comma);
            tokens =
                comma == std::string_view::npos ? std::string_view() : tokens.substr(comma + 1);
            while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) {
                token.remove_prefix(1);
            }
            while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) {
                token.remove_suffix(1);
            }
            if (iequals(token, "close")) {
                return true;
            }
        }
    }
    return false;
}

std::optional<std::string> header_value(const RequestHead& head, std::string_view name) {
    for (const auto& [n, v] : head.headers) {
        if (iequals(n, name)) {
            return v;
        }
    }
    return std::nullopt;
}

Async::Promise<ssize_t> send(Http::ResponseWriter& writer, const Response& response, bool close) {
    auto& headers = writer.headers();
    // 0.0.5 answers "Connection: Close" to any request without a Connection header yet keeps
    // the socket; say keep-alive unless the client asked to close (stack-notes §1.4).
    headers.remove<Http::Header::Connection>();
    headers.add<Http::Header::Connection>(close ? Http::ConnectionControl::Close
                                                : Http::ConnectionControl::KeepAlive);
    if (!response.content_type.empty() && response.status != 304 && response.status != 204) {
        headers.add(std::make_shared<NamedHeader>("Content-Type", response.content_type));
    }
    for (const auto& [name, value] : response.headers) {
        headers.add(std::make_shared<NamedHeader>(name, value));
    }
    return writer.send(static_cast<Http::Code>(response.status), response.body);
}

} // namespace

/// One request between the reactor and the end of its worker job: the drain waits for
/// the count to reach zero.
class InFlight {
  public:
    explicit InFlight(std::atomic<std::int64_t>& count) : m_count(count) { ++m_count; }
    ~InFlight() { --m_count; }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

  private:
    std::atomic<std::int64_t>& m_count;
};

namespace {

constexpr const char* connection_key = "wardmap.connection";
/// The body limit for a request that matches no route (it will be answered 404 or 405).
constexpr std::size_t unrouted_body_limit = 64 * 1024;

/// Pistache's per-connection parser object. We never feed it bytes (onInput below reads the
/// request itself), but Pistache's reactor timer reads its start time and step to apply
/// headerTimeout, bodyTimeout and keepaliveTimeout (TransportImpl::checkIdlePeers), so we
/// move those along with our own reading.
class TimedParser : public Http::RequestParser {
  public:
    TimedParser() : Http::RequestParser(1) {}
    /// From now on the head (request line and headers) timeout applies.
    void start_head() { reset(); }
    /// From now on the body timeout applies (counted from the start of the request).
    void start_body() { currentStep = 2; }
};

/// What one connection has received of the request being read. Reactor thread and the
/// worker that answers both touch it, under the mutex.
struct Connection {
    enum class Phase { head, body, waiting, closing };
    // Recursive: a send's continuation may run at once, on the thread that holds it.
    std::recursive_mutex mutex;
    Phase phase = Phase::head;
    std::string buffer; // head bytes received so far
    RequestHead head;
    BodyFraming framing;
    std::optional<ChunkedDecoder> chunks;
    std::string body;
    /// Bytes that arrived behind a complete request (pipelining), read once it is answered.
    std::string pending;
    /// More was pipelined than `max_pending`: the request being answered is the last one,
    /// answered with Connection: close, so the client knows to send the rest again.
    bool overflowed = false;
    static constexpr std::size_t max_pending = 64 * 1024;

    /// Keeps `bytes` for after the current answer, or marks the connection overflowed.
    void keep_pending(std::string_view bytes) {
        if (overflowed || pending.size() + bytes.size() > max_pending) {
            overflowed = true;
            pending.clear();
            return;
        }
        pending.append(bytes);
    }
};

ErrorCode code_for_status(int status) {
    switch (status) {
    case 413:
        return ErrorCode::payload_too_large;
    case 414:
        return ErrorCode::uri_too_long;
    case 431:
        return ErrorCode::header_too_large;
    case 501:
        return ErrorCode::not_implemented;
    default:
        return ErrorCode::malformed_request;
    }
}

/// Ends our side of the connection once its last answer is on the wire: the client reads
/// the answer, then EOF, and closes; Pistache then frees the socket.
void close_after(Async::Promise<ssize_t> sent, std::weak_ptr<Tcp::Peer> weak) {
    auto shut = [weak](auto&&...) {
        if (auto peer = weak.lock()) {
            ::shutdown(peer->fd(), SHUT_WR);
        }
    };
    sent.then([shut](ssize_t) { shut(); }, [shut](std::exception_ptr&) { shut(); });
}

} // namespace

/// The Pistache handler: reads requests itself (Pistache 0.0.5's parser re-scans the request
/// line on every read, buffers whole bodies before any limit applies, drops pipelined
/// requests (we answer them in order) and answers its own errors in plain text with C++ exception
/// text), then hands each complete request to the worker pool. Runs on a reactor thread.
class PistacheBridge : public Http::Handler {
  public:
    HTTP_PROTOTYPE(PistacheBridge)

    explicit PistacheBridge(HttpServer* server) : m_server(server) {}

    /// Not called: onInput below never hands a request to Pistache's own dispatch.
    void onRequest(const Http::Request& /*in*/, Http::ResponseWriter writer) override {
        writer.send(Http::Code::Internal_Server_Error);
    }

  private:
    using Phase = Connection::Phase;

    void onConnection(const std::shared_ptr<Tcp::Peer>& peer) override {
        peer->putData(Http::Handler::ParserData, std::make_shared<TimedParser>());
        peer->putData(connection_key, std::make_shared<Connection>());
    }

    void onInput(const char* data, size_t len, const std::shared_ptr<Tcp::Peer>& peer) override {
        auto connection = std::static_pointer_cast<Connection>(peer->getData(connection_key));
        std::unique_lock lock(connection->mutex);
        const std::string_view input(data, len);
        switch (connection->phase) {
        case Phase::closing:
            return;
        case Phase::waiting:
            connection->keep_pending(input);
            return;
        case Phase::body:
            read_body(peer, connection, input);
            return;
        case Phase::head:
            read_head(peer, connection, input);
            return;
        }
    }

    /// Reads (more of) a request head, then its body, and queues the request once whole.
    void read_head(const std::shared_ptr<Tcp::Peer>& peer,
                   const std::shared_ptr<Connection>& connection,
                   std::string_view input) {
        auto& c = *connection;
        if (c.buffer.empty()) {
            c.head = RequestHead{}; // nothing of the previous request in this one's refusal
            peer->setIdle(false);
            parser(peer).start_head();
        }
        c.buffer.append(input);
        const auto scan = scan_request_head(c.buffer, HeadLimits{});
        if (scan.status == HeadScan::Status::incomplete) {
            return;
        }
        if (scan.status == HeadScan::Status::invalid) {
            refuse(peer, c, scan.problem);
            return;
        }
        c.head = scan.head;
        const std::string rest = c.buffer.substr(c.head.head_bytes);
        c.buffer.clear();
        const auto framing = body_framing(c.head);
        if (!framing.ok) {
            refuse(peer, c, framing.problem);
            return;
        }
        c.framing = framing.framing;
        const std::size_t limit = body_limit(c.head);
        if (c.framing.kind == BodyFraming::Kind::length && c.framing.length > limit) {
            refuse(peer, c,
                   {413, "the body is " + std::to_string(c.framing.length) +
                             " bytes; this endpoint accepts at most " + std::to_string(limit)});
            return;
        }
        c.body.clear();
        c.chunks.reset();
        if (c.framing.kind == BodyFraming::Kind::chunked) {
            c.chunks.emplace(limit);
        }
        if (c.framing.kind == BodyFraming::Kind::none ||
            (c.framing.kind == BodyFraming::Kind::length && c.framing.length == 0)) {
            complete(peer, connection, rest);
            return;
        }
        c.phase = Phase::body;
        parser(peer).start_body();
        auto expect = header_value(c.head, "Expect");
        if (expect && iequals(*expect, "100-continue") && rest.empty()) {
            static const std::string go_on = "HTTP/1.1 100 Continue\r\n\r\n";
            peer->send(RawBuffer(go_on, go_on.size()));
        }
        read_body(peer, connection, rest);
    }

    static TimedParser& parser(const std::shared_ptr<Tcp::Peer>& peer) {
        return static_cast<TimedParser&>(*Http::Handler::getParser(peer));
    }

    /// The matched route's body limit, known before any of the body is read.
    std::size_t body_limit(const RequestHead& head) const {
        const std::string_view target = head.target;
        auto path = percent_decode(std::string(target.substr(0, target.find('?'))), false);
        if (!path) {
            return unrouted_body_limit;
        }
        const auto match = m_server->m_impl->router.match(head.method, *path);
        return match.route ? match.route->options.max_body_bytes : unrouted_body_limit;
    }

    void read_body(const std::shared_ptr<Tcp::Peer>& peer,
                   const std::shared_ptr<Connection>& connection,
                   std::string_view input) {
        auto& c = *connection;
        if (c.framing.kind == BodyFraming::Kind::length) {
            const auto wanted = static_cast<std::size_t>(c.framing.length - c.body.size());
            const auto take = std::min(wanted, input.size());
            c.body.append(input.substr(0, take));
            if (c.body.size() == c.framing.length) {
                complete(peer, connection, input.substr(take));
            }
            return;
        }
        const auto result = c.chunks->feed(input, c.body);
        switch (result.status) {
        case ChunkedDecoder::Status::need_more:
            return;
        case ChunkedDecoder::Status::invalid:
            refuse(peer, c, {400, result.detail});
            return;
        case ChunkedDecoder::Status::too_large:
            refuse(peer, c,
                   {413, "the chunked body is over " + std::to_string(body_limit(c.head)) +
                             " bytes, the most this endpoint accepts"});
            return;
        case ChunkedDecoder::Status::done:
            complete(peer, connection, input.substr(result.consumed));
            return;
        }
    }

    /// A whole request has arrived: queue it for a worker.
    void complete(const std::shared_ptr<Tcp::Peer>& peer,
                  const std::shared_ptr<Connection>& connection,
                  std::string_view rest) {
        auto& c = *connection;
        c.phase = Phase::waiting;
        c.keep_pending(rest);
        // The handler's time counts as keep-alive idle time, not as a slow request head.
        peer->setIdle(true);
        parser(peer).start_head();

        auto request = std::make_shared<Request>();
        const bool close = wants_close(c.head);
        const auto version =
            c.head.minor_version == 0 ? Http::Version::Http10 : Http::Version::Http11;
        Http::ResponseWriter writer(version, transport(), this, peer);
        const auto& dispatcher = m_server->m_impl->dispatcher;
        auto problem = convert(c.head, std::move(c.body), peer->address().host(),
                               m_server->m_impl->options.trust_proxy, *request);
        c.body.clear();
        if (problem) {
            answer(writer,
                   dispatcher.refuse(*request,
                                     DomainError(ErrorCode::invalid_parameter,
                                                 "'" + problem->name + "' " + problem->message,
                                                 {*problem})),
                   close || c.overflowed, connection, peer);
            return;
        }
        if (m_server->draining()) {
            DomainError error(ErrorCode::unavailable, "the server is shutting down");
            error.with_retry_after(5);
            answer(writer, dispatcher.refuse(*request, error), true, connection, peer);
            return;
        }
        auto shared_writer = std::make_shared<Http::ResponseWriter>(std::move(writer));
        // Counted from here until the job (or the refused job) is destroyed, whatever happens.
        auto in_flight = std::make_shared<InFlight>(m_server->m_in_flight);
        std::weak_ptr<Tcp::Peer> weak = peer;
        const bool queued = m_server->m_impl->workers->try_submit(
            [this, server = m_server, request, shared_writer, close, in_flight, connection, weak] {
                Response response = server->m_impl->dispatcher.dispatch(*request);
                std::unique_lock lock(connection->mutex);
                answer(*shared_writer, response, close || connection->overflowed, connection, weak);
            });
        if (!queued) {
            DomainError error(ErrorCode::unavailable, "the server is overloaded; retry shortly");
            error.with_retry_after(1);
            answer(*shared_writer, dispatcher.refuse(*request, error), close || c.overflowed,
                   connection, peer);
        }
    }

    /// Sends the answer to a complete request; then reads the next one (already here if it
    /// was pipelined), or closes. Called with the connection's mutex held.
    void answer(Http::ResponseWriter& writer,
                const Response& response,
                bool close,
                const std::shared_ptr<Connection>& connection,
                std::weak_ptr<Tcp::Peer> weak) {
        auto sent = send(writer, response, close);
        if (close) {
            connection->phase = Phase::closing;
            close_after(std::move(sent), std::move(weak));
            return;
        }
        sent.then(
            [this, connection, weak](ssize_t) {
                std::unique_lock lock(connection->mutex);
                if (connection->overflowed) {
                    // Too much came in behind the answer to keep: end here rather than
                    // guess where the dropped request began.
                    connection->phase = Phase::closing;
                    if (auto peer = weak.lock()) {
                        ::shutdown(peer->fd(), SHUT_WR);
                    }
                    return;
                }
                connection->phase = Phase::head;
                auto peer = weak.lock();
                if (peer && !connection->pending.empty()) {
                    // The next pipelined request, in order. Keep-alive idle time otherwise
                    // counts from the request's arrival (complete()).
                    const std::string next = std::move(connection->pending);
                    connection->pending.clear();
                    read_head(peer, connection, next);
                }
            },
            [connection, weak](std::exception_ptr&) {
                std::unique_lock lock(connection->mutex);
                connection->phase = Phase::closing;
                if (auto peer = weak.lock()) {
                    ::shutdown(peer->fd(), SHUT_WR);
                }
            });
    }

    /// Answers a request that cannot be read (malformed, or over a limit) at once, in the
    /// API's problem format and without reading more of it, logs it and closes the
    /// connection.
    void refuse(const std::shared_ptr<Tcp::Peer>& peer, Connection& c, const HeadProblem& problem) {
        c.phase = Phase::closing;
        c.buffer.clear();
        c.body.clear();
        c.pending.clear();
        Request request;
        request.method = c.head.method.empty() ? "-" : c.head.method;
        const std::string_view target = c.head.target;
        if (auto path = percent_decode(std::string(target.substr(0, target.find('?'))), false)) {
            request.path = std::move(*path);
        }
        request.remote_address = peer->address().host();
        request.client_address = request.remote_address;
        if (auto id = header_value(c.head, "X-Request-Id")) {
            request.headers.insert_or_assign("X-Request-Id", *id);
        }
        const auto& dispatcher = m_server->m_impl->dispatcher;
        Response response = dispatcher.refuse(
            request, DomainError(code_for_status(problem.status), problem.detail));
        spdlog::warn("request {} from {} refused before it was read: {} {}", request.request_id,
                     request.remote_address, response.status, problem.detail);
        Http::ResponseWriter writer(Http::Version::Http11, transport(), this, peer);
        close_after(send(writer, response, true), peer);
    }

    HttpServer* m_server;
};

HttpServer::HttpServer(const Router& router, const Dispatcher& dispatcher, ServerOptions options)
    : m_impl(
          std::make_unique<Impl>(Impl{router, dispatcher, std::move(options), nullptr, nullptr})) {}

HttpServer::~HttpServer() {
    stop();
}

void HttpServer::start() {
    auto& o = m_impl->options;
    m_impl->workers = std::make_unique<WorkerPool>(o.workers, o.queue_capacity);
    Address address(o.host, Port(o.port));
    m_impl->endpoint = std::make_unique<Http::Endpoint>(address);
    // PistacheBridge reads requests itself: Pistache's maxRequestSize never applies. The
    // head is capped at 16 KiB (HeadLimits) and each body at its route's limit, by its
    // declared length before any of it is read.
    auto opts = Http::Endpoint::options()
                    .threads(o.reactor_threads)
                    .flags(Tcp::Options::ReuseAddr | Tcp::Options::NoDelay)
                    .headerTimeout(o.header_timeout)
                    .bodyTimeout(o.body_timeout)
                    .keepaliveTimeout(o.keepalive_timeout);
    m_impl->endpoint->init(opts);
    m_impl->endpoint->setHandler(Http::make_handler<PistacheBridge>(this));
    m_impl->endpoint->serveThreaded();
}

std::uint16_t HttpServer::port() const {
    return static_cast<std::uint16_t>(m_impl->endpoint->getPort());
}

std::size_t HttpServer::queued() const {
    return m_impl->workers ? m_impl->workers->queued() : 0;
}

bool HttpServer::drain(std::chrono::milliseconds timeout) {
    m_draining = true;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (m_in_flight.load() > 0) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    // Let the reactors flush the last responses written by the workers.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return true;
}

void HttpServer::stop() {
    if (!m_impl || m_impl->stopped) {
        return;
    }
    m_impl->stopped = true;
    if (m_impl->endpoint) {
        m_impl->endpoint->shutdown();
    }
    if (m_impl->workers) {
        m_impl->workers->stop();
    }
}

} // namespace wardmap::http
