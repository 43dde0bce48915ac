// The memorial, inspection and disinterment bodies (server/http/burials/memorial_bodies.hpp):
// the first byte picks the body, the rest goes through parse_json_body as the route reads it.
// A refusal is only ever a DomainError; an accepted body holds only values the tables allow
// (a known memorial type, result and action, a risk category 1-3, real dates, bounded text,
// a licence reference, a grave id that is positive).

#include "server/http/burials/memorial_bodies.hpp"

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

void check_date(const std::optional<std::string>& d) {
    fuzz::check(!d || core::parse_iso_date(*d).has_value(), "an accepted date does not exist");
}

void check_text(const std::optional<std::string>& t, std::size_t max) {
    fuzz::check(!t || (!t->empty() && t->size() <= max), "a text member out of bounds");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const int which = data[0] % 3;
    http::Request request;
    request.method = "POST";
    request.headers.emplace("Content-Type", "application/json");
    request.body = std::string(fuzz::text(data + 1, size - 1));
    fuzz::expect_only<services::DomainError>([&] {
        const auto body = http::parse_json_body(request);
        switch (which) {
        case 0: {
            const auto m = http::parse_memorial(body);
            fuzz::check(known(services::memorial_types, m.memorial_type), "a memorial type");
            check_text(m.permit_number, 40);
            check_text(m.mason, 200);
            check_text(m.inscription, 4000);
            check_date(m.erected_on);
            break;
        }
        case 1: {
            const auto i = http::parse_memorial_inspection(body);
            check_date(i.inspected_on);
            check_text(i.inspector, 200);
            fuzz::check(known(services::inspection_results, i.result), "a result");
            fuzz::check(i.risk_category >= 1 && i.risk_category <= 3, "a risk category");
            fuzz::check(known(services::memorial_actions, i.action), "an action");
            check_text(i.notes, 2000);
            break;
        }
        default: {
            const auto d = http::parse_disinterment(body);
            check_date(d.disinterred_on);
            check_text(d.licence_reference, 80);
            fuzz::check(!d.reinterred_grave_id || *d.reinterred_grave_id >= 1, "a grave id");
            check_date(d.reinterred_on);
            check_text(d.notes, 2000);
            break;
        }
        }
    });
    return 0;
}
