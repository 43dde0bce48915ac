// The two council cemeteries, their sections and burial plots.
//
// Each cemetery fronts a main road. Sections are shelved into two columns behind an entrance
// strip (so the outline is often L-shaped); plots stand in rows inside their section. Old
// sections are nearly full; newer ones fill row by row, so their status depends on position.

#include "importers/demo/demo_model.hpp"

#include <cmath>
#include <cstdio>
#include <numbers>
#include <stdexcept>

namespace wardmap::importers::demo {

namespace {

enum class Era { old, current };

struct PlotShape {
    const char* type;
    double length, width; // the plot itself
    double pitch_u;       // along the row
    double pitch_v;       // between rows
    int capacity;
};

constexpr PlotShape traditional{"traditional", 2.4, 1.2, 1.5, 3.3, 3};
constexpr PlotShape lawn{"lawn", 2.4, 1.2, 1.4, 3.0, 2};
constexpr PlotShape ashes{"cremated_remains", 1.0, 1.0, 1.3, 1.8, 4};
constexpr PlotShape childrens{"childrens", 1.5, 0.9, 1.2, 2.2, 1};

struct SectionSpec {
    const char* name;
    const char* code; // prefix of plot references
    const char* denomination;
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

const std::vector<CemeterySpec>& cemetery_specs() {
    static const std::vector<CemeterySpec> specs = {
        {"Chorley Cemetery",
         "Chorley",
         "Southport Road",
         1300,
         1857,
         95,
         {{"Section A", "A", "Church of England", traditional, 850, Era::old},
          {"Section B", "B", "Roman Catholic", traditional, 650, Era::old},
          {"Section C", "C", "Non-conformist", traditional, 450, Era::old},
          {"Section D", "D", "Church of England", lawn, 600, Era::current},
          {"Section E", "E", "Roman Catholic", lawn, 350, Era::current},
          {"Muslim Section", "M", "Muslim", traditional, 220, Era::current},
          {"Family Ashes Garden", "FA", nullptr, ashes, 300, Era::current},
          {"Baby Garden", "BG", nullptr, childrens, 110, Era::current}}},
        {"Adlington Cemetery",
         "Adlington",
         "Bolton Road",
         700,
         1902,
         70,
         {{"Section A", "A", "Church of England", traditional, 550, Era::old},
          {"Section B", "B", "Roman Catholic", traditional, 320, Era::old},
          {"Section C", "C", "Non-conformist", traditional, 220, Era::old},
          {"Section D", "D", "Church of England", lawn, 380, Era::current},
          {"Garden of Rest", "GR", nullptr, ashes, 120, Era::current}}},
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

const char* status_for(Rng& rng, Era era, bool used) {
    if (era == Era::old) {
        static constexpr double w[] = {55, 33, 4, 1, 5, 2};
        static constexpr const char* s[] = {"full",     "occupied", "purchased_unused",
                                            "reserved", "unusable", "available"};
        return s[rng.weighted(w)];
    }
    if (used) {
        static constexpr double w[] = {60, 15, 20, 5};
        static constexpr const char* s[] = {"occupied", "full", "purchased_unused", "reserved"};
        return s[rng.weighted(w)];
    }
    static constexpr double w[] = {93, 5, 2};
    static constexpr const char* s[] = {"available", "reserved", "unusable"};
    return s[rng.weighted(w)];
}

int interments_for(Rng& rng, const std::string& status, int capacity) {
    if (status == "full") {
        return capacity;
    }
    if (status == "occupied") {
        return capacity > 1 ? rng.range(1, capacity - 1) : 1;
    }
    return 0;
}

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
                {cemetery, s.name,
                 s.denomination ? std::optional<std::string>(s.denomination) : std::nullopt,
                 site.rect(su0, sv0, su0 + width, entrance_depth + shelf.v1)});
            // Newer sections fill row by row from the front.
            const int used = static_cast<int>(s.plots * rng.uniform(0.45, 0.75));
            for (int k = 0; k < s.plots; ++k) {
                const int row = k / shelf.per_row, col = k % shelf.per_row;
                const double pu = su0 + 2 + col * s.shape.pitch_u;
                const double pv = sv0 + 2 + row * s.shape.pitch_v;
                BurialPlot plot;
                plot.section = section;
                char ref[32];
                std::snprintf(ref, sizeof ref, "%s-%02d-%03d", s.code, row + 1, col + 1);
                plot.ref = ref;
                plot.type = s.shape.type;
                plot.status = status_for(rng, s.era, k < used);
                plot.capacity = s.shape.capacity;
                plot.interments = interments_for(rng, plot.status, plot.capacity);
                if (plot.status == "occupied" && plot.interments == plot.capacity) {
                    plot.status = "full";
                }
                plot.outline = site.rect(pu, pv, pu + s.shape.width, pv + s.shape.length);
                out.plots.push_back(std::move(plot));
            }
        }
    }
    return out;
}

} // namespace wardmap::importers::demo
