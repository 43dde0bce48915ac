// JSON request bodies as every JSON API reads them first (parse_json_body): the first line is
// the Content-Type header, the rest the body. Malformed JSON is a DomainError naming where;
// deep nesting must not overflow the stack.

#include "server/http/json_body.hpp"

#include "fuzz/fuzz_support.hpp"

#include "server/services/shared/errors.hpp"

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fuzz::text(data, size);
    const auto newline = in.find('\n');
    http::Request request;
    request.method = "POST";
    if (newline != std::string_view::npos) {
        request.headers.emplace("Content-Type", std::string(in.substr(0, newline)));
        request.body = std::string(in.substr(newline + 1));
    } else {
        request.headers.emplace("Content-Type", "application/json");
        request.body = std::string(in);
    }
    fuzz::expect_only<services::DomainError>([&] { (void)http::parse_json_body(request); });
    return 0;
}
