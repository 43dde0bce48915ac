#include "geo/store/packed_rtree.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

namespace wardmap::store {

namespace {

// SQLite's rounding of a double bound to the float it stores (rtree.c rtreeValueDown/Up):
// a box never shrinks.
constexpr double round_towards = 1.0 - 1.0 / 8388608.0;
constexpr double round_away = 1.0 + 1.0 / 8388608.0;

float value_down(double d) {
    auto f = static_cast<float>(d);
    if (static_cast<double>(f) > d) {
        f = static_cast<float>(d * (d < 0 ? round_away : round_towards));
    }
    return f;
}

float value_up(double d) {
    auto f = static_cast<float>(d);
    if (static_cast<double>(f) < d) {
        f = static_cast<float>(d * (d < 0 ? round_towards : round_away));
    }
    return f;
}

/// A cell: an entry's id (leaf) or a child node's number (interior), and its bounds.
struct Cell {
    std::int64_t id;
    std::array<float, 4> box; ///< min x, max x, min y, max y
    [[nodiscard]] double centre(int axis) const {
        return (static_cast<double>(box[axis * 2]) + static_cast<double>(box[axis * 2 + 1])) / 2;
    }
};

struct Node {
    std::vector<Cell> cells;
    std::int64_t number = 0;
    [[nodiscard]] std::array<float, 4> bounds() const {
        std::array<float, 4> b = cells.front().box;
        for (const auto& c : cells) {
            b[0] = std::min(b[0], c.box[0]);
            b[1] = std::max(b[1], c.box[1]);
            b[2] = std::min(b[2], c.box[2]);
            b[3] = std::max(b[3], c.box[3]);
        }
        return b;
    }
};

/// Sort-Tile-Recursive: cells into nodes of at most `capacity`, neighbours together.
std::vector<Node> pack(std::vector<Cell> cells, std::size_t capacity) {
    const std::size_t nodes = (cells.size() + capacity - 1) / capacity;
    const auto slices = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(nodes))));
    const std::size_t per_slice = slices * capacity;
    std::sort(cells.begin(), cells.end(),
              [](const Cell& a, const Cell& b) { return a.centre(0) < b.centre(0); });
    std::vector<Node> out;
    out.reserve(nodes);
    for (std::size_t s = 0; s < cells.size(); s += per_slice) {
        const auto slice_end =
            cells.begin() + static_cast<std::ptrdiff_t>(std::min(cells.size(), s + per_slice));
        const auto slice_begin = cells.begin() + static_cast<std::ptrdiff_t>(s);
        std::sort(slice_begin, slice_end,
                  [](const Cell& a, const Cell& b) { return a.centre(1) < b.centre(1); });
        for (auto it = slice_begin; it < slice_end;) {
            const auto end = it + std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(capacity),
                                                           slice_end - it);
            out.push_back({std::vector<Cell>(it, end), 0});
            it = end;
        }
    }
    return out;
}

void put_be16(unsigned char* p, unsigned v) {
    p[0] = static_cast<unsigned char>(v >> 8);
    p[1] = static_cast<unsigned char>(v);
}

void put_be32(unsigned char* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        p[i] = static_cast<unsigned char>(v >> (24 - 8 * i));
    }
}

void put_be64(unsigned char* p, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
        p[i] = static_cast<unsigned char>(v >> (56 - 8 * i));
    }
}

std::vector<unsigned char> node_blob(const Node& node, std::size_t size, unsigned depth) {
    std::vector<unsigned char> blob(size, 0);
    put_be16(blob.data(), depth); // read from the root only
    put_be16(blob.data() + 2, static_cast<unsigned>(node.cells.size()));
    unsigned char* p = blob.data() + 4;
    for (const auto& c : node.cells) {
        put_be64(p, static_cast<std::uint64_t>(c.id));
        p += 8;
        for (const float v : c.box) {
            std::uint32_t bits = 0;
            std::memcpy(&bits, &v, sizeof bits);
            put_be32(p, bits);
            p += 4;
        }
    }
    return blob;
}

} // namespace

void PackedRTree::add(std::int64_t id, double min_x, double max_x, double min_y, double max_y) {
    m_ops.push_back({id, min_x, max_x, min_y, max_y, false});
}

void PackedRTree::remove(std::int64_t id) {
    m_ops.push_back({id, 0, 0, 0, 0, true});
}

void PackedRTree::finish_into(Database& target, const std::string& index) {
    // The last operation on each id decides.
    std::stable_sort(m_ops.begin(), m_ops.end(),
                     [](const Op& a, const Op& b) { return a.id < b.id; });
    std::vector<Cell> leaves;
    leaves.reserve(m_ops.size());
    for (std::size_t i = 0; i < m_ops.size(); ++i) {
        const Op& op = m_ops[i];
        if ((i + 1 < m_ops.size() && m_ops[i + 1].id == op.id) || op.remove) {
            continue;
        }
        leaves.push_back(
            {op.id,
             {value_down(op.min_x), value_up(op.max_x), value_down(op.min_y), value_up(op.max_y)}});
    }
    m_ops.clear();
    m_ops.shrink_to_fit();
    if (leaves.empty()) {
        return;
    }

    const std::string node_table = "\"" + index + "_node\"";
    const std::string rowid_table = "\"" + index + "_rowid\"";
    const std::string parent_table = "\"" + index + "_parent\"";
    // SQLite sizes nodes from the root's blob when it opens a tree (rtree.c getNodeSize).
    const auto node_size = static_cast<std::size_t>(
        target.query_int("SELECT length(data) FROM " + node_table + " WHERE nodeno = 1")
            .value_or(0));
    constexpr std::size_t cell_bytes = 8 + 4 * 4;
    if (node_size < 4 + 2 * cell_bytes) {
        throw StoreError(index + " is not an empty two-dimensional R*Tree", SQLITE_MISMATCH);
    }
    const std::size_t capacity = (node_size - 4) / cell_bytes;

    // Levels bottom-up: leaves, then their parents, until one node is left (the root).
    std::vector<std::vector<Node>> levels;
    levels.push_back(pack(std::move(leaves), capacity));
    while (levels.back().size() > 1) {
        std::vector<Cell> children;
        children.reserve(levels.back().size());
        for (std::size_t i = 0; i < levels.back().size(); ++i) {
            children.push_back({static_cast<std::int64_t>(i), levels.back()[i].bounds()});
        }
        levels.push_back(pack(std::move(children), capacity));
    }
    // Root is node 1; the others are numbered from 2, level by level from the top.
    std::int64_t next = 1;
    for (auto level = levels.rbegin(); level != levels.rend(); ++level) {
        for (auto& node : *level) {
            node.number = next++;
        }
    }
    // Interior cells named their child by its place in the level below: now by its number.
    for (std::size_t l = 1; l < levels.size(); ++l) {
        for (auto& node : levels[l]) {
            for (auto& cell : node.cells) {
                cell.id = levels[l - 1][static_cast<std::size_t>(cell.id)].number;
            }
        }
    }

    target.exec("DELETE FROM " + node_table);
    target.exec("DELETE FROM " + rowid_table);
    target.exec("DELETE FROM " + parent_table);
    auto write_node = target.prepare("INSERT INTO " + node_table + " VALUES (?, ?)");
    auto write_parent = target.prepare("INSERT INTO " + parent_table + " VALUES (?, ?)");
    const auto depth = static_cast<unsigned>(levels.size() - 1);
    for (std::size_t l = 0; l < levels.size(); ++l) {
        for (const auto& node : levels[l]) {
            const auto blob = node_blob(node, node_size, node.number == 1 ? depth : 0);
            write_node.bind(1, node.number).bind(2, std::span<const unsigned char>(blob)).run();
            if (l > 0) {
                for (const auto& cell : node.cells) {
                    write_parent.bind(1, cell.id).bind(2, node.number).run();
                }
            }
        }
    }
    // Entry -> leaf, in id order (appends to the rowid table's b-tree).
    std::vector<std::pair<std::int64_t, std::int64_t>> rowids;
    for (const auto& leaf : levels.front()) {
        for (const auto& cell : leaf.cells) {
            rowids.emplace_back(cell.id, leaf.number);
        }
    }
    std::sort(rowids.begin(), rowids.end());
    auto write_rowid = target.prepare("INSERT INTO " + rowid_table + " VALUES (?, ?)");
    for (const auto& [id, leaf] : rowids) {
        write_rowid.bind(1, id).bind(2, leaf).run();
    }
}

} // namespace wardmap::store
