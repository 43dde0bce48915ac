// The two ways a bulk load keeps a spatial index: deferred (filled at the end in one statement,
// or row by row for a delta) and built on another core then copied in. Both must leave the
// R*Tree exactly as SQLite would keep it row by row: rtreecheck() and SpatiaLite's own
// CheckSpatialIndex() agree, and queries find the same rows.

#include "geo/store/database.hpp"
#include "geo/store/deferred_spatial_index.hpp"
#include "geo/store/migrations.hpp"
#include "geo/store/packed_rtree.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <random>

namespace wardmap::store {
namespace {

constexpr const char* properties_only[] = {"properties"};

class SpatialIndexBuild : public ::testing::Test {
  protected:
    SpatialIndexBuild() : path(tmp.path() / "t.sqlite") { migrate(path); }

    static void insert(Database& db, std::int64_t uprn, double e, double n) {
        db.prepare("INSERT INTO properties (uprn, classification, easting, northing, lon, lat, "
                   "geom, geom_wgs84) VALUES (?1, 'RD', ?2, ?3, -2.6, 53.6, "
                   "MakePoint(?2, ?3, 27700), MakePoint(-2.6, 53.6, 4326))")
            .bind(1, uprn)
            .bind(2, e)
            .bind(3, n)
            .run();
    }
    static std::int64_t in_box(Database& db) {
        return db
            .query_int("SELECT COUNT(*) FROM idx_properties_geom WHERE xmin <= 355000 AND "
                       "xmax >= 350000 AND ymin <= 415000 AND ymax >= 410000")
            .value_or(-1);
    }
    static std::int64_t truly_in_box(Database& db) {
        return db
            .query_int("SELECT COUNT(*) FROM properties WHERE easting BETWEEN 350000 AND 355000 "
                       "AND northing BETWEEN 410000 AND 415000")
            .value_or(-1);
    }

    testing::TempDir tmp;
    std::filesystem::path path;
};

TEST_F(SpatialIndexBuild, APackedTreeIsAValidTreeWithUpdatesAndDeletes) {
    auto db = Database::open(path);
    Transaction tx(db);
    DeferredSpatialIndex deferred(db, properties_only);
    deferred.provided_elsewhere("properties", "geom");
    PackedRTree tree;
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> e(340000, 380000), n(400000, 440000);
    for (std::int64_t uprn = 1; uprn <= 30000; ++uprn) {
        const double x = e(rng), y = n(rng);
        insert(db, uprn, x, y);
        tree.add(uprn, x, x, y, y);
    }
    // A later position replaces the first; a deleted property leaves the tree.
    db.exec("UPDATE properties SET easting = 352000, northing = 412000, geom = "
            "MakePoint(352000, 412000, 27700) WHERE uprn = 5");
    tree.add(5, 352000, 352000, 412000, 412000);
    db.exec("DELETE FROM properties WHERE uprn = 6");
    tree.remove(6);
    deferred.restore();
    tree.finish_into(db, "idx_properties_geom");
    tx.commit();

    EXPECT_EQ(db.query_text("SELECT rtreecheck('idx_properties_geom')"), "ok");
    EXPECT_EQ(db.query_int("SELECT COUNT(*) FROM idx_properties_geom"), 29999);
    EXPECT_EQ(db.query_int("SELECT CheckSpatialIndex('properties', 'geom')"), 1);
    EXPECT_EQ(in_box(db), truly_in_box(db));
    EXPECT_GT(truly_in_box(db), 0);
    // Row-by-row maintenance carries on from the copied tree once the triggers are back.
    insert(db, 40000, 353000, 413000);
    EXPECT_EQ(db.query_text("SELECT rtreecheck('idx_properties_geom')"), "ok");
    EXPECT_EQ(in_box(db), truly_in_box(db));
    // 30,000 entries make three levels (a node holds 167 cells at 4 KiB pages); SQLite deletes
    // from it and rebalances it as from a tree of its own.
    EXPECT_EQ(db.query_int("SELECT (SELECT COUNT(*) FROM idx_properties_geom_node) > 180"), 1);
    db.exec("DELETE FROM properties WHERE uprn BETWEEN 100 AND 20000");
    EXPECT_EQ(db.query_text("SELECT rtreecheck('idx_properties_geom')"), "ok");
    EXPECT_EQ(db.query_int("SELECT COUNT(*) FROM idx_properties_geom"), 30000 - 19901);
    EXPECT_EQ(in_box(db), truly_in_box(db));
}

TEST_F(SpatialIndexBuild, APackedTreeOfOneLeafAndOfNothing) {
    auto db = Database::open(path);
    {
        Transaction tx(db);
        DeferredSpatialIndex deferred(db, properties_only);
        deferred.provided_elsewhere("properties", "geom");
        PackedRTree tree;
        for (std::int64_t uprn = 1; uprn <= 5; ++uprn) {
            const double x = 350000 + static_cast<double>(uprn) * 1000.1;
            insert(db, uprn, x, 411000.7);
            tree.add(uprn, x, x, 411000.7, 411000.7);
        }
        deferred.restore();
        tree.finish_into(db, "idx_properties_geom");
        tx.commit();
    }
    EXPECT_EQ(db.query_text("SELECT rtreecheck('idx_properties_geom')"), "ok");
    EXPECT_EQ(db.query_int("SELECT CheckSpatialIndex('properties', 'geom')"), 1);
    EXPECT_EQ(in_box(db), truly_in_box(db));
    EXPECT_EQ(in_box(db), 4);
    PackedRTree nothing;
    nothing.finish_into(db, "idx_properties_geom");
    EXPECT_EQ(db.query_int("SELECT COUNT(*) FROM idx_properties_geom"), 5);
}

TEST_F(SpatialIndexBuild, DeferredIndexUpdatesOnlyTouchedRowsOfAFullTable) {
    auto db = Database::open(path);
    for (std::int64_t uprn = 1; uprn <= 200; ++uprn) {
        insert(db, uprn, 350000 + static_cast<double>(uprn) * 10, 410000);
    }
    const std::string triggers = "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master "
                                 "WHERE type = 'trigger' AND tbl_name = 'properties' ORDER BY "
                                 "name)";
    const auto before = db.query_text(triggers);
    Transaction tx(db);
    DeferredSpatialIndex deferred(db, properties_only);
    EXPECT_EQ(db.query_text(triggers), std::nullopt) << "set aside while loading";
    db.exec("UPDATE properties SET easting = 390000, geom = MakePoint(390000, 410000, 27700) "
            "WHERE uprn = 1");
    deferred.touched("properties", 1);
    db.exec("DELETE FROM properties WHERE uprn = 2");
    deferred.touched("properties", 2);
    // Without triggers the index is stale until restore().
    EXPECT_EQ(in_box(db), 200);
    deferred.restore();
    tx.commit();
    EXPECT_EQ(in_box(db), truly_in_box(db));
    EXPECT_EQ(in_box(db), 198);
    EXPECT_EQ(db.query_text("SELECT rtreecheck('idx_properties_geom')"), "ok");
    EXPECT_EQ(db.query_text(triggers), before);
}

TEST_F(SpatialIndexBuild, AWrongGeometryIsRefusedOnRestore) {
    auto db = Database::open(path);
    Transaction tx(db);
    DeferredSpatialIndex deferred(db, properties_only);
    db.exec("INSERT INTO properties (uprn, classification, easting, northing, lon, lat, geom, "
            "geom_wgs84) VALUES (1, 'RD', 1, 1, 1, 1, MakePoint(1, 1, 4326), "
            "MakePoint(1, 1, 4326))");
    EXPECT_THROW(deferred.restore(), StoreError);
}

} // namespace
} // namespace wardmap::store
