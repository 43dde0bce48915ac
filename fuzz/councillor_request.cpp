// The body of POST /api/myward/requests (server/http/requests/councillor_routes.hpp,
// raised_request_of), read through parse_json_body as the route reads it. A refusal is only
// ever a DomainError; an accepted body has a service code, no API key, no councillor (only
// CouncillorActions sets raised_by), and no empty field (an empty string is an absent one).

#include "fuzz/fuzz_support.hpp"

#include "server/http/json_body.hpp"
#include "server/http/requests/councillor_routes.hpp"
#include "server/services/shared/errors.hpp"

#include <string>

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    http::Request request;
    request.method = "POST";
    request.headers.emplace("Content-Type", "application/json");
    request.body = std::string(fuzz::text(data, size));
    fuzz::expect_only<services::DomainError>([&] {
        const auto r = http::raised_request_of(http::parse_json_body(request));
        fuzz::check(r.service_code && !r.service_code->empty(), "a service code");
        fuzz::check(!r.api_key && !r.raised_by, "no key and no councillor from the body");
        for (const auto* f :
             {&r.description, &r.first_name, &r.last_name, &r.email, &r.phone, &r.address_id}) {
            fuzz::check(!*f || !(*f)->empty(), "an empty field kept");
        }
    });
    return 0;
}
