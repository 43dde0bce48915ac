#include "server/services/wards/ward_index.hpp"

#include "geo/errors.hpp"
#include "geo/geos_context.hpp"

#include <climits>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>

namespace wardmap::services {

namespace {

std::atomic<std::uint64_t> next_generation{1};

int iso_key(const std::string& iso, const std::string& what) {
    const auto date = core::parse_iso_date(iso);
    if (!date) {
        throw std::runtime_error(what + " is not a calendar date: '" + iso + "'");
    }
    return date_key(*date);
}

} // namespace

struct WardIndex::ThreadTrees {
    struct Ward {
        geo::GeosGeometry geom;
        geo::GeosPrepared prepared; // declared after geom: destroyed before it
        std::uint32_t index = 0;    // into WardIndex::m_wards
    };
    struct Set {
        std::vector<Ward> wards; // never resized after the tree holds pointers into it
        geo::GeosStrTree tree;
    };
    std::uint64_t generation = 0;
    std::weak_ptr<const WardIndex> owner; // expired: the index is gone, drop these trees
    std::vector<Set> sets;                // parallel to WardIndex::m_sets
};

namespace {

/// This thread's trees for every live index it has looked up in. Few entries: one per index
/// instance, and a reload purges the dead ones on the next miss.
struct ThreadCache {
    std::vector<std::unique_ptr<WardIndex::ThreadTrees>> entries;
    std::vector<const WardIndex::ThreadTrees::Ward*> candidates; // scratch, reused per lookup
};

ThreadCache& thread_cache() {
    // The GEOS context must outlive the cached geometries: thread_locals are destroyed in
    // reverse order of construction, so make sure it is constructed first.
    geo::this_thread_geos();
    thread_local ThreadCache cache;
    return cache;
}

void collect(void* item, void* userdata) {
    static_cast<std::vector<const WardIndex::ThreadTrees::Ward*>*>(userdata)->push_back(
        static_cast<const WardIndex::ThreadTrees::Ward*>(item));
}

} // namespace

WardIndex::WardIndex(Private, std::vector<WardRecord> wards)
    : m_generation(next_generation.fetch_add(1)), m_wards(std::move(wards)) {
    std::sort(m_wards.begin(), m_wards.end(), [](const WardRecord& a, const WardRecord& b) {
        return a.code != b.code ? a.code < b.code : a.valid_from < b.valid_from;
    });
    const auto& geos = geo::this_thread_geos();
    for (std::size_t i = 0; i < m_wards.size(); ++i) {
        const auto& w = m_wards[i];
        auto set = std::find_if(m_sets.begin(), m_sets.end(),
                                [&](const SetInfo& s) { return s.label == w.boundary_set; });
        if (set == m_sets.end()) {
            SetInfo info;
            info.label = w.boundary_set;
            info.from =
                iso_key(w.valid_from, "valid_from of boundary set '" + w.boundary_set + "'");
            info.to = w.valid_to ? iso_key(*w.valid_to,
                                           "valid_to of boundary set '" + w.boundary_set + "'")
                                 : INT_MAX;
            set = m_sets.insert(m_sets.end(), std::move(info));
        }
        // Parsing here also proves every WKB readable before the first request needs it.
        const auto box = geos.envelope(geos.from_wkb(w.wkb).get());
        if (!box.empty()) {
            set->box.extend(box.min_x, box.min_y);
            set->box.extend(box.max_x, box.max_y);
        }
        set->wards.push_back(static_cast<std::uint32_t>(i));
    }
}

WardIndex::~WardIndex() = default;

std::shared_ptr<const WardIndex> WardIndex::load(store::Database& db) {
    auto stmt = db.prepare(
        "SELECT w.id, w.code, w.name, b.label, b.valid_from, b.valid_to, AsBinary(w.geom) "
        "FROM wards w JOIN boundary_sets b ON b.id = w.boundary_set_id "
        "WHERE w.geom IS NOT NULL");
    std::vector<WardRecord> wards;
    while (stmt.step()) {
        const auto wkb = stmt.blob(6);
        wards.push_back({.id = stmt.int64(0),
                         .code = std::string(stmt.text(1)),
                         .name = std::string(stmt.text(2)),
                         .boundary_set = std::string(stmt.text(3)),
                         .valid_from = std::string(stmt.text(4)),
                         .valid_to = stmt.optional_text(5),
                         .wkb = {wkb.begin(), wkb.end()}});
    }
    return std::make_shared<WardIndex>(Private{}, std::move(wards));
}

std::shared_ptr<const WardIndex> WardIndex::load(store::ConnectionPool& pool) {
    auto db = pool.acquire();
    return load(*db);
}

const WardIndex::ThreadTrees& WardIndex::thread_trees() const {
    auto& cache = thread_cache();
    for (const auto& entry : cache.entries) {
        if (entry->generation == m_generation) {
            return *entry;
        }
    }
    // A miss: this index is new to this thread. Drop trees of indexes that are gone.
    std::erase_if(cache.entries, [](const auto& e) { return e->owner.expired(); });
    const auto& geos = geo::this_thread_geos();
    auto trees = std::make_unique<ThreadTrees>();
    trees->generation = m_generation;
    trees->owner = weak_from_this();
    trees->sets.resize(m_sets.size());
    for (std::size_t s = 0; s < m_sets.size(); ++s) {
        auto& set = trees->sets[s];
        set.wards.reserve(m_sets[s].wards.size());
        for (const auto index : m_sets[s].wards) {
            auto geom = geos.from_wkb(m_wards[index].wkb);
            auto prepared = geos.prepare(geom.get());
            set.wards.push_back({std::move(geom), std::move(prepared), index});
        }
        set.tree = geos.strtree();
        for (auto& ward : set.wards) {
            GEOSSTRtree_insert_r(geos.handle(), set.tree.get(), ward.geom.get(), &ward);
        }
    }
    cache.entries.push_back(std::move(trees));
    return *cache.entries.back();
}

const WardRecord* WardIndex::find(geo::EastNorth p, const core::Date& date) const {
    if (!std::isfinite(p.easting) || !std::isfinite(p.northing)) {
        return nullptr;
    }
    const int day = date_key(date);
    bool any = false;
    for (const auto& set : m_sets) {
        any = any || (set.from <= day && day < set.to && set.box.contains(p.easting, p.northing));
    }
    if (!any) {
        return nullptr; // outside every set's extent: no GEOS work at all
    }
    const auto& trees = thread_trees();
    const auto& geos = geo::this_thread_geos();
    auto& candidates = thread_cache().candidates;
    candidates.clear();
    const auto point = geos.point(p.easting, p.northing);
    for (std::size_t s = 0; s < m_sets.size(); ++s) {
        const auto& set = m_sets[s];
        if (set.from <= day && day < set.to && set.box.contains(p.easting, p.northing)) {
            // GEOS 3.11's query takes a non-const tree: it builds the tree on the first query.
            GEOSSTRtree_query_r(geos.handle(), trees.sets[s].tree.get(), point.get(), &collect,
                                &candidates);
        }
    }
    // Lowest code first, so the first ward that covers the point is the deterministic answer.
    std::sort(candidates.begin(), candidates.end(),
              [](const auto* a, const auto* b) { return a->index < b->index; });
    for (const auto* ward : candidates) {
        const char covers = GEOSPreparedCovers_r(geos.handle(), ward->prepared.get(), point.get());
        if (covers == 2) {
            geos.fail("point-in-ward test failed");
        }
        if (covers == 1) {
            return &m_wards[ward->index];
        }
    }
    return nullptr;
}

} // namespace wardmap::services
