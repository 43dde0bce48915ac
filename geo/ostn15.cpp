#include "geo/ostn15.hpp"

#include "geo/errors.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

namespace wardmap::geo {

namespace {

constexpr std::string_view east_prefix = "ostn_east_shift_";
constexpr std::string_view north_prefix = "ostn_north_shift_";
constexpr const char* debian_dir = "/usr/share/perl5/auto/share/dist/Geo-Coordinates-OSGB";

constexpr std::size_t node_count =
    static_cast<std::size_t>(Ostn15Grid::nodes_east) * Ostn15Grid::nodes_north;

// OS stops the OSGB36 -> ETRS89 iteration when the position changes by less than 0.1 mm.
constexpr double inverse_tolerance_m = 0.0001;
// Shift gradients are ~1e-4 m/m, so 2-3 steps suffice; the cap only stops a runaway.
constexpr int max_inverse_iterations = 20;

// Lon/lat window (degrees) that contains the whole grid rectangle's image (49.77-61.13 N,
// 9.39 W-3.55 E) with margin. Rejecting input outside it first matters: far from the central
// meridian the TM series is meaningless and could land inside the rectangle by accident.
constexpr double min_lon = -12.0;
constexpr double max_lon = 6.0;
constexpr double min_lat = 48.0;
constexpr double max_lat = 62.0;

std::string describe(EastNorth p) {
    std::ostringstream out;
    out.precision(3);
    out << std::fixed << "E " << p.easting << ", N " << p.northing;
    return out.str();
}

// The single file in `dir` whose name is `prefix` followed by an integer (the offset in mm).
std::optional<std::pair<std::filesystem::path, int>> find_shift_file(
    const std::filesystem::path& dir, std::string_view prefix, bool throw_if_ambiguous) {
    std::optional<std::pair<std::filesystem::path, int>> found;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!name.starts_with(prefix)) {
            continue;
        }
        const char* first = name.data() + prefix.size();
        const char* last = name.data() + name.size();
        int offset_mm = 0;
        const auto [ptr, parse_ec] = std::from_chars(first, last, offset_mm);
        if (parse_ec != std::errc{} || ptr != last || first == last) {
            continue;
        }
        if (found) {
            if (throw_if_ambiguous) {
                throw GeoError("OSTN15 data directory " + dir.string() + " has two '" +
                               std::string(prefix) + "<mm>' files: " + found->first.string() +
                               " and " + it->path().string());
            }
            return found;
        }
        found.emplace(it->path(), offset_mm);
    }
    return found;
}

std::vector<std::uint16_t> read_shift_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw GeoError("cannot open OSTN15 shift file " + file.string());
    }
    // One read of the whole file: byte by byte through istreambuf_iterator, the two 1.7 MB
    // files took about half a second of every start in an unoptimised (sanitizer) build.
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    in.seekg(0, std::ios::beg);
    if (!in || size < 0) {
        throw GeoError("cannot read OSTN15 shift file " + file.string());
    }
    std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (in.gcount() != static_cast<std::streamsize>(bytes.size())) {
        throw GeoError("cannot read OSTN15 shift file " + file.string());
    }
    if (bytes.size() != node_count * 2) {
        throw GeoError("OSTN15 shift file " + file.string() + " has " +
                       std::to_string(bytes.size()) + " bytes; expected " +
                       std::to_string(node_count * 2) + " (701 x 1251 little-endian uint16)");
    }
    std::vector<std::uint16_t> values(node_count);
    for (std::size_t i = 0; i < node_count; ++i) {
        // Assembled by hand so the byte order is right on any host.
        values[i] = static_cast<std::uint16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
    }
    return values;
}

} // namespace

Ostn15Grid::Ostn15Grid(const std::filesystem::path& dir) : m_dir(dir) {
    const auto east = find_shift_file(dir, east_prefix, true);
    const auto north = find_shift_file(dir, north_prefix, true);
    if (!east || !north) {
        throw GeoError("OSTN15 data not found: " + dir.string() + " has no '" +
                       std::string(!east ? east_prefix : north_prefix) +
                       "<mm>' file (Debian package libgeo-coordinates-osgb-perl ships them)");
    }
    const auto east_values = read_shift_file(east->first);
    const auto north_values = read_shift_file(north->first);
    m_east_offset_m = east->second / 1000.0;
    m_north_offset_m = north->second / 1000.0;
    m_nodes.resize(node_count);
    for (std::size_t i = 0; i < node_count; ++i) {
        m_nodes[i] = {east_values[i], north_values[i]};
    }
}

std::optional<std::filesystem::path> Ostn15Grid::find_default_dir() {
    if (const char* env = std::getenv("WARDMAP_OSTN15_DIR"); env && *env) {
        return std::filesystem::path(env);
    }
    if (has_data_files(debian_dir)) {
        return std::filesystem::path(debian_dir);
    }
    return std::nullopt;
}

bool Ostn15Grid::has_data_files(const std::filesystem::path& dir) {
    return find_shift_file(dir, east_prefix, false).has_value() &&
           find_shift_file(dir, north_prefix, false).has_value();
}

Ostn15Shift Ostn15Grid::shift_at(EastNorth p) const {
    // Written so that NaN fails the test too.
    if (!(p.easting >= 0.0 && p.easting <= max_easting && p.northing >= 0.0 &&
          p.northing <= max_northing)) {
        throw GeoError("position outside OSTN15 coverage (ETRS89 grid " + describe(p) +
                       "; the grid covers E 0-700 km, N 0-1250 km)");
    }
    // The far edges belong to the last cell, so every in-range point has four nodes.
    const int ix = std::min(static_cast<int>(p.easting / node_spacing_m), nodes_east - 2);
    const int iy = std::min(static_cast<int>(p.northing / node_spacing_m), nodes_north - 2);
    const double t = p.easting / node_spacing_m - ix;
    const double u = p.northing / node_spacing_m - iy;

    const std::size_t i0 = static_cast<std::size_t>(iy) * nodes_east + static_cast<std::size_t>(ix);
    const std::size_t i3 = i0 + nodes_east;
    const Node& s0 = m_nodes[i0];
    const Node& s1 = m_nodes[i0 + 1];
    const Node& s2 = m_nodes[i3 + 1];
    const Node& s3 = m_nodes[i3];

    const double w0 = (1.0 - t) * (1.0 - u);
    const double w1 = t * (1.0 - u);
    const double w2 = t * u;
    const double w3 = (1.0 - t) * u;
    const double east_mm = w0 * s0.east + w1 * s1.east + w2 * s2.east + w3 * s3.east;
    const double north_mm = w0 * s0.north + w1 * s1.north + w2 * s2.north + w3 * s3.north;
    return {m_east_offset_m + east_mm / 1000.0, m_north_offset_m + north_mm / 1000.0};
}

EastNorth Ostn15Grid::etrs89_grid_to_osgb36(EastNorth etrs89_grid) const {
    const Ostn15Shift s = shift_at(etrs89_grid);
    return {etrs89_grid.easting + s.east, etrs89_grid.northing + s.north};
}

EastNorth Ostn15Grid::osgb36_to_etrs89_grid(EastNorth osgb36) const {
    if (!(osgb36.easting >= 0.0 && osgb36.easting <= max_easting && osgb36.northing >= 0.0 &&
          osgb36.northing <= max_northing)) {
        throw GeoError("position outside OSTN15 coverage (National Grid " + describe(osgb36) +
                       "; the grid covers E 0-700 km, N 0-1250 km)");
    }
    // The shift is looked up at the ETRS89 position, which is what we are solving for: start
    // from the OSGB36 position and refine until the estimate stops moving (OS's method).
    EastNorth estimate = osgb36;
    for (int i = 0; i < max_inverse_iterations; ++i) {
        const Ostn15Shift s = shift_at(estimate);
        const EastNorth next{osgb36.easting - s.east, osgb36.northing - s.north};
        const bool converged = std::abs(next.easting - estimate.easting) < inverse_tolerance_m &&
                               std::abs(next.northing - estimate.northing) < inverse_tolerance_m;
        estimate = next;
        if (converged) {
            return estimate;
        }
    }
    throw GeoError("OSTN15 inverse did not converge at " + describe(osgb36));
}

EastNorth Ostn15Grid::to_osgb36(LonLat etrs89) const {
    if (!(etrs89.lon >= min_lon && etrs89.lon <= max_lon && etrs89.lat >= min_lat &&
          etrs89.lat <= max_lat)) {
        std::ostringstream msg;
        msg << "position outside OSTN15 coverage (lon " << etrs89.lon << ", lat " << etrs89.lat
            << ")";
        throw GeoError(msg.str());
    }
    return etrs89_grid_to_osgb36(m_tm.forward(etrs89));
}

LonLat Ostn15Grid::to_etrs89(EastNorth osgb36) const {
    return m_tm.inverse(osgb36_to_etrs89_grid(osgb36));
}

} // namespace wardmap::geo
