#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wardmap::http {

/// One part of a multipart/form-data body (RFC 7578).
struct MultipartPart {
    std::string name;                    ///< Content-Disposition name
    std::optional<std::string> filename; ///< present for a file field
    std::string content_type;            ///< the part's Content-Type, "text/plain" by default
    std::string body;
};

struct MultipartLimits {
    std::size_t max_parts = 20;
    std::size_t max_header_bytes = 8 * 1024; ///< of one part's header block
};

/// The boundary of a `multipart/form-data; boundary=...` Content-Type value (quoted or not,
/// 1 to 70 characters of RFC 2046's set); nullopt for any other media type or a bad boundary.
std::optional<std::string> multipart_boundary(std::string_view content_type);

/// Splits a multipart/form-data body strictly: it starts with the first delimiter (no
/// preamble), lines end in CRLF, every part has a `Content-Disposition: form-data; name=`
/// header, and the body ends with the close delimiter (anything after it is ignored).
/// DomainError malformed_body saying what is wrong, never a partial result.
std::vector<MultipartPart> parse_multipart(std::string_view body,
                                           std::string_view boundary,
                                           const MultipartLimits& limits = {});

} // namespace wardmap::http
