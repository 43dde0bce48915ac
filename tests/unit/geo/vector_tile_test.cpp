#include "geo/geos_context.hpp"
#include "geo/tile_matrix.hpp"
#include "geo/vector_tile.hpp"
#include "tests/support/mvt_reader.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace wardmap::geo {
namespace {

using testing::decode_tile;
using testing::doubled_area;
using testing::MvtPoint;

// A tile over the demo borough (south London) at zoom 14.
constexpr TileId tile14{14, 8187, 5454};

struct Inverse {
    TileId tile;
    double extent = 4096;
};

int to_lonlat(double* x, double* y, void* userdata) {
    const auto& inv = *static_cast<const Inverse*>(userdata);
    const double world = inv.extent * std::ldexp(1.0, inv.tile.z);
    const double wx = (inv.tile.x * inv.extent + *x) / world;
    const double wy = (inv.tile.y * inv.extent + *y) / world;
    *x = wx * 360 - 180;
    *y = std::atan(std::sinh(std::numbers::pi * (1 - 2 * wy))) * 180 / std::numbers::pi;
    return 1;
}

/// WKB in WGS84 of a geometry written in the tile's own units (x right, y down).
std::vector<unsigned char> wkb(const std::string& wkt_in_tile_units, const TileId& tile = tile14) {
    auto& geos = this_thread_geos();
    auto g = geos.from_wkt(wkt_in_tile_units);
    Inverse inv{tile};
    g = geos.own(GEOSGeom_transformXY_r(geos.handle(), g.get(), &to_lonlat, &inv));
    return geos.to_wkb(g.get());
}

std::string one_layer_tile(const std::string& wkt,
                           const TileLayerOptions& options = {},
                           const TileId& tile = tile14) {
    VectorTileBuilder builder(tile);
    builder.layer("things", options).add(7, wkb(wkt, tile), {{"name", std::string("A")}});
    return builder.finish();
}

TEST(TileMatrix, IndicesAreCheckedAgainstTheZoom) {
    EXPECT_TRUE(in_matrix({0, 0, 0}));
    EXPECT_FALSE(in_matrix({0, 1, 0}));
    EXPECT_TRUE(in_matrix({16, 65535, 65535}));
    EXPECT_FALSE(in_matrix({16, 65536, 0}));
    EXPECT_FALSE(in_matrix({-1, 0, 0}));
    EXPECT_FALSE(in_matrix({25, 0, 0}));
    EXPECT_FALSE(in_matrix({3, -1, 0}));
}

TEST(TileMatrix, BoundsFollowTheQuadtreeFromTheNorthWest) {
    const auto world = tile_bounds_3857({0, 0, 0});
    EXPECT_NEAR(world.min_x, -20037508.342789244, 1e-6);
    EXPECT_NEAR(world.max_y, 20037508.342789244, 1e-6);
    const auto nw = tile_bounds_3857({1, 0, 0});
    EXPECT_NEAR(nw.min_x, -20037508.342789244, 1e-6);
    EXPECT_NEAR(nw.max_x, 0, 1e-6);
    EXPECT_NEAR(nw.min_y, 0, 1e-6);
    const auto ll = tile_bounds_lonlat(tile14);
    EXPECT_NEAR(ll.min_x, -0.10986328125, 1e-9); // 8187 / 2^14 * 360 - 180
    EXPECT_LT(ll.min_y, 51.42);
    EXPECT_GT(ll.max_y, 51.42);
    // The world's corner tiles stay within -180..180 even with a buffer.
    EXPECT_GE(tile_bounds_lonlat({10, 0, 0}, 64.0 / 4096).min_x, -180.0);
    EXPECT_LE(tile_bounds_lonlat({10, 1023, 0}, 64.0 / 4096).max_x, 180.0);
    const auto buffered = tile_bounds_lonlat(tile14, 64.0 / 4096);
    EXPECT_LT(buffered.min_x, ll.min_x);
    EXPECT_GT(buffered.max_y, ll.max_y);
}

TEST(TileMatrix, IndexTextIsDigitsOnly) {
    EXPECT_EQ(parse_tile_index("0"), 0);
    EXPECT_EQ(parse_tile_index("8187"), 8187);
    EXPECT_FALSE(parse_tile_index(""));
    EXPECT_FALSE(parse_tile_index("-1"));
    // from_chars reads "-0" as 0 (the same slip in --zooms was found by fuzz_export_tiles_options).
    EXPECT_FALSE(parse_tile_index("-0"));
    EXPECT_FALSE(parse_tile_index("+1"));
    EXPECT_FALSE(parse_tile_index("01"));
    EXPECT_FALSE(parse_tile_index("1.5"));
    EXPECT_FALSE(parse_tile_index("abc"));
    EXPECT_FALSE(parse_tile_index("99999999999"));
}

TEST(VectorTile, AnEmptyTileIsZeroBytesAndEmptyLayersAreLeftOut) {
    VectorTileBuilder builder(tile14);
    auto& layer = builder.layer("nothing");
    EXPECT_FALSE(layer.add(1, wkb("POINT (9000 9000)"), {})); // far outside
    EXPECT_TRUE(layer.empty());
    const auto bytes = builder.finish();
    EXPECT_TRUE(bytes.empty());
    EXPECT_TRUE(decode_tile(bytes).empty());
}

TEST(VectorTile, APointIsOneMoveToWithZigzagParameters) {
    const auto layers = decode_tile(one_layer_tile("POINT (25 17)"));
    ASSERT_EQ(layers.size(), 1U);
    const auto& layer = layers[0];
    EXPECT_EQ(layer.name, "things");
    EXPECT_EQ(layer.version, 2U);
    EXPECT_EQ(layer.extent, 4096U);
    ASSERT_EQ(layer.features.size(), 1U);
    const auto& f = layer.features[0];
    EXPECT_EQ(f.id, 7U);
    EXPECT_EQ(f.type, 1);
    // MoveTo(1) = 9, then zigzag(25) = 50, zigzag(17) = 34 (MVT 2.1 §4.3.5 example 1).
    EXPECT_EQ(f.geometry, (std::vector<std::uint32_t>{9, 50, 34}));
    EXPECT_EQ(std::get<std::string>(f.properties.at("name")), "A");
}

TEST(VectorTile, KeysAndValuesAreSharedAcrossFeatures) {
    VectorTileBuilder builder(tile14);
    auto& layer = builder.layer("bins");
    layer.add(1, wkb("POINT (10 10)"),
              {{"type", std::string("dog")}, {"capacity", std::int64_t{50}}});
    layer.add(2, wkb("POINT (20 20)"),
              {{"type", std::string("dog")}, {"capacity", std::int64_t{-3}}});
    layer.add(3, wkb("POINT (30 30)"), {{"capacity", 2.5}, {"open", true}});
    const auto layers = decode_tile(builder.finish());
    ASSERT_EQ(layers.size(), 1U);
    const auto& l = layers[0];
    EXPECT_EQ(l.keys, (std::vector<std::string>{"type", "capacity", "open"}));
    EXPECT_EQ(l.values.size(), 5U); // "dog" once, 50, -3, 2.5, true
    ASSERT_EQ(l.features.size(), 3U);
    EXPECT_EQ(l.features[0].tags, (std::vector<std::uint32_t>{0, 0, 1, 1}));
    EXPECT_EQ(l.features[1].tags, (std::vector<std::uint32_t>{0, 0, 1, 2}));
    EXPECT_EQ(std::get<std::uint64_t>(l.features[0].properties.at("capacity")), 50U);
    EXPECT_EQ(std::get<std::int64_t>(l.features[1].properties.at("capacity")), -3);
    EXPECT_EQ(std::get<double>(l.features[2].properties.at("capacity")), 2.5);
    EXPECT_TRUE(std::get<bool>(l.features[2].properties.at("open")));
}

TEST(VectorTile, ALineIsMoveToThenLineToWithRelativeSteps) {
    const auto layers = decode_tile(one_layer_tile("LINESTRING (2 2, 2 10, 10 10)"));
    const auto& f = layers.at(0).features.at(0);
    EXPECT_EQ(f.type, 2);
    // MVT 2.1 §4.3.5 example 3: MoveTo(2,2) LineTo(+0,+8)(+8,+0).
    EXPECT_EQ(f.geometry, (std::vector<std::uint32_t>{9, 4, 4, 18, 0, 16, 16, 0}));
}

TEST(VectorTile, ALineCrossingTheEdgeIsCutAtTheBuffer) {
    const auto layers = decode_tile(one_layer_tile("LINESTRING (-1000 100, 5000 100)"));
    const auto& part = layers.at(0).features.at(0).parts.at(0);
    ASSERT_EQ(part.points.size(), 2U);
    EXPECT_EQ(part.points.front(), (MvtPoint{-64, 100}));
    EXPECT_EQ(part.points.back(), (MvtPoint{4096 + 64, 100}));
}

TEST(VectorTile, PolygonsAreClockwiseOnScreenAndHolesAnticlockwise) {
    // Written anticlockwise on screen (the wrong way for MVT), with a clockwise hole.
    const auto layers = decode_tile(one_layer_tile(
        "POLYGON ((0 0, 0 100, 100 100, 100 0, 0 0), (20 20, 80 20, 80 80, 20 80, 20 20))"));
    const auto& f = layers.at(0).features.at(0);
    EXPECT_EQ(f.type, 3);
    ASSERT_EQ(f.parts.size(), 2U);
    EXPECT_TRUE(f.parts[0].closed);
    EXPECT_TRUE(f.parts[1].closed);
    EXPECT_EQ(f.parts[0].points.size(), 4U); // no repeated closing point
    EXPECT_DOUBLE_EQ(doubled_area(f.parts[0]), 2 * 100.0 * 100);
    EXPECT_DOUBLE_EQ(doubled_area(f.parts[1]), -2 * 60.0 * 60);

    // The other way round comes out the same way round.
    const auto again = decode_tile(one_layer_tile(
        "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0), (20 20, 20 80, 80 80, 80 20, 20 20))"));
    const auto& g = again.at(0).features.at(0);
    EXPECT_GT(doubled_area(g.parts.at(0)), 0);
    EXPECT_LT(doubled_area(g.parts.at(1)), 0);
}

TEST(VectorTile, APolygonCrossingTheEdgeIsCutToTheBufferedTile) {
    const auto layers = decode_tile(
        one_layer_tile("POLYGON ((4000 -500, 6000 -500, 6000 500, 4000 500, 4000 -500))"));
    const auto& ring = layers.at(0).features.at(0).parts.at(0);
    for (const auto& p : ring.points) {
        EXPECT_GE(p.x, 4000);
        EXPECT_LE(p.x, 4096 + 64);
        EXPECT_GE(p.y, -64);
        EXPECT_LE(p.y, 500);
    }
    EXPECT_DOUBLE_EQ(doubled_area(ring), 2.0 * 160 * 564);
}

TEST(VectorTile, AMultiPolygonKeepsOneCursorAcrossItsParts) {
    const auto layers =
        decode_tile(one_layer_tile("MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0)), ((100 100, 110 "
                                   "100, 110 110, 100 110, 100 100)))"));
    const auto& f = layers.at(0).features.at(0);
    ASSERT_EQ(f.parts.size(), 2U);
    EXPECT_EQ(f.parts[1].points.front(), (MvtPoint{100, 100}));
    EXPECT_GT(doubled_area(f.parts[0]), 0);
    EXPECT_GT(doubled_area(f.parts[1]), 0);
}

TEST(VectorTile, TinyPolygonsVanishAtLowZoom) {
    // A 3 m grave plot: at zoom 18 it spans ~20 units, at zoom 10 a tenth of one.
    // 3 m square at 51.42N: 3 m is ~0.0000431 deg of longitude and ~0.000027 deg of latitude.
    auto& geos = this_thread_geos();
    const auto plot = geos.to_wkb(geos.from_wkt("POLYGON ((-0.1095 51.4200, -0.1094569 51.4200, "
                                                "-0.1094569 51.420027, -0.1095 51.420027, "
                                                "-0.1095 51.4200))")
                                      .get());
    // The z18 tile that holds it.
    double x = 0;
    double y = 0;
    lonlat_to_tile({18, 0, 0}, 4096, -0.1094785, 51.4200135, x, y);
    const TileId holder{18, static_cast<int>(x / 4096), static_cast<int>(y / 4096)};
    VectorTileBuilder at18(holder);
    EXPECT_TRUE(at18.layer("plots").add(1, plot, {}));
    const auto decoded = decode_tile(at18.finish());
    EXPECT_GT(doubled_area(decoded.at(0).features.at(0).parts.at(0)), 2 * 100.0);

    const TileId at10_id{10, holder.x >> 8, holder.y >> 8};
    VectorTileBuilder at10(at10_id);
    EXPECT_FALSE(at10.layer("plots").add(1, plot, {}));
    EXPECT_TRUE(at10.finish().empty());
}

TEST(VectorTile, LinesAreGeneralisedByTheTileUnit) {
    // A zigzag of one unit either side of a straight line is drawn as the straight line.
    std::string wkt = "LINESTRING (0 100";
    for (int i = 1; i <= 100; ++i) {
        wkt += ", " + std::to_string(i * 10) + " " + std::to_string(100 + (i % 2));
    }
    wkt += ")";
    const auto layers = decode_tile(one_layer_tile(wkt));
    EXPECT_EQ(layers.at(0).features.at(0).parts.at(0).points.size(), 2U);
    TileLayerOptions exact;
    exact.simplify = 0;
    const auto kept = decode_tile(one_layer_tile(wkt, exact));
    EXPECT_EQ(kept.at(0).features.at(0).parts.at(0).points.size(), 101U);
}

TEST(VectorTile, DensePointsAreClusteredWithACount) {
    TileLayerOptions options;
    options.cluster_cell = 256;
    VectorTileBuilder builder(tile14);
    auto& layer = builder.layer("addresses", options);
    int inside = 0;
    for (int i = 0; i < 40; ++i) {
        for (int j = 0; j < 40; ++j) {
            // 10-unit spacing from (5, 5): four 256-unit cells hold them all but a few.
            const double x = 5 + i * 10;
            const double y = 5 + j * 10;
            layer.add(static_cast<std::uint64_t>(i * 40 + j + 1),
                      wkb("POINT (" + std::to_string(x) + " " + std::to_string(y) + ")"),
                      {{"uprn", std::int64_t{1}}});
            ++inside;
        }
    }
    // Points in the buffer only are not counted (their own tile counts them).
    layer.add(9999, wkb("POINT (-10 -10)"), {});
    const auto layers = decode_tile(builder.finish());
    const auto& l = layers.at(0);
    EXPECT_EQ(l.features.size(), 4U);
    std::uint64_t total = 0;
    for (const auto& f : l.features) {
        EXPECT_EQ(f.properties.size(), 1U);
        total += std::get<std::uint64_t>(f.properties.at("count"));
        EXPECT_EQ(f.parts.size(), 1U);
    }
    EXPECT_EQ(total, static_cast<std::uint64_t>(inside));
}

TEST(VectorTile, LayersKeepTheirOrder) {
    VectorTileBuilder builder(tile14);
    builder.layer("first").add(1, wkb("POINT (1 1)"), {});
    builder.layer("empty");
    builder.layer("second").add(2, wkb("LINESTRING (1 1, 50 50)"), {});
    const auto layers = decode_tile(builder.finish());
    ASSERT_EQ(layers.size(), 2U);
    EXPECT_EQ(layers[0].name, "first");
    EXPECT_EQ(layers[1].name, "second");
}

} // namespace
} // namespace wardmap::geo
