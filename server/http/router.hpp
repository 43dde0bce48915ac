#pragma once

#include "server/http/message.hpp"
#include "server/services/access/access.hpp"
#include "server/services/shared/errors.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace wardmap::http {

using Handler = std::function<Response(Request&)>;
/// Renders a route's errors when its protocol has its own error document (Open311).
using ErrorRenderer = std::function<Response(const services::DomainError&, const Request&)>;

struct RouteOptions {
    /// Largest body this route accepts; larger gets 413 before the handler runs.
    std::size_t max_body_bytes = 64 * 1024;
    /// Every error of this route once matched (413, handler errors, 500, 503); problem+json
    /// when empty.
    ErrorRenderer render_error = {};
    /// Who may call it, checked by the Dispatcher before the handler. Every route declares
    /// it: an undeclared route answers 500, and the route-table test
    /// (tests/unit/http/route_table_test.cpp) fails on one.
    services::RouteAccess access = {};
};

/// A route: method, pattern of literal and ":name" segments (a final "*" matches the rest,
/// exposed as the "*" param), handler and limits.
struct Route {
    std::string method;
    std::string pattern;
    Handler handler;
    RouteOptions options;
};

/// Result of matching: a route (with params), or why none matched.
struct RouteMatch {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    /// Methods the path accepts when the method did not match (for 405 + Allow).
    std::vector<std::string> allowed;
};

/// Maps (method, decoded path) to a handler. Literal segments beat parameters, which beat
/// the splat, whatever the registration order. HEAD matches GET routes. Immutable once the
/// server starts; matching is thread-safe.
class Router {
  public:
    void add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});
    void get(std::string pattern, Handler handler, RouteOptions options = {}) {
        add("GET", std::move(pattern), std::move(handler), options);
    }
    void post(std::string pattern, Handler handler, RouteOptions options = {}) {
        add("POST", std::move(pattern), std::move(handler), options);
    }
    [[nodiscard]] RouteMatch match(const std::string& method, const std::string& path) const;
    [[nodiscard]] std::size_t largest_body_limit() const;
    /// Every route in registration order (the permission matrix and docs/permissions.md walk it).
    [[nodiscard]] const std::vector<Route>& routes() const { return m_routes; }

  private:
    std::vector<Route> m_routes;
};

} // namespace wardmap::http
