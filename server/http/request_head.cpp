#include "server/http/request_head.hpp"

#include "server/http/percent.hpp"

#include <sstream>

namespace wardmap::http {

using namespace Pistache;

namespace {

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

} // namespace

std::optional<services::FieldProblem> convert_request(const Http::Request& in,
                                                      Request& out,
                                                      std::string remote_address,
                                                      bool trust_proxy) {
    out.method = Http::methodString(in.method());
    auto path = percent_decode(in.resource(), false);
    if (!path) {
        return services::FieldProblem{"path", "is not validly percent-encoded UTF-8"};
    }
    out.path = std::move(*path);
    for (auto it = in.query().parameters_begin(); it != in.query().parameters_end(); ++it) {
        auto name = percent_decode(it->first, true);
        auto value = percent_decode(it->second, true);
        if (!name || !value) {
            return services::FieldProblem{name.value_or(it->first),
                                          "is not validly percent-encoded UTF-8"};
        }
        out.query.insert_or_assign(std::move(*name), std::move(*value));
    }
    for (const auto& header : in.headers().list()) {
        std::ostringstream value;
        header->write(value);
        out.headers.insert_or_assign(header->name(), value.str());
    }
    for (const auto& [name, raw] : in.headers().rawList()) {
        out.headers.insert_or_assign(name, raw.value());
    }
    out.body = in.body();
    out.remote_address = std::move(remote_address);
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

} // namespace wardmap::http
