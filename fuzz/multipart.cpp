// multipart/form-data (Open311 create with photos, POST /api/photos, the sign-in form): the
// first line is the Content-Type header, the rest the body (CRLFs as sent). Refusals are
// DomainErrors; the limits hold for what parses.

#include "server/http/multipart.hpp"

#include "fuzz/fuzz_support.hpp"

#include "server/services/shared/errors.hpp"

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fuzz::text(data, size);
    const auto newline = in.find('\n');
    if (newline == std::string_view::npos) {
        (void)http::multipart_boundary(in);
        return 0;
    }
    const auto boundary = http::multipart_boundary(in.substr(0, newline));
    if (!boundary) {
        return 0;
    }
    fuzz::check(!boundary->empty() && boundary->size() <= 70, "a boundary of a bad length");
    const http::MultipartLimits limits{.max_parts = 4, .max_header_bytes = 256};
    fuzz::expect_only<services::DomainError>([&] {
        const auto parts = http::parse_multipart(in.substr(newline + 1), *boundary, limits);
        fuzz::check(parts.size() <= limits.max_parts, "more parts than the limit");
        for (const auto& part : parts) {
            fuzz::check(part.body.size() <= size, "a part larger than the body");
        }
    });
    return 0;
}
