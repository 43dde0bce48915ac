#include "server/http/gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace wardmap::http {

namespace {

/// Owns a z_stream set up for deflate: deflateEnd runs however the compression ends.
class Deflater {
  public:
    explicit Deflater(int level) {
        // windowBits 15 + 16 selects the gzip wrapper.
        if (deflateInit2(&m_zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            throw std::runtime_error("deflateInit2 failed");
        }
    }
    ~Deflater() { deflateEnd(&m_zs); }
    Deflater(const Deflater&) = delete;
    Deflater& operator=(const Deflater&) = delete;
    z_stream& stream() { return m_zs; }

  private:
    z_stream m_zs{};
};

} // namespace

std::string gzip_compress(std::string_view data, int level) {
    Deflater deflater(level);
    z_stream& zs = deflater.stream();
    std::string out;
    out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    if (rc != Z_STREAM_END) {
        throw std::runtime_error("deflate failed");
    }
    out.resize(zs.total_out);
    return out;
}

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
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

} // namespace

bool accepts_gzip(std::string_view accept_encoding) {
    const std::string header = lower(accept_encoding);
    std::string_view rest = header;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view item = trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        const auto semi = item.find(';');
        const std::string_view coding = trim(item.substr(0, semi));
        if (coding != "gzip" && coding != "*") {
            continue;
        }
        if (semi == std::string_view::npos) {
            return true;
        }
        std::string_view param = trim(item.substr(semi + 1));
        if (param.starts_with("q=")) {
            try {
                return std::stod(std::string(param.substr(2))) > 0;
            } catch (const std::exception&) {
                return false;
            }
        }
        return true;
    }
    return false;
}

bool is_compressible(std::string_view content_type) {
    const std::string type = lower(content_type);
    return type.starts_with("text/") || type.find("json") != std::string::npos ||
           type.find("xml") != std::string::npos || type.find("javascript") != std::string::npos ||
           type.find("svg") != std::string::npos ||
           type.find("vnd.mapbox-vector-tile") != std::string::npos; // protobuf: ~3x smaller
}

} // namespace wardmap::http
