#pragma once

#include "geo/coordinates.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace wardmap::geo {

class Ostn15Grid;
namespace detail {
class ProjBngOperation;
} // namespace detail

/// How EPSG:27700 <-> WGS84 is done.
enum class TransformMethod {
    ostn15_builtin,     ///< OS's OSTN15 on the Debian-packaged shift grid, in this library
    ostn15_ntv2_proj,   ///< PROJ with uk_os_OSTN15_NTv2_OSGBtoETRS.tif
    helmert_approximate ///< PROJ's 7-parameter Helmert: 0.5-4 m off across GB
};

/// "ostn15_builtin", "ostn15_ntv2_proj" or "helmert_approximate".
const char* to_string(TransformMethod method);

/// What BngTransform::create chose, for startup logs and health checks. Plain value.
struct TransformInfo {
    TransformMethod method = TransformMethod::helmert_approximate;
    std::string name;      ///< human-readable; PROJ's operation name for the PROJ methods
    double accuracy_m = 0; ///< 0.1 for built-in OSTN15, else PROJ's reported accuracy
    std::string source;    ///< data directory, grid file or proj.db used
};

/// Inputs to BngTransform::create. Plain value.
struct TransformOptions {
    /// Directory with OSTN15 shift files; nullopt: Ostn15Grid::find_default_dir().
    std::optional<std::filesystem::path> ostn15_dir;
    /// Extra directories for PROJ to search for grids, appended to PROJ's own default path
    /// (its user directory, then $PROJ_DATA or the system directory holding proj.db).
    std::vector<std::filesystem::path> proj_search_paths;
    /// Use PROJ's NTv2 grid even when the built-in data exists.
    bool prefer_proj_grid = false;
    /// Permit the ~2 m Helmert fallback; otherwise no accurate method means GeoError.
    bool allow_approximate = false;
};

/// EPSG:27700 (British National Grid) <-> WGS84 lon/lat, by OSTN15 whenever possible.
/// Immutable once created and shared as shared_ptr<const>: every member may be called from any
/// number of threads at once (PROJ forms keep one context + PJ per thread per instance).
/// Points outside the chosen method's coverage (at most the National Grid's 700 x 1250 km
/// rectangle) throw GeoError; no call ever returns an unchecked value.
class BngTransform {
    struct Private {};

  public:
    /// Built-in OSTN15 if its data is found (unless prefer_proj_grid and PROJ finds the NTv2
    /// grid); else PROJ with the NTv2 grid; else the Helmert if allow_approximate; else throws
    /// GeoError saying what is missing and how to fix it. Takes ~10-50 ms (loads data, PROJ).
    static std::shared_ptr<const BngTransform> create(const TransformOptions& options = {});

    [[nodiscard]] const TransformInfo& info() const { return m_info; }

    [[nodiscard]] LonLat to_wgs84(EastNorth p) const;
    [[nodiscard]] EastNorth to_bng(LonLat p) const;
    /// Batch form of to_wgs84; `out` must have in.size() elements (else std::invalid_argument).
    /// Throws GeoError at the first point that cannot be transformed.
    void to_wgs84(std::span<const EastNorth> in, std::span<LonLat> out) const;

    BngTransform(Private,
                 TransformInfo info,
                 std::shared_ptr<const Ostn15Grid> grid,
                 std::shared_ptr<const detail::ProjBngOperation> proj);
    ~BngTransform();
    BngTransform(const BngTransform&) = delete;
    BngTransform& operator=(const BngTransform&) = delete;

  private:
    TransformInfo m_info;
    std::shared_ptr<const Ostn15Grid> m_grid;               // set for ostn15_builtin
    std::shared_ptr<const detail::ProjBngOperation> m_proj; // set for the PROJ methods
};

} // namespace wardmap::geo
