// The register's schema and its derived ward: migration 0015 moves the litter bins of 0002 into
// street_assets (same ids, the typed ward dropped, the old litter_bins readable as a view with
// the ward computed); the asset types in SQL are the compiled-in catalogue's; ward_code_at
// answers from the ward index at the date asked, across versioned boundary sets.

#include "core/street_asset_types.hpp"

#include "geo/store/database.hpp"
#include "geo/store/migrations.hpp"
#include "server/services/features/layer.hpp"
#include "server/services/streetscene/asset_sql.hpp"
#include "server/services/wards/ward_index.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

namespace wardmap {
namespace {

/// Two boundary sets over the same 200 m x 100 m: until 2020 one ward (E05000001), from 2020
/// split in two (E05000011 west, E05000012 east).
void add_wards(store::Database& db) {
    db.exec("INSERT INTO boundary_sets (id, label, valid_from, valid_to) VALUES "
            "(1, '2013', '2013-05-02', '2020-05-07'), (2, '2020', '2020-05-07', NULL)");
    const auto ward = [&db](int set, const char* code, double x0, double x1) {
        auto st = db.prepare("INSERT INTO wards (boundary_set_id, code, name, geom, geom_wgs84) "
                             "VALUES (?, ?, ?, CastToMulti(BuildMbr(?, 417000, ?, 417100, 27700)), "
                             "CastToMulti(BuildMbr(-2.63, 53.65, -2.62, 53.66, 4326)))");
        st.bind(1, set).bind(2, code).bind(3, code).bind(4, x0).bind(5, x1);
        st.run();
    };
    ward(1, "E05000001", 358000, 358200);
    ward(2, "E05000011", 358000, 358100);
    ward(2, "E05000012", 358100, 358200);
}

class AssetRegister : public ::testing::Test {
  protected:
    void SetUp() override {
        m_path = m_tmp.path() / "r.sqlite";
        store::migrate(m_path);
    }
    testing::TempDir m_tmp;
    std::filesystem::path m_path;
};

TEST_F(AssetRegister, TheSqlTypesAreTheCatalogues) {
    auto db = store::Database::open(m_path);
    auto st = db.prepare("SELECT code, title, geometry FROM street_asset_types ORDER BY rowid");
    std::size_t i = 0;
    while (st.step()) {
        ASSERT_LT(i, std::size(core::street_asset_types));
        const auto& t = core::street_asset_types[i++];
        EXPECT_EQ(st.text(0), t.code);
        EXPECT_EQ(st.text(1), t.title);
        EXPECT_EQ(st.text(2), core::to_string(t.geometry));
    }
    EXPECT_EQ(i, std::size(core::street_asset_types));
}

TEST_F(AssetRegister, EveryTypeIsACollectionOfPublicProperties) {
    services::LayerRegistry registry;
    services::add_street_asset_layers(registry);
    ASSERT_EQ(registry.layers().size(), std::size(core::street_asset_types));
    for (const auto& t : core::street_asset_types) {
        const auto* layer = registry.find(t.collection);
        ASSERT_NE(layer, nullptr) << t.code;
        EXPECT_NE(layer->where.find("'" + std::string(t.code) + "'"), std::string::npos);
        EXPECT_TRUE(layer->visible_to("public"));
        for (const auto& a : t.attributes) {
            EXPECT_NE(layer->property(a.name), nullptr) << t.code << "." << a.name;
        }
        for (const char* p : {"asset_ref", "ward_code", "installed_on", "condition", "owner"}) {
            EXPECT_NE(layer->property(p), nullptr) << t.code << "." << p;
        }
        // Nothing that could be a person's: the register holds no contacts at all.
        for (const auto& p : layer->properties) {
            EXPECT_EQ(p.name.find("contact"), std::string::npos) << t.code;
            EXPECT_EQ(p.sql.find("changed_by"), std::string::npos) << t.code;
        }
    }
    EXPECT_NE(registry.find("litter_bins")->property("bin_type"), nullptr);
}

TEST_F(AssetRegister, TheWardIsDerivedAtTheDateAskedNeverStored) {
    auto db = store::Database::open(m_path);
    add_wards(db);
    const auto index = services::WardIndex::load(db);
    services::define_ward_function(db, [index] { return index; });
    const auto at = [&db](double e, const char* date) {
        auto st = db.prepare("SELECT ward_code_at(?, 417050, ?)");
        st.bind(1, e).bind(2, date);
        EXPECT_TRUE(st.step());
        return st.optional_text(0).value_or("none");
    };
    EXPECT_EQ(at(358150, "2019-06-01"), "E05000001");
    EXPECT_EQ(at(358150, "2021-06-01"), "E05000012");
    EXPECT_EQ(at(358050, "2021-06-01"), "E05000011");
    EXPECT_EQ(at(358100, "2021-06-01"), "E05000011") << "a shared edge: the lowest code";
    EXPECT_EQ(at(359000, "2021-06-01"), "none");
    EXPECT_EQ(at(358150, "2001-01-01"), "none") << "before any boundary set";
    EXPECT_THROW(db.query_text("SELECT ward_code_at(358150, 417050, '1st May')"),
                 store::StoreError);
    EXPECT_EQ(db.query_text("SELECT ward_code_at(NULL, 417050, '2021-06-01')"), std::nullopt);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM pragma_table_info('street_assets') WHERE name "
                           "LIKE '%ward%'"),
              0);
}

TEST_F(AssetRegister, TheLitterBinsViewComputesTheWardInForceToday) {
    auto db = store::Database::open(m_path);
    add_wards(db);
    db.exec("INSERT INTO street_assets (asset_type, reference, attributes, anchor_e, anchor_n, "
            "changed_at, changed_by, geom, geom_wgs84) VALUES ('litter_bin', 'LB-1', "
            "'{\"bin_type\":\"dual\",\"capacity_l\":120}', 358150, 417050, "
            "'2024-01-01T00:00:00Z', 'test', MakePoint(358150, 417050, 27700), "
            "MakePoint(-2.625, 53.655, 4326))");
    EXPECT_EQ(db.query_text("SELECT asset_ref || ' ' || bin_type || ' ' || capacity_l || ' ' || "
                            "ward_code FROM litter_bins"),
              "LB-1 dual 120 E05000012");
    const auto index = services::WardIndex::load(db);
    services::define_ward_function(db, [index] { return index; });
    EXPECT_EQ(db.query_text("SELECT " + services::ward_code_sql("a", "date('now')") +
                            " FROM street_assets a"),
              "E05000012");
}

TEST(AssetMigration, LitterBinsOf0002MoveIntoTheRegisterWithTheirIds) {
    testing::TempDir tmp;
    const auto path = tmp.path() / "old.sqlite";
    {
        auto db = store::Database::open(path, {.mode = store::OpenMode::create});
        db.exec("SELECT InitSpatialMetadata(1)");
        for (const auto& m : store::migrations()) {
            if (m.version > 14) {
                break;
            }
            db.exec(m.sql);
            db.exec("PRAGMA user_version = " + std::to_string(m.version));
        }
        db.exec("INSERT INTO streets (usrn, descriptor, town, street_type, geom, geom_wgs84) "
                "VALUES (44001001, 'Market Street', 'Chorley', 1, "
                "GeomFromText('LINESTRING(358000 417000, 358100 417100)', 27700), "
                "GeomFromText('LINESTRING(-2.63 53.65, -2.628 53.652)', 4326))");
        db.exec("INSERT INTO litter_bins (id, asset_ref, bin_type, capacity_l, usrn, ward_code, "
                "installed_on, empty_per_week, geom, geom_wgs84) VALUES (7, 'LB-000007', "
                "'dog_waste', 40, 44001001, 'E05STALE', '2010-03-01', 2, "
                "MakePoint(358010.5, 417020, 27700), MakePoint(-2.63, 53.65, 4326))");
    }
    const auto result = store::migrate(path);
    EXPECT_EQ(result.from_version, 14);
    auto db = store::Database::open(path);
    EXPECT_EQ(db.query_text("SELECT id || ' ' || asset_type || ' ' || reference || ' ' || usrn || "
                            "' ' || installed_on || ' ' || status || ' ' || anchor_e || ' ' || "
                            "attributes FROM street_assets"),
              "7 litter_bin LB-000007 44001001 2010-03-01 active 358010.5 "
              R"({"bin_type":"dog_waste","capacity_l":40,"empty_per_week":2})");
    EXPECT_EQ(db.query_text("SELECT change || ' ' || source FROM street_asset_history"),
              "insert migration 0015 (litter_bins)");
    // The stale typed ward is gone: with no boundaries, the view finds none.
    EXPECT_EQ(db.query_text("SELECT asset_ref || ' ' || coalesce(ward_code, 'no ward') || ' ' || "
                            "empty_per_week FROM litter_bins"),
              "LB-000007 no ward 2");
    EXPECT_EQ(db.query_int("SELECT count(*) FROM geometry_columns WHERE f_table_name = "
                           "'litter_bins'"),
              0);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM idx_street_assets_geom"), 1);
}

} // namespace
} // namespace wardmap
