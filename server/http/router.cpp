#include "server/http/router.hpp"

#include <algorithm>

namespace wardmap::http {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start < path.size()) {
        const std::size_t slash = path.find('/', start);
        const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
        if (end > start) {
            parts.push_back(path.substr(start, end - start));
        }
        start = end + 1;
    }
    return parts;
}

// Score of a match: higher is more specific. -1 when the pattern does not match.
int match_pattern(std::string_view pattern,
                  const std::vector<std::string_view>& path,
                  std::map<std::string, std::string>& params) {
    const auto segments = split_path(pattern);
    int score = 0;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto seg = segments[i];
        if (seg == "*") {
            // The rest of the path, empty segments dropped (static file lookups).
            std::string rest;
            for (std::size_t k = i; k < path.size(); ++k) {
                rest += k > i ? "/" : "";
                rest += path[k];
            }
            params["*"] = std::move(rest);
            return score;
        }
        if (i >= path.size()) {
            return -1;
        }
        if (seg.front() == ':') {
            params[std::string(seg.substr(1))] = std::string(path[i]);
            score += 2;
        } else if (seg == path[i]) {
            score += 3;
        } else {
            return -1;
        }
    }
    return segments.size() == path.size() ? score + 1 : -1;
}

} // namespace

void Router::add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
    m_routes.push_back(Route{std::move(method), std::move(pattern), std::move(handler), options});
}

RouteMatch Router::match(const std::string& method, const std::string& path) const {
    const auto parts = split_path(path);
    const std::string& wanted = method == "HEAD" ? std::string("GET") : method;
    RouteMatch best;
    int best_score = -1;
    int best_other_score = -1;
    for (const Route& route : m_routes) {
        std::map<std::string, std::string> params;
        const int score = match_pattern(route.pattern, parts, params);
        if (score < 0) {
            continue;
        }
        if (route.method == wanted) {
            if (score > best_score) {
                best_score = score;
                best.route = &route;
                best.params = std::move(params);
            }
        } else if (score >= best_other_score) {
            best_other_score = score;
            if (std::find(best.allowed.begin(), best.allowed.end(), route.method) ==
                best.allowed.end()) {
                best.allowed.push_back(route.method);
            }
        }
    }
    // A splat (static files) must not hide a 405 from a more specific API route.
    if (best.route && best_other_score > best_score) {
        best.route = nullptr;
        best.params.clear();
    }
    if (best.route) {
        best.allowed.clear();
    } else if (!best.allowed.empty()) {
        if (std::find(best.allowed.begin(), best.allowed.end(), "GET") != best.allowed.end()) {
            best.allowed.push_back("HEAD");
        }
        std::sort(best.allowed.begin(), best.allowed.end());
    }
    return best;
}

std::size_t Router::largest_body_limit() const {
    std::size_t largest = 0;
    for (const Route& r : m_routes) {
        largest = std::max(largest, r.options.max_body_bytes);
    }
    return largest;
}

} // namespace wardmap::http
