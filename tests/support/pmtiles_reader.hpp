#pragma once

// A small PMTiles v3 reader for tests, written from the specification
// (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md) and sharing no code with the
// writer (server/services/features/pmtiles.cpp): it walks the archive the way a client does,
// from the header through the root directory and any leaf directories to the tiles, and
// turns tile ids back into z/x/y with its own inverse of the Hilbert curve.

#include "tests/support/http_client.hpp"

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace wardmap::testing {

struct PmtilesArchive {
    std::uint8_t version = 0;
    std::uint64_t root_offset = 0, root_length = 0, metadata_offset = 0, metadata_length = 0;
    std::uint64_t leaves_offset = 0, leaves_length = 0, data_offset = 0, data_length = 0;
    std::uint64_t addressed_tiles = 0, tile_entries = 0, tile_contents = 0;
    std::uint8_t clustered = 0, internal_compression = 0, tile_compression = 0, tile_type = 0;
    std::uint8_t min_zoom = 0, max_zoom = 0, center_zoom = 0;
    std::int32_t min_lon_e7 = 0, min_lat_e7 = 0, max_lon_e7 = 0, max_lat_e7 = 0;
    std::int32_t center_lon_e7 = 0, center_lat_e7 = 0;
    std::string metadata; ///< the JSON, decompressed
    /// Every tile: (z, x, y) -> its bytes as stored (still gzip'd), run lengths expanded.
    std::map<std::tuple<int, int, int>, std::string> tiles;
    int leaf_directories = 0; ///< how many leaves the root pointed to
};

namespace pmtiles_detail {

inline std::uint64_t le(const std::string& b, std::size_t at, int bytes) {
    if (at + bytes > b.size()) {
        throw std::runtime_error("pmtiles: truncated");
    }
    std::uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) {
        v = (v << 8U) | static_cast<std::uint8_t>(b[at + i]);
    }
    return v;
}

inline std::uint64_t varint(const std::string& b, std::size_t& at) {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (at >= b.size()) {
            throw std::runtime_error("pmtiles: truncated varint");
        }
        const auto byte = static_cast<std::uint8_t>(b[at++]);
        v |= static_cast<std::uint64_t>(byte & 0x7FU) << shift;
        if ((byte & 0x80U) == 0) {
            return v;
        }
    }
    throw std::runtime_error("pmtiles: varint too long");
}

struct Entry {
    std::uint64_t tile_id = 0, offset = 0, length = 0, run_length = 0;
};

inline std::vector<Entry> directory(const std::string& raw) {
    std::size_t at = 0;
    const auto n = varint(raw, at);
    std::vector<Entry> e(n);
    std::uint64_t id = 0;
    for (auto& x : e) {
        id += varint(raw, at);
        x.tile_id = id;
    }
    for (auto& x : e) {
        x.run_length = varint(raw, at);
    }
    for (auto& x : e) {
        x.length = varint(raw, at);
    }
    for (std::size_t i = 0; i < n; ++i) {
        const auto v = varint(raw, at);
        if (v == 0) {
            if (i == 0) {
                throw std::runtime_error("pmtiles: first offset is 0");
            }
            e[i].offset = e[i - 1].offset + e[i - 1].length;
        } else {
            e[i].offset = v - 1;
        }
    }
    if (at != raw.size()) {
        throw std::runtime_error("pmtiles: bytes after a directory");
    }
    return e;
}

/// Tile id -> z/x/y: the zoom whose range holds it, then the Hilbert index back to x, y.
inline std::tuple<int, int, int> zxy(std::uint64_t id) {
    int z = 0;
    std::uint64_t first = 0; // id of zoom z's first tile
    while (first + (std::uint64_t{1} << (2 * z)) <= id) {
        first += std::uint64_t{1} << (2 * z);
        ++z;
    }
    std::uint64_t t = id - first;
    std::uint64_t x = 0;
    std::uint64_t y = 0;
    const std::uint64_t n = std::uint64_t{1} << z;
    for (std::uint64_t s = 1; s < n; s *= 2) {
        const std::uint64_t rx = 1 & (t / 2);
        const std::uint64_t ry = 1 & (t ^ rx);
        if (ry == 0) {
            if (rx == 1) {
                x = s - 1 - x;
                y = s - 1 - y;
            }
            std::swap(x, y);
        }
        x += s * rx;
        y += s * ry;
        t /= 4;
    }
    return {z, static_cast<int>(x), static_cast<int>(y)};
}

} // namespace pmtiles_detail

inline PmtilesArchive read_pmtiles(const std::string& b) {
    using namespace pmtiles_detail;
    PmtilesArchive a;
    if (b.size() < 127 || b.compare(0, 7, "PMTiles") != 0) {
        throw std::runtime_error("pmtiles: no magic");
    }
    a.version = static_cast<std::uint8_t>(b[7]);
    std::uint64_t* fields[] = {&a.root_offset,     &a.root_length,   &a.metadata_offset,
                               &a.metadata_length, &a.leaves_offset, &a.leaves_length,
                               &a.data_offset,     &a.data_length,   &a.addressed_tiles,
                               &a.tile_entries,    &a.tile_contents};
    for (std::size_t i = 0; i < std::size(fields); ++i) {
        *fields[i] = le(b, 8 + 8 * i, 8);
    }
    a.clustered = static_cast<std::uint8_t>(b[96]);
    a.internal_compression = static_cast<std::uint8_t>(b[97]);
    a.tile_compression = static_cast<std::uint8_t>(b[98]);
    a.tile_type = static_cast<std::uint8_t>(b[99]);
    a.min_zoom = static_cast<std::uint8_t>(b[100]);
    a.max_zoom = static_cast<std::uint8_t>(b[101]);
    a.min_lon_e7 = static_cast<std::int32_t>(le(b, 102, 4));
    a.min_lat_e7 = static_cast<std::int32_t>(le(b, 106, 4));
    a.max_lon_e7 = static_cast<std::int32_t>(le(b, 110, 4));
    a.max_lat_e7 = static_cast<std::int32_t>(le(b, 114, 4));
    a.center_zoom = static_cast<std::uint8_t>(b[118]);
    a.center_lon_e7 = static_cast<std::int32_t>(le(b, 119, 4));
    a.center_lat_e7 = static_cast<std::int32_t>(le(b, 123, 4));
    if (a.internal_compression != 2) {
        throw std::runtime_error("pmtiles: this reader takes gzip'd directories only");
    }
    const auto section = [&b](std::uint64_t offset, std::uint64_t length) {
        if (offset + length > b.size()) {
            throw std::runtime_error("pmtiles: a section passes the end of the file");
        }
        return b.substr(offset, length);
    };
    a.metadata = gunzip(section(a.metadata_offset, a.metadata_length));
    const auto walk = [&](const auto& self, const std::string& dir) -> void {
        for (const auto& e : directory(gunzip(dir))) {
            if (e.run_length == 0) {
                ++a.leaf_directories;
                self(self, section(a.leaves_offset + e.offset, e.length));
                continue;
            }
            const auto bytes = section(a.data_offset + e.offset, e.length);
            for (std::uint64_t i = 0; i < e.run_length; ++i) {
                a.tiles[zxy(e.tile_id + i)] = bytes;
            }
        }
    };
    walk(walk, section(a.root_offset, a.root_length));
    return a;
}

} // namespace wardmap::testing
