// My area's outside input (server/http/myarea/my_area_params.hpp): the first byte picks the
// reader (GET /api/my-area's query, the Atom feed's query, POST /api/alerts' JSON body); for a
// query the rest is split at '&' and '=' and percent-decoded as the bridge does, for the body
// it goes through parse_json_body as the route reads it. A refusal is only ever a DomainError;
// an accepted input holds exactly one place, in range.

#include "server/http/myarea/my_area_params.hpp"

#include "fuzz/fuzz_support.hpp"

#include "server/http/json_body.hpp"
#include "server/http/percent.hpp"
#include "server/services/shared/errors.hpp"

#include <cmath>

using namespace wardmap;

namespace {

void query_into(http::Request& request, std::string_view in) {
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
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const int which = data[0] % 3;
    const auto rest = fuzz::text(data + 1, size - 1);
    const core::Date today{2026, 12, 7};
    http::Request request;
    fuzz::expect_only<services::DomainError>([&] {
        switch (which) {
        case 0: {
            query_into(request, rest);
            const auto q = http::parse_my_area_query(request, today);
            const int given = (q.uprn ? 1 : 0) + (q.postcode ? 1 : 0) + (q.point ? 1 : 0);
            fuzz::check(given == 1, "not exactly one place");
            if (q.uprn) {
                fuzz::check(*q.uprn >= 1 && *q.uprn <= 999'999'999'999, "a UPRN out of range");
            }
            if (q.point) {
                fuzz::check(std::isfinite(q.point->lon) && std::fabs(q.point->lon) <= 180 &&
                                std::isfinite(q.point->lat) && std::fabs(q.point->lat) <= 90,
                            "a point out of range");
            }
            if (q.postcode) {
                fuzz::check(!q.postcode->empty() && q.postcode->size() <= 16, "a postcode's size");
            }
            break;
        }
        case 1: {
            query_into(request, rest);
            const auto q = http::parse_area_feed_query(request, today);
            fuzz::check((q.uprn ? 1 : 0) + (q.ward_code ? 1 : 0) == 1, "not exactly one area");
            fuzz::check(q.distance_m >= 50 && q.distance_m <= 5000, "a distance out of range");
            break;
        }
        default: {
            request.method = "POST";
            request.headers.emplace("Content-Type", "application/json");
            request.body = std::string(rest);
            const auto a = http::parse_alert_body(http::parse_json_body(request));
            fuzz::check((a.uprn ? 1 : 0) + (a.point ? 1 : 0) + (a.ward ? 1 : 0) == 1,
                        "not exactly one place");
            fuzz::check(!a.email.empty() && a.email.size() <= 254, "an email's size");
            fuzz::check(a.reports || a.planning, "no kind");
            fuzz::check(a.distance_m >= 50 && a.distance_m <= 5000, "a distance out of range");
            if (a.point) {
                fuzz::check(std::fabs(a.point->lon) <= 180 && std::fabs(a.point->lat) <= 90,
                            "a point out of range");
            }
            break;
        }
        }
    });
    return 0;
}
