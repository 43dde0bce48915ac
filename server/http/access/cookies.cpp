#include "server/http/access/cookies.hpp"

namespace wardmap::http {

std::optional<std::string> cookie_value(const Request& request, std::string_view name) {
    const auto header = request.header("Cookie");
    if (!header) {
        return std::nullopt;
    }
    std::string_view rest(*header);
    while (!rest.empty()) {
        const auto end = rest.find(';');
        std::string_view pair = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        while (!pair.empty() && pair.front() == ' ') {
            pair.remove_prefix(1);
        }
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
            return std::string(pair.substr(eq + 1));
        }
    }
    return std::nullopt;
}

bool over_tls(const Request& request, const CookieSettings& settings) {
    return settings.secure ||
           (settings.trust_proxy && request.header("X-Forwarded-Proto").value_or("") == "https");
}

std::string set_cookie(const Request& request,
                       const CookieSettings& settings,
                       std::string_view name,
                       std::string_view value,
                       std::string_view path,
                       std::chrono::seconds max_age) {
    std::string out;
    out.append(name).append("=").append(value).append("; Path=").append(path);
    out += "; Max-Age=" + std::to_string(max_age.count()) + "; HttpOnly; SameSite=Lax";
    if (over_tls(request, settings)) {
        out += "; Secure";
    }
    return out;
}

} // namespace wardmap::http
