#include "server/http/etag.hpp"

#include <cstdint>
#include <sstream>

namespace wardmap::http {

std::string content_etag(std::string_view body) {
    std::uint64_t h = 1469598103934665603ULL; // FNV-1a
    for (const char c : body) {
        h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    std::ostringstream out;
    out << '"' << std::hex << h << '-' << body.size() << '"';
    return out.str();
}

bool etag_matches(const std::string& if_none_match, const std::string& etag) {
    if (if_none_match == "*") {
        return true;
    }
    std::size_t pos = 0;
    while ((pos = if_none_match.find('"', pos)) != std::string::npos) {
        const auto end = if_none_match.find('"', pos + 1);
        if (end == std::string::npos) {
            break;
        }
        if (if_none_match.compare(pos, end - pos + 1, etag) == 0) {
            return true;
        }
        pos = end + 1;
    }
    return false;
}

} // namespace wardmap::http
