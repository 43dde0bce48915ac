// Query strings after the bridge: split at '&' and '=' (as Pistache does), each name and value
// percent-decoded with '+' as a space (percent_decode), then read by the shared parameter
// readers: number_param (lon/lat, x/y), the OGC `datetime` parameter, request ids and numbers,
// and photo id lists. Refusals are DomainErrors (400s) or problems listed, never a throw of
// anything else.

#include "server/http/query_params.hpp"

#include "fuzz/fuzz_support.hpp"

#include "server/http/percent.hpp"
#include "server/services/features/feature_service.hpp"
#include "server/services/requests/photo_store.hpp"
#include "server/services/requests/request_internals.hpp"
#include "server/services/shared/errors.hpp"

#include <cmath>

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto in = fuzz::text(data, size);
    http::Request request;
    while (!in.empty()) {
        const auto amp = in.find('&');
        const auto pair = in.substr(0, amp);
        in = amp == std::string_view::npos ? std::string_view{} : in.substr(amp + 1);
        const auto eq = pair.find('=');
        auto name = http::percent_decode(pair.substr(0, eq), true);
        auto value = http::percent_decode(
            eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
        if (name && value) {
            request.query.insert_or_assign(std::move(*name), std::move(*value));
        }
    }
    for (const char* name : {"lon", "lat", "x", "y"}) {
        fuzz::expect_only<services::DomainError>([&] {
            const double v = http::number_param(request, name, "a number");
            fuzz::check(std::isfinite(v), "number_param let a non-finite number through");
        });
    }
    if (const auto datetime = request.query_param("datetime")) {
        fuzz::expect_only<services::DomainError>(
            [&] { (void)services::parse_datetime(*datetime); });
    }
    for (const char* name : {"id", "service_request_id"}) {
        if (const auto id = request.query_param(name)) {
            if (const auto parsed = services::request_detail::parse_id(*id)) {
                fuzz::check(*parsed > 0, "parse_id gave an id that is not positive");
            }
            (void)services::request_detail::parse_number(*id);
        }
    }
    if (const auto photos = request.query_param("photo_id")) {
        std::vector<services::FieldProblem> problems;
        const auto ids = services::parse_photo_ids(*photos, "photo_id", problems);
        fuzz::check(!problems.empty() || ids.size() <= services::max_photos_per_item,
                    "more photos than allowed without a problem");
    }
    return 0;
}
