#pragma once

#include "server/http/dispatcher.hpp"
#include "server/http/router.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace wardmap::http {

/// One worker per core, at least two. Requests are CPU-bound (SQLite reads the mapped file,
/// commits do not fsync), so more workers than cores only time-slice: with 4 on 2 cores, four
/// clients listing 1,000 requests each saw p99 30 ms, with 2 about 20 ms (bench/open311.sh),
/// and creates/s did not change. Two, so one slow request never holds up all the others.
int default_worker_count();

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080; // 0 picks a free port (tests)
    int reactor_threads = 2;
    int workers = default_worker_count();
    std::size_t queue_capacity = 1024;
    std::chrono::seconds header_timeout{10};
    std::chrono::seconds body_timeout{30};
    std::chrono::seconds keepalive_timeout{60};
    /// Behind nginx: take the client's address from the last X-Forwarded-For entry.
    bool trust_proxy = false;
};

class PistacheBridge;

/// The HTTP front: Pistache 0.0.5 reactors accept, poll and write; our bridge reads each
/// request itself (request_head.hpp: a 16 KiB head cap, bodies refused by declared length
/// against the route's limit, malformed requests 400 at once, Connection: close honoured,
/// pipelined requests answered in order), a WorkerPool runs the Dispatcher, and each
/// response is serialised here and queued whole on the connection's transport from the worker
/// (not ResponseWriter::send, whose chained promise loses continuations attached off the
/// reactor; never ResponseStream off the reactor: it crashes 0.0.5). Fixes 0.0.5's
/// keep-alive default, percent-decodes path and query, and drains on shutdown.
class HttpServer {
  public:
    HttpServer(const Router& router, const Dispatcher& dispatcher, ServerOptions options);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds and starts serving on background threads.
    void start();
    [[nodiscard]] std::uint16_t port() const;
    /// Refuses new requests (503, Connection: close) and waits until in-flight ones have
    /// been answered or `timeout` passes. Returns true when everything drained.
    bool drain(std::chrono::milliseconds timeout);
    /// Stops the reactors and workers. Safe to call twice.
    void stop();

    [[nodiscard]] bool draining() const { return m_draining.load(); }
    [[nodiscard]] std::int64_t in_flight() const { return m_in_flight.load(); }
    [[nodiscard]] std::size_t queued() const;

  private:
    friend class PistacheBridge;
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    std::atomic<bool> m_draining{false};
    std::atomic<std::int64_t> m_in_flight{0};
};

} // namespace wardmap::http
