#pragma once

// PMTiles version 3 (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md), written by
// our own code: the archive's tile ids, directories and header. export_pmtiles (in
// mbtiles_export.hpp) writes whole packages with them.

#include "geo/tile_matrix.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace wardmap::services {

/// A tile's PMTiles id: the tiles of every zoom above it, then its position on zoom z's
/// Hilbert curve.
[[nodiscard]] std::uint64_t pmtiles_tile_id(const geo::TileId& tile);

/// One directory entry: a tile (run_length >= 1: the same bytes for that many consecutive
/// ids) at `offset` in the tile data section, or (run_length 0) a leaf directory at `offset`
/// in the leaf directories section.
struct PmtilesEntry {
    std::uint64_t tile_id = 0;
    std::uint64_t offset = 0;
    std::uint32_t length = 0;
    std::uint32_t run_length = 1;
};

/// A directory as the spec serializes it, before compression: the number of entries, then
/// column by column (tile id deltas, run lengths, lengths, offsets: 0 for one that follows
/// the entry before it, else offset + 1), all as varints. Entries in ascending tile id.
[[nodiscard]] std::string pmtiles_directory(const std::vector<PmtilesEntry>& entries);

/// The root directory and the leaf directories section, each directory gzip'd: all entries in
/// the root when there are fewer than 16,384 and it fits with the header in 16 KiB (the
/// reference writer's rule), else leaves of equal runs of entries (4,096 or more, the fewest
/// that let the root fit).
struct PmtilesDirectories {
    std::string root;
    std::string leaves;
};
[[nodiscard]] PmtilesDirectories pmtiles_directories(const std::vector<PmtilesEntry>& entries);

/// The fixed 127-byte header's fields (internal and tile compression are gzip, tiles MVT).
struct PmtilesHeader {
    std::uint64_t root_offset = 0;
    std::uint64_t root_length = 0;
    std::uint64_t metadata_offset = 0;
    std::uint64_t metadata_length = 0;
    std::uint64_t leaves_offset = 0;
    std::uint64_t leaves_length = 0;
    std::uint64_t data_offset = 0;
    std::uint64_t data_length = 0;
    std::uint64_t addressed_tiles = 0;
    std::uint64_t tile_entries = 0;
    std::uint64_t tile_contents = 0;
    bool clustered = true;
    int min_zoom = 0;
    int max_zoom = 0;
    double min_lon = 0;
    double min_lat = 0;
    double max_lon = 0;
    double max_lat = 0;
    int center_zoom = 0;
    double center_lon = 0;
    double center_lat = 0;
};
inline constexpr std::size_t pmtiles_header_size = 127;
[[nodiscard]] std::string pmtiles_header(const PmtilesHeader& header);

/// gzip (not zlib) framing at the best compression, as MBTiles and PMTiles readers expect.
[[nodiscard]] std::string gzip_best(const std::string& data);

} // namespace wardmap::services
