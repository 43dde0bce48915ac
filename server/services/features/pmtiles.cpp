// PMTiles v3 from the specification: Hilbert tile ids, varint column directories, the header.

#include "server/services/features/pmtiles.hpp"

#include <zlib.h>

#include <cmath>
#include <stdexcept>

namespace wardmap::services {

namespace {

void varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7FU) | 0x80U));
        v >>= 7U;
    }
    out.push_back(static_cast<char>(v));
}

void little_endian(std::string& out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) {
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFU));
    }
}

/// A longitude or latitude as the header's signed 32-bit integer (degrees * 10,000,000).
std::uint64_t e7(double degrees) {
    return static_cast<std::uint32_t>(static_cast<std::int32_t>(std::lround(degrees * 1e7)));
}

/// Whether the header and this gzip'd root directory fit the first 16 KiB.
bool root_fits(const std::string& root) {
    return pmtiles_header_size + root.size() <= 16384;
}

} // namespace

std::uint64_t pmtiles_tile_id(const geo::TileId& tile) {
    // Tiles of zooms 0 .. z-1: (4^z - 1) / 3.
    const std::uint64_t above = ((std::uint64_t{1} << (2 * tile.z)) - 1) / 3;
    const std::uint64_t n = std::uint64_t{1} << tile.z;
    std::uint64_t x = static_cast<std::uint64_t>(tile.x);
    std::uint64_t y = static_cast<std::uint64_t>(tile.y);
    std::uint64_t d = 0;
    for (std::uint64_t s = n / 2; s > 0; s /= 2) {
        const std::uint64_t rx = (x & s) > 0 ? 1 : 0;
        const std::uint64_t ry = (y & s) > 0 ? 1 : 0;
        d += s * s * ((3 * rx) ^ ry);
        // Rotate the quadrant so the curve's sub-curves join up.
        if (ry == 0) {
            if (rx == 1) {
                x = n - 1 - x;
                y = n - 1 - y;
            }
            std::swap(x, y);
        }
    }
    return above + d;
}

std::string pmtiles_directory(const std::vector<PmtilesEntry>& entries) {
    std::string out;
    varint(out, entries.size());
    std::uint64_t last_id = 0;
    for (const auto& e : entries) {
        varint(out, e.tile_id - last_id);
        last_id = e.tile_id;
    }
    for (const auto& e : entries) {
        varint(out, e.run_length);
    }
    for (const auto& e : entries) {
        varint(out, e.length);
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        if (i > 0 && e.offset == entries[i - 1].offset + entries[i - 1].length) {
            varint(out, 0);
        } else {
            varint(out, e.offset + 1);
        }
    }
    return out;
}

PmtilesDirectories pmtiles_directories(const std::vector<PmtilesEntry>& entries) {
    PmtilesDirectories out;
    // One root for fewer than 16,384 entries when it fits, as go-pmtiles (the reference
    // writer) decides; readers fetch the first 16 KiB and need no leaf for a small archive.
    if (entries.size() < 16384) {
        out.root = gzip_best(pmtiles_directory(entries));
        if (root_fits(out.root)) {
            return out;
        }
    }
    // Leaves of `per_leaf` entries each, growing until the root of their first entries fits
    // (go-pmtiles starts at 4096 and grows by a fifth).
    for (std::size_t per_leaf = 4096;; per_leaf += per_leaf / 5) {
        std::vector<PmtilesEntry> root;
        out.leaves.clear();
        for (std::size_t i = 0; i < entries.size(); i += per_leaf) {
            const std::vector<PmtilesEntry> part(
                entries.begin() + static_cast<std::ptrdiff_t>(i),
                entries.begin() +
                    static_cast<std::ptrdiff_t>(std::min(i + per_leaf, entries.size())));
            const std::string leaf = gzip_best(pmtiles_directory(part));
            root.push_back({part.front().tile_id, out.leaves.size(),
                            static_cast<std::uint32_t>(leaf.size()), 0});
            out.leaves += leaf;
        }
        out.root = gzip_best(pmtiles_directory(root));
        if (root_fits(out.root)) {
            return out;
        }
    }
}

std::string pmtiles_header(const PmtilesHeader& h) {
    std::string out = "PMTiles";
    out.push_back(3);
    for (const std::uint64_t v :
         {h.root_offset, h.root_length, h.metadata_offset, h.metadata_length, h.leaves_offset,
          h.leaves_length, h.data_offset, h.data_length, h.addressed_tiles, h.tile_entries,
          h.tile_contents}) {
        little_endian(out, v, 8);
    }
    out.push_back(h.clustered ? 1 : 0);
    out.push_back(2); // internal compression: gzip
    out.push_back(2); // tile compression: gzip
    out.push_back(1); // tile type: MVT
    out.push_back(static_cast<char>(h.min_zoom));
    out.push_back(static_cast<char>(h.max_zoom));
    for (const double v : {h.min_lon, h.min_lat, h.max_lon, h.max_lat}) {
        little_endian(out, e7(v), 4);
    }
    out.push_back(static_cast<char>(h.center_zoom));
    little_endian(out, e7(h.center_lon), 4);
    little_endian(out, e7(h.center_lat), 4);
    return out;
}

std::string gzip_best(const std::string& data) {
    z_stream z{};
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("zlib: deflateInit2 failed");
    }
    std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        throw std::runtime_error("zlib: deflate did not finish");
    }
    return out;
}

} // namespace wardmap::services
