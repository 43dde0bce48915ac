#include "server/http/multipart.hpp"

#include "server/services/shared/errors.hpp"

#include <algorithm>
#include <cctype>

namespace wardmap::http {

using services::DomainError;
using services::ErrorCode;

namespace {

[[noreturn]] void malformed(const std::string& why) {
    throw DomainError(ErrorCode::malformed_body, "the multipart/form-data body " + why,
                      {{"body", why}});
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) {
        return {};
    }
    const auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

bool token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

/// `key=value` parameters after the first ';' of a header value; values are tokens or
/// quoted strings (backslash escapes). nullopt when the syntax is broken.
std::optional<std::vector<std::pair<std::string, std::string>>> parameters(std::string_view s) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) {
            ++i;
        }
        if (i == s.size()) {
            break;
        }
        if (s[i] != ';') {
            return std::nullopt;
        }
        ++i;
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) {
            ++i;
        }
        const std::size_t key_start = i;
        while (i < s.size() && token_char(s[i])) {
            ++i;
        }
        if (i == key_start || i == s.size() || s[i] != '=') {
            return std::nullopt;
        }
        std::string key = lower(s.substr(key_start, i - key_start));
        ++i;
        std::string value;
        if (i < s.size() && s[i] == '"') {
            ++i;
            bool closed = false;
            while (i < s.size()) {
                if (s[i] == '\\' && i + 1 < s.size()) {
                    value += s[i + 1];
                    i += 2;
                } else if (s[i] == '"') {
                    ++i;
                    closed = true;
                    break;
                } else {
                    value += s[i++];
                }
            }
            if (!closed) {
                return std::nullopt;
            }
        } else {
            const std::size_t value_start = i;
            while (i < s.size() && token_char(s[i])) {
                ++i;
            }
            if (i == value_start) {
                return std::nullopt;
            }
            value = std::string(s.substr(value_start, i - value_start));
        }
        out.emplace_back(std::move(key), std::move(value));
    }
    return out;
}

void parse_headers(std::string_view block, MultipartPart& part) {
    bool has_disposition = false;
    std::size_t start = 0;
    while (start < block.size()) {
        auto end = block.find("\r\n", start);
        if (end == std::string_view::npos) {
            end = block.size();
        }
        const std::string_view line = block.substr(start, end - start);
        start = end + 2;
        if (line.find_first_of("\r\n") != std::string_view::npos) {
            malformed("has a part header line not ended by CRLF");
        }
        const auto colon = line.find(':');
        if (colon == 0 || colon == std::string_view::npos ||
            !std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon),
                         token_char)) {
            malformed("has a part header line that is not 'Name: value'");
        }
        const std::string name = lower(line.substr(0, colon));
        const std::string_view value = trim(line.substr(colon + 1));
        if (name == "content-disposition") {
            const auto semi = value.find(';');
            if (lower(trim(value.substr(0, semi))) != "form-data" || semi == std::string::npos) {
                malformed("has a part whose Content-Disposition is not 'form-data; name=...'");
            }
            const auto params = parameters(value.substr(semi));
            if (!params) {
                malformed("has a part whose Content-Disposition parameters are malformed");
            }
            for (const auto& [key, v] : *params) {
                if (key == "name") {
                    part.name = v;
                } else if (key == "filename") {
                    part.filename = v;
                }
            }
            has_disposition = true;
        } else if (name == "content-type") {
            part.content_type = lower(value);
        }
    }
    if (!has_disposition || part.name.empty()) {
        malformed("has a part without a Content-Disposition name");
    }
}

} // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
    const auto semi = content_type.find(';');
    if (lower(trim(content_type.substr(0, semi))) != "multipart/form-data" ||
        semi == std::string_view::npos) {
        return std::nullopt;
    }
    const auto params = parameters(content_type.substr(semi));
    if (!params) {
        return std::nullopt;
    }
    for (const auto& [key, value] : *params) {
        if (key != "boundary") {
            continue;
        }
        // RFC 2046 bchars; a space may not be last.
        static constexpr std::string_view bchars = "0123456789abcdefghijklmnopqrstuvwxyz"
                                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ";
        if (value.empty() || value.size() > 70 || value.back() == ' ' ||
            value.find_first_not_of(bchars) != std::string::npos) {
            return std::nullopt;
        }
        return value;
    }
    return std::nullopt;
}

std::vector<MultipartPart>
parse_multipart(std::string_view body, std::string_view boundary, const MultipartLimits& limits) {
    const std::string dash = "--" + std::string(boundary);
    const std::string delimiter = "\r\n" + dash;
    if (!body.starts_with(dash)) {
        malformed("does not start with its boundary");
    }
    std::vector<MultipartPart> parts;
    std::size_t at = dash.size();
    while (true) {
        if (body.substr(at, 2) == "--") {
            return parts; // close delimiter; an epilogue is ignored
        }
        while (at < body.size() && (body[at] == ' ' || body[at] == '\t')) {
            ++at; // transport padding
        }
        if (body.substr(at, 2) != "\r\n") {
            malformed(at >= body.size() ? "ends before the closing boundary"
                                        : "has a boundary line not ended by CRLF");
        }
        at += 2;
        if (parts.size() == limits.max_parts) {
            malformed("has more than " + std::to_string(limits.max_parts) + " parts");
        }
        MultipartPart part;
        part.content_type = "text/plain";
        std::string_view headers;
        if (body.substr(at, 2) == "\r\n") {
            at += 2; // no headers at all: caught below as a part without a name
        } else {
            const auto end = body.find("\r\n\r\n", at);
            if (end == std::string_view::npos || end - at > limits.max_header_bytes) {
                malformed(end == std::string_view::npos
                              ? "has a part whose headers do not end with a blank line"
                              : "has a part with headers over " +
                                    std::to_string(limits.max_header_bytes) + " bytes");
            }
            headers = body.substr(at, end - at);
            at = end + 4;
        }
        parse_headers(headers, part);
        const auto next = body.find(delimiter, at);
        if (next == std::string_view::npos) {
            malformed("ends before the closing boundary");
        }
        part.body = std::string(body.substr(at, next - at));
        parts.push_back(std::move(part));
        at = next + delimiter.size();
    }
}

} // namespace wardmap::http
