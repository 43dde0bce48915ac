// Settlements, streets (USRNs), properties with addresses (UPRNs) and postcodes.
//
// Each settlement is a jittered street grid with cul-de-sacs, laid in its own rotated frame and
// bent by a small warp so it looks organic. Streets are taken nearest-first (with lobes and
// noise, so edges are ragged) until the settlement has its share of homes. Main roads join the
// settlements and carry ribbon development in town and the odd farm in open country.

#include "importers/demo/demo_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <set>
#include <stdexcept>

namespace wardmap::importers::demo {

namespace {

constexpr double pi = std::numbers::pi;

/// Homes laid out by the settlement grids; main roads add their ribbon development on top.
constexpr double settlement_homes = 34500;
/// Built-up density used to size each settlement's territory, in homes per m2.
constexpr double homes_per_m2 = 0.0030;

/// A postcode sector, e.g. PR7 1.
struct Sector {
    const char* outward;
    int digit;
};

/// Royal Mail's post town: PR25 and PR26 are Leyland's districts, PR6 and PR7 Chorley's.
const char* post_town(std::string_view outward) {
    return outward.starts_with("PR2") ? "Leyland" : "Chorley";
}

enum class Kind { town, village, new_build };

struct SettlementSpec {
    const char* name;
    double lon, lat;
    double share;    // of the homes, before normalising
    double grid;     // street spacing in metres
    double terraced; // inner fraction of the radius built as terraces
    Kind kind;
    std::vector<Sector> sectors;
};

const std::vector<SettlementSpec>& settlement_specs() {
    // clang-format off
    static const std::vector<SettlementSpec> specs = {
        // name              lon      lat      share  grid terraced kind     postcode sectors
        {"Chorley",          -2.6300, 53.6530, 0.40,  140, 0.45, Kind::town,
         {{"PR7", 1}, {"PR7", 2}, {"PR7", 3}, {"PR6", 0}}},
        {"Buckshaw Village", -2.6640, 53.6815, 0.07,  120, 0.00, Kind::new_build, {{"PR7", 7}}},
        {"Clayton-le-Woods", -2.6550, 53.6985, 0.09,  150, 0.10, Kind::village,
         {{"PR25", 5}, {"PR6", 7}}},
        {"Euxton",           -2.6750, 53.6620, 0.08,  150, 0.15, Kind::village, {{"PR7", 6}}},
        {"Whittle-le-Woods", -2.6260, 53.6900, 0.05,  150, 0.20, Kind::village, {{"PR6", 7}}},
        {"Adlington",        -2.6010, 53.6135, 0.06,  140, 0.35, Kind::village,
         {{"PR6", 9}, {"PR7", 4}}},
        {"Coppull",          -2.6610, 53.6215, 0.07,  140, 0.30, Kind::village,
         {{"PR7", 5}, {"PR7", 4}}},
        {"Eccleston",        -2.7250, 53.6470, 0.03,  150, 0.20, Kind::village, {{"PR7", 5}}},
        {"Croston",          -2.7770, 53.6650, 0.025, 150, 0.35, Kind::village, {{"PR26", 9}}},
        {"Brinscall",        -2.5700, 53.6880, 0.02,  140, 0.40, Kind::village, {{"PR6", 8}}},
        {"Wheelton",         -2.6020, 53.6860, 0.012, 140, 0.30, Kind::village, {{"PR6", 8}}},
        {"Withnell",         -2.5560, 53.6960, 0.010, 140, 0.30, Kind::village, {{"PR6", 8}}},
        {"Mawdesley",        -2.7800, 53.6260, 0.012, 160, 0.10, Kind::village, {{"PR26", 9}}},
        {"Charnock Richard", -2.6880, 53.6310, 0.012, 150, 0.10, Kind::village, {{"PR7", 5}}},
        {"Heskin",           -2.7210, 53.6180, 0.006, 160, 0.00, Kind::village, {{"PR7", 5}}},
        {"Hoghton",          -2.5950, 53.7330, 0.008, 160, 0.10, Kind::village, {{"PR6", 8}}},
        {"Bretherton",       -2.8000, 53.6800, 0.008, 160, 0.10, Kind::village, {{"PR26", 9}}},
        {"Brindle",          -2.5830, 53.7160, 0.004, 160, 0.00, Kind::village, {{"PR6", 8}}},
    };
    // clang-format on
    return specs;
}

/// A settlement's share of the homes the grids lay out.
double homes_in(std::size_t settlement) {
    double total = 0;
    for (const auto& s : settlement_specs()) {
        total += s.share;
    }
    return settlement_homes * settlement_specs()[settlement].share / total;
}

struct RoadSpec {
    const char* from;
    const char* to;
    const char* name;
};

constexpr RoadSpec road_specs[] = {
    {"Chorley", "Adlington", "Bolton Road"},
    {"Chorley", "Whittle-le-Woods", "Preston Road"},
    {"Whittle-le-Woods", "Clayton-le-Woods", "Preston Road"},
    {"Chorley", "Euxton", "Euxton Lane"},
    {"Euxton", "Buckshaw Village", "Central Avenue"},
    {"Buckshaw Village", "Clayton-le-Woods", "Dawson Lane"},
    {"Chorley", "Coppull", "Coppull Road"},
    {"Chorley", "Eccleston", "Southport Road"},
    {"Eccleston", "Croston", "Southport Road"},
    {"Croston", "Bretherton", "South Road"},
    {"Croston", "Mawdesley", "Station Road"},
    {"Eccleston", "Heskin", "Towngate"},
    {"Eccleston", "Mawdesley", "Bradley Lane"},
    {"Coppull", "Charnock Richard", "Spendmore Lane"},
    {"Charnock Richard", "Euxton", "Wigan Road"},
    {"Heskin", "Charnock Richard", "Church Lane"},
    {"Chorley", "Wheelton", "Blackburn Road"},
    {"Wheelton", "Brinscall", "Harbour Lane"},
    {"Brinscall", "Withnell", "Bury Lane"},
    {"Wheelton", "Brindle", "Marsh Lane"},
    {"Brindle", "Hoghton", "Gregson Lane"},
    {"Whittle-le-Woods", "Wheelton", "Town Lane"},
    {"Adlington", "Coppull", "Coppull Moor Lane"},
    {"Clayton-le-Woods", "Hoghton", "Hoghton Lane"},
};

// ---- names ----
constexpr const char* chorley_centre_names[] = {
    "Market Street",     "High Street",       "Union Street",       "Chapel Street",
    "Fazakerley Street", "Cleveland Street",  "St Thomas's Road",   "Pall Mall",
    "Park Road",         "Bolton Street",     "Queens Road",        "St Georges Street",
    "New Market Street", "Dole Lane",         "Hollinshead Street", "Church Street",
    "Lyons Lane",        "Gillibrand Street", "Standish Street",    "Devonshire Road"};

constexpr const char* stems[] = {
    "Albert",      "Alexandra",  "Anderton",  "Ashworth",   "Astley",     "Balmoral",
    "Bank",        "Beech",      "Bengal",    "Birch",      "Bradshaw",   "Bretherton",
    "Bridge",      "Brindle",    "Brook",     "Brownhill",  "Canal",      "Carr",
    "Castle",      "Catterall",  "Cavendish", "Cedar",      "Chapel",     "Charnock",
    "Cherry",      "Chestnut",   "Church",    "Clarence",   "Clifford",   "Cobden",
    "Coronation",  "Crompton",   "Cunliffe",  "Dale",       "Derby",      "Duke",
    "Duxbury",     "Eaves",      "Elm",       "Fairfield",  "Fern",       "Fletcher",
    "Fox",         "Gladstone",  "Grange",    "Granville",  "Green",      "Gregson",
    "Hall",        "Harpers",    "Harrison",  "Hawthorn",   "Hazel",      "Healey",
    "Heapey",      "Heath",      "Heather",   "Hesketh",    "Highfield",  "Hill",
    "Holly",       "Hodgson",    "Ingle",     "Ivy",        "Jubilee",    "Kershaw",
    "Kestrel",     "Kingfisher", "Kings",     "Laburnum",   "Lancaster",  "Larch",
    "Laurel",      "Lever",      "Lime",      "Linnet",     "Lostock",    "Lytham",
    "Manor",       "Maple",      "Marsden",   "Meadow",     "Mill",       "Moor",
    "Moss",        "Nelson",     "Nuttall",   "Oak",        "Orchard",    "Osborne",
    "Park",        "Parkinson",  "Peel",      "Pickering",  "Pilling",    "Primrose",
    "Prince",      "Priory",     "Queens",    "Regent",     "Ribble",     "Ridgway",
    "Rigby",       "Rivington",  "Robin",     "Rose",       "Rowan",      "Rydal",
    "Sandringham", "School",     "Shaw",      "Skylark",    "Spring",     "Stanley",
    "Station",     "Sumner",     "Swallow",   "Sycamore",   "Tattersall", "Thirlmere",
    "Thorn",       "Tower",      "Trafalgar", "Vale",       "Victoria",   "Walmsley",
    "Water",       "Waterloo",   "Well",      "Wellington", "Weldbank",   "Whittaker",
    "Willow",      "Windermere", "Windsor",   "Wood",       "Worden",     "Worthington",
    "Yarrow",      "Yew",        "York",      "Abbey",      "Alder",      "Ash",
    "Bluebell",    "Clover",     "Curlew",    "Daisy",      "Foxglove",   "Heron",
    "Lapwing",     "Lavender",   "Poplar",    "Thistle",    "Wren",       "Hastings",
    "Ainscough",   "Haydock",    "Taylor",    "Coniston",   "Buttermere", "Ullswater",
    "Grasmere",    "Kendal",     "Pendle",    "Bowland",    "Longton",    "Hutton",
    "Garstang",    "Lune",       "Wyre",      "Calder",     "Hodder",     "Douglas",
    "Preston",     "Bolton",     "Blackburn", "Wigan",      "Ormskirk",   "Leyland"};

constexpr const char* terrace_types[] = {"Street", "Street", "Street",  "Street", "Road",
                                         "Road",   "Lane",   "Terrace", "Place"};
constexpr const char* suburb_types[] = {"Road", "Road",     "Road", "Avenue", "Avenue",
                                        "Lane", "Crescent", "Way",  "Drive",  "Grove"};
constexpr const char* close_types[] = {"Close",   "Close", "Close", "Drive", "Grove",
                                       "Gardens", "Court", "Mews",  "Fold",  "Way",
                                       "Walk",    "Rise",  "View",  "Croft"};

constexpr const char* house_names[] = {
    "Rose Cottage", "The Willows", "Oakfield",    "Holly House",     "Beech House",
    "Fernlea",      "The Laurels", "Greenacres",  "Moorside",        "Brookside",
    "Hillcrest",    "Woodlands",   "The Orchard", "Meadow View",     "Ivy Cottage",
    "Sunnyside",    "Highfield",   "Fairhaven",   "The Coach House", "Heatherlea"};

constexpr const char* farm_stems[] = {
    "Moss", "Higher", "Lower",  "Hill",  "Brook",  "Hall", "New",   "Dam",   "Oak",   "Birch",
    "Wood", "Marsh",  "Common", "Withy", "Grange", "Bank", "Green", "Heath", "Cross", "Lane Ends"};
constexpr const char* farm_kinds[] = {"Farm", "Farm", "House Farm", "Fold", "Cottage", "Barn"};

constexpr const char* saints[] = {"St Mary's",    "St Peter's", "St John's",     "St Joseph's",
                                  "St Michael's", "All Saints", "Christ Church", "St James's"};

// ---- property styles ----
enum class Use { terraced, semi, detached, flats, shop, office, cafe, pub };

struct Style {
    double spacing;
    double setback;
    double named; // chance a house has a name instead of a number
    std::vector<std::pair<Use, double>> mix;
    double footfall; // litter bins per km of street
};

// clang-format off
//                          spacing setback named mix                                    bins/km
const Style centre_style   {7.0,  4,  0.00, {{Use::shop, 45}, {Use::office, 12}, {Use::cafe, 8},
                                             {Use::pub, 4}, {Use::terraced, 16},
                                             {Use::flats, 15}},                         14};
const Style terrace_style  {5.5,  4,  0.00, {{Use::terraced, 93}, {Use::semi, 3}, {Use::shop, 2},
                                             {Use::flats, 2}},                          3};
const Style semi_style     {10.0, 8,  0.00, {{Use::semi, 88}, {Use::detached, 6},
                                             {Use::terraced, 3}, {Use::flats, 3}},      1.2};
const Style detached_style {17.0, 11, 0.08, {{Use::detached, 95}, {Use::semi, 5}},      0.8};
const Style new_build_style{8.0,  7,  0.00, {{Use::detached, 32}, {Use::semi, 34},
                                             {Use::terraced, 22}, {Use::flats, 12}},    1.0};
const Style close_style    {11.0, 9,  0.04, {{Use::detached, 55}, {Use::semi, 45}},     0.3};
const Style ribbon_style   {10.0, 10, 0.02, {{Use::semi, 70}, {Use::terraced, 15},
                                             {Use::detached, 10}, {Use::shop, 5}},      2.5};
// clang-format on
/// Open country along a main road: now and then a farm or cottage, set well back.
constexpr double rural_setback = 25, rural_chance = 0.02;

const char* classification(Use use) {
    switch (use) {
    case Use::terraced:
        return "RD04";
    case Use::semi:
        return "RD03";
    case Use::detached:
        return "RD02";
    case Use::flats:
        return "RD06";
    case Use::shop:
        return "CR08";
    case Use::office:
        return "CO01";
    case Use::cafe:
        return "CR07";
    case Use::pub:
        return "CR06";
    }
    return "RD";
}

// ---- local frames ----
/// A settlement's own frame: rotated so its grid is not north-aligned, and gently warped.
class Frame {
  public:
    Frame(Rng& rng, EastNorth centre)
        : m_centre(centre), m_angle(rng.uniform(0, pi / 2)), m_warp(rng, {{25, 500}, {6, 150}}) {}
    [[nodiscard]] EastNorth to_world(EastNorth local) const {
        const EastNorth w = m_warp.apply(local);
        const double c = std::cos(m_angle), s = std::sin(m_angle);
        return {m_centre.easting + w.easting * c - w.northing * s,
                m_centre.northing + w.easting * s + w.northing * c};
    }

  private:
    EastNorth m_centre;
    double m_angle;
    Warp m_warp;
};

std::string format_int(long long value) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%lld", value);
    return buf;
}

/// Main road geometry: centre to centre, meandering, with a vertex every 50 m.
Line meander(Rng& rng, EastNorth a, EastNorth b) {
    const double len = distance(a, b);
    const double ux = (b.easting - a.easting) / len, uy = (b.northing - a.northing) / len;
    const double amp = len * rng.uniform(0.03, 0.07) * (rng.chance(0.5) ? 1 : -1);
    const double waves = rng.uniform(0.5, 1.5), phase = rng.uniform(0, 2 * pi);
    const double small = rng.uniform(8, 20), small_phase = rng.uniform(0, 2 * pi);
    const int n = std::max(2, static_cast<int>(len / 50));
    Line line;
    for (int i = 0; i <= n; ++i) {
        const double t = static_cast<double>(i) / n;
        const double taper = std::sin(pi * t);
        const double off = taper * (amp * std::sin(pi * t * waves * 2 + phase) * 0.5 + amp * 0.5 +
                                    small * std::sin(2 * pi * t * len / 400 + small_phase));
        line.push_back({a.easting + ux * len * t - uy * off, a.northing + uy * len * t + ux * off});
    }
    return line;
}

// ---- the builder ----
class GazetteerBuilder {
  public:
    GazetteerBuilder(Rng rng,
                     const RoadPlan& plan,
                     const Cemeteries& cemeteries,
                     const AreaIndex& council,
                     const AreaIndex& wards)
        : m_root(rng), m_rng(rng.fork(0)), m_plan(plan), m_council(council), m_wards(wards) {
        for (const auto& c : cemeteries.cemeteries) {
            m_clearances.push_back(c.clearance);
        }
        for (std::size_t i = 0; i < plan.roads.size(); ++i) {
            m_road_index.add_line(i, plan.roads[i].line);
        }
    }

    Gazetteer build() {
        const auto& specs = settlement_specs();
        m_names.resize(specs.size());
        // Main roads first: they get the low USRNs, as the oldest streets do. A road that
        // leaves the borough and comes back is two streets in the LLPG, as in real life.
        for (std::size_t r = 0; r < m_plan.roads.size(); ++r) {
            const MainRoad& road = m_plan.roads[r];
            m_names[road.from].insert(road.name);
            for (Line& run : runs_inside(road.line)) {
                if (length(run) >= 150) {
                    const std::size_t street = add_street(
                        road.name, road.from, post_town(specs[road.from].sectors.front().outward),
                        std::move(run), ribbon_style.footfall);
                    m_main_streets.push_back({r, street});
                }
            }
        }
        for (std::size_t i = 0; i < specs.size(); ++i) {
            build_settlement(i, homes_in(i));
        }
        build_ribbons();
        assign_postcodes();
        return std::move(m_out);
    }

  private:
    struct SectorState {
        std::string outward;
        int digit;
        std::string post_town;
        std::vector<int> units; // shuffled unit letter pairs, used in order
        std::size_t used = 0;
    };

    // ---- shared pieces ----

    std::size_t sector_id(const Sector& s) {
        for (std::size_t i = 0; i < m_sectors.size(); ++i) {
            if (m_sectors[i].outward == s.outward && m_sectors[i].digit == s.digit) {
                return i;
            }
        }
        SectorState state{s.outward, s.digit, post_town(s.outward), {}, 0};
        for (int u = 0; u < 400; ++u) {
            state.units.push_back(u);
        }
        for (std::size_t i = state.units.size() - 1; i > 0; --i) {
            std::swap(state.units[i], state.units[m_rng.index(i + 1)]);
        }
        m_sectors.push_back(std::move(state));
        return m_sectors.size() - 1;
    }

    /// The stretches of a line whose vertices lie inside the borough.
    std::vector<Line> runs_inside(const Line& line) const {
        std::vector<Line> runs(1);
        for (const auto& p : line) {
            if (m_council.contains(p)) {
                runs.back().push_back(p);
            } else if (!runs.back().empty()) {
                runs.emplace_back();
            }
        }
        return runs;
    }

    std::size_t owner(EastNorth p) const {
        std::size_t best = 0;
        double best_score = 1e300;
        for (std::size_t i = 0; i < m_plan.settlements.size(); ++i) {
            const auto& s = m_plan.settlements[i];
            const double score = distance(p, s.centre) / (s.radius + 300);
            if (score < best_score) {
                best_score = score;
                best = i;
            }
        }
        return best;
    }

    bool buildable(EastNorth p) const {
        for (const auto& ring : m_clearances) {
            if (ring_contains(ring, p)) {
                return false;
            }
        }
        return m_council.contains(p);
    }

    std::string unique_name(std::size_t settlement, std::span<const char* const> types) {
        for (int attempt = 0; attempt < 500; ++attempt) {
            std::string name = std::string(m_rng.pick(stems)) + " " + m_rng.pick(types);
            if (m_names[settlement].insert(name).second) {
                return name;
            }
        }
        throw std::logic_error("demo borough: ran out of street names");
    }

    std::size_t add_street(const std::string& name,
                           std::size_t settlement,
                           const std::string& town,
                           Line line,
                           double footfall) {
        const auto& spec = settlement_specs()[settlement];
        Street street;
        m_next_usrn += m_rng.range(1, 5);
        street.usrn = m_next_usrn;
        street.descriptor = name;
        if (spec.kind != Kind::town) {
            street.locality = spec.name;
        }
        street.town = town;
        street.line = std::move(line);
        street.footfall = footfall;
        m_out.streets.push_back(std::move(street));
        return m_out.streets.size() - 1;
    }

    /// A house's point to the centimetre (as LLPGs hold them), if it may stand there: in the
    /// borough, in exactly one ward, clear of the cemeteries.
    std::optional<EastNorth> house_site(EastNorth at) const {
        at = round_cm(at);
        if (!buildable(at) || !m_wards.contains(at)) {
            return std::nullopt;
        }
        return at;
    }

    /// The home(s) at one frontage slot: a house, a shop, or a block of flats.
    void add_home(std::size_t street,
                  EastNorth point,
                  int number,
                  const Style& style,
                  std::size_t sector,
                  bool new_build,
                  int logical_status) {
        const auto at = house_site(point);
        if (!at) {
            return;
        }
        std::vector<double> weights;
        for (const auto& [use, w] : style.mix) {
            weights.push_back(w);
        }
        const Use use = style.mix[m_rng.weighted(weights)].first;
        std::string paon = format_int(number);
        if (style.named > 0 && m_rng.chance(style.named)) {
            paon = m_rng.pick(house_names);
        }
        const int flats = use == Use::flats ? m_rng.range(2, 6) : 0;
        for (int f = 0; f <= flats; ++f) {
            if (flats > 0 && f == 0) {
                continue; // the block itself is not an address
            }
            Property p;
            p.uprn = next_uprn(new_build, f > 1);
            p.logical_status = logical_status;
            p.classification = classification(use);
            p.at = *at;
            p.street = street;
            if (flats > 0) {
                p.saon = "Flat " + format_int(f);
            }
            p.paon = paon;
            p.sector = sector;
            m_out.properties.push_back(std::move(p));
        }
    }

    void add_named(std::size_t street,
                   EastNorth point,
                   const std::string& name,
                   const char* cls,
                   std::size_t sector) {
        const auto at = house_site(point);
        if (!at) {
            return;
        }
        Property p;
        p.uprn = next_uprn(false, false);
        p.classification = cls;
        p.at = *at;
        p.street = street;
        p.paon = name;
        p.sector = sector;
        m_out.properties.push_back(std::move(p));
    }

    std::int64_t next_uprn(bool new_build, bool same_block) {
        // New-build estates were numbered from a later, shorter range, as in many LLPGs.
        std::int64_t& next = new_build ? m_next_new_uprn : m_next_uprn;
        next += same_block ? 1 : m_rng.range(1, 3);
        return next;
    }

    // ---- settlements ----

    struct Candidate {
        int axis; // 0: runs along +x, 1: along +y
        int line;
        int i0, i1;
        double priority;
        double zone; // distance from the centre in radii
    };

    struct Frontage {
        double s;
        int side; // +1 left (odd numbers), -1 right (even)
        EastNorth at;
    };

    /// Slots along both sides of a local-frame line, nearest the start first.
    static std::vector<Frontage> frontage(const Line& line,
                                          double spacing,
                                          double setback,
                                          double start_margin,
                                          double end_margin,
                                          const std::vector<std::pair<double, int>>& junctions) {
        std::vector<Frontage> out;
        const double len = length(line);
        for (double s = start_margin + spacing / 2; s <= len - end_margin; s += spacing) {
            const Station st = station_at(line, s);
            for (int side : {1, -1}) {
                bool blocked = false;
                for (const auto& [js, jside] : junctions) {
                    if ((jside == 0 || jside == side) && std::abs(js - s) < 14) {
                        blocked = true;
                    }
                }
                if (!blocked) {
                    out.push_back({s,
                                   side,
                                   {st.at.easting - st.dy * setback * side,
                                    st.at.northing + st.dx * setback * side}});
                }
            }
        }
        return out;
    }

    /// One settlement being laid out in its own frame.
    struct Layout {
        std::size_t index;
        const SettlementSpec& spec;
        const Settlement& place;
        Frame frame;
        double sector_phase;
        Rng rng;
        std::vector<std::size_t> sectors;
        std::set<std::pair<int, int>> blocks_with_close;
        std::size_t centre_names = 0;
        int specials = 0;
    };

    void build_settlement(std::size_t index, double quota) {
        const SettlementSpec& spec = settlement_specs()[index];
        const Settlement& place = m_plan.settlements[index];
        Rng rng = m_root.fork(index + 1);
        // Braced initialisers run left to right: the frame draws first, then the phase.
        Layout t{index, spec, place, Frame(rng, place.centre), rng.uniform(0, 2 * pi), rng, {}, {}};
        for (const auto& s : spec.sectors) {
            t.sectors.push_back(sector_id(s));
        }
        const std::size_t first_home = m_out.properties.size();
        for (const Candidate& c : grid_candidates(t)) {
            if (static_cast<double>(m_out.properties.size() - first_home) >= quota) {
                break;
            }
            if (!t.rng.chance(0.2)) { // the gaps: parks, playing fields, old mill sites
                lay_street(t, c);
            }
        }
    }

    /// Every span of 2-4 blocks on every grid line, nearest the centre first. The distance is
    /// stretched by a few lobes and a little noise, so the built-up edge is ragged.
    std::vector<Candidate> grid_candidates(Layout& t) {
        const double g = t.spec.grid, radius = t.place.radius;
        const double lobe2 = t.rng.uniform(0.1, 0.25), lobe3 = t.rng.uniform(0.05, 0.15);
        const double phase2 = t.rng.uniform(0, 2 * pi), phase3 = t.rng.uniform(0, 2 * pi);
        const int n = static_cast<int>(std::ceil(1.7 * radius / g)) + 1;
        std::vector<Candidate> candidates;
        for (int axis = 0; axis < 2; ++axis) {
            for (int line = -n; line <= n; ++line) {
                for (int i = -n; i < n;) {
                    const int i1 = std::min(n, i + t.rng.range(2, 4));
                    const double mid = (i + i1) * g / 2;
                    const double x = axis == 0 ? mid : line * g;
                    const double y = axis == 0 ? line * g : mid;
                    const double phi = std::atan2(y, x);
                    const double lobe =
                        1 + lobe2 * std::sin(2 * phi + phase2) + lobe3 * std::sin(3 * phi + phase3);
                    const double zone = std::hypot(x, y) / (radius * lobe);
                    candidates.push_back(
                        {axis, line, i, i1, zone + t.rng.uniform(-0.06, 0.06), zone});
                    i = i1;
                }
            }
        }
        std::stable_sort(
            candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.priority < b.priority; });
        return candidates;
    }

    /// The line in the world, if all of it is this settlement's buildable ground.
    std::optional<Line> place_line(const Layout& t, const Line& local) const {
        Line world;
        for (const auto& p : local) {
            world.push_back(t.frame.to_world(p));
            if (owner(world.back()) != t.index || !buildable(world.back())) {
                return std::nullopt;
            }
        }
        return world;
    }

    void lay_street(Layout& t, const Candidate& c) {
        const double g = t.spec.grid;
        const EastNorth dir = c.axis == 0 ? EastNorth{1, 0} : EastNorth{0, 1};
        const EastNorth start =
            c.axis == 0 ? EastNorth{c.i0 * g, c.line * g} : EastNorth{c.line * g, c.i0 * g};
        const double len = (c.i1 - c.i0) * g;
        Line local;
        for (double s = 0; s <= len + 1e-6; s += g / 4) {
            const double jitter = (s > 0 && s < len - 1e-6) ? t.rng.uniform(-1.5, 1.5) : 0;
            local.push_back({start.easting + dir.easting * s - dir.northing * jitter,
                             start.northing + dir.northing * s + dir.easting * jitter});
        }
        std::optional<Line> world = place_line(t, local);
        if (!world) {
            return;
        }

        // Style and name follow how central the street is.
        const bool centre = t.spec.kind == Kind::town && c.zone < 0.12;
        const Style* style = &semi_style;
        std::span<const char* const> types(suburb_types);
        if (t.spec.kind == Kind::new_build) {
            style = &new_build_style;
        } else if (centre || c.zone < t.spec.terraced) {
            style = centre ? &centre_style : &terrace_style;
            types = terrace_types;
        } else {
            const double r = t.rng.uniform();
            style = r < 0.55 ? &semi_style : r < 0.85 ? &detached_style : &terrace_style;
        }
        std::string name;
        while (centre && name.empty() && t.centre_names < std::size(chorley_centre_names)) {
            const char* candidate = chorley_centre_names[t.centre_names++];
            if (m_names[t.index].insert(candidate).second) {
                name = candidate;
            }
        }
        if (name.empty()) {
            name = unique_name(t.index, types);
        }
        const EastNorth mid = (*world)[world->size() / 2];
        const double angle = std::atan2(mid.northing - t.place.centre.northing,
                                        mid.easting - t.place.centre.easting);
        const auto slice =
            static_cast<std::size_t>(std::fmod(angle + 3 * pi + t.sector_phase, 2 * pi) / (2 * pi) *
                                     static_cast<double>(t.sectors.size()));
        const std::size_t sector = t.sectors[slice % t.sectors.size()];
        const std::string& town = m_sectors[sector].post_town;
        const std::size_t street =
            add_street(name, t.index, town, std::move(*world), style->footfall);

        // No houses at junctions: crossing streets block both sides, cul-de-sacs one.
        std::vector<std::pair<double, int>> junctions;
        for (int k = 1; k < c.i1 - c.i0; ++k) {
            junctions.push_back({k * g, 0});
        }
        std::vector<Line> closes;
        if (!centre && c.zone >= t.spec.terraced * 0.8) {
            closes = plan_closes(t, c, start, dir, junctions);
        }
        lay_frontage(t, street, local, *style, sector, c.zone, junctions, false);
        const Style& close_houses = t.spec.kind == Kind::new_build ? new_build_style : close_style;
        for (const Line& close : closes) {
            const std::size_t close_street =
                add_street(unique_name(t.index, close_types), t.index, town, *place_line(t, close),
                           close_style.footfall);
            lay_frontage(t, close_street, close, close_houses, sector, c.zone, {}, true);
        }
    }

    /// Cul-de-sacs off a street, each into the middle of a block no other close has entered.
    std::vector<Line> plan_closes(Layout& t,
                                  const Candidate& c,
                                  EastNorth start,
                                  EastNorth dir,
                                  std::vector<std::pair<double, int>>& junctions) {
        const double g = t.spec.grid;
        std::vector<Line> closes;
        for (int k = 0; k < c.i1 - c.i0; ++k) {
            for (int side : {1, -1}) {
                if (!t.rng.chance(0.35)) {
                    continue;
                }
                // The block this close would run into, by its lower-left corner.
                const int along = c.i0 + k;
                const std::pair<int, int> block =
                    c.axis == 0 ? std::pair{along, side > 0 ? c.line : c.line - 1}
                                : std::pair{side > 0 ? c.line - 1 : c.line, along};
                if (t.blocks_with_close.contains(block)) {
                    continue;
                }
                const double s = (k + 0.5) * g;
                const EastNorth root{start.easting + dir.easting * s,
                                     start.northing + dir.northing * s};
                const EastNorth u{-dir.northing * side, dir.easting * side};
                const double depth = g * t.rng.uniform(0.34, 0.44);
                const double bend = t.rng.uniform(-12, 12);
                Line close;
                for (double d = 0; d <= depth + 1e-6; d += depth / 6) {
                    const double lateral = bend * (d / depth) * (d / depth);
                    close.push_back({root.easting + u.easting * d + dir.easting * lateral,
                                     root.northing + u.northing * d + dir.northing * lateral});
                }
                if (place_line(t, close)) {
                    t.blocks_with_close.insert(block);
                    junctions.push_back({s, side});
                    closes.push_back(std::move(close));
                }
            }
        }
        return closes;
    }

    /// Houses along both sides of a street laid out in the local frame, numbered odd on the
    /// left and even on the right; a cul-de-sac also gets a pair facing down it from the end.
    void lay_frontage(Layout& t,
                      std::size_t street,
                      const Line& local,
                      const Style& style,
                      std::size_t sector,
                      double zone,
                      const std::vector<std::pair<double, int>>& junctions,
                      bool cul_de_sac) {
        const double len = length(local);
        std::vector<Frontage> slots =
            frontage(local, style.spacing, style.setback, 14, cul_de_sac ? 8 : 14, junctions);
        if (cul_de_sac) {
            const Station end = station_at(local, len);
            for (int side : {1, -1}) {
                const double lateral = 6.0 * side;
                slots.push_back({len + 10,
                                 side,
                                 {end.at.easting + end.dx * 10 - end.dy * lateral,
                                  end.at.northing + end.dy * 10 + end.dx * lateral}});
            }
        }
        const bool new_build = t.spec.kind == Kind::new_build;
        const int status = new_build && zone > 0.85 ? 6 : 1; // plots not yet built: provisional
        int odd = 1, even = 2;
        for (const Frontage& f : slots) {
            int& next = f.side > 0 ? odd : even;
            const int number = next;
            next += 2;
            const EastNorth at = t.frame.to_world(f.at);
            if (m_road_index.nearest(at, 9)) {
                continue; // would sit on a main road
            }
            if (t.specials < 3 && zone > 0.15 && !cul_de_sac && t.rng.chance(0.02)) {
                add_special(street, at, t.index, t.specials++, sector);
            } else {
                add_home(street, at, number, style, sector, new_build, status);
            }
        }
    }

    void add_special(
        std::size_t street, EastNorth at, std::size_t settlement, int which, std::size_t sector) {
        const std::string place = settlement_specs()[settlement].name;
        switch (which) {
        case 0:
            add_named(street, at, std::string(m_rng.pick(saints)) + " Church", "ZW99CH", sector);
            break;
        case 1:
            add_named(street, at, place + " Primary School", "CE03", sector);
            break;
        default:
            add_named(street, at, place + " Community Centre", "CC04", sector);
            break;
        }
    }

    // ---- main roads ----

    /// Ribbon development where a main road runs through a built-up area, farms elsewhere.
    void build_ribbons() {
        const auto& specs = settlement_specs();
        GridIndex others(100);
        for (std::size_t i = 0; i < m_out.streets.size(); ++i) {
            others.add_line(i, m_out.streets[i].line);
        }
        for (const auto& [r, street] : m_main_streets) {
            const MainRoad& road = m_plan.roads[r];
            const Line& line = m_out.streets[street].line;
            const std::string& town = m_out.streets[street].town;
            int odd = 1, even = 2;
            for (const Frontage& f :
                 frontage(line, ribbon_style.spacing, ribbon_style.setback, 30, 30, {})) {
                const std::size_t home = owner(f.at);
                const auto& spec = specs[home];
                std::size_t sector = sector_id(spec.sectors.front());
                if (m_sectors[sector].post_town != town) {
                    sector = sector_id(specs[road.from].sectors.front());
                }
                const auto near = others.nearest(f.at, 120, street);
                if (near) {
                    // Numbering runs through the built-up stretches only, as on real roads.
                    int& number = f.side > 0 ? odd : even;
                    if (near->distance >= 9) {
                        add_home(street, f.at, number, ribbon_style, sector, false, 1);
                    }
                    number += 2;
                } else if (m_rng.chance(rural_chance)) {
                    // Farms stand further back than the ribbon houses.
                    const EastNorth on_road = station_at(line, f.s).at;
                    const double k = rural_setback / ribbon_style.setback;
                    const EastNorth farm{on_road.easting + (f.at.easting - on_road.easting) * k,
                                         on_road.northing + (f.at.northing - on_road.northing) * k};
                    std::string name =
                        std::string(m_rng.pick(farm_stems)) + " " + m_rng.pick(farm_kinds);
                    add_named(street, farm, name, m_rng.chance(0.6) ? "RD02" : "CA01", sector);
                }
            }
        }
    }

    // ---- postcodes ----

    /// Runs of neighbouring addresses on one street and in one sector become postcode units of
    /// about 15-22 addresses; each unit's point is the mean of its addresses.
    void assign_postcodes() {
        static constexpr char letters[] = "ABDEFGHJLNPQRSTUWXYZ"; // Royal Mail's inward letters
        auto& props = m_out.properties;
        std::size_t i = 0;
        while (i < props.size()) {
            std::size_t j = i + 1;
            while (j < props.size() && props[j].street == props[i].street &&
                   props[j].sector == props[i].sector &&
                   distance(props[j].at, props[j - 1].at) < 250) {
                ++j;
            }
            const std::size_t n = j - i;
            const std::size_t target = static_cast<std::size_t>(m_rng.range(15, 22));
            const std::size_t units = std::max<std::size_t>(1, (n + target / 2) / target);
            for (std::size_t u = 0; u < units; ++u) {
                const std::size_t a = i + n * u / units, b = i + n * (u + 1) / units;
                SectorState& sector = m_sectors[props[a].sector];
                if (sector.used == sector.units.size()) {
                    throw std::logic_error("demo borough: postcode sector " + sector.outward + " " +
                                           format_int(sector.digit) + " is full");
                }
                const int unit = sector.units[sector.used++];
                const std::string code = sector.outward + " " + format_int(sector.digit) +
                                         letters[unit / 20] + letters[unit % 20];
                std::vector<EastNorth> points;
                for (std::size_t k = a; k < b; ++k) {
                    props[k].postcode = code;
                    points.push_back(props[k].at);
                }
                const EastNorth c = centroid(points);
                m_out.postcodes.push_back({code, {std::round(c.easting), std::round(c.northing)}});
            }
            i = j;
        }
        for (auto& p : props) {
            const Street& s = m_out.streets[p.street];
            std::string line = p.saon ? *p.saon + ", " : "";
            const bool numbered = !p.paon.empty() && p.paon[0] >= '0' && p.paon[0] <= '9';
            line += p.paon + (numbered ? " " : ", ") + s.descriptor + ", ";
            if (s.locality) {
                line += *s.locality + ", ";
            }
            p.single_line = line + s.town + ", " + p.postcode;
        }
    }

    const Rng m_root; // settlements fork their layout streams from here
    Rng m_rng;        // names, numbering and postcodes
    const RoadPlan& m_plan;
    const AreaIndex& m_council;
    const AreaIndex& m_wards;
    std::vector<Ring> m_clearances;
    GridIndex m_road_index{100};
    std::vector<std::pair<std::size_t, std::size_t>> m_main_streets; // (road, street)
    std::vector<std::set<std::string>> m_names;
    std::vector<SectorState> m_sectors;
    std::int64_t m_next_usrn = 44000000;
    std::int64_t m_next_uprn = 100010350000;
    std::int64_t m_next_new_uprn = 10013200000;
    Gazetteer m_out;
};

} // namespace

RoadPlan plan_roads(Rng rng, const geo::BngTransform& transform) {
    const auto& specs = settlement_specs();
    RoadPlan plan;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        plan.settlements.push_back({specs[i].name, transform.to_bng({specs[i].lon, specs[i].lat}),
                                    std::sqrt(homes_in(i) / homes_per_m2 / pi)});
    }
    auto find = [&](const char* name) {
        for (std::size_t i = 0; i < specs.size(); ++i) {
            if (std::string_view(specs[i].name) == name) {
                return i;
            }
        }
        throw std::logic_error(std::string("demo borough: no settlement ") + name);
    };
    for (const auto& r : road_specs) {
        const std::size_t from = find(r.from), to = find(r.to);
        plan.roads.push_back(
            {r.name, from, to,
             meander(rng, plan.settlements[from].centre, plan.settlements[to].centre)});
    }
    return plan;
}

Gazetteer make_gazetteer(Rng rng,
                         const RoadPlan& plan,
                         const Cemeteries& cemeteries,
                         const AreaIndex& council,
                         const AreaIndex& current_wards) {
    return GazetteerBuilder(rng, plan, cemeteries, council, current_wards).build();
}

} // namespace wardmap::importers::demo
