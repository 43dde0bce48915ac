// Clusters of a point layer's tiles from a Morton-ordered index with prefix sums
// (geo/point_cluster_index.hpp).

#include "geo/point_cluster_index.hpp"

#include "geo/vector_tile.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numbers>

namespace wardmap::geo {

namespace {

constexpr double max_lat = 85.051128779806604;
constexpr std::uint64_t side = std::uint64_t{1} << PointClusterIndex::bits;

/// The bits of v in the even bit positions.
std::uint64_t spread(std::uint64_t v) {
    v &= 0xFFFFFFFFULL;
    v = (v | (v << 16U)) & 0x0000FFFF0000FFFFULL;
    v = (v | (v << 8U)) & 0x00FF00FF00FF00FFULL;
    v = (v | (v << 4U)) & 0x0F0F0F0F0F0F0F0FULL;
    v = (v | (v << 2U)) & 0x3333333333333333ULL;
    v = (v | (v << 1U)) & 0x5555555555555555ULL;
    return v;
}

std::uint64_t morton(std::uint64_t x, std::uint64_t y) {
    return spread(x) | (spread(y) << 1U);
}

/// A world fraction (0..1) as a whole number of 2^-bits of the world.
std::uint64_t quantise(double f) {
    const double q = std::floor(f * static_cast<double>(side));
    return static_cast<std::uint64_t>(std::clamp(q, 0.0, static_cast<double>(side - 1)));
}

} // namespace

PointClusterIndex::PointClusterIndex(std::vector<Point> points) {
    struct Entry {
        std::uint64_t code;
        std::uint64_t id;
        std::uint32_t x;
        std::uint32_t y;
    };
    std::vector<Entry> entries;
    entries.reserve(points.size());
    for (const auto& p : points) {
        // The same expressions as lonlat_to_tile, before its scaling by a power of two.
        const double fx = (p.lon + 180) / 360;
        if (!(fx >= 0 && fx < 1) || std::isnan(p.lat)) {
            continue;
        }
        const double phi = std::clamp(p.lat, -max_lat, max_lat) * std::numbers::pi / 180;
        const double fy =
            0.5 - std::log(std::tan(std::numbers::pi / 4 + phi / 2)) / (2 * std::numbers::pi);
        const auto x = quantise(fx);
        const auto y = quantise(fy);
        entries.push_back(
            {morton(x, y), p.id, static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y)});
    }
    points.clear();
    points.shrink_to_fit();
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.code != b.code ? a.code < b.code : a.id < b.id;
    });
    m_codes.reserve(entries.size());
    m_ids.reserve(entries.size());
    m_sum_x.reserve(entries.size() + 1);
    m_sum_y.reserve(entries.size() + 1);
    m_sum_x.push_back(0);
    m_sum_y.push_back(0);
    for (const auto& e : entries) {
        m_codes.push_back(e.code);
        m_ids.push_back(e.id);
        m_sum_x.push_back(m_sum_x.back() + e.x);
        m_sum_y.push_back(m_sum_y.back() + e.y);
    }
}

std::size_t PointClusterIndex::memory_bytes() const {
    return (m_codes.capacity() + m_ids.capacity() + m_sum_x.capacity() + m_sum_y.capacity()) *
           sizeof(std::uint64_t);
}

/// A descent from the tile's node to its cells, visiting only the non-empty ones.
struct PointClusterIndex::Walk {
    const PointClusterIndex& index;
    TileLayerBuilder& layer;
    int cell_level;       ///< the zoom whose tiles are the cells
    std::int64_t first_x; ///< the tile's first cell column and row at cell_level
    std::int64_t first_y;
    double scale;    ///< tile units per 2^-bits of the world
    double origin_x; ///< the tile's left and top edge in tile units from the world's
    double origin_y;

    /// The points of node (x, y) at `level` are [lo, hi) of the index.
    void node(int level, std::uint64_t x, std::uint64_t y, std::size_t lo, std::size_t hi) {
        if (lo == hi) {
            return;
        }
        if (level == cell_level) {
            emit(x, y, lo, hi);
            return;
        }
        const int shift = 2 * (bits - level - 1); // bits below a child's code prefix
        const std::uint64_t base = morton(x * 2, y * 2) << static_cast<unsigned>(shift);
        const auto* codes = index.m_codes.data();
        std::size_t bounds[5] = {lo, 0, 0, 0, hi};
        for (std::uint64_t child = 1; child < 4; ++child) {
            const std::uint64_t start = base + (child << static_cast<unsigned>(shift));
            bounds[child] = static_cast<std::size_t>(
                std::lower_bound(codes + bounds[child - 1], codes + hi, start) - codes);
        }
        // Children in Morton order: x is the low bit of the two.
        for (std::uint64_t child = 0; child < 4; ++child) {
            node(level + 1, x * 2 + (child & 1U), y * 2 + (child >> 1U), bounds[child],
                 bounds[child + 1]);
        }
    }

    void emit(std::uint64_t x, std::uint64_t y, std::size_t lo, std::size_t hi) const {
        const auto n = static_cast<double>(hi - lo);
        const auto sx = static_cast<double>(index.m_sum_x[hi] - index.m_sum_x[lo]);
        const auto sy = static_cast<double>(index.m_sum_y[hi] - index.m_sum_y[lo]);
        // Each point sits at the middle of its 2^-bits square.
        const double mean_x = (sx / n + 0.5) * scale - origin_x;
        const double mean_y = (sy / n + 0.5) * scale - origin_y;
        layer.add_cluster(index.m_ids[lo], static_cast<std::int64_t>(x) - first_x,
                          static_cast<std::int64_t>(y) - first_y, mean_x * n, mean_y * n,
                          static_cast<std::int64_t>(hi - lo));
    }
};

bool PointClusterIndex::cluster(const TileId& tile,
                                std::uint32_t extent,
                                std::uint32_t cell,
                                TileLayerBuilder& layer) const {
    if (!std::has_single_bit(extent) || !std::has_single_bit(cell) || cell > extent ||
        !in_matrix(tile)) {
        return false;
    }
    const int cell_bits = std::countr_zero(extent) - std::countr_zero(cell);
    const int cell_level = tile.z + cell_bits;
    if (cell_level > bits) {
        return false;
    }
    const int shift = 2 * (bits - tile.z);
    const auto tx = static_cast<std::uint64_t>(tile.x);
    const auto ty = static_cast<std::uint64_t>(tile.y);
    const std::uint64_t start = shift >= 64 ? 0 : morton(tx, ty) << static_cast<unsigned>(shift);
    const std::uint64_t span = shift >= 64 ? 0 : std::uint64_t{1} << static_cast<unsigned>(shift);
    const auto* codes = m_codes.data();
    const auto lo =
        static_cast<std::size_t>(std::lower_bound(codes, codes + m_codes.size(), start) - codes);
    const auto hi =
        span == 0 ? m_codes.size()
                  : static_cast<std::size_t>(
                        std::lower_bound(codes + lo, codes + m_codes.size(), start + span) - codes);
    Walk walk{*this,
              layer,
              cell_level,
              static_cast<std::int64_t>(tx) << static_cast<unsigned>(cell_bits),
              static_cast<std::int64_t>(ty) << static_cast<unsigned>(cell_bits),
              std::ldexp(static_cast<double>(extent), tile.z - bits),
              static_cast<double>(tile.x) * extent,
              static_cast<double>(tile.y) * extent};
    walk.node(tile.z, tx, ty, lo, hi);
    return true;
}

} // namespace wardmap::geo
