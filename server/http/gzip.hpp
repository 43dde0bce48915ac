#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wardmap::http {

/// zlib levels: dynamic responses are compressed on every request, so they trade a few
/// percent of size for several times the speed; cached static files compress once.
inline constexpr int gzip_fastest = 1;
inline constexpr int gzip_smallest = 9;
/// Below this a gzip header costs more than it saves.
inline constexpr std::size_t min_gzip_bytes = 1024;

/// gzip-encodes `data` (RFC 1952).
std::string gzip_compress(std::string_view data, int level = gzip_fastest);

/// True when an Accept-Encoding header value admits gzip (q > 0).
bool accepts_gzip(std::string_view accept_encoding);

/// True for media types worth compressing (text, JSON, XML, JavaScript, SVG).
bool is_compressible(std::string_view content_type);

} // namespace wardmap::http
