// The pure parsers of tile input: a tile route's address (parse_tile_address) and
// `wardmap export tiles`'s --zooms and --bbox (parse_zoom_range, parse_lonlat_bbox), with the
// package's checks (check_mbtiles_options, count_package_tiles); PMTiles v3 tile ids,
// directories and header, read back with the test reader (tests/support/pmtiles_reader.hpp). Each
// also has a libFuzzer target (fuzz/tile_path.cpp, fuzz/export_tiles_options.cpp).

#include "server/services/features/mbtiles_export.hpp"
#include "server/services/features/pmtiles.hpp"
#include "server/services/features/tile_service.hpp"
#include "server/services/shared/errors.hpp"
#include "tests/support/pmtiles_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <set>
#include <vector>

namespace wardmap::services {
namespace {

/// The status a refusal would be answered with, or 0 when accepted.
int status_of(std::string_view set, std::string_view z, std::string_view y, std::string_view x) {
    try {
        (void)parse_tile_address(set, z, y, x);
        return 0;
    } catch (const DomainError& e) {
        return error_info(e.code()).http_status;
    }
}

TEST(TileAddress, ReadsWholeNumbersWithinWebMercatorQuad) {
    const auto t = parse_tile_address("WebMercatorQuad", "16", "21345", "32110");
    EXPECT_EQ(t, (geo::TileId{16, 32110, 21345})); // {z, x (column), y (row)}
    EXPECT_EQ(parse_tile_address("WebMercatorQuad", "0", "0", "0"), (geo::TileId{0, 0, 0}));
    EXPECT_EQ(parse_tile_address("WebMercatorQuad", "24", "16777215", "16777215"),
              (geo::TileId{24, 16777215, 16777215}));
}

TEST(TileAddress, RefusesOtherSetsWith404AndBadIndicesWith400) {
    EXPECT_EQ(status_of("OSGB", "10", "0", "0"), 404);
    EXPECT_EQ(status_of("webmercatorquad", "10", "0", "0"), 404);
    EXPECT_EQ(status_of("", "10", "0", "0"), 404);
    for (const auto& [z, y, x] :
         std::vector<std::array<const char*, 3>>{{"25", "0", "0"},
                                                 {"10", "1024", "0"},
                                                 {"10", "0", "1024"},
                                                 {"24", "16777216", "0"},
                                                 {"", "0", "0"},
                                                 {"010", "0", "0"},
                                                 {"-1", "0", "0"},
                                                 {"-0", "0", "0"},
                                                 {"10", "-0", "0"},
                                                 {"10", "0", "-0"},
                                                 {"+1", "0", "0"},
                                                 {"1.0", "0", "0"},
                                                 {"1e1", "0", "0"},
                                                 {"10", " 1", "0"},
                                                 {"10", "1 ", "0"},
                                                 {"10", "0", "x"},
                                                 {"99999999999", "0", "0"},
                                                 {"4294967306", "0", "0"}}) {
        EXPECT_EQ(status_of("WebMercatorQuad", z, y, x), 400) << z << "/" << y << "/" << x;
    }
}

TEST(ExportTilesOptions, ZoomsAreOneZoomOrALowestFirstRange) {
    EXPECT_EQ(parse_zoom_range("10-16"), (std::pair{10, 16}));
    EXPECT_EQ(parse_zoom_range("16"), (std::pair{16, 16}));
    EXPECT_EQ(parse_zoom_range("0-24"), (std::pair{0, 24}));
    for (const char* bad : {"", "ten", "16-10", "10-", "-16", "10-16-18", "10 - 16", "010-16", "25",
                            "10-25", "+10", "10-16 ", "1e1", "99999999999", "10,16"}) {
        EXPECT_FALSE(parse_zoom_range(bad)) << bad;
    }
}

TEST(ExportTilesOptions, ABoxIsFourFiniteNumbers) {
    const auto b = parse_lonlat_bbox("-0.2,51.4,-0.1,51.5");
    ASSERT_TRUE(b);
    EXPECT_DOUBLE_EQ(b->min_x, -0.2);
    EXPECT_DOUBLE_EQ(b->min_y, 51.4);
    EXPECT_DOUBLE_EQ(b->max_x, -0.1);
    EXPECT_DOUBLE_EQ(b->max_y, 51.5);
    for (const char* bad :
         {"", "1,2,3", "1,2,3,4,5", "1,2,3,", ",1,2,3", "1,,2,3", "a,b,c,d", "1,2,3,nan",
          "inf,2,3,4", "1,2,3,4x", " 1,2,3,4", "1, 2,3,4", "+1,2,3,4", "1,2,3,1e400"}) {
        EXPECT_FALSE(parse_lonlat_bbox(bad)) << bad;
    }
}

TEST(ExportTilesOptions, ThePackageIsCheckedAndCounted) {
    Tileset tileset;
    tileset.id = "basemap";
    tileset.min_zoom = 8;
    tileset.max_zoom = 18;
    MbtilesOptions o;
    o.bbox = *parse_lonlat_bbox("-0.2,51.4,-0.1,51.5");
    o.min_zoom = 10;
    o.max_zoom = 10;
    // At zoom 10 a tile is 0.35 degrees wide: the box meets one column, one or two rows.
    EXPECT_GE(count_package_tiles(o), 1);
    EXPECT_LE(count_package_tiles(o), 2);
    EXPECT_NO_THROW(check_mbtiles_options(tileset, o));
    o.max_zoom = 11;
    EXPECT_GT(count_package_tiles(o), 1);

    const auto refused = [&](MbtilesOptions bad) {
        try {
            check_mbtiles_options(tileset, bad);
            return false;
        } catch (const DomainError& e) {
            return e.code() == ErrorCode::invalid_parameter;
        }
    };
    MbtilesOptions bad = o;
    bad.min_zoom = 5; // below the tileset's range
    EXPECT_TRUE(refused(bad));
    bad = o;
    bad.max_zoom = 19;
    EXPECT_TRUE(refused(bad));
    bad = o;
    bad.bbox = *parse_lonlat_bbox("-0.1,51.4,-0.2,51.5"); // west beyond east
    EXPECT_TRUE(refused(bad));
    bad.bbox = *parse_lonlat_bbox("-190,51.4,-0.2,51.5");
    EXPECT_TRUE(refused(bad));
    bad.bbox = *parse_lonlat_bbox("-0.2,51.4,-0.1,89");
    EXPECT_TRUE(refused(bad));
    // The whole world at zooms 8-18 is billions of tiles: refused before any is made.
    bad.bbox = *parse_lonlat_bbox("-180,-85,180,85");
    bad.min_zoom = 8;
    bad.max_zoom = 18;
    EXPECT_GT(count_package_tiles(bad), max_package_tiles);
    EXPECT_TRUE(refused(bad));
    bad.max_zoom = 8; // 256 x 256 tiles, less the rows nearest the poles
    EXPECT_FALSE(refused(bad));
}

TEST(Pmtiles, TileIdsAreTheReferenceImplementationsOnes) {
    // The values the PMTiles reference implementations test.
    EXPECT_EQ(pmtiles_tile_id({0, 0, 0}), 0U);
    EXPECT_EQ(pmtiles_tile_id({1, 0, 0}), 1U);
    EXPECT_EQ(pmtiles_tile_id({1, 0, 1}), 2U);
    EXPECT_EQ(pmtiles_tile_id({1, 1, 1}), 3U);
    EXPECT_EQ(pmtiles_tile_id({1, 1, 0}), 4U);
    EXPECT_EQ(pmtiles_tile_id({2, 1, 3}), 11U);
    EXPECT_EQ(pmtiles_tile_id({3, 3, 0}), 26U);
    EXPECT_EQ(pmtiles_tile_id({12, 3423, 1763}), 19078479U);
    // Zoom 20's first tile follows every tile of zooms 0-19.
    EXPECT_EQ(pmtiles_tile_id({20, 0, 0}), 366503875925U);
}

TEST(Pmtiles, EveryTileIdOfAZoomIsItsOwnAndTheReaderTurnsItBack) {
    for (int z = 0; z <= 7; ++z) {
        std::set<std::uint64_t> ids;
        const std::uint64_t first = ((std::uint64_t{1} << (2 * z)) - 1) / 3;
        for (int x = 0; x < (1 << z); ++x) {
            for (int y = 0; y < (1 << z); ++y) {
                const auto id = pmtiles_tile_id({z, x, y});
                EXPECT_GE(id, first);
                EXPECT_LT(id, first + (std::uint64_t{1} << (2 * z)));
                ids.insert(id);
                EXPECT_EQ(testing::pmtiles_detail::zxy(id), std::make_tuple(z, x, y));
            }
        }
        EXPECT_EQ(ids.size(), std::size_t{1} << (2 * z)) << z;
    }
    // Neighbours on the curve are neighbours on the map.
    const auto a = testing::pmtiles_detail::zxy(pmtiles_tile_id({16, 32000, 21000}));
    const auto b = testing::pmtiles_detail::zxy(pmtiles_tile_id({16, 32000, 21000}) + 1);
    EXPECT_EQ(std::abs(std::get<1>(a) - std::get<1>(b)) + std::abs(std::get<2>(a) - std::get<2>(b)),
              1);
}

TEST(Pmtiles, AnArchiveTooBigForOneRootHasLeavesTheReaderFollows) {
    // 60,000 scattered tiles of zoom 18 (a fixed pseudo-random draw), each a few distinct
    // bytes: too irregular for one compressed root of 16 KiB.
    std::vector<PmtilesEntry> entries;
    std::string data;
    std::vector<std::pair<geo::TileId, std::string>> tiles;
    std::set<std::pair<int, int>> drawn;
    std::uint32_t seed = 12345;
    const auto draw = [&seed] {
        seed = seed * 1664525U + 1013904223U;
        return static_cast<int>(seed >> 12U);
    };
    while (tiles.size() < 60000) {
        const int x = 129000 + draw() % 5000;
        const int y = 85000 + draw() % 5000;
        if (drawn.insert({x, y}).second) {
            const auto i = tiles.size();
            tiles.emplace_back(geo::TileId{18, x, y},
                               "tile " + std::to_string(i) + std::string(i % 97, '.'));
        }
    }
    std::vector<std::pair<std::uint64_t, std::size_t>> order;
    for (std::size_t i = 0; i < tiles.size(); ++i) {
        order.emplace_back(pmtiles_tile_id(tiles[i].first), i);
    }
    std::sort(order.begin(), order.end());
    for (const auto& [id, i] : order) {
        entries.push_back({id, data.size(), static_cast<std::uint32_t>(tiles[i].second.size()), 1});
        data += tiles[i].second;
    }
    const auto dirs = pmtiles_directories(entries);
    ASSERT_FALSE(dirs.leaves.empty());
    EXPECT_LE(pmtiles_header_size + dirs.root.size(), 16384U);
    const std::string metadata = gzip_best(R"({"vector_layers":[]})");
    PmtilesHeader h;
    h.root_offset = pmtiles_header_size;
    h.root_length = dirs.root.size();
    h.metadata_offset = h.root_offset + h.root_length;
    h.metadata_length = metadata.size();
    h.leaves_offset = h.metadata_offset + h.metadata_length;
    h.leaves_length = dirs.leaves.size();
    h.data_offset = h.leaves_offset + h.leaves_length;
    h.data_length = data.size();
    h.addressed_tiles = h.tile_entries = h.tile_contents = entries.size();
    h.min_zoom = h.max_zoom = h.center_zoom = 18;
    h.min_lon = -0.25;
    h.min_lat = 51.25;
    h.max_lon = 0.125;
    h.max_lat = 51.5;
    h.center_lon = -0.0625;
    h.center_lat = 51.375;
    const std::string header = pmtiles_header(h);
    ASSERT_EQ(header.size(), pmtiles_header_size);
    const auto archive = testing::read_pmtiles(header + dirs.root + metadata + dirs.leaves + data);
    EXPECT_EQ(archive.version, 3);
    EXPECT_EQ(archive.clustered, 1);
    EXPECT_EQ(archive.tile_compression, 2);
    EXPECT_EQ(archive.tile_type, 1);
    EXPECT_EQ(archive.min_lon_e7, -2500000);
    EXPECT_EQ(archive.max_lat_e7, 515000000);
    EXPECT_EQ(archive.center_lon_e7, -625000);
    EXPECT_EQ(archive.metadata, R"({"vector_layers":[]})");
    EXPECT_GT(archive.leaf_directories, 1);
    ASSERT_EQ(archive.tiles.size(), tiles.size());
    for (const auto& [t, bytes] : tiles) {
        const auto it = archive.tiles.find({t.z, t.x, t.y});
        ASSERT_NE(it, archive.tiles.end()) << t.x << "/" << t.y;
        EXPECT_EQ(it->second, bytes);
    }
}

TEST(Pmtiles, ADirectoryIsTheSpecsColumns) {
    // Two tiles back to back, then one elsewhere: offsets 0+1, 0 (follows), 100+1.
    const std::string d = pmtiles_directory({{5, 0, 10, 1}, {7, 10, 20, 2}, {300, 100, 3, 1}});
    const std::string expected = {3,                    // entries
                                  5,  2,  '\xA5', 0x02, // id deltas: 5, 2, 293 (varint A5 02)
                                  1,  2,  1,            // run lengths
                                  10, 20, 3,            // lengths
                                  1,  0,  101};         // offsets
    EXPECT_EQ(d, expected);
}

} // namespace
} // namespace wardmap::services
