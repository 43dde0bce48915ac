#include "geo/store/spatialite_point.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

namespace wardmap::store {

namespace {

// SpatiaLite's BLOB-Geometry layout (https://www.gaia-gis.it/gaia-sins/BLOB-Geometry.html):
// 0x00, byte order (0x01 little, 0x00 big), SRID (int32), MBR (4 doubles), 0x7C, class
// (int32), the coordinates, 0xFE.
constexpr std::size_t order_at = 1;
constexpr std::size_t mbr_end_at = 38;
constexpr std::size_t class_at = 39;
constexpr std::size_t x_at = 43;
constexpr std::size_t y_at = 51;

template <typename T> T read(std::span<const unsigned char> blob, std::size_t at, bool little) {
    T value{};
    std::memcpy(&value, blob.data() + at, sizeof value);
    if (little != (std::endian::native == std::endian::little)) {
        auto bits = std::bit_cast<std::array<unsigned char, sizeof value>>(value);
        std::reverse(bits.begin(), bits.end());
        value = std::bit_cast<T>(bits);
    }
    return value;
}

std::size_t point_size(std::int32_t geometry_class) {
    switch (geometry_class) {
    case 1: // POINT
        return 60;
    case 1001: // POINT Z
    case 2001: // POINT M
        return 68;
    case 3001: // POINT ZM
        return 76;
    default:
        return 0;
    }
}

} // namespace

std::optional<std::pair<double, double>> spatialite_point_xy(std::span<const unsigned char> blob) {
    if (blob.size() < 60 || blob[0] != 0x00 || blob[order_at] > 0x01 || blob[mbr_end_at] != 0x7C ||
        blob.back() != 0xFE) {
        return std::nullopt;
    }
    const bool little = blob[order_at] == 0x01;
    if (point_size(read<std::int32_t>(blob, class_at, little)) != blob.size()) {
        return std::nullopt;
    }
    return std::pair{read<double>(blob, x_at, little), read<double>(blob, y_at, little)};
}

} // namespace wardmap::store
