#pragma once

#include "geo/coordinates.hpp"
#include "geo/transverse_mercator.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace wardmap::geo {

/// OSTN15 shift (OSGB36 minus ETRS89) on the National Grid, in metres.
struct Ostn15Shift {
    double east = 0;
    double north = 0;
};

/// Ordnance Survey's OSTN15 horizontal transformation (ETRS89 <-> OSGB36 National Grid), done by
/// OS's published method on the shift grid that Debian's libgeo-coordinates-osgb-perl ships:
/// ETRS89 lat/lon -> TM on GRS80 with National Grid constants -> bilinear 1 km grid shift.
///
/// The data files are two little-endian uint16 arrays of 701 x 1251 nodes (index =
/// east_km + north_km * 701) in mm relative to the offset in each file's name
/// (`ostn_east_shift_82140`, `ostn_north_shift_-84180`). OSTN15 defines every node of the
/// 0-700 km x 0-1250 km rectangle (OSTN02's zero-filled sea cells are gone; the data has no
/// no-data marker), so coverage is exactly that rectangle; anything outside throws GeoError.
///
/// Owns its data (~3.5 MB); immutable after construction, so one instance may be used by any
/// number of threads at once.
class Ostn15Grid {
  public:
    static constexpr int nodes_east = 701;
    static constexpr int nodes_north = 1251;
    static constexpr double node_spacing_m = 1000.0;
    static constexpr double max_easting = (nodes_east - 1) * node_spacing_m;
    static constexpr double max_northing = (nodes_north - 1) * node_spacing_m;

    /// Loads the two shift files from `dir`; throws GeoError naming the directory or file when a
    /// file is missing, unreadable, ambiguous or the wrong size.
    explicit Ostn15Grid(const std::filesystem::path& dir);

    /// $WARDMAP_OSTN15_DIR when set (returned even if wrong, so a bad setting fails loudly), else
    /// Debian's /usr/share/perl5/auto/share/dist/Geo-Coordinates-OSGB when it holds the data.
    static std::optional<std::filesystem::path> find_default_dir();
    /// True when `dir` holds an east and a north shift file (not checking their contents).
    static bool has_data_files(const std::filesystem::path& dir);

    [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }

    /// Bilinearly interpolated shift at an ETRS89 National Grid (GRS80 TM) position.
    [[nodiscard]] Ostn15Shift shift_at(EastNorth etrs89_grid) const;
    /// ETRS89 TM coordinates -> OSGB36 National Grid.
    [[nodiscard]] EastNorth etrs89_grid_to_osgb36(EastNorth etrs89_grid) const;
    /// OSGB36 National Grid -> ETRS89 TM coordinates (iterates to 0.1 mm, as OS specifies).
    [[nodiscard]] EastNorth osgb36_to_etrs89_grid(EastNorth osgb36) const;

    /// ETRS89 (= WGS84 for web maps) lon/lat in degrees -> EPSG:27700 E/N.
    [[nodiscard]] EastNorth to_osgb36(LonLat etrs89) const;
    /// EPSG:27700 E/N -> ETRS89 lon/lat in degrees.
    [[nodiscard]] LonLat to_etrs89(EastNorth osgb36) const;

  private:
    struct Node {
        std::uint16_t east;
        std::uint16_t north;
    };

    std::filesystem::path m_dir;
    std::vector<Node> m_nodes; // interleaved so one lookup touches one cache line per row
    double m_east_offset_m = 0;
    double m_north_offset_m = 0;
    TransverseMercator m_tm{grs80, national_grid};
};

} // namespace wardmap::geo
