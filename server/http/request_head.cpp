#include "server/http/request_head.hpp"

#include <cstring>
#include <limits>
#include <optional>

namespace wardmap::http {

namespace {

constexpr std::size_t max_method_bytes = 32;

bool is_tchar(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}

bool is_vchar(unsigned char c) {
    return c >= 0x21 && c <= 0x7e;
}

/// Field values: visible characters, space, tab and obs-text; never another control.
bool is_value_char(unsigned char c) {
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

HeadProblem bad(std::string detail) {
    return HeadProblem{400, std::move(detail)};
}

HeadScan refused(HeadProblem problem) {
    HeadScan scan;
    scan.status = HeadScan::Status::invalid;
    scan.problem = std::move(problem);
    return scan;
}

/// Checks the request line, or as much of it as has arrived (`complete` false), and fills
/// method, target and version from a complete one.
std::optional<HeadProblem>
check_request_line(std::string_view line, bool complete, RequestHead& head) {
    const auto malformed = [] { return bad("the request line is not 'METHOD /target HTTP/1.1'"); };
    if (!complete && !line.empty() && line.back() == '\r') {
        line.remove_suffix(1); // the CR of a CRLF split between reads
    }
    std::size_t i = 0;
    while (i < line.size() && i <= max_method_bytes && is_tchar(line[i])) {
        ++i;
    }
    if (i > max_method_bytes) {
        return bad("the request method is too long");
    }
    if (i == line.size()) {
        return complete ? std::optional(malformed()) : std::nullopt;
    }
    if (i == 0 || line[i] != ' ') {
        return malformed();
    }
    const std::size_t target_start = ++i;
    while (i < line.size() && is_vchar(line[i])) {
        ++i;
    }
    if (i == line.size()) {
        return complete ? std::optional(malformed()) : std::nullopt;
    }
    if (i == target_start || line[i] != ' ') {
        return bad("the request target is empty or holds a control character or a second space");
    }
    const std::string_view target = line.substr(target_start, i - target_start);
    const std::string_view version = line.substr(i + 1);
    constexpr std::string_view http1 = "HTTP/1.";
    const auto n = std::min(version.size(), http1.size());
    if (version.substr(0, n) != http1.substr(0, n) || version.size() > http1.size() + 1 ||
        (version.size() == http1.size() + 1 && version.back() != '0' && version.back() != '1')) {
        return bad("the request line does not end in HTTP/1.0 or HTTP/1.1");
    }
    if (!complete) {
        return std::nullopt;
    }
    if (version.size() != http1.size() + 1) {
        return bad("the request line does not end in HTTP/1.0 or HTTP/1.1");
    }
    const std::string_view method = line.substr(0, target_start - 1);
    if (target.front() != '/' && !(target == "*" && method == "OPTIONS")) {
        return bad("the request target must be a path starting with /");
    }
    head.method = std::string(method);
    head.target = std::string(target);
    head.minor_version = version.back() - '0';
    return std::nullopt;
}

std::optional<HeadProblem> add_header_line(std::string_view line, RequestHead& head) {
    if (line.front() == ' ' || line.front() == '\t') {
        return bad("a header line starts with white space (obsolete line folding is not "
                   "accepted)");
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
        return bad("a header line is not 'Name: value'");
    }
    const std::string_view name = line.substr(0, colon);
    for (const char c : name) {
        if (!is_tchar(static_cast<unsigned char>(c))) {
            return bad("a header name holds a character other than letters, digits and "
                       "!#$%&'*+-.^_`|~");
        }
    }
    const std::string_view value = trim(line.substr(colon + 1));
    for (const char c : value) {
        if (!is_value_char(static_cast<unsigned char>(c))) {
            return bad("the value of header " + std::string(name) + " holds a control character");
        }
    }
    head.headers.emplace_back(std::string(name), std::string(value));
    return std::nullopt;
}

} // namespace

HeadScan scan_request_head(std::string_view bytes, const HeadLimits& limits) {
    HeadScan scan;
    RequestHead& head = scan.head;
    std::size_t pos = 0;
    // Empty lines before the request line (RFC 9112 2.2), bounded like the rest.
    while (pos < bytes.size() && (bytes[pos] == '\n' || bytes[pos] == '\r')) {
        if (bytes[pos] == '\r' && pos + 1 < bytes.size() && bytes[pos + 1] != '\n') {
            return refused(bad("the request starts with a stray carriage return"));
        }
        ++pos;
        if (pos > limits.max_head_bytes) {
            return refused(bad("the request is empty lines only"));
        }
    }
    const std::size_t line_end = bytes.find('\n', pos);
    const bool line_complete = line_end != std::string_view::npos;
    std::string_view line = bytes.substr(pos, line_complete ? line_end - pos : bytes.size() - pos);
    if (line_complete && !line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    if (auto problem = check_request_line(line, line_complete, head)) {
        return refused(std::move(*problem));
    }
    if (!line_complete) {
        if (bytes.size() > limits.max_head_bytes) {
            return refused({414, "the request line is over " +
                                     std::to_string(limits.max_head_bytes) + " bytes"});
        }
        return scan;
    }
    if (line_end + 1 > limits.max_head_bytes) {
        return refused(
            {414, "the request line is over " + std::to_string(limits.max_head_bytes) + " bytes"});
    }
    pos = line_end + 1;
    const auto too_large = [&limits] {
        return refused({431, "the request line and headers are over " +
                                 std::to_string(limits.max_head_bytes) + " bytes"});
    };
    for (;;) {
        const std::size_t end = bytes.find('\n', pos);
        if (end == std::string_view::npos) {
            return bytes.size() > limits.max_head_bytes ? too_large() : scan;
        }
        if (end + 1 > limits.max_head_bytes) {
            return too_large();
        }
        std::string_view header_line = bytes.substr(pos, end - pos);
        if (!header_line.empty() && header_line.back() == '\r') {
            header_line.remove_suffix(1);
        }
        pos = end + 1;
        if (header_line.empty()) {
            head.head_bytes = pos;
            scan.status = HeadScan::Status::complete;
            return scan;
        }
        if (head.headers.size() >= limits.max_header_count) {
            return refused({431, "the request has more than " +
                                     std::to_string(limits.max_header_count) + " headers"});
        }
        if (auto problem = add_header_line(header_line, head)) {
            return refused(std::move(*problem));
        }
    }
}

FramingResult body_framing(const RequestHead& head) {
    FramingResult result;
    std::optional<std::uint64_t> length;
    std::optional<std::string_view> coding;
    for (const auto& [name, value] : head.headers) {
        if (iequals(name, "Content-Length")) {
            // 18 digits always fit in 63 bits, and are beyond any body we would take.
            if (value.empty() || value.size() > 18 ||
                value.find_first_not_of("0123456789") != std::string::npos) {
                result.problem = bad("Content-Length must be a whole number of bytes");
                return result;
            }
            const std::uint64_t n = std::stoull(value);
            if (length && *length != n) {
                result.problem = bad("the request has two different Content-Length headers");
                return result;
            }
            length = n;
        } else if (iequals(name, "Transfer-Encoding")) {
            if (coding) {
                result.problem = bad("the request has more than one Transfer-Encoding header");
                return result;
            }
            coding = value;
        }
    }
    if (coding) {
        if (length) {
            result.problem = bad("a request may not have both Content-Length and "
                                 "Transfer-Encoding");
            return result;
        }
        if (head.minor_version == 0) {
            result.problem = bad("Transfer-Encoding is not allowed in an HTTP/1.0 request");
            return result;
        }
        if (!iequals(*coding, "chunked")) {
            result.problem = {501, "only the chunked transfer coding is supported"};
            return result;
        }
        result.framing.kind = BodyFraming::Kind::chunked;
    } else if (length) {
        result.framing.kind = BodyFraming::Kind::length;
        result.framing.length = *length;
    }
    result.ok = true;
    return result;
}

ChunkedDecoder::Result ChunkedDecoder::feed(std::string_view input, std::string& body) {
    Result result;
    const auto invalid = [&result](std::size_t at, std::string detail) {
        result.status = Status::invalid;
        result.consumed = at;
        result.detail = std::move(detail);
        return result;
    };
    std::size_t i = 0;
    while (i < input.size()) {
        switch (m_state) {
        case State::size_line: {
            const char c = input[i++];
            if (c != '\n') {
                m_line += c;
                if (m_line.size() > m_max_line) {
                    return invalid(i, "a chunk-size line is too long");
                }
                break;
            }
            std::string_view line = m_line;
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            std::uint64_t size = 0;
            std::size_t j = 0;
            for (; j < line.size(); ++j) {
                const char h = line[j];
                int digit = -1;
                if (h >= '0' && h <= '9') {
                    digit = h - '0';
                } else if (h >= 'a' && h <= 'f') {
                    digit = h - 'a' + 10;
                } else if (h >= 'A' && h <= 'F') {
                    digit = h - 'A' + 10;
                } else {
                    break;
                }
                if (size >
                    (static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) >> 4)) {
                    return invalid(i, "a chunk size is not a valid length");
                }
                size = size * 16 + static_cast<std::uint64_t>(digit);
            }
            if (j == 0) {
                return invalid(i, "a chunk size is not a hexadecimal number");
            }
            const std::string_view rest = line.substr(j);
            if (!rest.empty() && rest.front() != ';' && rest.front() != ' ' &&
                rest.front() != '\t') {
                return invalid(i, "a chunk size is not a hexadecimal number");
            }
            for (const char c2 : rest) {
                if (!is_value_char(static_cast<unsigned char>(c2))) {
                    return invalid(i, "a chunk extension holds a control character");
                }
            }
            m_line.clear();
            if (size == 0) {
                m_state = State::trailer;
            } else if (size > m_max_body || m_total + size > m_max_body) {
                result.status = Status::too_large;
                result.consumed = i;
                return result;
            } else {
                m_remaining = size;
                m_state = State::data;
            }
            break;
        }
        case State::data: {
            const auto n =
                static_cast<std::size_t>(std::min<std::uint64_t>(m_remaining, input.size() - i));
            body.append(input.substr(i, n));
            i += n;
            m_total += n;
            m_remaining -= n;
            if (m_remaining == 0) {
                m_state = State::data_crlf;
            }
            break;
        }
        case State::data_crlf: {
            const char c = input[i++];
            if (c == '\r' && !m_seen_cr) {
                m_seen_cr = true;
            } else if (c == '\n') {
                m_seen_cr = false;
                m_state = State::size_line;
            } else {
                return invalid(i, "a chunk's data is not followed by CRLF");
            }
            break;
        }
        case State::trailer: {
            const char c = input[i++];
            if (c != '\n') {
                m_line += c;
                m_trailer_bytes += 1;
                if (m_trailer_bytes > m_max_line) {
                    return invalid(i, "the trailer after a chunked body is too long");
                }
                break;
            }
            std::string_view line = m_line;
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            if (line.empty()) {
                result.status = Status::done;
                result.consumed = i;
                return result;
            }
            m_line.clear(); // trailer fields are read and dropped
            break;
        }
        }
    }
    result.consumed = input.size();
    return result;
}

} // namespace wardmap::http
