#include "server/http/dispatcher.hpp"

#include "core/tokens.hpp"

#include "geo/geojson_writer.hpp"
#include "geo/store/database.hpp"
#include "server/http/gzip.hpp"
#include "server/http/problem.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>
#include <random>

namespace wardmap::http {

using services::DomainError;
using services::ErrorCode;

namespace {

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) {
        out += out.empty() ? "" : ", ";
        out += s;
    }
    return out;
}

std::string budget_text(std::chrono::milliseconds budget) {
    if (budget.count() % 1000 == 0) {
        return std::to_string(budget.count() / 1000) + " s";
    }
    return std::to_string(budget.count()) + " ms";
}

} // namespace

Dispatcher::Dispatcher(const Router& router,
                       Metrics& metrics,
                       std::shared_ptr<spdlog::logger> access_log)
    : m_router(router), m_metrics(metrics), m_access_log(std::move(access_log)) {}

std::string Dispatcher::request_id_for(const Request& request) {
    if (auto incoming = request.header("X-Request-Id");
        incoming && !incoming->empty() && incoming->size() <= 64 &&
        incoming->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789._-") == std::string::npos) {
        return *incoming;
    }
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char hex[] = "0123456789abcdef";
    std::string id(16, '0');
    std::uint64_t v = rng();
    for (auto& c : id) {
        c = hex[v & 0xF];
        v >>= 4;
    }
    return id;
}

Response Dispatcher::run_handler(Request& request) const {
    RouteMatch match = m_router.match(request.method, request.path);
    if (!match.route) {
        if (!match.allowed.empty()) {
            DomainError error(ErrorCode::method_not_allowed, "method " + request.method +
                                                                 " is not allowed here; use " +
                                                                 join(match.allowed));
            error.headers.emplace_back("Allow", join(match.allowed));
            return problem_response(error, request);
        }
        request.route = "(unmatched)";
        return problem_response(ErrorCode::route_not_found,
                                "there is no endpoint at " + request.path, request);
    }
    request.route = match.route->pattern;
    request.params = std::move(match.params);
    const auto& render = match.route->options.render_error;
    const auto fail = [&render, &request](const DomainError& error) {
        return render ? render(error, request) : problem_response(error, request);
    };
    if (request.body.size() > match.route->options.max_body_bytes) {
        return fail(DomainError(ErrorCode::payload_too_large,
                                "the body is " + std::to_string(request.body.size()) +
                                    " bytes; this endpoint accepts at most " +
                                    std::to_string(match.route->options.max_body_bytes)));
    }
    try {
        std::optional<store::QueryBudget> budget;
        if (m_query_timeout.count() > 0) {
            budget.emplace(m_query_timeout);
        }
        if (m_resolver) {
            m_resolver(request);
        }
        check_access(*match.route, request);
        return match.route->handler(request);
    } catch (const DomainError& e) {
        return fail(e);
    } catch (const store::QueryTimeout& e) {
        spdlog::warn("request {} {} {}: query stopped at the {} ms budget: {}", request.request_id,
                     request.method, request.path, m_query_timeout.count(), e.what());
        return fail(DomainError(ErrorCode::query_timeout,
                                "the request needed more than " + budget_text(m_query_timeout) +
                                    " of database work and was stopped; ask for less (a "
                                    "smaller bbox, a simpler filter, a lower limit)"));
    } catch (const store::StoreError& e) {
        if (e.is_busy()) {
            spdlog::warn("request {} {}: database busy: {}", request.request_id, request.path,
                         e.what());
            DomainError busy(ErrorCode::database_busy,
                             "the database is busy; please retry in a moment");
            busy.with_retry_after(1);
            return fail(busy);
        }
        spdlog::error("request {} {} {}: store error: {}", request.request_id, request.method,
                      request.path, e.what());
    } catch (const std::exception& e) {
        spdlog::error("request {} {} {}: unexpected error: {}", request.request_id, request.method,
                      request.path, e.what());
    } catch (...) {
        spdlog::error("request {} {} {}: unknown exception", request.request_id, request.method,
                      request.path);
    }
    return fail(DomainError(ErrorCode::internal,
                            "the server could not complete the request; it has been logged "
                            "with request id " +
                                request.request_id));
}

void Dispatcher::check_access(const Route& route, const Request& request) const {
    using Kind = services::RouteAccess::Kind;
    const auto& access = route.options.access;
    const auto& who = request.principal;
    switch (access.kind) {
    case Kind::unset:
        spdlog::error("request {}: route {} {} declares no access (RouteOptions::access); "
                      "refused",
                      request.request_id, route.method, route.pattern);
        throw DomainError(ErrorCode::internal, "the server could not complete the request; it "
                                               "has been logged with request id " +
                                                   request.request_id);
    case Kind::public_route:
    case Kind::resident_token:
    case Kind::resident_session: // the account routes resolve it and check its CSRF token
        // The path's token is checked by the handler; credentials grant nothing here, so a
        // staff member's cookie does not need a CSRF token on a resident's page.
        return;
    case Kind::signed_in:
        if (!who.signed_in()) {
            throw DomainError(ErrorCode::unauthorized,
                              request.refused == Request::Refused::session
                                  ? "the session has ended or is not valid; sign in again"
                                  : "sign in first (POST /api/session)");
        }
        break;
    case Kind::permission: {
        if (who.kind == services::Principal::Kind::anonymous) {
            if (request.refused == Request::Refused::session) {
                throw DomainError(ErrorCode::unauthorized,
                                  "the session has ended or is not valid; sign in again");
            }
            // As API-key routes always answered: 403 naming the key.
            if (request.refused == Request::Refused::api_key) {
                throw DomainError(ErrorCode::forbidden, "invalid api_key",
                                  {{"api_key", "is not valid"}});
            }
            // Routes a machine client may call keep their own api_key check in the handler,
            // after reading the body: a call without one answers as it always has (a broken
            // body 400, else 403 "an api_key is required", in the route's format). The
            // permission-matrix test proves each such route refuses an anonymous call.
            if (services::an_api_key_may_hold(access.permission)) {
                return;
            }
            // Routes only people may call ask them to sign in.
            throw DomainError(ErrorCode::unauthorized,
                              "this endpoint needs the " +
                                  std::string(services::permission_name(access.permission)) +
                                  " permission: sign in first (POST /api/session)");
        }
        services::Scope scope;
        if (access.ward_param) {
            if (auto it = request.params.find(*access.ward_param); it != request.params.end()) {
                scope.ward = it->second;
            }
        }
        if (!services::allows(who, access.permission, scope)) {
            throw DomainError(ErrorCode::forbidden,
                              "you do not have the " +
                                  std::string(services::permission_name(access.permission)) +
                                  " permission" + (scope.ward ? " for this ward" : ""));
        }
        break;
    }
    }
    // A cookie is sent by the browser whoever made the page; the CSRF token only by our own.
    if (who.via_cookie && request.method != "GET" && request.method != "HEAD" &&
        request.method != "OPTIONS") {
        const auto presented = request.header("X-CSRF-Token");
        if (!presented || request.csrf_token.empty() ||
            !core::constant_time_equal(request.csrf_token, *presented)) {
            throw DomainError(ErrorCode::forbidden,
                              "a signed-in change needs the X-CSRF-Token header (the csrf_token "
                              "from sign-in or GET /api/me)",
                              {{"X-CSRF-Token", presented ? "does not match" : "is required"}});
        }
    }
}

void Dispatcher::finish(const Request& request, Response& response) const {
    response.header("X-Request-Id", request.request_id);
    const bool gzip_ok = accepts_gzip(request.header("Accept-Encoding").value_or(""));
    if (response.gzip_body || (response.compressible && is_compressible(response.content_type))) {
        response.header("Vary", "Accept-Encoding");
    }
    if (gzip_ok && response.status != 304) {
        if (response.gzip_body) {
            response.body = std::move(*response.gzip_body);
            response.header("Content-Encoding", "gzip");
        } else if (response.compressible && response.body.size() >= min_gzip_bytes &&
                   is_compressible(response.content_type)) {
            response.body = gzip_compress(response.body);
            response.header("Content-Encoding", "gzip");
        }
    }
    response.gzip_body.reset();
    if (request.method == "HEAD") {
        response.body.clear();
    }
}

Response Dispatcher::dispatch(Request& request) const {
    const auto started = std::chrono::steady_clock::now();
    if (request.request_id.empty()) {
        request.request_id = request_id_for(request);
    }
    Response response;
    try {
        response = run_handler(request);
        finish(request, response);
    } catch (const std::exception& e) {
        // Only gzip or rendering can fail here; answer plainly.
        spdlog::error("request {}: response could not be finished: {}", request.request_id,
                      e.what());
        response =
            problem_response(ErrorCode::internal, "the response could not be produced", request);
        response.header("X-Request-Id", request.request_id);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    m_metrics.observe(request.method, request.route.empty() ? "(unmatched)" : request.route,
                      response.status, seconds);
    log(request, response, seconds);
    return response;
}

Response Dispatcher::refuse(Request& request, const services::DomainError& error) const {
    if (request.request_id.empty()) {
        request.request_id = request_id_for(request);
    }
    const RouteMatch match = m_router.match(request.method, request.path);
    request.route = match.route ? match.route->pattern : "(unmatched)";
    Response response;
    try {
        response = match.route && match.route->options.render_error
                       ? match.route->options.render_error(error, request)
                       : problem_response(error, request);
        finish(request, response);
    } catch (const std::exception& e) {
        spdlog::error("request {}: refusal could not be rendered: {}", request.request_id,
                      e.what());
        response = problem_response(error, request);
    }
    m_metrics.observe(request.method, request.route, response.status, 0.0);
    log(request, response, 0.0);
    return response;
}

namespace {

/// The path as logged: a private token in it (tracking, my reports, follow and unsubscribe
/// links; the route's ":token") is a credential, so the log shows the parameter's name.
std::string logged_path(const Request& request) {
    std::string path = request.path;
    if (const auto token = request.params.find("token");
        token != request.params.end() && !token->second.empty()) {
        for (auto at = path.find(token->second); at != std::string::npos;
             at = path.find(token->second, at)) {
            path.replace(at, token->second.size(), ":token");
        }
    }
    return path;
}

} // namespace

void Dispatcher::log(const Request& request, const Response& response, double seconds) const {
    if (!m_access_log) {
        return;
    }
    std::string line;
    geo::JsonObjectWriter obj(line);
    const auto now = std::chrono::system_clock::now();
    obj.field("ts", std::chrono::duration<double>(now.time_since_epoch()).count(), 3)
        .field("request_id", request.request_id)
        .field("method", request.method)
        .field("path", logged_path(request))
        .field("route", request.route)
        .field("status", response.status)
        .field("bytes", static_cast<std::int64_t>(response.body.size()))
        .field("ms", seconds * 1000.0, 3)
        .field("remote", request.remote_address);
    obj.close();
    m_access_log->info(line);
}

} // namespace wardmap::http
