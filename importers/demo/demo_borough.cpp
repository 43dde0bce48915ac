#include "importers/demo/demo_borough.hpp"

#include "core/w3c_time.hpp"

#include "geo/store/migrations.hpp"
#include "importers/demo/demo_model.hpp"

#include <chrono>

namespace wardmap::importers {

namespace {

/// Bump whenever the same seed would produce a different borough.
constexpr int generator_version = 4; // 4: planning constraints and land charges

/// The first schema version that has every table the demo fills.
constexpr int required_schema_version = 31; // residents' accounts, 0031

constexpr const char* filled_tables[] = {
    "council_area",         "boundary_sets",     "wards",         "streets",
    "properties",           "addresses",         "postcodes",     "cemeteries",
    "cemetery_sections",    "grave_spaces",      "street_assets", "planning_applications",
    "service_categories",   "service_requests",  "interments",    "burial_grants",
    "planning_constraints", "local_land_charges"};

std::vector<std::pair<std::string, std::string>> meta_rows(const DemoOptions& options) {
    return {{"dataset", "demo"},
            {"synthetic", "true"},
            {"seed", std::to_string(options.seed)},
            {"generator", "wardmap demo-data"},
            {"generator_version", std::to_string(generator_version)},
            {"reference_date", options.reference_date},
            {"description", "Synthetic demo borough at Chorley's position; not real data"}};
}

/// Refuses anything but an empty, migrated database, so demo data never mixes with real data.
void require_empty(store::Database& db, const DemoOptions& options) {
    const int version = store::schema_version(db);
    if (version < required_schema_version) {
        throw DemoDataError("the database is at schema version " + std::to_string(version) +
                            "; migrate it before generating the demo borough");
    }
    for (const char* table : filled_tables) {
        if (db.query_int(std::string("SELECT EXISTS (SELECT 1 FROM ") + table + ")").value_or(0)) {
            throw DemoDataError(std::string("the database already holds data (table ") + table +
                                " has rows); the demo borough needs an empty database");
        }
    }
    auto meta = db.prepare("SELECT 1 FROM wardmap_meta WHERE key = ?");
    for (const auto& [key, value] : meta_rows(options)) {
        meta.bind(1, key);
        if (meta.step()) {
            throw DemoDataError("the database already holds data (wardmap_meta has '" + key +
                                "'); the demo borough needs an empty database");
        }
        meta.reset();
    }
}

} // namespace

DemoSummary generate_demo_borough(store::Database& db,
                                  const geo::BngTransform& transform,
                                  const DemoOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    const auto reference = core::parse_w3c_datetime(options.reference_date);
    if (!reference) {
        throw DemoDataError("reference date '" + options.reference_date +
                            "' is not a date (YYYY-MM-DD) or a W3C date-time");
    }
    require_empty(db, options); // fail fast, before the generation work

    // Each part draws from its own stream, so tuning one leaves the others as they were.
    const demo::Rng root(options.seed);
    demo::Borough borough;
    borough.boundaries = demo::make_boundaries(root.fork(1), transform);
    const geo::GeosContext& geos = geo::this_thread_geos();
    const demo::AreaIndex council(geos, {&borough.boundaries.council});
    std::vector<const demo::MultiPolygon*> current, previous;
    for (const auto& w : borough.boundaries.current.wards) {
        current.push_back(&w.shape);
    }
    for (const auto& w : borough.boundaries.previous.wards) {
        previous.push_back(&w.shape);
    }
    const demo::AreaIndex current_wards(geos, current), previous_wards(geos, previous);
    const demo::RoadPlan plan = demo::plan_roads(root.fork(2), transform);
    borough.cemeteries = demo::make_cemeteries(root.fork(3), plan);
    borough.gazetteer =
        demo::make_gazetteer(root.fork(4), plan, borough.cemeteries, council, current_wards);
    borough.casework = demo::make_casework(root.fork(5), {borough.boundaries, borough.gazetteer,
                                                          borough.cemeteries, current_wards,
                                                          previous_wards, *reference});

    borough.burials = demo::make_burials(root.fork(6), borough.cemeteries, borough.gazetteer,
                                         options.reference_date);
    borough.memorials = demo::make_memorials(root.fork(23), borough.cemeteries, borough.burials,
                                             options.reference_date);

    store::Transaction tx(db);
    require_empty(db, options); // again under the write lock: nobody slipped rows in meanwhile
    demo::write_borough(db, transform, borough, meta_rows(options));
    tx.commit();

    const auto& g = borough.gazetteer;
    const auto& c = borough.cemeteries;
    const auto& w = borough.casework;
    DemoSummary s;
    s.wards_current = static_cast<int>(borough.boundaries.current.wards.size());
    s.wards_previous = static_cast<int>(borough.boundaries.previous.wards.size());
    s.streets = static_cast<int>(g.streets.size());
    s.properties = static_cast<int>(g.properties.size());
    s.postcodes = static_cast<int>(g.postcodes.size());
    s.cemeteries = static_cast<int>(c.cemeteries.size());
    s.sections = static_cast<int>(c.sections.size());
    s.graves = static_cast<int>(c.graves.size());
    s.interments = static_cast<int>(borough.burials.interments.size());
    s.grants = static_cast<int>(borough.burials.grants.size());
    s.litter_bins = static_cast<int>(w.litter_bins.size());
    s.street_assets = static_cast<int>(w.street_assets.size());
    s.planning_applications = static_cast<int>(w.planning.size());
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return s;
}

} // namespace wardmap::importers
