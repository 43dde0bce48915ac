#pragma once

// The demo borough in memory, built by the demo_*.cpp generators and written by demo_writer.
// All geometry is EPSG:27700; the WGS84 copies are made only when writing.

#include "core/seeded_random.hpp"

#include "geo/bng_transform.hpp"
#include "geo/coordinates.hpp"
#include "geo/geos_context.hpp"
#include "geo/store/database.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace wardmap::importers::demo {

using core::Rng;
using geo::EastNorth;
/// A closed ring (first point == last point).
using Ring = std::vector<EastNorth>;
/// Exterior ring, then holes.
using Polygon = std::vector<Ring>;
using MultiPolygon = std::vector<Polygon>;
using Line = std::vector<EastNorth>;

// Dates come from core (dates, working_days, w3c_time): never the clock or the locale.
inline constexpr std::int64_t seconds_per_day = 86400;

// ---- geometry helpers (demo_geometry.cpp) ----
double distance(EastNorth a, EastNorth b);
double length(const Line& line);
/// A point on a line and the unit direction of the line there.
struct Station {
    EastNorth at;
    double dx = 1;
    double dy = 0;
};
/// The point `s` metres along `line` (clamped to its ends).
Station station_at(const Line& line, double s);
/// Even-odd point-in-ring test (the ring may be in any orientation).
bool ring_contains(const Ring& ring, EastNorth p);
/// Axis-aligned rectangle [u0,u1] x [v0,v1] in the frame at `origin` rotated by `angle`.
Ring frame_rectangle(EastNorth origin, double angle, double u0, double v0, double u1, double v1);
EastNorth centroid(std::span<const EastNorth> points);
/// Rounded to the centimetre, as LLPGs and asset registers hold their points.
EastNorth round_cm(EastNorth p);
/// Inserts points so no segment is longer than `step`. A shared edge gets the same points
/// whichever way it is walked, so polygons that shared it still do after a warp.
Ring densify(const Ring& ring, double step);

/// A smooth displacement field made of a few random plane waves. Its slope stays well under 1,
/// so the warp is one-to-one: it bends straight lines into plausible wiggles without ever
/// folding polygons over each other.
class Warp {
  public:
    struct Wave {
        double amplitude;
        double wavelength;
    };
    Warp(Rng& rng, std::initializer_list<Wave> waves);
    [[nodiscard]] EastNorth apply(EastNorth p) const;

  private:
    struct Component {
        double amplitude, kx, ky, phase;
    };
    std::vector<Component> m_x, m_y;
};

geo::GeosGeometry to_geos(const geo::GeosContext& geos, const MultiPolygon& shape);
/// Polygons of a (multi)polygon or collection; other parts are dropped.
MultiPolygon from_geos(const geo::GeosContext& geos, const GEOSGeometry* g);

/// Which of a few areas holds a point: GEOS prepared geometries behind an envelope test.
/// Lives on the thread that made it (prepared geometries are not thread-safe).
class AreaIndex {
  public:
    AreaIndex(const geo::GeosContext& geos, const std::vector<const MultiPolygon*>& areas);
    /// The one area that contains `p` (not just touches it); nullopt for none or several.
    [[nodiscard]] std::optional<std::size_t> find(EastNorth p) const;
    [[nodiscard]] bool contains(EastNorth p) const { return find(p).has_value(); }

  private:
    struct Entry {
        geo::GeosGeometry geom;
        geo::GeosPrepared prepared;
        geo::BBox box;
    };
    const geo::GeosContext& m_geos;
    std::vector<Entry> m_entries;
};

/// Uniform-grid index of points or polyline segments, for "what is nearest" and "is anything
/// within d" questions that would be quadratic otherwise.
class GridIndex {
  public:
    explicit GridIndex(double cell) : m_cell(cell) {}
    void add_point(std::size_t id, EastNorth p);
    void add_line(std::size_t id, const Line& line);
    struct Hit {
        std::size_t id = 0;
        double distance = 0;
    };
    /// Nearest item within `radius` (ties: lowest id), ignoring `skip`.
    [[nodiscard]] std::optional<Hit>
    nearest(EastNorth p, double radius, std::optional<std::size_t> skip = std::nullopt) const;

  private:
    struct Item {
        std::size_t id;
        EastNorth a, b; // a == b for points
    };
    [[nodiscard]] std::int64_t key(std::int64_t cx, std::int64_t cy) const {
        return cx * 1000003 + cy;
    }
    void insert(const Item& item);
    double m_cell;
    std::vector<Item> m_items;
    std::unordered_map<std::int64_t, std::vector<std::size_t>> m_cells;
};

// ---- the borough ----
struct Ward {
    std::string code;
    std::string name;
    MultiPolygon shape;
};

struct BoundarySet {
    std::string label;
    std::string valid_from; // inclusive
    std::optional<std::string> valid_to;
    std::string source;
    std::vector<Ward> wards;
};

struct Boundaries {
    MultiPolygon council;
    BoundarySet current;
    BoundarySet previous;
};

struct Street {
    std::int64_t usrn = 0;
    std::string descriptor;
    std::optional<std::string> locality;
    std::string town;
    int street_type = 1;
    Line line;
    /// Litter bins per km this kind of street warrants (town centre high, cul-de-sac low).
    double footfall = 0;
};

struct Property {
    std::int64_t uprn = 0;
    int logical_status = 1;
    std::string classification;
    EastNorth at;
    std::size_t street = 0;
    std::optional<std::string> saon;
    std::string paon;
    std::string postcode;
    std::string single_line;
    std::size_t sector = 0; // postcode sector, resolved to `postcode` at the end
};

struct Postcode {
    std::string code;
    EastNorth at;
};

struct Gazetteer {
    std::vector<Street> streets;
    std::vector<Property> properties;
    std::vector<Postcode> postcodes;
};

/// A named settlement and the main roads between settlements, fixed before any street is laid
/// so cemeteries can front a road and streets can keep clear of cemeteries.
struct Settlement {
    std::string name;
    EastNorth centre;
    double radius = 0; // of the built-up area, roughly
};
struct MainRoad {
    std::string name;
    std::size_t from = 0;
    std::size_t to = 0;
    Line line;
};
struct RoadPlan {
    std::vector<Settlement> settlements;
    std::vector<MainRoad> roads;
};

struct Cemetery {
    std::string name;
    std::string address;
    int opened = 0;
    MultiPolygon shape;
    Ring clearance; // where no street or house may go
};
struct CemeterySection {
    std::size_t cemetery = 0;
    std::string name;
    std::string code;
    std::string kind; ///< traditional, lawn, baby, family_ashes, muslim, garden_of_remembrance
    std::optional<std::string> denomination;
    bool consecrated = false;
    bool old = false; ///< filled before 1990 (the register's first decades)
    Ring outline;
};
/// A grave space: facts only (its status is derived when read).
struct GraveSpace {
    std::size_t section = 0;
    std::string number; ///< unique in its cemetery
    std::string type;   ///< private, public, cremated_remains, baby
    int max_coffins = 0;
    int max_cremated_remains = 0;
    int fill_order = 0; ///< position in its section's fill order (row by row from the front)
    std::optional<std::string> unavailable_reason;
    Ring outline;
};
struct Cemeteries {
    std::vector<Cemetery> cemeteries;
    std::vector<CemeterySection> sections;
    std::vector<GraveSpace> graves;
};

/// The burial register, grants and their history (demo_burials.cpp).
struct DemoInterment {
    std::size_t grave = 0;
    std::string buried_on, burial_time;
    std::string forenames, surname;
    std::optional<int> age_years, age_months, age_weeks, age_days;
    bool stillborn = false;
    std::optional<std::string> parents_names;
    std::optional<std::string> died_on;
    std::string last_address;
    std::optional<std::int64_t> last_address_uprn;
    std::string kind; ///< coffin or cremated_remains
    std::string position;
    std::string minister, funeral_director;
    std::optional<std::size_t> grant; ///< the grant it was made under (private graves)
    std::optional<std::size_t> consent_holder;
};
struct DemoHolder {
    std::size_t grant = 0;
    std::string full_name; ///< always with a middle initial ("Joan K. Ainscough")
    std::string address;
    std::string held_from;
    std::optional<std::string> held_to;
};
struct DemoGrantEvent {
    std::size_t grant = 0;
    std::string kind;
    std::string effective_on;
    std::optional<int> extend_years;
    std::string evidence;
};
struct DemoGrant {
    std::size_t grave = 0;
    std::string deed_number;
    std::string granted_on;
    int term_years = 100;
};
struct BurialRecords {
    std::vector<DemoInterment> interments; ///< in register order per cemetery
    std::vector<DemoGrant> grants;
    std::vector<DemoHolder> holders;
    std::vector<DemoGrantEvent> events;
};

struct LitterBin {
    std::string asset_ref;
    std::string bin_type;
    int capacity_l = 0;
    std::int64_t usrn = 0;
    std::string ward_code;
    std::string installed_on;
    int empty_per_week = 1;
    std::string condition; // good, fair, poor
    EastNorth at;
};

/// Any other street asset of the register (core/street_asset_types.hpp): dog bins, benches,
/// grit bins, street trees, nameplates (points), verges, amenity grass, shrub beds, play areas
/// (polygons) and street segments (lines).
struct StreetAsset {
    std::string type;
    std::string reference;
    std::optional<std::int64_t> usrn;
    std::string installed_on;
    std::string condition;
    std::string owner = "council";
    std::string attributes; // JSON object
    EastNorth at;           // the point, or the anchor of a polygon or line
    Polygon outline;        // polygon types
    Line line;              // line types
};

struct PlanningApplication {
    std::string reference;
    std::string app_type;
    std::string description;
    std::string address;
    std::int64_t uprn = 0;
    std::string status;
    std::optional<std::string> decision;
    std::string received_date;
    std::optional<std::string> decided_date;
    EastNorth at;
};

/// A constraint area (planning_constraints, 0024): conservation area, TPO, listed building
/// outline or article 4 area.
struct PlanningConstraint {
    std::string kind;
    std::string reference;
    std::string name;
    std::string designation_date;
    std::optional<std::string> grade;
    std::string description;
    Ring outline;
};

/// A local land charge (local_land_charges, 0024).
struct LandCharge {
    std::string reference;
    int register_part = 3;
    std::string charge_type;
    std::string description;
    std::string registered_date;
    Ring outline;
};

struct Casework {
    std::vector<LitterBin> litter_bins;
    std::vector<StreetAsset> street_assets;
    std::vector<PlanningApplication> planning;
    std::vector<PlanningConstraint> constraints;
    std::vector<LandCharge> land_charges;
};

/// Memorials on the demo's graves and their safety inspections (0023).
struct DemoMemorial {
    std::size_t grave = 0;
    std::string permit_number, mason, memorial_type, inscription, erected_on;
};
struct DemoMemorialInspection {
    std::size_t memorial = 0;
    std::string inspected_on, inspector, result;
    int risk_category = 3;
    std::string action;
    std::optional<std::string> notes;
};
struct MemorialRecords {
    std::vector<DemoMemorial> memorials;
    std::vector<DemoMemorialInspection> inspections; ///< by memorial, oldest first
};

struct Borough {
    Boundaries boundaries;
    Cemeteries cemeteries;
    Gazetteer gazetteer;
    Casework casework;
    BurialRecords burials;
    MemorialRecords memorials;
};

// ---- generators, in the order generate_demo_borough runs them ----
Boundaries make_boundaries(Rng rng, const geo::BngTransform& transform);
RoadPlan plan_roads(Rng rng, const geo::BngTransform& transform);
Cemeteries make_cemeteries(Rng rng, const RoadPlan& plan);
/// Streets, properties (each inside the council area and one current ward) and postcodes.
Gazetteer make_gazetteer(Rng rng,
                         const RoadPlan& plan,
                         const Cemeteries& cemeteries,
                         const AreaIndex& council,
                         const AreaIndex& current_wards);

struct CaseworkContext {
    const Boundaries& boundaries;
    const Gazetteer& gazetteer;
    const Cemeteries& cemeteries;
    const AreaIndex& current_wards;
    const AreaIndex& previous_wards;
    std::int64_t reference_time; // seconds since the epoch
};
Casework make_casework(Rng rng, const CaseworkContext& context);
/// About a century of burials, grants with holders and their events, up to the day before
/// `reference_date` (YYYY-MM-DD); last addresses from the gazetteer's properties.
BurialRecords make_burials(Rng rng,
                           const Cemeteries& cemeteries,
                           const Gazetteer& gazetteer,
                           const std::string& reference_date);

/// A few hundred memorials on graves with burials, erected after the first burial, with five-
/// yearly safety inspections up to the day before `reference_date`: some failed (laid flat,
/// staked), some overdue.
MemorialRecords make_memorials(Rng rng,
                               const Cemeteries& cemeteries,
                               const BurialRecords& burials,
                               const std::string& reference_date);

/// Writes everything (the caller owns the transaction).
void write_borough(store::Database& db,
                   const geo::BngTransform& transform,
                   const Borough& borough,
                   const std::vector<std::pair<std::string, std::string>>& meta);

} // namespace wardmap::importers::demo
