// application/x-www-form-urlencoded bodies (Open311 create and the sign-in forms): the first
// line is the Content-Type header, the rest the body. Refusals are DomainErrors; what parses is
// NUL-free UTF-8.

#include "server/http/form_body.hpp"

#include "fuzz/fuzz_support.hpp"

#include "geo/utf8.hpp"
#include "server/services/shared/errors.hpp"

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fuzz::text(data, size);
    fuzz::expect_only<services::DomainError>([&] {
        for (const auto& [name, value] : http::parse_form(in)) {
            fuzz::check(geo::is_valid_utf8(name) && geo::is_valid_utf8(value),
                        "a form field is not UTF-8");
            fuzz::check(name.find('\0') == std::string::npos &&
                            value.find('\0') == std::string::npos,
                        "a form field holds NUL");
        }
    });
    const auto newline = in.find('\n');
    http::Request request;
    request.method = "POST";
    if (newline != std::string_view::npos) {
        request.headers.emplace("Content-Type", std::string(in.substr(0, newline)));
        request.body = std::string(in.substr(newline + 1));
    } else {
        request.body = std::string(in);
    }
    fuzz::expect_only<services::DomainError>([&] { (void)http::parse_form_body(request); });
    return 0;
}
