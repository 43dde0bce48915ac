#include "geo/point_cluster_index.hpp"
#include "geo/tile_matrix.hpp"
#include "geo/vector_tile.hpp"
#include "tests/support/mvt_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <numbers>
#include <random>

namespace wardmap::geo {
namespace {

using testing::decode_tile;

/// A 2D point as WKB, little- or big-endian (the big-endian one takes the GEOS path).
std::vector<unsigned char> point_wkb(double lon, double lat, bool little = true) {
    std::vector<unsigned char> out(21);
    out[0] = little ? 1 : 0;
    const std::uint32_t type = 1;
    std::memcpy(out.data() + 1, &type, 4);
    std::memcpy(out.data() + 5, &lon, 8);
    std::memcpy(out.data() + 13, &lat, 8);
    if (!little) {
        std::reverse(out.begin() + 1, out.begin() + 5);
        std::reverse(out.begin() + 5, out.begin() + 13);
        std::reverse(out.begin() + 13, out.begin() + 21);
    }
    return out;
}

/// The tile holding a lon/lat at zoom z.
TileId tile_at(int z, double lon, double lat) {
    const double n = std::ldexp(1.0, z);
    const double phi = lat * std::numbers::pi / 180;
    return {z, static_cast<int>((lon + 180) / 360 * n),
            static_cast<int>((1 - std::asinh(std::tan(phi)) / std::numbers::pi) / 2 * n)};
}

struct Cluster {
    std::int64_t x = 0;
    std::int64_t y = 0;
    std::uint64_t count = 0;
};

std::vector<Cluster> clusters(const std::string& tile) {
    std::vector<Cluster> out;
    for (const auto& layer : decode_tile(tile)) {
        for (const auto& f : layer.features) {
            EXPECT_EQ(f.type, 1);
            EXPECT_EQ(f.parts.size(), 1U);
            const auto& p = f.parts.at(0).points.at(0);
            out.push_back({p.x, p.y, std::get<std::uint64_t>(f.properties.at("count"))});
        }
    }
    return out;
}

TEST(PointClusterIndex, GivesTheClustersThatReadingEveryPointGives) {
    // 50,000 points over south London, a quarter of them in one dense street block.
    std::mt19937_64 rng(19);
    std::uniform_real_distribution<double> lon(-0.30, 0.05);
    std::uniform_real_distribution<double> lat(51.35, 51.55);
    std::uniform_real_distribution<double> block_lon(-0.1005, -0.1000);
    std::uniform_real_distribution<double> block_lat(51.4600, 51.4603);
    std::vector<PointClusterIndex::Point> points;
    for (std::uint64_t id = 1; id <= 50'000; ++id) {
        const bool dense = id % 4 == 0;
        points.push_back(
            {id, dense ? block_lon(rng) : lon(rng), dense ? block_lat(rng) : lat(rng)});
    }
    std::vector<std::vector<unsigned char>> wkbs;
    for (const auto& p : points) {
        wkbs.push_back(point_wkb(p.lon, p.lat));
    }
    const PointClusterIndex index(points);
    EXPECT_EQ(index.size(), points.size());
    EXPECT_EQ(index.memory_bytes(), (4 * points.size() + 2) * sizeof(std::uint64_t));

    TileLayerOptions options;
    options.cluster_cell = 128;
    int compared = 0;
    for (int z = 8; z <= 16; ++z) {
        const TileId centre = tile_at(z, -0.1002, 51.4601);
        for (int dx = -1; dx <= 1; ++dx) {
            for (int dy = -1; dy <= 1; ++dy) {
                const TileId t{z, centre.x + dx, centre.y + dy};
                VectorTileBuilder read(t);
                auto& by_point = read.layer("addresses", options);
                for (std::size_t i = 0; i < points.size(); ++i) {
                    by_point.add(points[i].id, wkbs[i], {});
                }
                VectorTileBuilder indexed(t);
                ASSERT_TRUE(index.cluster(t, options.extent, options.cluster_cell,
                                          indexed.layer("addresses", options)));
                const auto expected = clusters(read.finish());
                const auto got = clusters(indexed.finish());
                ASSERT_EQ(got.size(), expected.size()) << z << "/" << t.x << "/" << t.y;
                std::uint64_t total = 0;
                for (std::size_t i = 0; i < got.size(); ++i) {
                    EXPECT_EQ(got[i].count, expected[i].count);
                    // The index keeps 2^-31 of the world: within a unit of the exact mean.
                    EXPECT_LE(std::abs(got[i].x - expected[i].x), 1);
                    EXPECT_LE(std::abs(got[i].y - expected[i].y), 1);
                    total += got[i].count;
                }
                if (dx == 0 && dy == 0) {
                    EXPECT_GT(total, 0U) << z; // the dense block is in the centre tile
                }
                compared += static_cast<int>(got.size());
            }
        }
    }
    EXPECT_GT(compared, 1000);
}

TEST(PointClusterIndex, LeavesOutPointsOffTheWorldAndRefusesCellsFinerThanItKeeps) {
    const PointClusterIndex index(
        {{1, 0.5, 51.5}, {2, 200, 51.5}, {3, std::nan(""), 0}, {4, 0.5, 89.9}});
    EXPECT_EQ(index.size(), 2U); // 89.9 is clamped to the top row, as a tile clamps it
    VectorTileBuilder builder(TileId{0, 0, 0});
    TileLayerOptions options;
    options.cluster_cell = 128;
    auto& layer = builder.layer("p", options);
    EXPECT_TRUE(index.cluster({0, 0, 0}, 4096, 128, layer));
    std::uint64_t total = 0;
    for (const auto& c : clusters(builder.finish())) {
        total += c.count;
    }
    EXPECT_EQ(total, 2U);
    VectorTileBuilder deep(TileId{24, 0, 0});
    EXPECT_FALSE(index.cluster({24, 0, 0}, 4096, 1, deep.layer("p", options))); // 24 + 12 > 31
    EXPECT_FALSE(index.cluster({12, 0, 0}, 4096, 100, deep.layer("p", options)));
}

TEST(VectorTile, APlainWkbPointEncodesAsTheGeosPathEncodesIt) {
    const TileId t = tile_at(15, -0.1002, 51.4601);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> lon(-0.112, -0.088);
    std::uniform_real_distribution<double> lat(51.452, 51.468);
    for (const std::uint32_t cell : {0U, 128U}) {
        TileLayerOptions options;
        options.cluster_cell = cell;
        VectorTileBuilder fast(t);
        VectorTileBuilder geos(t);
        auto& a = fast.layer("a", options);
        auto& b = geos.layer("a", options);
        int kept = 0;
        for (std::uint64_t id = 1; id <= 2000; ++id) {
            const double x = lon(rng);
            const double y = lat(rng);
            const std::vector<std::pair<std::string, TileValue>> attributes{
                {"uprn", static_cast<std::int64_t>(id)}, {"house", std::to_string(id % 50)}};
            const bool in_a = a.add(id, point_wkb(x, y, true), attributes);
            EXPECT_EQ(in_a, b.add(id, point_wkb(x, y, false), attributes));
            kept += in_a ? 1 : 0;
        }
        EXPECT_GT(kept, 100);
        EXPECT_LT(kept, 2000);
        EXPECT_EQ(fast.finish(), geos.finish()) << "cluster cell " << cell;
    }
}

} // namespace
} // namespace wardmap::geo
