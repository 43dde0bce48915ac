// The body of POST /api/visits/{id}/completions (a crew's device): any JSON the parser may
// refuse only with a DomainError naming a field; what it accepts keeps its promises (an
// outcome of two, a reason exactly with not_done, at most six photos, quantities a JSON
// object, notes of at most 2,000 characters).

#include "server/services/streetscene/completion_body.hpp"

#include "fuzz/fuzz_support.hpp"

#include "server/services/shared/errors.hpp"

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto body = nlohmann::json::parse(fuzz::text(data, size), nullptr, false);
    if (body.is_discarded()) {
        return 0; // parse_json_body refuses it before this parser runs
    }
    // A fixed clock: 2026-12-07T12:00:00Z.
    constexpr core::UnixSeconds now = 1796644800;
    fuzz::expect_only<services::DomainError>([&] {
        const auto in = services::parse_completion(body, now);
        fuzz::check(in.outcome == "done" || in.outcome == "not_done", "outcome");
        fuzz::check(in.reason.has_value() == (in.outcome == "not_done"), "reason iff not_done");
        fuzz::check(in.photos.size() <= 6, "at most six photos");
        fuzz::check(in.at <= now + 24 * 3600, "at not a day ahead");
        fuzz::check(!in.client_id.empty() && in.client_id.size() <= 64, "client_id");
        if (in.quantities) {
            fuzz::check(nlohmann::json::parse(*in.quantities).is_object(), "quantities object");
        }
        fuzz::check(!in.notes || in.notes->size() <= 4 * 2000, "notes bounded");
        fuzz::check(in.lon.has_value() == in.lat.has_value(), "lon with lat");
    });
    return 0;
}
