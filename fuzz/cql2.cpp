// CQL2 text filters (`filter=` on /ogc/collections/{id}/items), compiled over three layers
// whose queryables cover every property type, with the three CRSs a filter may be in. A
// refusal is a DomainError; what compiles binds every client value (one `?` per parameter).
//
// Nesting: until the parser has a depth limit (issue #14, another change), a long run of `(`
// or NOT overflows the stack. scripts/fuzz caps this target's -max_len (fuzz/cql2.options)
// so CI does not keep finding that one known crash; see docs/CONTRIBUTING.md.

#include "server/services/features/cql2.hpp"

#include "fuzz/fuzz_support.hpp"

#include "server/services/shared/errors.hpp"

#include <algorithm>
#include <array>
#include <cmath>

using namespace wardmap;
using services::FeatureCrs;

namespace {

const services::LayerRegistry& layers() {
    static const auto registry = services::default_layers();
    return registry;
}

services::SqlFragment spatial(const services::GeometryLiteral& literal) {
    fuzz::check(!literal.wkt.empty(), "an empty geometry literal");
    fuzz::check(std::isfinite(literal.envelope.min_x) && std::isfinite(literal.envelope.max_y),
                "a geometry literal's envelope is not finite");
    return {"ST_Intersects(t.geom, GeomFromText(?))", {literal.wkt}};
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fuzz::text(data, size);
    struct Case {
        const char* layer;
        FeatureCrs crs;
    };
    static constexpr std::array cases{Case{"service_requests", FeatureCrs::crs84},
                                      Case{"planning_applications", FeatureCrs::epsg4326},
                                      Case{"graves", FeatureCrs::epsg27700}};
    for (const auto& c : cases) {
        const auto* layer = layers().find(c.layer);
        fuzz::check(layer != nullptr, "a layer the target names is gone");
        fuzz::expect_only<services::DomainError>([&] {
            const auto where = services::compile_cql2(in, *layer, c.crs, spatial);
            const auto placeholders = std::count(where.sql.begin(), where.sql.end(), '?');
            fuzz::check(static_cast<std::size_t>(placeholders) == where.params.size(),
                        "placeholders and parameters differ (client text in the SQL?)");
        });
    }
    return 0;
}
