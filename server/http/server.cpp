#include "server/http/server.hpp"

#include "core/periodic_task.hpp"

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
#include <cstdio>
#include <future>
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

/// Wakes reactors whose queued responses may have been left unsent. Pistache 0.0.5's write
/// queue (PollableQueue) drains its eventfd after each pop, so a response a worker queues
/// between the reactor's last empty pop and that drain stays queued with no wake-up until
/// the next write to the same reactor: with few busy connections, a client waits forever
/// (seen: `--durability full`, six clients, under ASan). While any response is unsent, a
/// write to no peer is queued on every reactor every few milliseconds; the reactor drops it
/// (not a peer's fd) after popping every response queued before it.
class WriteKicker {
  public:
    /// A reactor's transport, registered once at its first connection.
    void add(Tcp::Transport* transport) {
        std::lock_guard lock(m_mutex);
        if (std::find(m_transports.begin(), m_transports.end(), transport) == m_transports.end()) {
            m_transports.push_back(transport);
        }
    }
    /// Counts a queued response until its write ends (either way).
    void watch(Async::Promise<ssize_t>& sent) {
        ++*m_unsent;
        auto unsent = m_unsent;
        sent.then([unsent](ssize_t) { --*unsent; }, [unsent](std::exception_ptr&) { --*unsent; });
    }
    void tick() {
        if (m_unsent->load() <= 0) {
            return;
        }
        std::lock_guard lock(m_mutex);
        for (auto* transport : m_transports) {
            transport->asyncWrite(-1, RawBuffer(std::string(), 0));
        }
    }

  private:
    std::mutex m_mutex;
    std::vector<Tcp::Transport*> m_transports;
    // Shared with continuations that may run after a send's connection is gone.
    std::shared_ptr<std::atomic<std::int64_t>> m_unsent =
        std::make_shared<std::atomic<std::int64_t>>(0);
};

struct HttpServer::Impl {
    Impl(const Router& r, const Dispatcher& d, ServerOptions o)
        : router(r), dispatcher(d), options(std::move(o)) {}
    const Router& router;
    const Dispatcher& dispatcher;
    ServerOptions options;
    std::unique_ptr<WorkerPool> workers;
    std::unique_ptr<Http::Endpoint> endpoint;
    WriteKicker kicker;
    std::unique_ptr<core::PeriodicTask> kicking; // stopped before the endpoint goes
    bool stopped = false;
};

namespace {

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

/// Where an answer goes: the connection's reactor (its transport) and the client.
struct Reply {
    Tcp::Transport* transport;
    std::weak_ptr<Tcp::Peer> peer;
    bool http10;
};

/// A header value as it may go on the wire: CR and LF would end the header early.
void append_header(std::string& out, std::string_view name, std::string_view value) {
    out.append(name).append(": ");
    for (const char ch : value) {
        out.push_back(ch == '\r' || ch == '\n' ? ' ' : ch);
    }
    out.append("\r\n");
}

/// The answer's bytes: status line, headers, Content-Length (none on 204 and 304), body.
std::string serialize(const Response& response, bool close, bool http10) {
    std::string out;
    out.reserve(256 + response.body.size());
    out.append(http10 ? "HTTP/1.0 " : "HTTP/1.1 ")
        .append(std::to_string(response.status))
        .append(" ")
        .append(Http::codeString(static_cast<Http::Code>(response.status)))
        .append("\r\n");
    // Always said: 0.0.5's own writer answered "Connection: Close" to any request without a
    // Connection header yet kept the socket (stack-notes §1.4).
    append_header(out, "Connection", close ? "close" : "keep-alive");
    const bool bodiless = response.status == 304 || response.status == 204;
    if (!response.content_type.empty() && !bodiless) {
        append_header(out, "Content-Type", response.content_type);
    }
    for (const auto& [name, value] : response.headers) {
        append_header(out, name, value);
    }
    if (!bodiless && response.stream) {
        if (!http10) {
            append_header(out, "Transfer-Encoding", "chunked");
        }
    } else if (!bodiless) {
        append_header(out, "Content-Length", std::to_string(response.body.size()));
    }
    out.append("\r\n");
    if (!bodiless && !response.stream) {
        out.append(response.body);
    }
    return out;
}

/// Queues an answer on the connection's reactor. Not through ResponseWriter::send: 0.0.5's
/// returns a promise chained with then(), and a chained promise is resolved (on the reactor)
/// without its lock, so a continuation a worker attaches at that moment is lost; seen as a
/// keep-alive connection that never read its next request, under ASan with six writers. The
/// transport's own write promise is resolved under its lock.
Async::Promise<ssize_t> send(const Reply& reply, const Response& response, bool close) {
    auto peer = reply.peer.lock();
    if (!peer) {
        return Async::Promise<ssize_t>::rejected(std::runtime_error("the client has gone"));
    }
    std::string bytes = serialize(response, close, reply.http10);
    const auto size = bytes.size();
    return reply.transport->asyncWrite(peer->fd(), RawBuffer(std::move(bytes), size));
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
        m_server->m_impl->kicker.add(transport());
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
            auto sent = peer->send(RawBuffer(go_on, go_on.size()));
            m_server->m_impl->kicker.watch(sent);
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
        const Reply reply{transport(), peer, c.head.minor_version == 0};
        const auto& dispatcher = m_server->m_impl->dispatcher;
        auto problem = convert_request(c.head, std::move(c.body), peer->address().host(),
                                       m_server->m_impl->options.trust_proxy, *request);
        c.body.clear();
        if (problem) {
            answer(reply,
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
            answer(reply, dispatcher.refuse(*request, error), true, connection, peer);
            return;
        }
        // Counted from here until the job (or the refused job) is destroyed, whatever happens.
        auto in_flight = std::make_shared<InFlight>(m_server->m_in_flight);
        std::weak_ptr<Tcp::Peer> weak = peer;
        const bool queued = m_server->m_impl->workers->try_submit(
            [this, server = m_server, request, reply, close, in_flight, connection, weak] {
                Response response = server->m_impl->dispatcher.dispatch(*request);
                if (response.stream && response.status != 304 && response.status != 204) {
                    stream_answer(reply, response, request->method == "HEAD", connection, weak);
                    return;
                }
                std::unique_lock lock(connection->mutex);
                answer(reply, response, close || connection->overflowed, connection, weak);
            });
        if (!queued) {
            DomainError error(ErrorCode::unavailable, "the server is overloaded; retry shortly");
            error.with_retry_after(1);
            answer(reply, dispatcher.refuse(*request, error), close || c.overflowed, connection,
                   peer);
        }
    }

    /// Sends a streamed answer (Response::stream) from the worker: the head, then each chunk
    /// as it is made, waiting for each write before making the next (flat memory), then the
    /// last chunk; the connection then closes (a pipelined request behind it is not read).
    /// Called without the connection's mutex: the reactor keeps writing meanwhile.
    void stream_answer(const Reply& reply,
                       Response& response,
                       bool head_only,
                       const std::shared_ptr<Connection>& connection,
                       const std::weak_ptr<Tcp::Peer>& weak) {
        {
            std::unique_lock lock(connection->mutex);
            connection->phase = Phase::closing;
        }
        auto& kicker = m_server->m_impl->kicker;
        // Writes and waits; false when the client has gone or has read nothing for a minute.
        const auto write = [&](std::string bytes) {
            auto peer = weak.lock();
            if (!peer) {
                return false;
            }
            const auto size = bytes.size();
            auto sent = reply.transport->asyncWrite(peer->fd(), RawBuffer(std::move(bytes), size));
            kicker.watch(sent);
            auto done = std::make_shared<std::promise<bool>>();
            auto result = done->get_future();
            sent.then([done](ssize_t) { done->set_value(true); },
                      [done](std::exception_ptr&) { done->set_value(false); });
            return result.wait_for(std::chrono::seconds(60)) == std::future_status::ready &&
                   result.get();
        };
        bool ok = write(serialize(response, true, reply.http10));
        if (ok && !head_only) {
            constexpr std::size_t chunk_bytes = 64 * 1024;
            std::string buffer;
            const auto flush = [&] {
                if (buffer.empty() || !ok) {
                    return;
                }
                if (reply.http10) {
                    ok = write(std::move(buffer));
                } else {
                    char size[24];
                    std::snprintf(size, sizeof size, "%zx\r\n", buffer.size());
                    std::string framed;
                    framed.reserve(buffer.size() + 32);
                    framed.append(size).append(buffer).append("\r\n");
                    ok = write(std::move(framed));
                }
                buffer.clear();
            };
            struct ClientGone {};
            try {
                response.stream([&](std::string_view piece) {
                    if (!ok) {
                        throw ClientGone{};
                    }
                    buffer.append(piece);
                    if (buffer.size() >= chunk_bytes) {
                        flush();
                    }
                });
                flush();
                if (ok && !reply.http10) {
                    ok = write("0\r\n\r\n");
                }
            } catch (const ClientGone&) {
                ok = false;
            } catch (const std::exception& e) {
                spdlog::error("a streamed body ended early: {}", e.what());
                ok = false;
            }
        }
        if (auto peer = weak.lock()) {
            ::shutdown(peer->fd(), SHUT_WR);
        }
    }

    /// Sends the answer to a complete request; then reads the next one (already here if it
    /// was pipelined), or closes. Called with the connection's mutex held.
    void answer(const Reply& reply,
                const Response& response,
                bool close,
                const std::shared_ptr<Connection>& connection,
                std::weak_ptr<Tcp::Peer> weak) {
        auto sent = send(reply, response, close);
        m_server->m_impl->kicker.watch(sent);
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
        auto sent = send(Reply{transport(), peer, false}, response, true);
        m_server->m_impl->kicker.watch(sent);
        close_after(std::move(sent), peer);
    }

    HttpServer* m_server;
};

HttpServer::HttpServer(const Router& router, const Dispatcher& dispatcher, ServerOptions options)
    : m_impl(std::make_unique<Impl>(router, dispatcher, std::move(options))) {}

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
    m_impl->kicking = std::make_unique<core::PeriodicTask>(std::chrono::milliseconds(5),
                                                           [this] { m_impl->kicker.tick(); });
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
    m_impl->kicking.reset();
    if (m_impl->endpoint) {
        m_impl->endpoint->shutdown();
    }
    if (m_impl->workers) {
        m_impl->workers->stop();
    }
}

} // namespace wardmap::http
