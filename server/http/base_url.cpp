#include "server/http/base_url.hpp"

namespace wardmap::http {

namespace {

std::string first_token(const std::string& value) {
    const auto comma = value.find(',');
    std::string t = value.substr(0, comma);
    const auto b = t.find_first_not_of(' ');
    const auto e = t.find_last_not_of(' ');
    return b == std::string::npos ? "" : t.substr(b, e - b + 1);
}

bool valid_host(const std::string& h) {
    return !h.empty() && h.size() <= 255 &&
           h.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                               "0123456789.-:[]") == std::string::npos;
}

} // namespace

std::string public_base_url(const Request& request) {
    std::string proto = "http";
    if (const auto p = request.header("X-Forwarded-Proto")) {
        const auto t = first_token(*p);
        if (t == "https" || t == "http") {
            proto = t;
        }
    }
    std::string host = "localhost";
    if (const auto h = request.header("X-Forwarded-Host"); h && valid_host(first_token(*h))) {
        host = first_token(*h);
    } else if (const auto h2 = request.header("Host"); h2 && valid_host(*h2)) {
        host = *h2;
    }
    std::string prefix;
    if (const auto p = request.header("X-Forwarded-Prefix")) {
        auto t = first_token(*p);
        while (!t.empty() && t.back() == '/') {
            t.pop_back();
        }
        if (!t.empty() && t.front() == '/' && t.find("//") == std::string::npos &&
            t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                                "/_.-") == std::string::npos) {
            prefix = t;
        }
    }
    return proto + "://" + host + prefix;
}

} // namespace wardmap::http
