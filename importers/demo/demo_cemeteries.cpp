// The two council cemeteries, their sections and grave spaces (facts only: the register,
// grants and history that give each its status are demo_burials.cpp's).
//
// Each cemetery fronts a main road. Sections are shelved into two columns behind an entrance
// strip (so the outline is often L-shaped); plots stand in rows inside their section. Newer
// sections fill row by row from the front (GraveSpace::fill_order).

#include "importers/demo/demo_model.hpp"

#include <cmath>
#include <cstdio>
#include <numbers>
#include <stdexcept>

namespace wardmap::importers::demo {

namespace {

enum class Era { old, current };

struct PlotShape {
    const char* type;     // the grave type
    double length, width; // the grave space itself
    double pitch_u;       // along the row
    double pitch_v;       // between rows
    int max_coffins;
    int max_cremated_remains;
};

constexpr PlotShape traditional{"private", 2.4, 1.2, 1.5, 3.3, 3, 2};
constexpr PlotShape lawn{"private", 2.4, 1.2, 1.4, 3.0, 2, 1};
constexpr PlotShape muslim{"private", 2.4, 1.2, 1.5, 3.3, 1, 0};
constexpr PlotShape ashes{"cremated_remains", 1.0, 1.0, 1.3, 1.8, 0, 4};
constexpr PlotShape remembrance{"cremated_remains", 1.0, 1.0, 1.3, 1.8, 0, 2};
constexpr PlotShape baby{"baby", 1.5, 0.9, 1.2, 2.2, 1, 0};

struct SectionSpec {
    const char* name;
    const char* code; // prefix of grave numbers
    const char* kind;
    const char* denomination;
    bool consecrated;
    const PlotShape& shape;
    int plots;
    Era era;
};

struct CemeterySpec {
    const char* name;
    const char* settlement;
    const char* road;
    double along; // metres from the settlement's end of the road
    int opened;
    double column_width;
    std::vector<SectionSpec> sections;
};

// Chorley's two lawn cemeteries (reference/domain.md §0): Established Church (consecrated),
// Roman Catholic and non-conformist sections, and at Chorley a Muslim section, family ashes
// and a baby garden; Adlington's garden of remembrance takes cremated remains.
const std::vector<CemeterySpec>& cemetery_specs() {
    static const std::vector<CemeterySpec> specs = {
        {"Chorley Cemetery",
         "Chorley",
         "Southport Road",
         1300,
         1857,
         95,
         {{"Section A", "A", "traditional", "Church of England", true, traditional, 850, Era::old},
          {"Section B", "B", "traditional", "Roman Catholic", false, traditional, 650, Era::old},
          {"Section C", "C", "traditional", "Non-conformist", false, traditional, 450, Era::old},
          {"Section D", "D", "lawn", "Church of England", true, lawn, 600, Era::current},
          {"Section E", "E", "lawn", "Roman Catholic", false, lawn, 350, Era::current},
          {"Muslim Section", "M", "muslim", "Muslim", false, muslim, 220, Era::current},
          {"Family Ashes Garden", "FA", "family_ashes", nullptr, false, ashes, 300, Era::current},
          {"Baby Garden", "BG", "baby", nullptr, false, baby, 110, Era::current}}},
        {"Adlington Cemetery",
         "Adlington",
         "Bolton Road",
         700,
         1902,
         70,
         {{"Section A", "A", "traditional", "Church of England", true, traditional, 550, Era::old},
          {"Section B", "B", "traditional", "Roman Catholic", false, traditional, 320, Era::old},
          {"Section C", "C", "traditional", "Non-conformist", false, traditional, 220, Era::old},
          {"Section D", "D", "lawn", "Church of England", true, lawn, 380, Era::current},
          {"Garden of Rest", "GR", "garden_of_remembrance", nullptr, false, remembrance, 120,
           Era::current}}},
    };
    return specs;
}

constexpr double margin = 6;          // paths between sections
constexpr double entrance_depth = 22; // chapel, gates and parking by the road
constexpr double road_offset = 22;    // from the road's centre line to the boundary

/// A frame fronting a road: u along it, v away from it.
struct Site {
    EastNorth origin;
    double angle;
    [[nodiscard]] EastNorth at(double u, double v) const {
        const double c = std::cos(angle), s = std::sin(angle);
        return {origin.easting + u * c - v * s, origin.northing + u * s + v * c};
    }
    [[nodiscard]] Ring rect(double u0, double v0, double u1, double v1) const {
        return frame_rectangle(origin, angle, u0, v0, u1, v1);
    }
};

struct Shelf {
    const SectionSpec* spec;
    int column;
    double v0, v1; // from the back of the entrance strip
    int per_row;
};

bool crosses_roads(const Ring& clearance, const RoadPlan& plan) {
    for (const auto& road : plan.roads) {
        for (const auto& p : road.line) {
            if (ring_contains(clearance, p)) {
                return true;
            }
        }
    }
    return false;
}

/// Where the cemetery fronts its road: the first of a few places along it, on either side,
/// whose ground (with a margin, returned as the clearance) no main road crosses.
std::pair<Site, Ring>
front_road(const CemeterySpec& spec, const RoadPlan& plan, double length_along, double depth) {
    for (const auto& road : plan.roads) {
        const bool from_here = plan.settlements[road.from].name == spec.settlement;
        if (road.name != spec.road ||
            !(from_here || plan.settlements[road.to].name == spec.settlement)) {
            continue;
        }
        const double road_length = length(road.line);
        for (double shift : {0.0, 250.0, -250.0, 500.0, -500.0, 750.0}) {
            for (int side : {1, -1}) {
                const double along = spec.along + shift;
                const Station st = station_at(road.line, from_here ? along : road_length - along);
                const double angle = std::atan2(st.dy, st.dx) + (side > 0 ? 0 : std::numbers::pi);
                const Site site{{st.at.easting - std::sin(angle) * road_offset,
                                 st.at.northing + std::cos(angle) * road_offset},
                                angle};
                Ring zone = site.rect(-length_along / 2 - 10, -road_offset + 8,
                                      length_along / 2 + 10, depth + 10);
                if (!crosses_roads(zone, plan)) {
                    return {site, std::move(zone)};
                }
            }
        }
    }
    throw std::logic_error(std::string("demo borough: no room for ") + spec.name);
}

} // namespace

Cemeteries make_cemeteries(Rng rng, const RoadPlan& plan) {
    Cemeteries out;
    for (const CemeterySpec& spec : cemetery_specs()) {
        // Shelve the sections into two columns, each into whichever is shorter so far.
        const double width = spec.column_width;
        double height[2] = {0, 0};
        std::vector<Shelf> shelves;
        for (const SectionSpec& s : spec.sections) {
            const int per_row = static_cast<int>((width - 4) / s.shape.pitch_u);
            const int rows = (s.plots + per_row - 1) / per_row;
            const int column = height[0] <= height[1] ? 0 : 1;
            const double depth = rows * s.shape.pitch_v + 4;
            shelves.push_back({&s, column, height[column], height[column] + depth, per_row});
            height[column] += depth + margin;
        }
        const double total_length = 2 * width + 3 * margin;
        const double back[2] = {entrance_depth + height[0] + margin,
                                entrance_depth + height[1] + margin};
        auto [site, clearance] = front_road(spec, plan, total_length, std::max(back[0], back[1]));

        // The outline steps in behind the shorter column.
        const double u0 = -total_length / 2, u1 = total_length / 2, mid = 0;
        Ring outline;
        if (std::abs(back[0] - back[1]) < 1) {
            outline = site.rect(u0, 0, u1, back[0]);
        } else {
            outline = {site.at(u0, 0),        site.at(u1, 0),        site.at(u1, back[1]),
                       site.at(mid, back[1]), site.at(mid, back[0]), site.at(u0, back[0]),
                       site.at(u0, 0)};
        }
        const std::size_t cemetery = out.cemeteries.size();
        out.cemeteries.push_back({spec.name,
                                  std::string(spec.road) + ", " + spec.settlement,
                                  spec.opened,
                                  {{outline}},
                                  std::move(clearance)});

        for (const Shelf& shelf : shelves) {
            const SectionSpec& s = *shelf.spec;
            const double su0 = u0 + margin + shelf.column * (width + margin);
            const double sv0 = entrance_depth + shelf.v0;
            const std::size_t section = out.sections.size();
            out.sections.push_back(
                {cemetery, s.name, s.code, s.kind,
                 s.denomination ? std::optional<std::string>(s.denomination) : std::nullopt,
                 s.consecrated, s.era == Era::old,
                 site.rect(su0, sv0, su0 + width, entrance_depth + shelf.v1)});
            for (int k = 0; k < s.plots; ++k) {
                const int row = k / shelf.per_row, col = k % shelf.per_row;
                const double pu = su0 + 2 + col * s.shape.pitch_u;
                const double pv = sv0 + 2 + row * s.shape.pitch_v;
                GraveSpace grave;
                grave.section = section;
                char ref[32];
                std::snprintf(ref, sizeof ref, "%s-%02d-%03d", s.code, row + 1, col + 1);
                grave.number = ref;
                grave.type = s.shape.type;
                // The old sections' common graves: shared by unrelated people, no grant.
                if (s.era == Era::old && rng.chance(0.08)) {
                    grave.type = "public";
                }
                grave.max_coffins = s.shape.max_coffins;
                grave.max_cremated_remains = s.shape.max_cremated_remains;
                grave.fill_order = k;
                // Ground that cannot be dug: a tree's roots, a path cut through, bad ground.
                if (rng.chance(s.era == Era::old ? 0.02 : 0.01)) {
                    static constexpr const char* reasons[] = {"ground", "path", "tree"};
                    grave.unavailable_reason = rng.pick(reasons);
                }
                grave.outline = site.rect(pu, pv, pu + s.shape.width, pv + s.shape.length);
                out.graves.push_back(std::move(grave));
            }
        }
    }
    return out;
}

} // namespace wardmap::importers::demo
