#include "server/http/message.hpp"

#include <algorithm>
#include <cctype>

namespace wardmap::http {

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) <
               std::tolower(static_cast<unsigned char>(y));
    });
}

std::optional<std::string> Request::header(std::string_view name) const {
    if (auto it = headers.find(name); it != headers.end()) {
        return it->second;
    }
    return std::nullopt;
}

std::optional<std::string> Request::query_param(const std::string& name) const {
    if (auto it = query.find(name); it != query.end() && !it->second.empty()) {
        return it->second;
    }
    return std::nullopt;
}

const std::string& Request::param(const std::string& name) const {
    static const std::string empty;
    auto it = params.find(name);
    return it == params.end() ? empty : it->second;
}

Response Response::text(std::string body, std::string content_type, int status) {
    Response r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    return r;
}

Response Response::json(std::string body, int status) {
    return text(std::move(body), "application/json", status);
}

Response Response::geojson(std::string body) {
    return text(std::move(body), "application/geo+json", 200);
}

Response& Response::header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
}

std::optional<std::string> Response::find_header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (!CaseInsensitiveLess{}(k, name) && !CaseInsensitiveLess{}(name, k)) {
            return v;
        }
    }
    return std::nullopt;
}

} // namespace wardmap::http
