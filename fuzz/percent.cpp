// percent_decode (path, and query with '+' as a space) and percent_encode: never a crash, and
// what decodes is NUL-free UTF-8 that percent_encode writes back into the same text.

#include "server/http/percent.hpp"

#include "fuzz/fuzz_support.hpp"

#include "geo/utf8.hpp"

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fuzz::text(data, size);
    for (const bool plus_is_space : {false, true}) {
        const auto decoded = http::percent_decode(in, plus_is_space);
        if (!decoded) {
            continue;
        }
        fuzz::check(decoded->find('\0') == std::string::npos, "a decoded NUL");
        fuzz::check(geo::is_valid_utf8(*decoded), "decoded text is not UTF-8");
        fuzz::check(decoded->size() <= in.size(), "decoding grew the text");
        const auto again = http::percent_decode(http::percent_encode(*decoded), plus_is_space);
        fuzz::check(again && *again == *decoded, "encode then decode is not the identity");
    }
    return 0;
}
