#include "geo/transverse_mercator.hpp"

#include <cmath>
#include <numbers>

namespace wardmap::geo {

namespace {

constexpr double deg_to_rad = std::numbers::pi / 180.0;
constexpr double rad_to_deg = 180.0 / std::numbers::pi;

// OS stops iterating for the footpoint latitude when the arc residual is below 0.01 mm.
constexpr double arc_tolerance_m = 0.00001;
// Converges in 3-5 steps in practice; the cap only guards against non-finite input.
constexpr int max_arc_iterations = 50;

} // namespace

TransverseMercator::TransverseMercator(const Ellipsoid& ellipsoid, const TmParameters& params)
    : m_a_f0(ellipsoid.a * params.scale_factor), m_b_f0(ellipsoid.b * params.scale_factor),
      m_e2((ellipsoid.a * ellipsoid.a - ellipsoid.b * ellipsoid.b) / (ellipsoid.a * ellipsoid.a)),
      m_lat0(params.lat0_deg * deg_to_rad), m_lon0(params.lon0_deg * deg_to_rad),
      m_e0(params.false_easting), m_n0(params.false_northing) {
    const double n = (ellipsoid.a - ellipsoid.b) / (ellipsoid.a + ellipsoid.b);
    const double n2 = n * n;
    const double n3 = n2 * n;
    m_arc1 = 1.0 + n + 1.25 * n2 + 1.25 * n3;
    m_arc2 = 3.0 * n + 3.0 * n2 + 21.0 / 8.0 * n3;
    m_arc3 = 15.0 / 8.0 * n2 + 15.0 / 8.0 * n3;
    m_arc4 = 35.0 / 24.0 * n3;
}

double TransverseMercator::meridian_arc(double lat) const {
    const double d = lat - m_lat0;
    const double s = lat + m_lat0;
    // OS's formula, with the 2x and 3x angles by identities: 3 trig calls instead of 6.
    const double sd = std::sin(d);
    const double cd = std::cos(d);
    const double cs = std::cos(s);
    const double sin2d = 2.0 * sd * cd;
    const double cos2s = 2.0 * cs * cs - 1.0;
    const double sin3d = sd * (3.0 - 4.0 * sd * sd);
    const double cos3s = cs * (4.0 * cs * cs - 3.0);
    return m_b_f0 *
           (m_arc1 * d - m_arc2 * sd * cs + m_arc3 * sin2d * cos2s - m_arc4 * sin3d * cos3s);
}

EastNorth TransverseMercator::forward(LonLat p) const {
    const double lat = p.lat * deg_to_rad;
    const double dl = p.lon * deg_to_rad - m_lon0;

    const double sin_lat = std::sin(lat);
    const double cos_lat = std::cos(lat);
    const double tan2 = (sin_lat / cos_lat) * (sin_lat / cos_lat);
    const double tan4 = tan2 * tan2;
    const double w = 1.0 - m_e2 * sin_lat * sin_lat;
    const double nu = m_a_f0 / std::sqrt(w);
    const double rho = m_a_f0 * (1.0 - m_e2) / (w * std::sqrt(w));
    const double eta2 = nu / rho - 1.0;
    const double cos3 = cos_lat * cos_lat * cos_lat;
    const double cos5 = cos3 * cos_lat * cos_lat;

    const double t1 = meridian_arc(lat) + m_n0;
    const double t2 = nu / 2.0 * sin_lat * cos_lat;
    const double t3 = nu / 24.0 * sin_lat * cos3 * (5.0 - tan2 + 9.0 * eta2);
    const double t3a = nu / 720.0 * sin_lat * cos5 * (61.0 - 58.0 * tan2 + tan4);
    const double t4 = nu * cos_lat;
    const double t5 = nu / 6.0 * cos3 * (nu / rho - tan2);
    const double t6 =
        nu / 120.0 * cos5 * (5.0 - 18.0 * tan2 + tan4 + 14.0 * eta2 - 58.0 * tan2 * eta2);

    const double dl2 = dl * dl;
    return {m_e0 + dl * (t4 + dl2 * (t5 + dl2 * t6)), t1 + dl2 * (t2 + dl2 * (t3 + dl2 * t3a))};
}

LonLat TransverseMercator::inverse(EastNorth p) const {
    const double dn = p.northing - m_n0;
    double lat = m_lat0;
    double arc = 0.0;
    for (int i = 0; i < max_arc_iterations; ++i) {
        lat += (dn - arc) / m_a_f0;
        arc = meridian_arc(lat);
        if (!(std::abs(dn - arc) >= arc_tolerance_m)) {
            break;
        }
    }

    const double sin_lat = std::sin(lat);
    const double cos_lat = std::cos(lat);
    const double tan_lat = sin_lat / cos_lat;
    const double tan2 = tan_lat * tan_lat;
    const double tan4 = tan2 * tan2;
    const double tan6 = tan4 * tan2;
    const double sec_lat = 1.0 / cos_lat;
    const double w = 1.0 - m_e2 * sin_lat * sin_lat;
    const double nu = m_a_f0 / std::sqrt(w);
    const double rho = m_a_f0 * (1.0 - m_e2) / (w * std::sqrt(w));
    const double eta2 = nu / rho - 1.0;
    const double nu3 = nu * nu * nu;
    const double nu5 = nu3 * nu * nu;
    const double nu7 = nu5 * nu * nu;

    const double t7 = tan_lat / (2.0 * rho * nu);
    const double t8 = tan_lat / (24.0 * rho * nu3) * (5.0 + 3.0 * tan2 + eta2 - 9.0 * tan2 * eta2);
    const double t9 = tan_lat / (720.0 * rho * nu5) * (61.0 + 90.0 * tan2 + 45.0 * tan4);
    const double t10 = sec_lat / nu;
    const double t11 = sec_lat / (6.0 * nu3) * (nu / rho + 2.0 * tan2);
    const double t12 = sec_lat / (120.0 * nu5) * (5.0 + 28.0 * tan2 + 24.0 * tan4);
    const double t12a =
        sec_lat / (5040.0 * nu7) * (61.0 + 662.0 * tan2 + 1320.0 * tan4 + 720.0 * tan6);

    const double de = p.easting - m_e0;
    const double de2 = de * de;
    const double out_lat = lat - de2 * (t7 - de2 * (t8 - de2 * t9));
    const double out_lon = m_lon0 + de * (t10 - de2 * (t11 - de2 * (t12 - de2 * t12a)));
    return {out_lon * rad_to_deg, out_lat * rad_to_deg};
}

} // namespace wardmap::geo
