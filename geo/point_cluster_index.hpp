#pragma once

#include "geo/tile_matrix.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wardmap::geo {

class TileLayerBuilder;

/// Every point of a layer as its WebMercatorQuad position, 31 bits a side, sorted by Morton
/// (Z-order) code, with prefix sums of the positions: the points of any tile or of any cluster
/// cell are one contiguous run, found by binary search, and its count and mean position come
/// from two subtractions. So the clusters of a tile (TileLayerOptions::cluster_cell) cost a
/// few binary searches per non-empty cell instead of reading every point the tile holds.
/// Cell membership is bit-for-bit what TileLayerBuilder::add computes (the same formula, and
/// a cell is a power-of-two part of the world); the mean is within 1/32 of a unit at zoom 14.
/// Immutable once built: safe to share between threads. 32 bytes a point.
class PointClusterIndex {
  public:
    struct Point {
        std::uint64_t id = 0;
        double lon = 0;
        double lat = 0;
    };

    /// Points outside the world's longitudes (or not numbers) are left out, as a tile leaves
    /// them out; latitudes beyond WebMercatorQuad's are clamped, as lonlat_to_tile does.
    explicit PointClusterIndex(std::vector<Point> points);

    /// Adds to `layer` the clusters of the tile proper (no buffer: a cluster belongs to one
    /// tile): one per non-empty square cell of `cell` units of an `extent`-unit tile, with the
    /// number of its points, at their mean position, with the id of its first point in Morton
    /// order. Returns false, adding nothing, when extent and cell are not powers of two with
    /// cell <= extent, or the cells are finer than the index (zoom + log2(extent / cell) > 31).
    bool cluster(const TileId& tile,
                 std::uint32_t extent,
                 std::uint32_t cell,
                 TileLayerBuilder& layer) const;

    [[nodiscard]] std::size_t size() const { return m_codes.size(); }
    /// Bytes held by the index's arrays.
    [[nodiscard]] std::size_t memory_bytes() const;

    /// Bits of the position on each axis.
    static constexpr int bits = 31;

  private:
    struct Walk;

    std::vector<std::uint64_t> m_codes; ///< Morton codes, ascending (ties by id)
    std::vector<std::uint64_t> m_ids;
    std::vector<std::uint64_t> m_sum_x; ///< m_sum_x[i]: sum of the first i points' x
    std::vector<std::uint64_t> m_sum_y;
};

} // namespace wardmap::geo
