// Litter bins and planning applications. Dates run back from the reference time, never from
// the clock. (Service requests are made through the request service: services/requests/
// demo_activity.)

#include "core/working_days.hpp"

#include "geo/geojson_writer.hpp"
#include "importers/demo/demo_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

namespace wardmap::importers::demo {

namespace {

constexpr std::int64_t day_seconds = seconds_per_day;

std::string iso_date_of(std::int64_t day) {
    return core::date_from_days(static_cast<long>(day)).iso();
}

std::string format(const char* pattern, long long value) {
    char buf[48];
    std::snprintf(buf, sizeof buf, pattern, value);
    return buf;
}

/// Picks a street with probability proportional to length x footfall.
class StreetPicker {
  public:
    explicit StreetPicker(const Gazetteer& g) : m_gazetteer(g) {
        double total = 0;
        for (const auto& s : g.streets) {
            total += length(s.line) / 1000 * s.footfall;
            m_cumulative.push_back(total);
        }
    }
    std::size_t pick(Rng& rng) const {
        const double x = rng.uniform() * m_cumulative.back();
        const auto it = std::upper_bound(m_cumulative.begin(), m_cumulative.end(), x);
        return std::min<std::size_t>(static_cast<std::size_t>(it - m_cumulative.begin()),
                                     m_cumulative.size() - 1);
    }
    /// A point on the footway: somewhere along the street, a few metres to one side.
    EastNorth point_on(Rng& rng, std::size_t street, double offset) const {
        const Line& line = m_gazetteer.streets[street].line;
        const Station st = station_at(line, rng.uniform(0, length(line)));
        const double side = rng.chance(0.5) ? offset : -offset;
        return {st.at.easting - st.dy * side, st.at.northing + st.dx * side};
    }

  private:
    const Gazetteer& m_gazetteer;
    std::vector<double> m_cumulative;
};

/// Ward code valid at `date` (YYYY-MM-DD) for a point, from the boundary set in force then.
class WardFinder {
  public:
    explicit WardFinder(const CaseworkContext& c) : m_c(c) {}
    [[nodiscard]] std::optional<std::string> at(EastNorth p, const std::string& date) const {
        for (const auto* set : {&m_c.boundaries.current, &m_c.boundaries.previous}) {
            if (date >= set->valid_from && (!set->valid_to || date < *set->valid_to)) {
                const AreaIndex& index =
                    set == &m_c.boundaries.current ? m_c.current_wards : m_c.previous_wards;
                if (const auto w = index.find(p)) {
                    return set->wards[*w].code;
                }
            }
        }
        return std::nullopt;
    }

  private:
    const CaseworkContext& m_c;
};

// ---- litter bins ----
struct BinModel {
    const char* type;
    int capacity;
};

std::vector<LitterBin> make_bins(Rng& rng, const CaseworkContext& c, const StreetPicker& streets) {
    static constexpr BinModel centre_models[] = {{"heritage_cast_iron", 120},
                                                 {"dual_recycling", 120},
                                                 {"solar_compactor", 600},
                                                 {"free_standing", 110}};
    static constexpr double centre_weights[] = {40, 25, 10, 25};
    static constexpr BinModel street_models[] = {{"pole_mounted", 50},
                                                 {"free_standing", 110},
                                                 {"combined_litter_dog", 60},
                                                 {"dog_waste", 40}};
    static constexpr double street_weights[] = {45, 30, 20, 5};
    const std::int64_t first_day = core::days_since_epoch({2004, 1, 1});
    const std::int64_t last_day = c.reference_time / day_seconds - 60;
    const WardFinder wards(c);
    const std::string today = iso_date_of(c.reference_time / day_seconds);

    std::vector<LitterBin> bins;
    const int count = rng.range(1480, 1530);
    while (static_cast<int>(bins.size()) < count) {
        const std::size_t street = streets.pick(rng);
        EastNorth at = streets.point_on(rng, street, 3);
        at = round_cm(at);
        const auto ward = wards.at(at, today);
        if (!ward) {
            continue; // this stretch of road lies outside the borough
        }
        const double footfall = c.gazetteer.streets[street].footfall;
        const bool centre = footfall >= 10;
        const BinModel model = centre ? centre_models[rng.weighted(centre_weights)]
                                      : street_models[rng.weighted(street_weights)];
        LitterBin bin;
        bin.bin_type = model.type;
        bin.capacity_l = model.capacity;
        bin.usrn = c.gazetteer.streets[street].usrn;
        bin.ward_code = *ward;
        bin.installed_on =
            iso_date_of(first_day + static_cast<std::int64_t>(
                                        rng.uniform() * static_cast<double>(last_day - first_day)));
        bin.empty_per_week = model.capacity >= 600 ? 2 : centre ? 7 : footfall >= 2.5 ? 3 : 1;
        bin.at = at;
        bins.push_back(std::move(bin));
    }
    // Asset numbers were issued as bins went in.
    std::stable_sort(bins.begin(), bins.end(), [](const LitterBin& a, const LitterBin& b) {
        return a.installed_on < b.installed_on;
    });
    long long next = 0;
    for (auto& bin : bins) {
        next += rng.range(1, 2);
        bin.asset_ref = format("LB-%06lld", next);
    }
    return bins;
}

// ---- other street assets ----

/// `{"k":v,...}` from members already written as JSON values.
std::string json_object(std::initializer_list<std::pair<const char*, std::string>> members) {
    std::string out = "{";
    for (const auto& [key, value] : members) {
        if (out.size() > 1) {
            out += ',';
        }
        geo::append_json_string(out, key);
        out += ':';
        out += value;
    }
    return out + "}";
}

std::string json_text(std::string_view s) {
    std::string out;
    geo::append_json_string(out, s);
    return out;
}

/// The register's other assets: street furniture along the streets (more where more people
/// walk), grass and beds beside them, play areas, and every street as a segment to sweep.
class FurnitureMaker {
  public:
    FurnitureMaker(Rng& rng, const CaseworkContext& c, const StreetPicker& streets)
        : m_rng(rng), m_c(c), m_streets(streets), m_wards(c),
          m_today(iso_date_of(c.reference_time / day_seconds)),
          m_first_day(core::days_since_epoch({1995, 1, 1})),
          m_last_day(c.reference_time / day_seconds - 30) {}

    std::string installed() {
        return iso_date_of(m_first_day +
                           static_cast<std::int64_t>(
                               m_rng.uniform() * static_cast<double>(m_last_day - m_first_day)));
    }
    std::string condition() {
        static constexpr const char* grades[] = {"good", "fair", "poor"};
        static constexpr double weights[] = {60, 30, 10};
        return grades[m_rng.weighted(weights)];
    }
    [[nodiscard]] bool in_borough(EastNorth p) const { return m_wards.at(p, m_today).has_value(); }

    /// `count` points on footways, `offset` metres from the centre line.
    template <class Fill>
    void points(std::vector<StreetAsset>& out,
                const char* type,
                const char* prefix,
                int count,
                double offset,
                Fill fill) {
        std::vector<StreetAsset> made;
        while (static_cast<int>(made.size()) < count) {
            const std::size_t street = m_streets.pick(m_rng);
            const EastNorth at = round_cm(m_streets.point_on(m_rng, street, offset));
            if (!in_borough(at)) {
                continue;
            }
            StreetAsset a;
            a.type = type;
            a.usrn = m_c.gazetteer.streets[street].usrn;
            a.installed_on = installed();
            a.condition = condition();
            a.at = at;
            fill(a, m_c.gazetteer.streets[street]);
            made.push_back(std::move(a));
        }
        number(made, prefix);
        out.insert(out.end(), made.begin(), made.end());
    }

    /// `count` rectangles beside streets: `along` metres long, `across` deep, `gap` metres
    /// from the centre line.
    template <class Fill>
    void areas(std::vector<StreetAsset>& out,
               const char* type,
               const char* prefix,
               int count,
               std::pair<double, double> along,
               std::pair<double, double> across,
               std::pair<double, double> gap,
               Fill fill) {
        std::vector<StreetAsset> made;
        while (static_cast<int>(made.size()) < count) {
            const std::size_t street = m_streets.pick(m_rng);
            const Street& s = m_c.gazetteer.streets[street];
            const double len = length(s.line);
            const double u = m_rng.uniform(along.first, along.second);
            if (len < u + 10) {
                continue;
            }
            const Station st = station_at(s.line, m_rng.uniform(0, len - u));
            const double depth = m_rng.uniform(across.first, across.second);
            const double g = m_rng.uniform(gap.first, gap.second);
            const bool left = m_rng.chance(0.5);
            const double v0 = left ? g : -g - depth;
            Ring ring = frame_rectangle(st.at, std::atan2(st.dy, st.dx), 0, v0, u, v0 + depth);
            for (auto& p : ring) {
                p = round_cm(p);
            }
            const EastNorth middle = centroid(std::span(ring.data(), ring.size() - 1));
            bool inside = true;
            for (const auto& p : ring) {
                inside = inside && in_borough(p);
            }
            if (!inside) {
                continue;
            }
            StreetAsset a;
            a.type = type;
            a.usrn = s.usrn;
            a.installed_on = installed();
            a.condition = condition();
            a.at = middle;
            a.outline = {ring};
            fill(a, s);
            made.push_back(std::move(a));
        }
        number(made, prefix);
        out.insert(out.end(), made.begin(), made.end());
    }

    Rng& rng() { return m_rng; }
    [[nodiscard]] const std::string& today() const { return m_today; }

  private:
    /// References issued in order of installation, as the bins' were.
    void number(std::vector<StreetAsset>& made, const char* prefix) {
        std::stable_sort(made.begin(), made.end(), [](const StreetAsset& a, const StreetAsset& b) {
            return a.installed_on < b.installed_on;
        });
        long long next = 0;
        for (auto& a : made) {
            next += m_rng.range(1, 3);
            a.reference = format((std::string(prefix) + "-%05lld").c_str(), next);
        }
    }

    Rng& m_rng;
    const CaseworkContext& m_c;
    const StreetPicker& m_streets;
    const WardFinder m_wards;
    std::string m_today;
    std::int64_t m_first_day;
    std::int64_t m_last_day;
};

std::vector<StreetAsset>
make_street_assets(Rng& rng, const CaseworkContext& c, const StreetPicker& streets) {
    FurnitureMaker m(rng, c, streets);
    std::vector<StreetAsset> out;
    m.points(out, "dog_bin", "DB", rng.range(200, 240), 3, [&](StreetAsset& a, const Street&) {
        a.attributes = json_object({{"capacity_l", "40"}, {"empty_per_week", "1"}});
    });
    m.points(out, "bench", "BN", rng.range(360, 400), 3.5, [&](StreetAsset& a, const Street&) {
        static constexpr const char* materials[] = {"timber", "recycled_plastic", "steel",
                                                    "cast_iron"};
        static constexpr double weights[] = {40, 30, 20, 10};
        a.owner = rng.chance(0.08) ? "parish" : "council";
        a.attributes = json_object({{"material", json_text(materials[rng.weighted(weights)])},
                                    {"seats", std::to_string(rng.range(2, 4))}});
    });
    m.points(out, "grit_bin", "GB", rng.range(100, 130), 4, [&](StreetAsset& a, const Street&) {
        a.attributes = json_object(
            {{"capacity_l", rng.chance(0.7) ? "200" : "400"},
             {"filled_on",
              json_text(iso_date_of(c.reference_time / day_seconds - rng.range(20, 300)))}});
    });
    m.points(
        out, "street_tree", "TR", rng.range(800, 900), 4.5, [&](StreetAsset& a, const Street&) {
            static constexpr const char* species[] = {
                "Acer campestre", "Tilia x europaea", "Betula pendula",      "Sorbus aucuparia",
                "Prunus avium",   "Quercus robur",    "Platanus x hispanica"};
            static constexpr double weights[] = {20, 18, 16, 14, 12, 10, 10};
            const double height = std::round(rng.uniform(3, 22) * 10) / 10;
            std::string h;
            geo::append_number(h, height, 1);
            a.attributes = json_object(
                {{"species", json_text(species[rng.weighted(weights)])},
                 {"height_m", h},
                 {"girth_cm", std::to_string(static_cast<int>(height * 9))},
                 {"tpo", rng.chance(0.05) ? json_text("TPO/" + std::to_string(rng.range(1, 240)))
                                          : "null"}});
        });
    // A nameplate at each end of every street long enough to have two.
    {
        std::vector<StreetAsset> plates;
        for (const Street& s : c.gazetteer.streets) {
            const double len = length(s.line);
            for (const double at : {6.0, len - 6.0}) {
                if (len < 40 && at > 6.0) {
                    continue;
                }
                const Station st = station_at(s.line, at);
                const EastNorth p =
                    round_cm({st.at.easting - st.dy * 5, st.at.northing + st.dx * 5});
                if (!m.in_borough(p)) {
                    continue;
                }
                StreetAsset a;
                a.type = "nameplate";
                a.usrn = s.usrn;
                a.installed_on = m.installed();
                a.condition = m.condition();
                a.at = p;
                a.attributes =
                    json_object({{"street_name", json_text(s.descriptor)},
                                 {"mounting", json_text(rng.chance(0.6) ? "posts" : "wall")}});
                a.reference = "NP-" + std::to_string(s.usrn) + (at > 6.0 ? "-B" : "-A");
                plates.push_back(std::move(a));
            }
        }
        out.insert(out.end(), plates.begin(), plates.end());
    }
    const auto cut = [&](StreetAsset& a, const Street&) {
        a.attributes = json_object({{"cut_type", json_text(rng.chance(0.3) ? "flail" : "mow")}});
    };
    m.areas(out, "verge", "VG", rng.range(80, 100), {40, 120}, {2, 3.5}, {4.5, 5.5}, cut);
    m.areas(out, "amenity_grass", "AG", rng.range(60, 80), {20, 70}, {10, 35}, {9, 14}, cut);
    m.areas(out, "shrub_bed", "SB", rng.range(35, 50), {4, 14}, {2, 4}, {6, 8},
            [&](StreetAsset& a, const Street&) {
                static constexpr const char* planting[] = {"mixed shrubs", "roses", "lavender",
                                                           "hebe", "ornamental grasses"};
                a.attributes = json_object({{"planting", json_text(planting[rng.range(0, 4)])}});
            });
    int play = 0;
    m.areas(
        out, "play_area", "PA", rng.range(20, 28), {15, 35}, {15, 30}, {15, 25},
        [&](StreetAsset& a, const Street& s) {
            static constexpr const char* surfaces[] = {"wetpour", "grass matting", "bark", "sand"};
            a.attributes = json_object({{"name", json_text(s.descriptor + " play area" +
                                                           (++play % 7 == 0 ? " (toddlers)" : ""))},
                                        {"equipment_count", std::to_string(rng.range(3, 14))},
                                        {"surface", json_text(surfaces[rng.range(0, 3)])}});
        });
    // Every street as a segment to sweep, by USRN, in the COPLAR zone its footfall puts it in.
    for (const Street& s : c.gazetteer.streets) {
        StreetAsset a;
        a.type = "street_segment";
        a.reference = std::to_string(s.usrn);
        a.usrn = s.usrn;
        a.installed_on = "";
        a.condition = "";
        a.line = s.line;
        a.at = round_cm(station_at(s.line, length(s.line) / 2).at);
        if (!m.in_borough(a.at)) {
            continue;
        }
        const char* zone = s.footfall >= 10 ? "high" : s.footfall >= 2.5 ? "medium" : "low";
        a.attributes = json_object(
            {{"street_name", json_text(s.descriptor)}, {"cleansing_zone", json_text(zone)}});
        out.push_back(std::move(a));
    }
    return out;
}

// ---- planning ----
struct PlanningType {
    const char* code;
    double weight;
    std::vector<std::string_view> uses; // classification prefixes of the sites it suits
    int min_days, max_days;             // to a decision
    std::vector<const char*> descriptions;
};

const std::vector<PlanningType>& planning_types() {
    static const std::vector<PlanningType> types = {
        {.code = "HOU",
         .weight = 45,
         .uses = {"RD02", "RD03", "RD04"},
         .min_days = 35,
         .max_days = 70,
         .descriptions = {"Single storey rear extension",
                          "Two storey side extension and single storey rear extension",
                          "Erection of detached garage", "Loft conversion with rear dormer window",
                          "Erection of front porch",
                          "Single storey side extension to form utility room",
                          "Raised decking and boundary fence to rear garden",
                          "Replacement conservatory"}},
        {.code = "FUL",
         .weight = 12,
         .uses = {"RD02", "RD03"},
         .min_days = 50,
         .max_days = 100,
         .descriptions = {"Erection of 1no. detached dwelling in the rear garden",
                          "Demolition of existing dwelling and erection of 2no. dwellings",
                          "Change of use of dwelling to children's care home (Class C2)"}},
        {.code = "FUL",
         .weight = 10,
         .uses = {"CR", "CO"},
         .min_days = 50,
         .max_days = 100,
         .descriptions = {"Change of use from shop (Class E) to hot food takeaway (Sui Generis)",
                          "Change of use of first floor to 2no. self-contained flats",
                          "Installation of new shop front and roller shutter",
                          "Outdoor seating area and canopy to front"}},
        {.code = "FUL",
         .weight = 4,
         .uses = {"CA01"},
         .min_days = 50,
         .max_days = 100,
         .descriptions = {"Conversion of barn to 1no. dwelling",
                          "Erection of agricultural building for storage of machinery"}},
        {.code = "OUTMAJ",
         .weight = 2,
         .uses = {"CA01", "RD02"},
         .min_days = 120,
         .max_days = 260,
         .descriptions = {"Outline application for up to 120 dwellings on land to the rear, with "
                          "all matters reserved except access",
                          "Outline application for employment units (Use Classes E(g), B2 and "
                          "B8) on land adjacent"}},
        {.code = "FULMAJ",
         .weight = 2,
         .uses = {"CA01", "RD02"},
         .min_days = 90,
         .max_days = 200,
         .descriptions = {"Erection of 48no. dwellings on land to the rear, with associated "
                          "landscaping and infrastructure"}},
        {.code = "ADV",
         .weight = 6,
         .uses = {"CR", "CO"},
         .min_days = 30,
         .max_days = 60,
         .descriptions = {"Advertisement consent for 1no. internally illuminated fascia sign",
                          "Advertisement consent for 2no. non-illuminated hanging signs"}},
        {.code = "TPO",
         .weight = 6,
         .uses = {"RD02"},
         .min_days = 25,
         .max_days = 50,
         .descriptions = {"Crown reduction of 1no. Oak tree protected by Tree Preservation Order",
                          "Felling of 1no. Sycamore tree protected by Tree Preservation Order",
                          "Crown lift of 3no. Beech trees protected by Tree Preservation Order"}},
        {.code = "LBC",
         .weight = 3,
         .uses = {"RD04", "CA01", "ZW"},
         .min_days = 50,
         .max_days = 90,
         .descriptions = {"Listed building consent for replacement timber sash windows",
                          "Listed building consent for internal alterations and repairs to "
                          "roof"}},
        {.code = "DIS",
         .weight = 4,
         .uses = {"RD", "CR", "CA"},
         .min_days = 30,
         .max_days = 70,
         .descriptions = {"Application to discharge conditions 3 (materials) and 5 (drainage) "
                          "of permission {ref}",
                          "Application to discharge condition 4 (landscaping) of permission "
                          "{ref}"}},
        {.code = "CLPUD",
         .weight = 4,
         .uses = {"RD02", "RD03", "RD04"},
         .min_days = 25,
         .max_days = 50,
         .descriptions = {"Certificate of lawfulness for proposed single storey rear extension",
                          "Certificate of lawfulness for proposed outbuilding"}},
    };
    return types;
}

bool suits(const PlanningType& type, const std::string& classification) {
    return std::any_of(type.uses.begin(), type.uses.end(),
                       [&](std::string_view use) { return classification.starts_with(use); });
}

std::vector<PlanningApplication> make_planning(Rng& rng, const CaseworkContext& c) {
    const auto& types = planning_types();
    std::vector<double> weights;
    for (const auto& t : types) {
        weights.push_back(t.weight);
    }
    const auto& props = c.gazetteer.properties;
    const std::int64_t today = c.reference_time / day_seconds;

    struct Draft {
        const PlanningType* type;
        std::size_t property;
        std::int64_t received;
    };
    std::vector<Draft> drafts;
    const int count = rng.range(96, 106);
    while (static_cast<int>(drafts.size()) < count) {
        const PlanningType& type = types[rng.weighted(weights)];
        for (int attempt = 0; attempt < 2000; ++attempt) {
            const std::size_t p = rng.index(props.size());
            if (suits(type, props[p].classification)) {
                drafts.push_back({&type, p, today - rng.range(7, 730)});
                break;
            }
        }
    }
    std::stable_sort(drafts.begin(), drafts.end(),
                     [](const Draft& a, const Draft& b) { return a.received < b.received; });

    std::vector<PlanningApplication> out;
    int year = 0;
    long long number = 0;
    for (const Draft& d : drafts) {
        const std::string received = iso_date_of(d.received);
        const int y = std::stoi(received.substr(0, 4));
        if (y != year) {
            year = y;
            number = rng.range(1, 20);
        } else {
            number += rng.range(8, 40); // most of the year's ~1,200 cases are not in the demo
        }
        PlanningApplication app;
        app.reference = format("%02lld/", year % 100) + format("%05lld/", number) + d.type->code;
        app.app_type = d.type->code;
        const char* text = rng.pick(d.type->descriptions);
        if (app.app_type == "DIS") {
            const std::string earlier =
                format("%02lld/", (year - 1) % 100) + format("%05lld/FUL", rng.range(100, 1100));
            app.description = text;
            app.description.replace(app.description.find("{ref}"), 5, earlier);
        } else {
            app.description = text;
        }
        const Property& p = props[d.property];
        app.address = p.single_line;
        app.uprn = p.uprn;
        app.at = p.at;
        app.received_date = received;
        const std::int64_t decided = d.received + rng.range(d.type->min_days, d.type->max_days);
        if (decided >= today) {
            app.status = "pending";
        } else if (rng.chance(0.04)) {
            app.status = "withdrawn";
            app.decided_date = iso_date_of(decided);
        } else {
            const bool refused = rng.chance(0.1);
            app.status = refused && rng.chance(0.25) ? "appeal" : "decided";
            app.decision = refused ? "refused" : "approved";
            app.decided_date = iso_date_of(decided);
        }
        out.push_back(std::move(app));
    }
    return out;
}

/// A closed axis-aligned rectangle of w x h metres centred on `at`.
Ring rectangle(EastNorth at, double w, double h) {
    const double x0 = at.easting - w / 2, y0 = at.northing - h / 2;
    return {{x0, y0}, {x0 + w, y0}, {x0 + w, y0 + h}, {x0, y0 + h}, {x0, y0}};
}

/// A few synthetic constraint areas and land charges around the gazetteer's properties and the
/// decided planning applications: two conservation areas, four TPO areas, five listed building
/// outlines, one article 4 area; s.106 (planning) charges on some approved applications, a
/// listed-building charge on each listed building and a TPO charge on each TPO.
void make_constraints(Rng& rng, const CaseworkContext& c, Casework& out) {
    const auto& props = c.gazetteer.properties;
    const auto pick_where = [&](std::string_view prefix) -> const Property& {
        for (int attempt = 0; attempt < 5000; ++attempt) {
            const Property& p = props[rng.index(props.size())];
            if (p.classification.starts_with(prefix)) {
                return p;
            }
        }
        return props[rng.index(props.size())];
    };
    const auto year = [&](int lo, int hi) { return std::to_string(rng.range(lo, hi)); };
    const auto day = [&](const std::string& y) {
        return y + format("-%02lld", rng.range(1, 12)) + format("-%02lld", rng.range(1, 28));
    };
    static constexpr const char* areas[] = {"Market Street", "Church Brow"};
    for (int k = 0; k < 2; ++k) {
        const Property& p = pick_where(k == 0 ? "CR" : "RD");
        const std::string y = year(1970, 1995);
        out.constraints.push_back({"conservation_area", format("CA%02lld", k + 1),
                                   std::string(areas[k]) + " Conservation Area (synthetic)", day(y),
                                   std::nullopt, "Synthetic demo conservation area.",
                                   rectangle(p.at, rng.range(300, 500), rng.range(250, 400))});
    }
    for (int k = 0; k < 4; ++k) {
        const Property& p = pick_where("RD");
        const std::string y = year(1975, 2020);
        out.constraints.push_back(
            {"tree_preservation_order", "TPO/" + y + format("/%02lld", k + 1),
             "Tree preservation order " + y + format("/%02lld", k + 1), day(y), std::nullopt,
             rng.chance(0.5) ? "Group of trees (synthetic)" : "Area of woodland (synthetic)",
             rectangle(p.at, rng.range(30, 80), rng.range(30, 80))});
    }
    for (int k = 0; k < 5; ++k) {
        const Property& p = pick_where(k % 2 == 0 ? "RD04" : "C");
        const std::string y = year(1950, 1990);
        out.constraints.push_back({"listed_building", format("10720%02lld", 10 + k), p.single_line,
                                   day(y), std::string(k == 0 ? "II*" : "II"),
                                   "Synthetic demo listed building.",
                                   rectangle(p.at, rng.range(10, 20), rng.range(8, 14))});
    }
    {
        const Property& p = pick_where("RD");
        out.constraints.push_back({"article_4", "A4D/2016/01",
                                   "Article 4 direction: houses in multiple occupation",
                                   "2016-03-01", std::nullopt,
                                   "Withdraws permitted development from dwellinghouse (C3) to "
                                   "small HMO (C4) (synthetic).",
                                   rectangle(p.at, 600, 500)});
    }
    int n = 0;
    for (const auto& a : out.planning) {
        if (a.decision == std::optional<std::string>("approved") && a.decided_date &&
            (a.app_type == "FULMAJ" || a.app_type == "OUTMAJ" || rng.chance(0.03))) {
            out.land_charges.push_back({format("LLC/%04lld", ++n), 3, "planning-agreement",
                                        "Section 106 agreement under " + a.reference,
                                        *a.decided_date, rectangle(a.at, 60, 60)});
        }
    }
    for (const auto& k : out.constraints) {
        if (k.kind == "listed_building" || k.kind == "tree_preservation_order") {
            const bool listed = k.kind == "listed_building";
            out.land_charges.push_back(
                {format("LLC/%04lld", ++n), listed ? 10 : 3,
                 listed ? "listed-building" : "tree-preservation-order",
                 (listed ? "Listed building: " : "Tree preservation order ") + k.name,
                 k.designation_date, k.outline});
        }
    }
}

} // namespace

Casework make_casework(Rng rng, const CaseworkContext& context) {
    Casework out;
    const StreetPicker streets(context.gazetteer);
    Rng bins_rng = rng.fork(1), planning_rng = rng.fork(2);
    out.litter_bins = make_bins(bins_rng, context, streets);
    out.planning = make_planning(planning_rng, context);
    // Drawn last, from streams of their own: the bins and applications are as they were.
    Rng condition_rng = rng.fork(3), assets_rng = rng.fork(4);
    for (auto& bin : out.litter_bins) {
        static constexpr const char* grades[] = {"good", "fair", "poor"};
        static constexpr double weights[] = {65, 27, 8};
        bin.condition = grades[condition_rng.weighted(weights)];
    }
    out.street_assets = make_street_assets(assets_rng, context, streets);
    Rng constraints_rng = rng.fork(5);
    make_constraints(constraints_rng, context, out);
    return out;
}

} // namespace wardmap::importers::demo
