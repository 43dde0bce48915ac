// Found by fuzz/cql2.cpp (scripts/fuzz): the recursive-descent CQL2 parser had no nesting
// limit, so a filter of a few thousand '(' or NOTs overflowed the stack (in the ASan fuzz
// build, between 2,000 and 4,000 '('). The parser now refuses nesting past its limit (issue
// #14; Cql2Limits) as a 400, before it recurses that deep, however long the filter is.

#include "server/services/features/cql2.hpp"
#include "server/services/shared/errors.hpp"

#include <gtest/gtest.h>

namespace wardmap::services {
namespace {

void expect_refused(const std::string& filter) {
    Layer layer;
    layer.id = "litter_bins";
    layer.table = "litter_bins";
    layer.properties = {{"bin_type", "t.bin_type", PropertyType::string, "Bin type", true}};
    const auto spatial = [](const GeometryLiteral& g) { return SqlFragment{"X(?)", {g.wkt}}; };
    try {
        (void)compile_cql2(filter, layer, FeatureCrs::crs84, spatial);
        ADD_FAILURE() << "a filter nested " << filter.size() << " bytes deep compiled";
    } catch (const DomainError& e) {
        EXPECT_EQ(e.code(), ErrorCode::invalid_parameter);
    }
}

TEST(Cql2Nesting, DeepParenthesesAreRefusedNotAStackOverflow) {
    expect_refused(std::string(100'000, '(') + "bin_type = 'x'" + std::string(100'000, ')'));
}

TEST(Cql2Nesting, DeepNotsAreRefusedNotAStackOverflow) {
    std::string filter;
    for (int i = 0; i < 50'000; ++i) {
        filter += "NOT ";
    }
    expect_refused(filter + "bin_type = 'x'");
}

} // namespace
} // namespace wardmap::services
