#pragma once

#include <string>
#include <string_view>

namespace wardmap::http {

/// gzip-encodes `data` (RFC 1952) at zlib's default level.
std::string gzip_compress(std::string_view data);

/// True when an Accept-Encoding header value admits gzip (q > 0).
bool accepts_gzip(std::string_view accept_encoding);

/// True for media types worth compressing (text, JSON, XML, JavaScript, SVG).
bool is_compressible(std::string_view content_type);

} // namespace wardmap::http
