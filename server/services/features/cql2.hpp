#pragma once

#include "geo/coordinates.hpp"
#include "server/services/features/layer.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace wardmap::services {

/// A value bound to a `?` placeholder.
using SqlValue = std::variant<std::int64_t, double, std::string>;

/// A piece of SQL with `?` placeholders and their values, in order. Its text comes only from
/// the layer registry and this code; every client value travels in `params`.
struct SqlFragment {
    std::string sql;
    std::vector<SqlValue> params;
};

/// The CRSs the OGC API reads and writes (Part 2).
enum class FeatureCrs { crs84, epsg4326, epsg27700, epsg3857 };

/// A geometry from a filter or bbox, rewritten by us: WKT of numbers in WGS84 lon/lat, or in
/// EPSG:27700 when `bng`, plus its envelope in the same CRS.
struct GeometryLiteral {
    std::string wkt;
    geo::BBox envelope;
    bool bng = false;
    /// The literal is the axis-aligned box `envelope` itself (a bbox parameter or a CQL2
    /// BBOX): a point intersects it exactly when its coordinates are within the bounds.
    bool is_box = false;
};

/// Builds the SQL for "the feature's geometry intersects `literal`" (R*Tree prefilter plus an
/// exact test); supplied by the feature service, which knows the tables and the transform.
using SpatialPredicate = std::function<SqlFragment(const GeometryLiteral& literal)>;

/// The most one filter may ask for. Anything more is refused (DomainError invalid_parameter
/// naming `filter` and the limit) while parsing, before any SQL reaches SQLite: these keep the
/// parser's recursion shallow and the generated SQL well inside SQLite's own limits (a
/// parser stack of about 100 entries in 3.40, an expression depth of 1000, 32766 bound
/// values), and bound the GEOS work per row. docs/http-api.md lists them.
struct Cql2Limits {
    /// Characters of filter text (after percent-decoding).
    std::size_t max_length = 256 * 1024;
    /// Nesting levels: each parenthesised group, NOT and CASEI/LOWER is one.
    std::size_t max_depth = 20;
    /// Predicates: comparisons, LIKE, BETWEEN, IN, IS NULL, S_INTERSECTS, TRUE/FALSE.
    std::size_t max_terms = 100;
    /// Values in one IN list.
    std::size_t max_list = 100;
    /// Positions in all of the filter's geometry literals together.
    std::size_t max_vertices = 10000;
};

/// Compiles a CQL2 text filter (OGC 21-065: basic CQL2 with comparison, AND/OR/NOT, IS NULL,
/// plus LIKE, IN, BETWEEN, CASEI, DATE/TIMESTAMP literals and S_INTERSECTS with POINT,
/// LINESTRING, POLYGON, MULTI* and BBOX) over `layer`'s queryables into a WHERE fragment.
/// Geometry literals are in `filter_crs` (EPSG:4326 is lat/lon). Throws DomainError
/// invalid_parameter naming `filter`: syntax errors give the character position (from 1)
/// and what was expected; a property that is not queryable names the queryables; a filter
/// past one of `limits` names the limit. A pure function of its arguments (no I/O), so it
/// can be fuzzed with any `spatial` callback.
SqlFragment compile_cql2(std::string_view text,
                         const Layer& layer,
                         FeatureCrs filter_crs,
                         const SpatialPredicate& spatial,
                         const Cql2Limits& limits = {});

/// An RFC 3339 date-time (`2024-03-01T10:00:00Z`, `...+01:00`, fractions allowed) as UTC text
/// `YYYY-MM-DDTHH:MM:SSZ` (fractions dropped), the form the store uses; nullopt if invalid.
std::optional<std::string> normalize_timestamp(std::string_view text);

/// Converts a coordinate pair read in `crs` to WGS84 lon/lat (or keeps EPSG:27700 as is);
/// returns false for out-of-range degrees.
bool to_storage_axes(FeatureCrs crs, double& x, double& y);

} // namespace wardmap::services
