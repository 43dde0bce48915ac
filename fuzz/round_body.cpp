// The body of POST /api/rounds and PUT /api/rounds/{code}: JSON (a parse error is the
// route's 400 malformed-body) read by services::parse_round_body. Besides not crashing: a
// refusal is only ever DomainError; an accepted body writes back (round_body_json) to a body
// that reads again, without any error, to the same round; and its rule expands with nothing
// but a DomainError.

#include "server/services/streetscene/round_body.hpp"

#include "fuzz/fuzz_support.hpp"

#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto body = nlohmann::json::parse(fuzz::text(data, size), nullptr, false);
    if (body.is_discarded()) {
        return 0;
    }
    std::optional<services::RoundBody> read;
    fuzz::expect_only<services::DomainError>([&] { read = services::parse_round_body(body); });
    if (!read) {
        return 0;
    }
    auto def = read->definition;
    const bool by_reference = std::any_of(read->stops.begin(), read->stops.end(),
                                          [](const auto& s) { return s.id == 0; });
    for (const auto& s : read->stops) {
        def.stops.push_back({s.kind, s.id});
    }
    if (!by_reference) {
        // Nothing may be refused on the way back: expect no exception at all.
        fuzz::expect_only<>([&] {
            const auto written = services::round_body_json(def);
            const auto again = services::parse_round_body(nlohmann::json::parse(written.dump()));
            auto again_def = again.definition;
            for (const auto& s : again.stops) {
                again_def.stops.push_back({s.kind, s.id});
            }
            fuzz::check(services::round_body_json(again_def) == written,
                        "a round does not read back the same");
        });
    }
    fuzz::expect_only<services::DomainError>([&] {
        const core::Date from{2026, 12, 7};
        (void)services::expand_rule(def.rule, from, services::add_days(from, 90));
    });
    return 0;
}
