#include "server/services/features/cql2_geometry.hpp"

#include "geo/geojson_writer.hpp"

#include <cmath>
#include <utility>
#include <vector>

namespace wardmap::services {

namespace cql2 {

namespace {

// One position "x y [z]", converted to storage axes and appended as "x y".
void position(TokenCursor& in, FeatureCrs crs, GeometryLiteral& g, VertexBudget& vertices) {
    const auto pos = in.peek().pos;
    if (vertices.left == 0) {
        fail_limit("has more than " + std::to_string(vertices.limit) +
                   " vertices in its geometry literals (at character " + std::to_string(pos + 1) +
                   ")");
    }
    --vertices.left;
    double x = in.number("a coordinate");
    double y = in.number("the second coordinate");
    if (in.peek().kind == Tok::number) {
        (void)in.number("z");
    }
    if (!to_storage_axes(crs, x, y)) {
        fail_at(pos, "the coordinates are out of range for the filter-crs");
    }
    g.envelope.extend(x, y);
    geo::append_number(g.wkt, x, 9);
    g.wkt += ' ';
    geo::append_number(g.wkt, y, 9);
}

// "(x y, x y, ...)" with at least `min` positions.
void position_list(
    TokenCursor& in, FeatureCrs crs, GeometryLiteral& g, std::size_t min, VertexBudget& vertices) {
    in.expect(Tok::lparen, "'('");
    g.wkt += '(';
    std::size_t n = 0;
    for (;;) {
        if (n) {
            g.wkt += ',';
        }
        position(in, crs, g, vertices);
        ++n;
        if (in.peek().kind == Tok::comma) {
            in.skip();
            continue;
        }
        break;
    }
    if (n < min) {
        fail_at(in.peek().pos, "needs at least " + std::to_string(min) + " positions");
    }
    in.expect(Tok::rparen, "',' or ')' in a coordinate list");
    g.wkt += ')';
}

// "((...), (...))": a list of position lists.
void list_of_lists(TokenCursor& in,
                   FeatureCrs crs,
                   GeometryLiteral& g,
                   std::size_t min,
                   bool polygons,
                   VertexBudget& vertices) {
    in.expect(Tok::lparen, "'('");
    g.wkt += '(';
    for (bool first = true;; first = false) {
        if (!first) {
            g.wkt += ',';
        }
        if (polygons) {
            list_of_lists(in, crs, g, 4, false, vertices);
        } else {
            position_list(in, crs, g, min, vertices);
        }
        if (in.peek().kind == Tok::comma) {
            in.skip();
            continue;
        }
        break;
    }
    in.expect(Tok::rparen, "',' or ')'");
    g.wkt += ')';
}

} // namespace

bool is_geometry_keyword(const std::string& w) {
    return w == "POINT" || w == "LINESTRING" || w == "POLYGON" || w == "MULTIPOINT" ||
           w == "MULTILINESTRING" || w == "MULTIPOLYGON" || w == "BBOX";
}

GeometryLiteral read_geometry_literal(TokenCursor& in, FeatureCrs crs, VertexBudget& vertices) {
    const Token t = in.next();
    const std::string kind = upper(t.text);
    GeometryLiteral g;
    g.bng = crs == FeatureCrs::epsg27700;
    if (kind == "BBOX") {
        in.expect(Tok::lparen, "'(' after BBOX");
        std::vector<double> v;
        for (;;) {
            v.push_back(in.number("a BBOX bound"));
            if (v.size() > 6) {
                fail_at(t.pos, "BBOX takes 4 numbers (or 6 with heights)");
            }
            if (in.peek().kind == Tok::comma) {
                in.skip();
                continue;
            }
            break;
        }
        in.expect(Tok::rparen, "')' after the BBOX bounds");
        if (v.size() != 4 && v.size() != 6) {
            fail_at(t.pos, "BBOX takes 4 numbers (or 6 with heights)");
        }
        const std::size_t half = v.size() / 2;
        double x1 = v[0], y1 = v[1], x2 = v[half], y2 = v[half + 1];
        if (!to_storage_axes(crs, x1, y1) || !to_storage_axes(crs, x2, y2)) {
            fail_at(t.pos, "the BBOX is out of range for the filter-crs");
        }
        if (x1 > x2 || y1 > y2) {
            fail_at(t.pos, "the BBOX's lower corner must come first");
        }
        g.envelope.extend(x1, y1);
        g.envelope.extend(x2, y2);
        g.is_box = true;
        g.wkt = "POLYGON((";
        const double xs[] = {x1, x2, x2, x1, x1};
        const double ys[] = {y1, y1, y2, y2, y1};
        for (int i = 0; i < 5; ++i) {
            g.wkt += i ? "," : "";
            geo::append_number(g.wkt, xs[i], 9);
            g.wkt += ' ';
            geo::append_number(g.wkt, ys[i], 9);
        }
        g.wkt += "))";
        return g;
    }
    g.wkt = kind;
    if (kind == "POINT") {
        in.expect(Tok::lparen, "'(' after POINT");
        g.wkt += '(';
        position(in, crs, g, vertices);
        in.expect(Tok::rparen, "')' after the point's coordinates");
        g.wkt += ')';
    } else if (kind == "LINESTRING") {
        position_list(in, crs, g, 2, vertices);
    } else if (kind == "POLYGON") {
        list_of_lists(in, crs, g, 4, false, vertices);
    } else if (kind == "MULTIPOINT") {
        // Both MULTIPOINT((1 2),(3 4)) and MULTIPOINT(1 2, 3 4).
        in.expect(Tok::lparen, "'(' after MULTIPOINT");
        g.wkt += '(';
        for (bool first = true;; first = false) {
            g.wkt += first ? "(" : ",(";
            const bool wrapped = in.peek().kind == Tok::lparen;
            if (wrapped) {
                in.skip();
            }
            position(in, crs, g, vertices);
            if (wrapped) {
                in.expect(Tok::rparen, "')'");
            }
            g.wkt += ')';
            if (in.peek().kind == Tok::comma) {
                in.skip();
                continue;
            }
            break;
        }
        in.expect(Tok::rparen, "')' after the points");
        g.wkt += ')';
    } else if (kind == "MULTILINESTRING") {
        list_of_lists(in, crs, g, 2, false, vertices);
    } else {
        list_of_lists(in, crs, g, 4, true, vertices);
    }
    return g;
}
} // namespace cql2

bool to_storage_axes(FeatureCrs crs, double& x, double& y) {
    switch (crs) {
    case FeatureCrs::epsg4326:
        std::swap(x, y);
        break;
    case FeatureCrs::epsg3857:
        if (std::abs(x) > 20037508.35 || std::abs(y) > 20048966.11) {
            return false;
        }
        geo::web_mercator_to_lonlat(x, y, x, y);
        return true;
    case FeatureCrs::epsg27700:
        return std::isfinite(x) && std::isfinite(y);
    case FeatureCrs::crs84:
        break;
    }
    return std::abs(x) <= 180 && std::abs(y) <= 90;
}

} // namespace wardmap::services
