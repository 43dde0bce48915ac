#include "server/http/server.hpp"

#include "server/http/problem.hpp"
#include "server/http/request_head.hpp"
#include "server/http/worker_pool.hpp"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <spdlog/spdlog.h>

#include <algorithm>
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

bool wants_close(const Http::Request& in) {
    auto connection = in.headers().tryGet<Http::Header::Connection>();
    return in.version() != Http::Version::Http11 ||
           (connection && connection->control() == Http::ConnectionControl::Close);
}

void send(Http::ResponseWriter& writer, const Response& response, bool close) {
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
    writer.send(static_cast<Http::Code>(response.status), response.body);
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

/// The Pistache handler: runs on a reactor thread, so it only converts and queues.
class PistacheBridge : public Http::Handler {
  public:
    HTTP_PROTOTYPE(PistacheBridge)

    explicit PistacheBridge(HttpServer* server) : m_server(server) {}

    void onRequest(const Http::Request& in, Http::ResponseWriter writer) override {
        auto request = std::make_shared<Request>();
        const bool close = wants_close(in);
        const auto& dispatcher = m_server->m_impl->dispatcher;
        if (auto problem = convert_request(in, *request, in.address().host(),
                                           m_server->m_impl->options.trust_proxy)) {
            send(writer,
                 dispatcher.refuse(*request,
                                   DomainError(ErrorCode::invalid_parameter,
                                               "'" + problem->name + "' " + problem->message,
                                               {*problem})),
                 close);
            return;
        }
        if (m_server->draining()) {
            DomainError error(ErrorCode::unavailable, "the server is shutting down");
            error.with_retry_after(5);
            send(writer, dispatcher.refuse(*request, error), true);
            return;
        }
        auto shared_writer = std::make_shared<Http::ResponseWriter>(std::move(writer));
        // Counted from here until the job (or the refused job) is destroyed, whatever happens.
        auto in_flight = std::make_shared<InFlight>(m_server->m_in_flight);
        const bool queued = m_server->m_impl->workers->try_submit(
            [server = m_server, request, shared_writer, close, in_flight] {
                Response response = server->m_impl->dispatcher.dispatch(*request);
                send(*shared_writer, response, close);
            });
        if (!queued) {
            DomainError error(ErrorCode::unavailable, "the server is overloaded; retry shortly");
            error.with_retry_after(1);
            send(*shared_writer, dispatcher.refuse(*request, error), close);
        }
    }

  private:
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
    // Pistache counts the request line and headers in its limit and answers a plain-text 413
    // past it. Leave room above the largest route limit so that routes answer oversize bodies
    // themselves with problem+json; beyond that Pistache (or nginx in front) refuses.
    const auto max_request = 2 * m_impl->router.largest_body_limit() + 64 * 1024;
    auto opts = Http::Endpoint::options()
                    .threads(o.reactor_threads)
                    .flags(Tcp::Options::ReuseAddr | Tcp::Options::NoDelay)
                    .maxRequestSize(max_request)
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
