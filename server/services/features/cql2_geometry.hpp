#pragma once

// The CQL2 geometry-literal reader: WKT (POINT, LINESTRING, POLYGON, MULTI*) and BBOX in a
// filter, read from the token stream and rewritten by us in storage axes. Internal to
// features/; compile_cql2 (cql2.hpp) is the entry point.

#include "server/services/features/cql2.hpp"
#include "server/services/features/cql2_tokens.hpp"

#include <cstddef>
#include <string>

namespace wardmap::services::cql2 {

/// How many more positions the filter's geometry literals may have, of `limit`.
struct VertexBudget {
    std::size_t left;
    std::size_t limit = left;
};

/// POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING, MULTIPOLYGON or BBOX (upper case).
bool is_geometry_keyword(const std::string& word);

/// Reads one geometry literal starting at its keyword, with coordinates in `crs`, rewritten
/// as WKT in WGS84 lon/lat (or EPSG:27700). Fails with the position on a syntax error, and
/// naming the limit once the literal's positions exhaust `vertices`.
GeometryLiteral read_geometry_literal(TokenCursor& in, FeatureCrs crs, VertexBudget& vertices);

} // namespace wardmap::services::cql2
