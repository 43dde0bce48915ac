// My Account's saved-address body (server/http/myarea/account_routes.hpp): PUT
// /api/account/address's JSON. A refusal is only ever a DomainError; an accepted body is a
// UPRN in range, or null.

#include "fuzz/fuzz_support.hpp"

#include "server/http/myarea/account_routes.hpp"
#include "server/services/shared/errors.hpp"

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::text(data, size);
    fuzz::expect_only<services::DomainError>([&] {
        const auto uprn = http::parse_account_address(text);
        if (uprn) {
            fuzz::check(*uprn >= 1 && *uprn <= 999'999'999'999, "a UPRN out of range");
        }
    });
    return 0;
}
