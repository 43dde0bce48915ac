// The synthetic gazetteer. A plan is drawn first (settlements, streets with their address
// counts, USRNs, first UPRNs and postcodes); each street's addresses then come from the street's
// own random stream, so they can be generated twice, once for the BLPUs (21) and once for the
// LPIs (24) the DTF order asks for, without holding a million addresses in memory.

#include "bench/llpg_synth.hpp"

#include "core/seeded_random.hpp"

#include "importers/address_text.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numbers>
#include <optional>
#include <set>
#include <stdexcept>
#include <vector>

namespace wardmap::bench {

namespace {

using core::Rng;
using importers::AddressableObject;

// ---- the land --------------------------------------------------------------------------------

struct Settlement {
    const char* name;
    const char* post_town; ///< a locality's post town is its bigger neighbour's
    double e, n, radius;
    double weight;
    std::vector<const char*> outward; ///< postcode districts, shared between settlements
};

const std::vector<Settlement>& settlements() {
    // clang-format off
    static const std::vector<Settlement> list = {
        // name            post town    easting northing radius weight  districts
        {"CHORLEY",        "CHORLEY",   358500, 417500, 3500, 0.13, {"PR7", "PR6", "PR8", "PR9"}},
        {"EUXTON",         "CHORLEY",   355500, 418800, 1200, 0.02, {"PR7", "PR8", "PR9"}},
        {"ADLINGTON",      "CHORLEY",   360500, 413000, 1200, 0.02, {"PR6", "PR9", "PR8"}},
        {"COPPULL",        "CHORLEY",   356000, 413800, 1200, 0.02, {"PR7", "PR9", "PR8"}},
        {"LEYLAND",        "LEYLAND",   354000, 421800, 3000, 0.09, {"PR25", "PR26", "PR27"}},
        {"CROSTON",        "LEYLAND",   348800, 418800,  900, 0.01, {"PR26", "PR27"}},
        {"PRESTON",        "PRESTON",   354000, 432500, 5000, 0.19, {"PR1", "PR2", "PR3", "PR4"}},
        {"BAMBER BRIDGE",  "PRESTON",   356500, 426000, 1800, 0.04, {"PR5", "PR4"}},
        {"BLACKBURN",      "BLACKBURN", 368500, 428500, 4500, 0.13, {"BB1", "BB2", "BB6"}},
        {"DARWEN",         "DARWEN",    369500, 422000, 2200, 0.04, {"BB3", "BB6"}},
        {"WIGAN",          "WIGAN",     358000, 405800, 4000, 0.13, {"WN1", "WN2", "WN3", "WN5"}},
        {"STANDISH",       "WIGAN",     356500, 410000, 1500, 0.03, {"WN6", "WN5"}},
        {"HORWICH",        "BOLTON",    364000, 411000, 2000, 0.04, {"BL6", "BL7"}},
        {"ORMSKIRK",       "ORMSKIRK",  342500, 408000, 1800, 0.03, {"L39", "L40"}},
    };
    // clang-format on
    return list;
}

constexpr const char* stems[] = {
    "ALBERT",      "ALEXANDRA",   "ANDERTON",   "ASHWORTH",   "ASTLEY",     "BALMORAL",
    "BANK",        "BEECH",       "BENGAL",     "BIRCH",      "BRADSHAW",   "BRETHERTON",
    "BRIDGE",      "BRINDLE",     "BROOK",      "BROWNHILL",  "CANAL",      "CARR",
    "CASTLE",      "CATTERALL",   "CAVENDISH",  "CEDAR",      "CHAPEL",     "CHARNOCK",
    "CHERRY",      "CHESTNUT",    "CHURCH",     "CLARENCE",   "CLIFFORD",   "COBDEN",
    "CORONATION",  "CROMPTON",    "CUNLIFFE",   "DALE",       "DERBY",      "DUKE",
    "DUXBURY",     "EAVES",       "ELM",        "FAIRFIELD",  "FERN",       "FLETCHER",
    "FOX",         "GLADSTONE",   "GRANGE",     "GRANVILLE",  "GREEN",      "GREGSON",
    "HALL",        "HARPERS",     "HARRISON",   "HAWTHORN",   "HAZEL",      "HEALEY",
    "HEAPEY",      "HEATH",       "HEATHER",    "HESKETH",    "HIGHFIELD",  "HILL",
    "HOLLY",       "HODGSON",     "INGLE",      "IVY",        "JUBILEE",    "KERSHAW",
    "KESTREL",     "KINGFISHER",  "KING",       "LABURNUM",   "LANCASTER",  "LARCH",
    "LAUREL",      "LEVER",       "LIME",       "LINNET",     "LOSTOCK",    "LYTHAM",
    "MANOR",       "MAPLE",       "MARKET",     "MARSDEN",    "MEADOW",     "MILL",
    "MOOR",        "MOSS",        "NELSON",     "NUTTALL",    "OAK",        "ORCHARD",
    "OSBORNE",     "PARK",        "PARKINSON",  "PEEL",       "PICKERING",  "PILLING",
    "PRIMROSE",    "PRINCE",      "PRIORY",     "QUEENS",     "REGENT",     "RIBBLE",
    "RIDGWAY",     "RIGBY",       "RIVINGTON",  "ROBIN",      "ROSE",       "ROWAN",
    "RYDAL",       "SANDRINGHAM", "SCHOOL",     "SHAW",       "SKYLARK",    "SPRING",
    "STANLEY",     "STATION",     "SUMNER",     "SWALLOW",    "SYCAMORE",   "TATTERSALL",
    "THIRLMERE",   "THORN",       "TOWER",      "TRAFALGAR",  "VALE",       "VICTORIA",
    "WALMSLEY",    "WATER",       "WATERLOO",   "WELL",       "WELLINGTON", "WELDBANK",
    "WHITTAKER",   "WILLOW",      "WINDERMERE", "WINDSOR",    "WOOD",       "WORDEN",
    "WORTHINGTON", "YARROW",      "YEW",        "YORK",       "ABBEY",      "ALDER",
    "ASH",         "BLUEBELL",    "CLOVER",     "CURLEW",     "DAISY",      "FOXGLOVE",
    "HERON",       "LAPWING",     "LAVENDER",   "POPLAR",     "THISTLE",    "WREN",
    "HASTINGS",    "AINSCOUGH",   "HAYDOCK",    "TAYLOR",     "CONISTON",   "BUTTERMERE",
    "ULLSWATER",   "GRASMERE",    "KENDAL",     "PENDLE",     "BOWLAND",    "LONGTON",
    "HUTTON",      "GARSTANG",    "LUNE",       "WYRE",       "CALDER",     "HODDER",
    "DOUGLAS",     "ST GEORGES",  "ST JOHNS",   "ST MARYS",   "ST PETERS",  "ST THOMAS'S",
    "O'BRIEN",     "BOLTON",      "BLACKBURN",  "WIGAN",      "ORMSKIRK",   "LEYLAND",
    "PRESTON",     "SOUTHPORT",   "LIVERPOOL",  "MANCHESTER", "DERWENT",    "EDEN",
    "KIRKBY",      "LOWTHER",     "SEDBERGH",   "DENT"};

/// Street types, with how many addresses such a street has (a close is short, a road long).
struct StreetType {
    const char* name;
    double weight;
    int min_addresses, max_addresses;
};

constexpr StreetType street_types[] = {
    {"STREET", 18, 20, 260}, {"ROAD", 20, 30, 400},    {"LANE", 10, 10, 180},
    {"AVENUE", 9, 30, 220},  {"CLOSE", 10, 6, 40},     {"DRIVE", 7, 20, 160},
    {"WAY", 4, 20, 160},     {"CRESCENT", 5, 20, 120}, {"GROVE", 4, 10, 80},
    {"PLACE", 3, 8, 60},     {"TERRACE", 3, 10, 80},   {"GARDENS", 2, 8, 60},
    {"COURT", 2, 6, 40},     {"MEWS", 1, 6, 30},       {"WALK", 1, 6, 40},
    {"BROW", 1, 10, 60},
};

constexpr const char* compass[] = {"NORTH", "SOUTH", "EAST", "WEST"};

constexpr const char* house_names[] = {
    "ROSE COTTAGE",  "THE WILLOWS", "OAKFIELD",    "HOLLY HOUSE",     "BEECH HOUSE",
    "FERNLEA",       "THE LAURELS", "GREENACRES",  "MOORSIDE",        "BROOKSIDE",
    "HILLCREST",     "WOODLANDS",   "THE ORCHARD", "MEADOW VIEW",     "IVY COTTAGE",
    "SUNNYSIDE",     "HIGHFIELD",   "FAIRHAVEN",   "THE COACH HOUSE", "HEATHERLEA",
    "THE OLD FORGE", "MILL HOUSE",  "ASHLEIGH",    "KINGS BARN",      "THE BUNGALOW"};

constexpr const char* building_kinds[] = {"COURT", "HOUSE",   "LODGE",  "MANSIONS",
                                          "POINT", "HEIGHTS", "TOWERS", "APARTMENTS"};

/// Per street: the houses' class, spacing and setback.
struct Style {
    const char* blpu_class;
    double spacing, setback;
};
constexpr Style styles[] = {{"RD04", 5.5, 4}, {"RD03", 10, 8}, {"RD02", 16, 11}};

/// Postcode unit letters: Royal Mail never uses C I K M O V in the inward code.
constexpr char unit_letters[] = "ABDEFGHJLNPQRSTUWXYZ";
constexpr int units_per_sector = 20 * 20;
constexpr int postcodes_per_district = 10 * units_per_sector;

// Shares of the addresses: flats come in blocks of 4-20, so the chance a frontage is a block
// is what makes about 15% of addresses flats.
constexpr double block_chance = 0.0145;
constexpr double named_chance = 0.03;
constexpr double suffix_chance = 0.01;
constexpr double range_chance = 0.005;
constexpr double addresses_per_postcode = 15;

constexpr std::int64_t first_uprn = 100010000000;
constexpr std::int64_t first_usrn = 44000000;

// ---- the plan --------------------------------------------------------------------------------

struct PlannedStreet {
    std::int64_t usrn = 0;
    std::size_t settlement = 0;
    std::string name;
    int style = 0;
    std::int64_t addresses = 0;
    std::int64_t first_address = 0; ///< index of its first address in the whole gazetteer
    std::int64_t first_uprn = 0;
    std::size_t first_postcode = 0;
    std::size_t postcode_count = 0;
    double start_e = 0, start_n = 0, dir_e = 1, dir_n = 0, length = 0;
};

struct Plan {
    std::vector<PlannedStreet> streets;
    std::vector<std::string> postcodes;
};

double round_cm(double v) {
    return std::round(v * 100) / 100;
}

std::string postcode(const char* district, int index) {
    // Spread the units of a sector over the letter pairs, as real ones are, not AA, AB, AD...
    const int sector = index / units_per_sector;
    const int unit = (index % units_per_sector) * 263 % units_per_sector;
    std::string s = district;
    s += ' ';
    s += static_cast<char>('0' + sector);
    s += unit_letters[unit / 20];
    s += unit_letters[unit % 20];
    return s;
}

Plan make_plan(const SynthOptions& options) {
    Rng rng = Rng(options.seed).fork(1);
    const auto& places = settlements();
    std::vector<double> place_weights, type_weights;
    for (const auto& s : places) {
        place_weights.push_back(s.weight);
    }
    for (const auto& t : street_types) {
        type_weights.push_back(t.weight);
    }
    std::vector<std::set<std::string>> names(places.size());
    // Next postcode of each district, by district name.
    std::vector<std::pair<std::string, int>> districts;
    const auto district_next = [&districts](const char* d) -> int& {
        for (auto& [name, next] : districts) {
            if (name == d) {
                return next;
            }
        }
        districts.emplace_back(d, 0);
        return districts.back().second;
    };

    Plan plan;
    std::int64_t placed = 0, usrn = first_usrn, uprn = first_uprn;
    while (placed < options.addresses) {
        PlannedStreet s;
        s.settlement = rng.weighted(place_weights);
        const Settlement& place = places[s.settlement];
        const StreetType& type = street_types[rng.weighted(type_weights)];
        for (int attempt = 0; s.name.empty(); ++attempt) {
            std::string name = std::string(rng.pick(stems)) + " " + type.name;
            if (attempt >= 20) { // the town has this one: King Street East, ...
                name += std::string(" ") + rng.pick(compass);
            }
            if (attempt >= 200) {
                name += " " + std::to_string(attempt);
            }
            if (names[s.settlement].insert(name).second) {
                s.name = std::move(name);
            }
        }
        s.style = static_cast<int>(rng.index(std::size(styles)));
        s.addresses = std::min<std::int64_t>(options.addresses - placed,
                                             rng.range(type.min_addresses, type.max_addresses));
        usrn += rng.range(1, 5);
        s.usrn = usrn;
        s.first_address = placed;
        s.first_uprn = uprn;
        uprn += 3 * s.addresses + rng.range(1, 20); // each address steps 1-3 UPRNs

        s.postcode_count = static_cast<std::size_t>(std::max<std::int64_t>(
            1, std::llround(static_cast<double>(s.addresses) / addresses_per_postcode)));
        s.first_postcode = plan.postcodes.size();
        std::size_t d = 0;
        for (std::size_t k = 0; k < s.postcode_count; ++k) {
            while (d < place.outward.size() &&
                   district_next(place.outward[d]) >= postcodes_per_district) {
                ++d;
            }
            if (d == place.outward.size()) {
                throw std::invalid_argument(
                    "too many addresses for the synthetic postcode districts of " +
                    std::string(place.name) + " (about 1.5 million in all)");
            }
            plan.postcodes.push_back(postcode(place.outward[d], district_next(place.outward[d])++));
        }

        // A straight street from a point in the settlement, as long as its houses need,
        // turned back into the extent if it would leave it.
        const double r = place.radius * std::sqrt(rng.uniform());
        const double a = rng.uniform(0, 2 * std::numbers::pi);
        const double heading = rng.uniform(0, 2 * std::numbers::pi);
        const double slots = 0.86 * static_cast<double>(s.addresses);
        s.length = std::ceil(slots / 2) * styles[s.style].spacing + 30;
        constexpr double margin = 100;
        s.start_e = std::clamp(place.e + r * std::cos(a), synth_min_e + margin + s.length,
                               synth_max_e - margin - s.length);
        s.start_n = std::clamp(place.n + r * std::sin(a), synth_min_n + margin + s.length,
                               synth_max_n - margin - s.length);
        s.dir_e = std::cos(heading);
        s.dir_n = std::sin(heading);
        plan.streets.push_back(std::move(s));
        placed += plan.streets.back().addresses;
    }
    return plan;
}

// ---- one street's addresses ------------------------------------------------------------------

struct Address {
    std::int64_t index = 0; ///< in the whole gazetteer
    std::int64_t uprn = 0;
    AddressableObject sao;
    AddressableObject pao;
    const char* blpu_class = "";
    int logical_status = 1;
    double x = 0, y = 0;
    const std::string* postcode = nullptr;
};

/// Calls `emit(const Address&)` for each of the street's addresses, always the same ones for
/// the same seed: numbered houses odd on the left and even on the right, now and then a named
/// house, a "12A", a "2-4", or a block of flats with a building name.
template <class Emit>
void street_addresses(const SynthOptions& options,
                      const Plan& plan,
                      std::size_t street_index,
                      Emit&& emit) {
    const PlannedStreet& s = plan.streets[street_index];
    Rng rng = Rng(options.seed).fork(1000 + street_index);
    const Style& style = styles[s.style];
    std::int64_t made = 0, uprn = s.first_uprn;
    int next_number[2] = {1, 2};
    Address a;
    const auto place = [&](int side, int number) {
        const double along =
            std::min(s.length - 5, (static_cast<double>(number - 1) / 2 + 0.5) * style.spacing);
        const double off = (side == 0 ? 1 : -1) * style.setback;
        a.x = round_cm(s.start_e + s.dir_e * along - s.dir_n * off);
        a.y = round_cm(s.start_n + s.dir_n * along + s.dir_e * off);
    };
    const auto add = [&] {
        a.index = s.first_address + made;
        uprn += rng.range(1, 3);
        a.uprn = uprn;
        const auto group = static_cast<std::size_t>(made) * s.postcode_count /
                           static_cast<std::size_t>(s.addresses);
        a.postcode = &plan.postcodes[s.first_postcode + group];
        a.logical_status = rng.chance(0.01) ? 6 : 1;
        emit(static_cast<const Address&>(a));
        ++made;
    };
    for (int slot = 0; made < s.addresses; ++slot) {
        const int side = slot % 2;
        const int number = next_number[side];
        next_number[side] += 2;
        place(side, number);
        a.sao = {};
        a.pao = {};
        a.blpu_class = style.blpu_class;
        const double r = rng.uniform();
        if (r < block_chance) {
            a.pao.start_number = number;
            a.pao.text = std::string(rng.pick(stems)) + " " + rng.pick(building_kinds);
            a.blpu_class = "RD06";
            const int flats = rng.range(4, 20);
            for (int f = 1; f <= flats && made < s.addresses; ++f) {
                a.sao = {};
                a.sao.text = "FLAT";
                a.sao.start_number = f;
                add();
            }
        } else if (r < block_chance + named_chance) {
            a.pao.text = rng.pick(house_names);
            add();
        } else if (r < block_chance + named_chance + range_chance) {
            a.pao.start_number = number;
            a.pao.end_number = number + 2;
            next_number[side] += 2;
            add();
        } else {
            a.pao.start_number = number;
            add();
            if (made < s.addresses && rng.chance(suffix_chance)) {
                a.pao.start_suffix = "A";
                add();
            }
        }
    }
}

// ---- output helpers --------------------------------------------------------------------------

/// A buffered binary file, written in large blocks; close() reports failure.
class OutFile {
  public:
    explicit OutFile(const std::filesystem::path& path)
        : m_path(path), m_out(path, std::ios::binary | std::ios::trunc) {
        if (!m_out) {
            throw std::runtime_error("cannot create " + path.string());
        }
        m_buffer.reserve(1 << 20);
    }
    std::string& buffer() { return m_buffer; }
    void maybe_flush() {
        if (m_buffer.size() >= (1 << 20)) {
            flush();
        }
    }
    std::uint64_t close() {
        flush();
        m_out.close();
        if (!m_out) {
            throw std::runtime_error("cannot write " + m_path.string());
        }
        return m_bytes;
    }

  private:
    void flush() {
        m_out.write(m_buffer.data(), static_cast<std::streamsize>(m_buffer.size()));
        if (!m_out) {
            throw std::runtime_error("cannot write " + m_path.string());
        }
        m_bytes += m_buffer.size();
        m_buffer.clear();
    }
    std::filesystem::path m_path;
    std::ofstream m_out;
    std::string m_buffer;
    std::uint64_t m_bytes = 0;
};

void append_number(std::string& out, std::int64_t v) {
    char digits[24];
    out.append(digits, std::to_chars(digits, digits + sizeof digits, v).ptr);
}

void append_coordinate(std::string& out, double v) {
    char digits[40];
    out.append(digits,
               std::to_chars(digits, digits + sizeof digits, v, std::chars_format::fixed, 2).ptr);
}

void append_csv_text(std::string& out, std::string_view s) {
    out.push_back('"');
    for (char c : s) {
        if (c == '"') {
            out.push_back('"');
        }
        out.push_back(c);
    }
    out.push_back('"');
}

std::string lower(std::string s) {
    for (char& c : s) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return s;
}

std::string upper(std::string s) {
    for (char& c : s) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return s;
}

/// The first `n` characters, not ending in a space.
std::string prefix(const std::string& s, std::size_t n) {
    std::string p = s.substr(0, std::min(n, s.size()));
    while (!p.empty() && p.back() == ' ') {
        p.pop_back();
    }
    return p;
}

/// What a query is built from: one real address of the gazetteer.
struct Sampled {
    std::string sao;   // "flat 3"
    std::string range; // "12", "12a", "2-4"
    std::string name;  // "rose court", "rose cottage"
    std::string street;
    std::string town;
    std::string postcode; // "pr7 1ab"
};

/// A type-ahead query as someone types it: a house number and part of the street, a flat
/// and its building, a postcode with or without its space or half typed, a street alone.
std::string make_query(Rng& rng, const Sampled& s) {
    const auto street_word_end = s.street.rfind(' ');
    const std::string street_stem = s.street.substr(0, street_word_end);
    const std::string street_type = s.street.substr(street_word_end + 1);
    const auto outward_end = s.postcode.find(' ');
    for (;;) {
        switch (rng.range(0, 11)) {
        case 0: // "12 mar"
            if (!s.range.empty()) {
                return s.range + " " + prefix(s.street, static_cast<std::size_t>(rng.range(2, 5)));
            }
            break;
        case 1: // "12 market st"
            if (!s.range.empty()) {
                return s.range + " " + street_stem + " " +
                       prefix(street_type, static_cast<std::size_t>(rng.range(1, 3)));
            }
            break;
        case 2: // "12 market street"
            if (!s.range.empty()) {
                return s.range + " " + s.street;
            }
            break;
        case 3: // "flat 3 rose", "flat 3 rose court"
            if (!s.sao.empty()) {
                return s.sao + " " +
                       (rng.chance(0.5) ? s.name
                                        : prefix(s.name, static_cast<std::size_t>(rng.range(
                                                             3, static_cast<int>(s.name.size())))));
            }
            break;
        case 4: // "pr7 1ab"
            return rng.chance(0.3) ? upper(s.postcode) : s.postcode;
        case 5: { // "pr71ab"
            std::string p = s.postcode;
            p.erase(outward_end, 1);
            return p;
        }
        case 6: // "pr7 1", "pr7 1a"
            return s.postcode.substr(0,
                                     outward_end + 1 + static_cast<std::size_t>(rng.range(1, 2)));
        case 7: // "market street"
            return s.street;
        case 8: // "market st", "market stre"
            return street_stem + " " +
                   prefix(street_type, static_cast<std::size_t>(
                                           rng.range(1, static_cast<int>(street_type.size()))));
        case 9: // "rose cott"
            if (s.sao.empty() && s.range.empty() && !s.name.empty()) {
                return prefix(s.name, static_cast<std::size_t>(
                                          rng.range(4, static_cast<int>(s.name.size()))));
            }
            break;
        case 10: // "market street chorley"
            return s.street + " " + s.town;
        default: // "12 market street, chorley"
            if (!s.range.empty()) {
                return s.range + " " + s.street + ", " + s.town;
            }
            break;
        }
    }
}

} // namespace

std::string url_encode(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(hex[u >> 4]);
            out.push_back(hex[u & 15]);
        }
    }
    return out;
}

SynthSummary generate_llpg(const SynthOptions& options, const SynthPaths& paths) {
    const auto started = std::chrono::steady_clock::now();
    if (options.addresses < 1 || options.addresses > 999'999'999) {
        throw std::invalid_argument("addresses must be 1 to 999999999");
    }
    if (paths.dtf.empty()) {
        throw std::invalid_argument("no DTF output file");
    }
    const Plan plan = make_plan(options);
    const auto& places = settlements();
    SynthSummary summary;
    summary.streets = static_cast<std::int64_t>(plan.streets.size());
    summary.postcodes = static_cast<std::int64_t>(plan.postcodes.size());

    importers::DtfHeader header;
    header.custodian_name = options.custodian_name;
    header.custodian_code = options.custodian_code;
    header.process_date = options.date;
    header.entry_date = options.date;
    importers::DtfWriter dtf(paths.dtf, header, {options.line_ending});

    importers::StreetRecord street;
    street.swa_org_ref_naming = options.custodian_code;
    street.state = 2;
    street.state_date = street.record_entry_date = street.last_update_date = street.start_date =
        options.date;
    for (const PlannedStreet& s : plan.streets) {
        street.usrn = s.usrn;
        street.start_x = round_cm(s.start_e);
        street.start_y = round_cm(s.start_n);
        street.end_x = round_cm(s.start_e + s.dir_e * s.length);
        street.end_y = round_cm(s.start_n + s.dir_n * s.length);
        dtf.write(street);
    }
    importers::DescriptorRecord descriptor;
    descriptor.administrative_area = "LANCASHIRE";
    for (const PlannedStreet& s : plan.streets) {
        const Settlement& place = places[s.settlement];
        descriptor.usrn = s.usrn;
        descriptor.descriptor = s.name;
        descriptor.locality = std::string_view(place.name) == place.post_town ? "" : place.name;
        descriptor.town = place.post_town;
        dtf.write(descriptor);
    }

    // Pass 1: BLPUs, the points CSV, and the addresses the queries are made from (reservoir
    // sampling on its own stream, so asking for queries changes nothing else).
    std::optional<OutFile> points;
    if (!paths.points.empty()) {
        points.emplace(paths.points);
        points->buffer() = "uprn,x,y,address\n";
    }
    const std::size_t wanted = paths.queries.empty() ? 0 : options.queries;
    std::vector<Sampled> sample;
    sample.reserve(wanted);
    Rng sampler = Rng(options.seed).fork(2);

    importers::BlpuRecord blpu;
    blpu.blpu_state = 2; // in use
    blpu.blpu_state_date = blpu.start_date = blpu.last_update_date = blpu.entry_date = options.date;
    blpu.local_custodian_code = options.custodian_code;
    importers::AddressParts parts;
    for (std::size_t i = 0; i < plan.streets.size(); ++i) {
        const PlannedStreet& s = plan.streets[i];
        const Settlement& place = places[s.settlement];
        parts.street = s.name;
        parts.locality = std::string_view(place.name) == place.post_town ? "" : place.name;
        parts.town = place.post_town;
        street_addresses(options, plan, i, [&](const Address& a) {
            blpu.uprn = a.uprn;
            blpu.logical_status = a.logical_status;
            blpu.blpu_class = a.blpu_class;
            blpu.x = a.x;
            blpu.y = a.y;
            dtf.write(blpu);
            summary.flats += a.sao.empty() ? 0 : 1;
            summary.named += a.pao.start_number ? 0 : 1;
            if (points || wanted > 0) {
                parts.sao = a.sao;
                parts.pao = a.pao;
                parts.postcode = *a.postcode;
            }
            if (points) {
                std::string& out = points->buffer();
                append_number(out, a.uprn);
                out.push_back(',');
                append_coordinate(out, a.x);
                out.push_back(',');
                append_coordinate(out, a.y);
                out.push_back(',');
                append_csv_text(out, importers::single_line(parts));
                out.push_back('\n');
                points->maybe_flush();
            }
            if (wanted > 0) {
                std::size_t slot = sample.size();
                if (slot == wanted) {
                    slot = sampler.index(static_cast<std::size_t>(a.index) + 1);
                }
                if (slot < wanted) {
                    Sampled q{lower(a.sao.display()), lower(a.pao.number_range()),
                              lower(a.pao.text),      lower(s.name),
                              lower(place.name),      lower(*a.postcode)};
                    if (slot == sample.size()) {
                        sample.push_back(std::move(q));
                    } else {
                        sample[slot] = std::move(q);
                    }
                }
            }
        });
    }
    if (points) {
        summary.points_bytes = points->close();
    }

    // Pass 2: the same addresses again, as LPIs.
    importers::LpiRecord lpi;
    lpi.start_date = lpi.entry_date = lpi.last_update_date = options.date;
    char key[32];
    for (std::size_t i = 0; i < plan.streets.size(); ++i) {
        const PlannedStreet& s = plan.streets[i];
        lpi.usrn = s.usrn;
        lpi.post_town = places[s.settlement].post_town;
        street_addresses(options, plan, i, [&](const Address& a) {
            lpi.uprn = a.uprn;
            std::snprintf(key, sizeof key, "%04dL%09lld", options.custodian_code,
                          static_cast<long long>(a.index + 1));
            lpi.lpi_key = key;
            lpi.logical_status = a.logical_status;
            lpi.sao = a.sao;
            lpi.pao = a.pao;
            lpi.postcode = *a.postcode;
            dtf.write(lpi);
        });
    }
    summary.addresses = dtf.lpis();
    dtf.close();
    summary.dtf_bytes = dtf.bytes();

    if (!paths.queries.empty()) {
        OutFile out(paths.queries);
        Rng typing = Rng(options.seed).fork(3);
        for (const Sampled& s : sample) {
            out.buffer() += url_encode(make_query(typing, s));
            out.buffer() += '\n';
            out.maybe_flush();
        }
        out.close();
        summary.queries = static_cast<std::int64_t>(sample.size());
    }
    summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return summary;
}

} // namespace wardmap::bench
