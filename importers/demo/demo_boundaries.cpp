// Council outline and the two ward sets of the demo borough.
//
// Wards are the Voronoi cells of the real ward centroids, densified and bent by one smooth
// warp, then cut by the (equally warped) outline: they stay valid, never overlap, and together
// cover the borough exactly, yet their edges wander like real ward boundaries do.

#include "importers/demo/demo_model.hpp"

#include <stdexcept>

namespace wardmap::importers::demo {

namespace {

/// The borough's coarse footprint: the ONS ward boundaries simplified to ~400 m (Contains
/// public sector information licensed under the Open Government Licence v3.0). The demo adds
/// its own detail on top.
constexpr EastNorth outline_vertices[] = {
    {358670, 410970}, {358010, 412610}, {354020, 412260}, {354170, 414680}, {353130, 413700},
    {351410, 414380}, {349900, 413390}, {348450, 414390}, {347650, 414350}, {348010, 413710},
    {347440, 413560}, {346660, 415000}, {345660, 420780}, {345950, 421490}, {350070, 422090},
    {351940, 421010}, {351640, 420010}, {353030, 419670}, {353330, 420790}, {356580, 420670},
    {356790, 421540}, {355350, 422130}, {355630, 423830}, {356650, 424790}, {357110, 424160},
    {358540, 424840}, {359730, 427090}, {361350, 427570}, {362070, 428470}, {363060, 427980},
    {363350, 425810}, {364410, 424950}, {364460, 422990}, {366050, 421890}, {365860, 420220},
    {364920, 418840}, {365710, 415010}, {366280, 414620}, {362110, 411010}, {360670, 412860}};

/// Chorley's extent; the footprint is shrunk into it by more than the warp can move a point.
constexpr double extent_min_e = 345600, extent_max_e = 366300;
constexpr double extent_min_n = 410900, extent_max_n = 428500;
constexpr double warp_reach = 240; // >= the sum of the warp amplitudes below

struct LonLatSeed {
    const char* code;
    const char* name;
    double lon, lat;
};

// The 2020 wards and their real approximate centroids.
constexpr LonLatSeed current_seeds[] = {
    {"E05013064", "Adlington & Anderton", -2.58098, 53.624021},
    {"E05013065", "Buckshaw & Whittle", -2.642185, 53.683982},
    {"E05013066", "Chorley East", -2.606824, 53.652783},
    {"E05013067", "Chorley North East", -2.575516, 53.686849},
    {"E05013068", "Chorley North West", -2.64167, 53.653605},
    {"E05013069", "Chorley North & Astley", -2.628246, 53.664983},
    {"E05013070", "Chorley South East & Heath Charnock", -2.612812, 53.635512},
    {"E05013071", "Chorley South West", -2.640925, 53.634732},
    {"E05013072", "Clayton East, Brindle & Hoghton", -2.5996, 53.720683},
    {"E05013073", "Clayton West & Cuerden", -2.65576, 53.703502},
    {"E05013074", "Coppull", -2.65626, 53.618346},
    {"E05013075", "Croston, Mawdesley & Euxton South", -2.76098, 53.655694},
    {"E05013076", "Eccleston, Heskin & Charnock Richard", -2.702323, 53.639866},
    {"E05013077", "Euxton", -2.682388, 53.668032},
};

struct GridSeed {
    const char* code;
    const char* name;
    EastNorth at;
};

// The 2002-2020 wards (codes as in ONS's 2013 set) at their real approximate centroids.
constexpr GridSeed previous_seeds[] = {
    {"E05005165", "Adlington & Anderton", {360832, 412796}},
    {"E05005166", "Astley & Buckshaw", {356796, 419546}},
    {"E05005167", "Brindle & Hoghton", {361303, 424793}},
    {"E05005168", "Chisnall", {354427, 415121}},
    {"E05005169", "Chorley East", {359769, 417516}},
    {"E05005170", "Chorley North East", {359286, 418979}},
    {"E05005171", "Chorley North West", {357552, 417965}},
    {"E05005172", "Chorley South East", {358732, 415786}},
    {"E05005173", "Chorley South West", {357532, 415883}},
    {"E05005174", "Clayton-le-Woods & Whittle-le-Woods", {357781, 421603}},
    {"E05005175", "Clayton-le-Woods North", {357611, 423790}},
    {"E05005176", "Clayton-le-Woods West & Cuerden", {356261, 422965}},
    {"E05005177", "Coppull", {357168, 413746}},
    {"E05005178", "Eccleston & Mawdesley", {350375, 416133}},
    {"E05005179", "Euxton North", {354436, 419707}},
    {"E05005180", "Euxton South", {354736, 418457}},
    {"E05005181", "Heath Charnock & Rivington", {362548, 414847}},
    {"E05005182", "Lostock", {348803, 419417}},
    {"E05005183", "Pennine", {362244, 418456}},
    {"E05005184", "Wheelton & Withnell", {363187, 421209}},
};

/// Maps the footprint's bounding box into the extent less the warp's reach.
class Fit {
  public:
    Fit() {
        geo::BBox box;
        for (const auto& p : outline_vertices) {
            box.extend(p.easting, p.northing);
        }
        m_from = box;
    }
    [[nodiscard]] EastNorth apply(EastNorth p) const {
        const double tx = (p.easting - m_from.min_x) / (m_from.max_x - m_from.min_x);
        const double ty = (p.northing - m_from.min_y) / (m_from.max_y - m_from.min_y);
        return {extent_min_e + warp_reach + tx * (extent_max_e - extent_min_e - 2 * warp_reach),
                extent_min_n + warp_reach + ty * (extent_max_n - extent_min_n - 2 * warp_reach)};
    }

  private:
    geo::BBox m_from;
};

struct Seed {
    std::string code;
    std::string name;
    EastNorth at;
};

constexpr double densify_step = 40; // well under the warp's shortest wavelength

Ring warp_ring(const Ring& ring, const Warp& warp) {
    Ring out = densify(ring, densify_step);
    for (auto& p : out) {
        p = warp.apply(p);
    }
    return out;
}

std::vector<Ward> make_wards(const geo::GeosContext& geos,
                             const std::vector<Seed>& seeds,
                             const GEOSGeometry* outline,
                             const Warp& warp) {
    GEOSContextHandle_t ctx = geos.handle();
    std::vector<GEOSGeometry*> points;
    for (const auto& s : seeds) {
        points.push_back(GEOSGeom_createPointFromXY_r(ctx, s.at.easting, s.at.northing));
    }
    auto sites = geos.own(GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOINT, points.data(),
                                                      static_cast<unsigned>(points.size())));
    // Cells reach well past the borough, so the warped cells still cover all of it.
    const double margin = 3000;
    auto envelope =
        geos.own(GEOSGeom_createRectangle_r(ctx, extent_min_e - margin, extent_min_n - margin,
                                            extent_max_e + margin, extent_max_n + margin));
    auto cells = geos.own(GEOSVoronoiDiagram_r(ctx, sites.get(), envelope.get(), 0, 0));

    std::vector<Ward> wards(seeds.size());
    for (const Polygon& cell : from_geos(geos, cells.get())) {
        std::size_t owner = seeds.size();
        for (std::size_t i = 0; i < seeds.size(); ++i) {
            if (ring_contains(cell.front(), seeds[i].at)) {
                owner = i;
            }
        }
        if (owner == seeds.size()) {
            throw std::logic_error("demo borough: a Voronoi cell holds no ward seed");
        }
        auto warped = to_geos(geos, {{warp_ring(cell.front(), warp)}});
        auto clipped = geos.own(GEOSIntersection_r(ctx, warped.get(), outline));
        wards[owner] = {seeds[owner].code, seeds[owner].name, from_geos(geos, clipped.get())};
    }
    for (const auto& ward : wards) {
        if (ward.shape.empty()) {
            throw std::logic_error("demo borough: ward " + ward.code + " fell outside the borough");
        }
    }
    return wards;
}

} // namespace

Boundaries make_boundaries(Rng rng, const geo::BngTransform& transform) {
    const geo::GeosContext& geos = geo::this_thread_geos();
    const Fit fit;
    const Warp warp(rng, {{180, 4000}, {45, 1200}, {7, 400}});

    Ring footprint;
    for (const auto& p : outline_vertices) {
        footprint.push_back(fit.apply(p));
    }
    footprint.push_back(footprint.front());
    Boundaries b;
    b.council = {{warp_ring(footprint, warp)}};
    auto outline = to_geos(geos, b.council);

    std::vector<Seed> current, previous;
    for (const auto& s : current_seeds) {
        current.push_back({s.code, s.name, fit.apply(transform.to_bng({s.lon, s.lat}))});
    }
    for (const auto& s : previous_seeds) {
        previous.push_back({s.code, s.name, fit.apply(s.at)});
    }
    b.current = {"2020 wards (synthetic)", "2020-05-07", std::nullopt,
                 "wardmap demo-data: synthetic, seeded at the real 2020 ward centroids",
                 make_wards(geos, current, outline.get(), warp)};
    b.previous = {"2002 wards (synthetic)", "2002-05-02", "2020-05-07",
                  "wardmap demo-data: synthetic, seeded at the real 2002-2020 ward centroids",
                  make_wards(geos, previous, outline.get(), warp)};
    return b;
}

} // namespace wardmap::importers::demo
