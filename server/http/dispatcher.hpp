#pragma once

#include "server/http/message.hpp"
#include "server/http/metrics.hpp"
#include "server/http/router.hpp"

#include <spdlog/logger.h>

#include <functional>
#include <memory>

namespace wardmap::http {

/// The guarded pipeline every request goes through, independent of Pistache so it can be
/// tested without a socket: route match (404/405), body limit (413), the handler with every
/// exception translated (DomainError -> its status, busy database -> 503 + Retry-After,
/// anything else -> a generic 500 with the details only in the log), then HEAD, gzip,
/// request id, one JSON access-log line and metrics. Thread-safe; never throws.
class Dispatcher {
  public:
    /// Fills request.principal (and csrf_token, refused) from the request's credentials.
    using PrincipalResolver = std::function<void(Request&)>;

    Dispatcher(const Router& router, Metrics& metrics, std::shared_ptr<spdlog::logger> access_log);

    Response dispatch(Request& request) const;

    /// Adds request id, Vary, gzip and HEAD handling to a response made outside dispatch()
    /// (e.g. the server's own 503 while draining).
    void finish(const Request& request, Response& response) const;

    /// An answer made before the request reaches a worker (a bad escape in the path, the
    /// server draining or overloaded): rendered by the matched route's own error renderer
    /// (Open311 routes answer Open311 errors), finished, counted and logged like any other.
    Response refuse(Request& request, const services::DomainError& error) const;

    /// Set before the server starts. Without one every caller is anonymous.
    void set_principal_resolver(PrincipalResolver resolver) { m_resolver = std::move(resolver); }

    /// An incoming X-Request-Id when it is safe to echo, else a fresh random id.
    static std::string request_id_for(const Request& request);

  private:
    Response run_handler(Request& request) const;
    /// Throws DomainError unless the caller may use the route (401, 403, 500 if undeclared).
    void check_access(const Route& route, const Request& request) const;
    void log(const Request& request, const Response& response, double seconds) const;

    const Router& m_router;
    Metrics& m_metrics;
    std::shared_ptr<spdlog::logger> m_access_log;
    PrincipalResolver m_resolver;
};

} // namespace wardmap::http
