// The demo's service requests, made through RequestService as real ones are: the generator
// decides what was reported where and when, and what the council did about it; the request
// service checks, enriches and stores each report and each staff update at its own time.

#include "server/services/requests/demo_activity.hpp"

#include "core/seeded_random.hpp"
#include "core/tokens.hpp"
#include "core/w3c_time.hpp"

#include "geo/store/deferred_spatial_index.hpp"
#include "server/services/access/api_keys.hpp"
#include "server/services/requests/request_service.hpp"
#include "server/services/shared/errors.hpp"
#include "server/services/wards/ward_index.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace wardmap::services {

namespace {

using core::Rng;
using core::UnixSeconds;

constexpr UnixSeconds day_seconds = 86400;
/// A year of casework: enough for every measure, and each report costs a real create.
constexpr int window_days = 365;

/// Where reports of a kind are made.
enum class Where { street, door, shop, bin, cemetery };

/// One way of reporting a problem: its text and the answers to the service's questions that go
/// with it ("code=value;code=value").
struct Report {
    const char* description;
    const char* answers;
};

struct CategorySpec {
    const char* code;
    double weight;
    double mean_days; // to resolve
    bool county;      // Lancashire County Council's job in a two-tier area
    Where where;
    std::vector<Report> reports;
};

const std::vector<CategorySpec>& category_specs() {
    static const std::vector<CategorySpec> specs = {
        {"fly_tipping",
         24,
         3,
         false,
         Where::street,
         {{"Black bags dumped at the end of the back street", "waste_type=household"},
          {"Mattress and sofa dumped on the verge", "waste_type=furniture"},
          {"Builders' rubble tipped in the lay-by", "waste_type=building"},
          {"Fridge freezer left on the pavement", "waste_type=white_goods"},
          {"Household rubbish dumped by the field gate", "waste_type=household"},
          {"Garden waste tipped over the hedge", "waste_type=garden"},
          {"Pile of tyres dumped on the lane", "waste_type=tyres"},
          {"Carpet and underlay dumped in the ginnel", "waste_type=other"},
          {"Old kitchen units dumped behind the shops", "waste_type=furniture"}}},
        {"litter",
         17,
         4,
         false,
         Where::street,
         {{"Lots of litter along the footpath", ""},
          {"Takeaway wrappers all over the grass verge", ""},
          {"Litter blowing around the bus stop", ""},
          {"Broken glass on the pavement", "broken_glass=yes"},
          {"Cans and bottles left on the playing field after the weekend", "broken_glass=no"},
          {"Litter caught in the hedge along the road", ""}}},
        {"overflowing_bin",
         9,
         1.5,
         false,
         Where::bin,
         {{"Litter bin is full and overflowing", "bin_type=litter"},
          {"Bin overflowing, rubbish on the ground around it", "bin_type=litter"},
          {"Bin not emptied for over a week", "bin_type=litter"},
          {"Dog waste bin full", "bin_type=dog_waste"}}},
        {"dog_fouling",
         8,
         5,
         false,
         Where::street,
         {{"Dog mess all along the footpath", ""},
          {"Dog fouling outside the school gates", ""},
          {"Repeated dog fouling on the grass by the play area", ""},
          {"Bags of dog waste hung on the hedge", ""}}},
        {"graffiti",
         4,
         9,
         false,
         Where::street,
         {{"Graffiti sprayed on the bus shelter", "offensive=no;surface=bus_shelter"},
          {"Offensive graffiti on the wall by the underpass", "offensive=yes;surface=wall"},
          {"Tags sprayed on the shop shutters", "offensive=no;surface=other"},
          {"Graffiti on the bridge parapet", "offensive=no;surface=wall"}}},
        {"street_cleansing",
         5,
         6,
         false,
         Where::street,
         {{"Road needs sweeping, gutters full of leaves", ""},
          {"Mud on the road from the building site", ""},
          {"Detritus and weeds along the kerb", ""},
          {"Wet leaves making the footpath slippery", ""}}},
        {"abandoned_vehicle",
         4,
         20,
         false,
         Where::street,
         {{"Car with no tax parked here for three weeks", "condition=untaxed"},
          {"Untaxed van with flat tyres", "condition=untaxed"},
          {"Burnt-out car on the lane", "condition=burnt_out"},
          {"Vehicle has not moved for over a month, window smashed", "condition=damaged"}}},
        {"grass_cutting",
         5,
         12,
         false,
         Where::street,
         {{"Verge has not been cut this year", ""},
          {"Grass on the open space is knee high", ""},
          {"Grass cuttings left all over the footpath", ""},
          {"Overgrown verge blocking visibility at the junction", "sight_line=yes"}}},
        {"overgrown_vegetation",
         3,
         18,
         false,
         Where::street,
         {{"Hedge overgrowing the footpath", ""},
          {"Brambles blocking the public footpath", ""},
          {"Trees overhanging the pavement", ""}}},
        {"damaged_nameplate",
         2,
         40,
         false,
         Where::street,
         {{"Street nameplate snapped off its posts", "damage=broken"},
          {"Nameplate covered in graffiti", "damage=graffiti"},
          {"Street nameplate missing", "damage=missing"},
          {"Nameplate faded and unreadable", "damage=faded"}}},
        {"public_toilets",
         1,
         4,
         false,
         Where::shop,
         {{"Toilets locked during opening hours", "problem=closed"},
          {"Toilet out of order", "problem=broken"},
          {"Toilets need cleaning", "problem=dirty"},
          {"Hand dryer broken", "problem=broken"}}},
        {"cemetery_issue",
         1.5,
         14,
         false,
         Where::cemetery,
         {{"Headstone leaning badly", "issue=unsafe_memorial"},
          {"Grass not cut around the graves", "issue=grounds"},
          {"Water tap not working", "issue=water"},
          {"Litter bin by the gate is full", "issue=other"},
          {"Gravel washed out of the path", "issue=paths"}}},
        {"missed_bin",
         8,
         2,
         false,
         Where::door,
         {{"Grey bin not emptied on collection day", "container=grey"},
          {"Blue recycling bin missed", "container=blue"},
          {"Brown garden waste bin not collected", "container=brown"},
          {"Whole street missed this week", "container=grey"}}},
        {"pothole",
         5,
         1,
         true,
         Where::street,
         {{"Deep pothole in the carriageway", "depth=over_40mm"},
          {"Pothole by the drain cover", ""},
          {"Several potholes along the road", ""},
          {"Pothole in the cycle lane", "depth=under_40mm"}}},
        {"street_light",
         3,
         1,
         true,
         Where::street,
         {{"Street light out", ""},
          {"Street light on all day", ""},
          {"Street light flickering", ""}}},
    };
    return specs;
}

/// What a staff system writes with each status.
const char* staff_note(const std::string& status) {
    if (status == "investigating") {
        return "Passed to the area team to inspect";
    }
    if (status == "in_progress") {
        return "A crew has been assigned and the work is under way";
    }
    if (status == "action_scheduled") {
        return "Booked for the crew's next round in this area";
    }
    if (status == "fixed") {
        return "Dealt with by the crew";
    }
    if (status == "no_further_action") {
        return "Inspected: there is nothing the council can act on";
    }
    if (status == "duplicate") {
        return "Already reported: we are dealing with the earlier report";
    }
    if (status == "not_councils_responsibility") {
        return "Passed to Lancashire County Council, who look after this";
    }
    return "Closed";
}

std::string upper(std::string text) {
    for (char& c : text) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return text;
}

/// The demo's API keys. The first three are well known (docs/http-api.md); the contact
/// centre's and the inbox's are random, as nobody outside needs them.
struct DemoKey {
    const char* key; ///< nullptr: a random one
    const char* name;
    const char* role;
    const char* channel;
    const char* per_address; ///< rate limit, nullptr for none
    const char* per_key;
};
// The web client's key is public by nature (it ships in the page), so it is limited: 10
// reports a minute from one address, 600 an hour in all.
constexpr DemoKey demo_keys[] = {
    {"demo-client-key", "Demo Open311 client", "client", "app", nullptr, nullptr},
    {"demo-web-key", "wardmap web client", "client", "web", "10/min", "600/hour"},
    {"demo-staff-key", "Demo back office", "staff", "staff", nullptr, nullptr},
    {nullptr, "Demo contact centre", "client", "phone", nullptr, nullptr},
    {nullptr, "Demo email inbox", "client", "email", nullptr, nullptr},
};

struct Update {
    UnixSeconds at = 0;
    std::string status;
};

/// One report and what became of it.
struct Draft {
    UnixSeconds created = 0;
    std::string key;
    NewRequest request;
    std::vector<Update> updates;
    bool open_at_end = true;
    std::optional<std::int64_t> id; ///< once created
};

std::optional<std::string> optional_text(const char* text) {
    return text ? std::optional<std::string>(text) : std::nullopt;
}

/// The borough's places that reports are made at, read from the store in a fixed order.
class Places {
  public:
    explicit Places(store::Database& db) : m_db(db) {
        auto props = db.prepare(
            "SELECT easting, northing, classification = 'CR08' FROM properties ORDER BY uprn");
        while (props.step()) {
            m_homes.push_back({props.real(0), props.real(1)});
            if (props.int64(2) != 0) {
                m_shops.push_back(m_homes.back());
            }
        }
        auto streets = db.prepare("SELECT usrn, ST_Length(geom) FROM streets ORDER BY usrn");
        double total = 0;
        while (streets.step()) {
            m_streets.push_back(streets.int64(0));
            total += streets.real(1);
            m_street_cumulative.push_back(total);
        }
        auto bins = db.prepare("SELECT asset_ref, ST_X(geom), ST_Y(geom) FROM litter_bins "
                               "ORDER BY id");
        while (bins.step()) {
            m_bins.push_back({std::string(bins.text(0)), {bins.real(1), bins.real(2)}});
        }
        auto sections = db.prepare(
            "SELECT lower(substr(c.name, 1, instr(c.name, ' ') - 1)), ST_X(ST_Centroid(s.geom)), "
            "ST_Y(ST_Centroid(s.geom)) FROM cemetery_sections s JOIN cemeteries c ON c.id = "
            "s.cemetery_id ORDER BY s.id");
        while (sections.step()) {
            m_sections.push_back(
                {std::string(sections.text(0)), {sections.real(1), sections.real(2)}});
        }
        if (m_homes.empty() || m_streets.empty() || m_bins.empty() || m_sections.empty()) {
            throw std::runtime_error("the demo's activity needs the demo borough in the store");
        }
    }

    geo::EastNorth near_door(Rng& rng, bool shop) {
        const auto& pool = shop && !m_shops.empty() ? m_shops : m_homes;
        const geo::EastNorth h = pool[rng.index(pool.size())];
        const double r = 12 * std::sqrt(rng.uniform()), a = rng.uniform(0, 2 * std::numbers::pi);
        return {h.easting + r * std::cos(a), h.northing + r * std::sin(a)};
    }
    /// A point on a street (chosen by length), a few metres either way.
    geo::EastNorth in_street(Rng& rng) {
        const double x = rng.uniform() * m_street_cumulative.back();
        const auto it = std::upper_bound(m_street_cumulative.begin(), m_street_cumulative.end(), x);
        const auto i = std::min<std::size_t>(
            static_cast<std::size_t>(it - m_street_cumulative.begin()), m_streets.size() - 1);
        auto st = m_db.prepare_cached(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Line_Interpolate_Point(geom, ?2) AS p FROM "
            "streets WHERE usrn = ?1)");
        st.bind(1, m_streets[i]).bind(2, rng.uniform());
        st.step();
        return {st.real(0) + rng.uniform(-4, 4), st.real(1) + rng.uniform(-4, 4)};
    }
    struct Bin {
        std::string asset_ref;
        geo::EastNorth at;
    };
    const Bin& bin(Rng& rng) { return m_bins[rng.index(m_bins.size())]; }
    struct Section {
        std::string cemetery; ///< the catalogue's key: chorley, adlington
        geo::EastNorth centre;
    };
    const Section& section(Rng& rng) { return m_sections[rng.index(m_sections.size())]; }

  private:
    store::Database& m_db;
    std::vector<geo::EastNorth> m_homes, m_shops;
    std::vector<std::int64_t> m_streets;
    std::vector<double> m_street_cumulative;
    std::vector<Bin> m_bins;
    std::vector<Section> m_sections;
};

void add_answers(NewRequest& request, const char* answers) {
    std::string_view rest(answers);
    while (!rest.empty()) {
        const auto end = std::min(rest.find(';'), rest.size());
        const auto pair = rest.substr(0, end);
        const auto eq = pair.find('=');
        request.attributes[std::string(pair.substr(0, eq))] = {std::string(pair.substr(eq + 1))};
        rest.remove_prefix(std::min(end + 1, rest.size()));
    }
}

std::vector<Draft> make_drafts(Rng& rng,
                               Places& places,
                               const geo::BngTransform& transform,
                               const ServiceCatalogue& catalogue,
                               UnixSeconds end) {
    const auto& specs = category_specs();
    std::vector<double> weights;
    for (const auto& s : specs) {
        weights.push_back(s.weight);
    }
    const UnixSeconds start = end - window_days * day_seconds;
    static constexpr double hour_weights[] = {1, 0.5, 0.3, 0.2, 0.2, 0.4, 1.5, 3.5,
                                              6, 7,   7,   6.5, 6.5, 6,   6,   5.5,
                                              5, 5,   4.5, 4,   3.5, 3,   2,   1.5};
    // Sources, by the key each comes in with.
    static constexpr const char* sources[] = {"demo-web-key", "Demo contact centre",
                                              "demo-client-key", "Demo email inbox",
                                              "demo-staff-key"};
    static constexpr double source_weights[] = {50, 25, 12, 6, 7};
    static constexpr const char* open_states[] = {"open", "investigating", "in_progress",
                                                  "action_scheduled"};
    static constexpr double open_weights[] = {30, 25, 20, 25};
    static constexpr const char* closed_states[] = {"fixed", "no_further_action", "duplicate",
                                                    "closed", "not_councils_responsibility"};
    static constexpr double closed_weights[] = {72, 9, 6, 10, 3};
    static constexpr const char* makes[] = {"Ford Focus",   "Vauxhall Corsa", "VW Golf",
                                            "Ford Transit", "Nissan Micra",   "BMW 3 Series"};
    static constexpr const char* amounts[] = {"single_item", "car_boot", "van_load", "lorry_load"};
    static constexpr double amount_weights[] = {25, 45, 25, 5};

    std::vector<Draft> out;
    const int count = rng.range(1300, 1370);
    for (int n = 0; n < count; ++n) {
        const CategorySpec& spec = specs[rng.weighted(weights)];
        const std::string code = spec.code;
        const UnixSeconds day =
            (start + static_cast<UnixSeconds>(rng.uniform() * static_cast<double>(end - start))) /
            day_seconds;
        UnixSeconds created = day * day_seconds +
                              static_cast<UnixSeconds>(rng.weighted(hour_weights)) * 3600 +
                              rng.range(0, 3599);
        created = std::min(created, end - 1);
        const int month = core::uk_date(created).month;
        if (code == "grass_cutting" && (month < 4 || month > 9)) {
            continue; // nobody reports long grass in January
        }

        Draft d;
        d.created = created;
        NewRequest& r = d.request;
        r.service_code = code;
        const Report& report = rng.pick(spec.reports);
        r.description = report.description;
        add_answers(r, report.answers);
        geo::EastNorth at;
        switch (spec.where) {
        case Where::cemetery: {
            const auto& section = places.section(rng);
            at = {section.centre.easting + rng.uniform(-10, 10),
                  section.centre.northing + rng.uniform(-10, 10)};
            r.attributes["cemetery"] = {section.cemetery};
            break;
        }
        case Where::bin: {
            const auto& bin = places.bin(rng);
            at = {bin.at.easting + rng.uniform(-1, 1), bin.at.northing + rng.uniform(-1, 1)};
            r.attributes["asset_ref"] = {bin.asset_ref};
            break;
        }
        case Where::door:
        case Where::shop:
            at = places.near_door(rng, spec.where == Where::shop);
            break;
        case Where::street:
            at = rng.chance(0.6) ? places.near_door(rng, false) : places.in_street(rng);
            break;
        }
        if (code == "fly_tipping") {
            r.attributes["amount"] = {amounts[rng.weighted(amount_weights)]};
            if (rng.chance(0.08)) {
                r.attributes["hazardous"] = {"yes"};
            }
        } else if (code == "abandoned_vehicle") {
            r.attributes["make_model"] = {rng.pick(makes)};
        } else if (code == "litter" && !r.attributes.contains("broken_glass") && rng.chance(0.04)) {
            r.attributes["broken_glass"] = {"yes"};
        }
        const geo::LonLat ll = transform.to_wgs84(at);
        char number[32];
        std::snprintf(number, sizeof number, "%.7f", ll.lat);
        r.lat = number;
        std::snprintf(number, sizeof number, "%.7f", ll.lon);
        r.lon = number;
        const ServiceDefinition* service = catalogue.find(code);
        if ((service != nullptr && !service->anonymous_allowed) || rng.chance(0.3)) {
            // Ofcom's range for drama: no real person's number.
            std::snprintf(number, sizeof number, "07700 900%03d", rng.range(0, 999));
            r.phone = number;
        }
        d.key = sources[rng.weighted(source_weights)];
        r.client_address = "192.0.2." + std::to_string(rng.range(1, 254));

        // Resolution times are skewed: most within days, a long tail, a few never.
        std::string status = closed_states[rng.weighted(closed_weights)];
        if (spec.county) {
            status = rng.chance(0.85) ? "not_councils_responsibility" : "closed";
        }
        double days = rng.exponential(spec.mean_days) + 0.05;
        if (status == "duplicate") {
            days = std::min(days, 1.0);
        }
        const bool stalled = rng.chance(0.06);
        const UnixSeconds closed = created + static_cast<UnixSeconds>(days * day_seconds);
        if (!stalled && closed < end) {
            if (days > 0.5 && status != "duplicate" && !spec.county && rng.chance(0.5)) {
                d.updates.push_back(
                    {created + static_cast<UnixSeconds>(rng.uniform(0.1, 0.9) *
                                                        static_cast<double>(closed - created)),
                     open_states[1 + rng.index(3)]});
            }
            d.updates.push_back({closed, status});
            d.open_at_end = false;
        } else {
            const std::string state = open_states[rng.weighted(open_weights)];
            if (state != "open") {
                d.updates.push_back(
                    {created + 60 +
                         static_cast<UnixSeconds>(rng.uniform() *
                                                  static_cast<double>(end - created - 60)),
                     state});
            }
        }
        out.push_back(std::move(d));
    }
    return out;
}

/// Whether a create was refused only for its place: outside the council's wards.
bool outside_the_borough(const DomainError& e) {
    return e.code() == ErrorCode::invalid_parameter && e.problems().size() == 1 &&
           e.problems().front().name == "lat";
}

} // namespace

DemoActivitySummary generate_demo_activity(store::ConnectionPool& pool,
                                           std::shared_ptr<const geo::BngTransform> transform,
                                           ServiceCatalogue catalogue,
                                           const DemoActivityOptions& options) {
    const UnixSeconds end = core::parse_w3c_datetime(options.until.iso()).value_or(0);
    const UnixSeconds start = end - window_days * day_seconds;
    UnixSeconds clock_time = start;

    auto wards_index = WardIndex::load(pool);
    const WardService wards(pool, transform, std::move(wards_index));
    const AddressService addresses(pool, transform, wards,
                                   AddressService::SearchIndex::on_first_search);
    const StreetService streets(pool);
    const CatalogueService catalogues(pool, std::move(catalogue));
    const RequestService requests(pool, transform, catalogues, wards, addresses, streets,
                                  [&clock_time] { return clock_time; });
    requests.sync_categories();

    std::map<std::string, std::string> key_of; // name -> key
    {
        auto db = pool.acquire();
        store::Transaction tx(*db);
        for (const DemoKey& k : demo_keys) {
            const std::string key = k.key ? k.key : core::random_url_token(24);
            register_api_key(*db, key, k.name, k.role, k.channel, optional_text(k.per_address),
                             optional_text(k.per_key), start);
            key_of[k.key ? k.key : k.name] = key;
        }
        tx.commit();
    }

    auto db = pool.acquire();
    Rng rng = Rng(options.seed).fork(5).fork(3); // the stream the importers' casework left free
    std::vector<Draft> drafts;
    {
        Places places(*db);
        drafts = make_drafts(rng, places, *transform, *catalogues.current(), end);
    }

    // Everything that happened, in the order it happened.
    struct Event {
        UnixSeconds at;
        std::size_t draft;
        int update; ///< -1: the report itself
    };
    std::vector<Event> events;
    for (std::size_t i = 0; i < drafts.size(); ++i) {
        events.push_back({drafts[i].created, i, -1});
        for (std::size_t u = 0; u < drafts[i].updates.size(); ++u) {
            events.push_back({drafts[i].updates[u].at, i, static_cast<int>(u)});
        }
    }
    std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
        return std::tie(a.at, a.draft, a.update) < std::tie(b.at, b.draft, b.update);
    });

    DemoActivitySummary summary;
    const std::string staff_key = key_of.at("demo-staff-key");
    store::Transaction tx(*db);
    // SpatiaLite's per-row triggers would be most of the work: one index build at the end.
    static constexpr const char* spatial_tables[] = {"service_requests"};
    store::DeferredSpatialIndex deferred(*db, spatial_tables);
    deferred.rebuild_all();
    deferred.trusted("service_requests", "geom"); // MakePoint(x, y, 27700) in store_new
    deferred.trusted("service_requests", "geom_wgs84");
    for (const Event& e : events) {
        Draft& d = drafts[e.draft];
        clock_time = e.at;
        if (e.update < 0) {
            d.request.api_key = key_of.at(d.key);
            try {
                d.id = requests.create_in(*db, d.request).id;
            } catch (const DomainError& error) {
                if (!outside_the_borough(error)) {
                    throw;
                }
                continue; // the council would pass it on, not log it
            }
            ++summary.requests;
            summary.open += d.open_at_end ? 1 : 0;
            continue;
        }
        if (!d.id) {
            continue;
        }
        const Update& u = d.updates[static_cast<std::size_t>(e.update)];
        StatusUpdate update;
        update.api_key = staff_key;
        update.service_request_id = std::to_string(*d.id);
        update.update_id = "demo-" + std::to_string(*d.id) + "-" + std::to_string(e.update);
        update.status = upper(u.status);
        update.updated_datetime = core::format_utc(u.at);
        update.description = staff_note(u.status);
        update.client_address = "192.0.2.1";
        (void)requests.post_update_in(*db, update);
        ++summary.updates;
    }
    deferred.restore();
    tx.commit();
    return summary;
}

} // namespace wardmap::services
