// The housing team's JSON bodies (server/http/housing/housing_bodies.hpp): the first byte picks
// the body (registration, change, status, inspection, owner), the rest goes through
// parse_json_body as the route reads it. A refusal is only ever a DomainError; an accepted
// body holds only the values the register allows (known sources, statuses, assessments,
// real dates, a UPRN in range, bounded text).

#include "server/http/housing/housing_bodies.hpp"

#include "fuzz/fuzz_support.hpp"

#include "server/http/json_body.hpp"
#include "server/services/shared/errors.hpp"

#include <algorithm>
#include <span>
#include <string>

using namespace wardmap;

namespace {

bool known(std::span<const std::string_view> allowed, const std::string& value) {
    return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

void check_date(const core::Date& d) {
    fuzz::check(core::parse_iso_date(d.iso()).has_value(), "an accepted date does not exist");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const int which = data[0] % 5;
    http::Request request;
    request.method = "POST";
    request.headers.emplace("Content-Type", "application/json");
    request.body = std::string(fuzz::text(data + 1, size - 1));
    fuzz::expect_only<services::DomainError>([&] {
        const auto body = http::parse_json_body(request);
        switch (which) {
        case 0: {
            const auto in = http::parse_empty_property(body);
            fuzz::check(in.uprn >= 1 && in.uprn <= 999'999'999'999, "a UPRN out of range");
            fuzz::check(known(services::empty_sources, in.source), "an unknown source");
            fuzz::check(known(services::empty_statuses, in.status), "an unknown status");
            check_date(in.empty_since);
            if (in.registered_on) {
                check_date(*in.registered_on);
            }
            break;
        }
        case 1: {
            const auto c = http::parse_empty_property_change(body);
            if (c.source) {
                fuzz::check(known(services::empty_sources, *c.source), "an unknown source");
            }
            if (c.empty_since) {
                check_date(*c.empty_since);
            }
            break;
        }
        case 2: {
            const auto c = http::parse_status_change(body);
            fuzz::check(known(services::empty_statuses, c.status), "an unknown status");
            break;
        }
        case 3: {
            const auto in = http::parse_inspection(body);
            check_date(in.inspected_on);
            fuzz::check(known(services::inspection_conditions, in.condition), "a condition");
            fuzz::check(known(services::inspection_securities, in.security), "a security");
            fuzz::check(known(services::inspection_actions, in.recommended_action), "an action");
            fuzz::check(!in.notes || in.notes->size() <= 2000, "notes too long");
            break;
        }
        default: {
            const auto o = http::parse_owner(body);
            for (const auto* m : {&o.name, &o.address, &o.phone, &o.email}) {
                fuzz::check(!*m || (!(*m)->empty() && (*m)->size() <= 500), "an owner member");
            }
            break;
        }
        }
    });
    return 0;
}
