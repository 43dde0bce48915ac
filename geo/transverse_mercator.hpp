#pragma once

#include "geo/coordinates.hpp"

namespace wardmap::geo {

/// Semi-major and semi-minor axes of a reference ellipsoid, in metres.
struct Ellipsoid {
    double a;
    double b;
};

/// Airy 1830: the OSGB36 ellipsoid.
inline constexpr Ellipsoid airy_1830{6377563.396, 6356256.909};
/// GRS80: the ETRS89 ellipsoid (OS's published axes; WGS84 differs by 0.1 mm in b).
inline constexpr Ellipsoid grs80{6378137.000, 6356752.3141};

/// Transverse Mercator projection parameters (OS naming: F0, phi0, lambda0, E0, N0).
struct TmParameters {
    double scale_factor;   ///< F0 on the central meridian
    double lat0_deg;       ///< true origin latitude
    double lon0_deg;       ///< true origin longitude (central meridian)
    double false_easting;  ///< E0, metres
    double false_northing; ///< N0, metres
};

/// The National Grid's projection constants (used on Airy 1830 for OSGB36 and on GRS80 for the
/// ETRS89 side of OSTN15).
inline constexpr TmParameters national_grid{0.9996012717, 49.0, -2.0, 400000.0, -100000.0};

/// Transverse Mercator forward/inverse by OS's published Redfearn series ("A guide to coordinate
/// systems in Great Britain", annex C). Against an exact TM it is good to ~1 mm within 300 km of
/// the central meridian (all of GB), degrading to ~1 cm (inverse) at the grid's far western sea
/// corners; OSTN15 is defined with these formulas, so matching them is what matters.
/// Immutable value type: safe to share between threads; no allocation, no PROJ.
class TransverseMercator {
  public:
    TransverseMercator(const Ellipsoid& ellipsoid, const TmParameters& params);

    /// Geodetic lon/lat in degrees on this ellipsoid -> projected E/N in metres.
    [[nodiscard]] EastNorth forward(LonLat p) const;
    /// Projected E/N in metres -> geodetic lon/lat in degrees on this ellipsoid.
    [[nodiscard]] LonLat inverse(EastNorth p) const;

  private:
    /// Developed meridian arc from lat0 to lat (radians), already scaled by F0.
    [[nodiscard]] double meridian_arc(double lat) const;

    double m_a_f0;
    double m_b_f0;
    double m_e2;
    double m_lat0;
    double m_lon0;
    double m_e0;
    double m_n0;
    // Series coefficients of the meridian arc in n = (a-b)/(a+b).
    double m_arc1;
    double m_arc2;
    double m_arc3;
    double m_arc4;
};

} // namespace wardmap::geo
