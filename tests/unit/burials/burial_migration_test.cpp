// Migration 0020 on a store that holds 0002's burial_plots (a stored status): each plot becomes
// a grave space under its id, counts become prior burials, 'unusable' ground unavailable, and
// what the facts cannot give becomes an override whose reason says so; the derived statuses
// then read as the stored ones did. burial_plots is gone.

#include "geo/store/database.hpp"
#include "geo/store/migrations.hpp"
#include "server/services/burials/grave_status.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

namespace wardmap {
namespace {

TEST(BurialMigration, StoredPlotsBecomeGravesWhoseDerivedStatusMatches) {
    testing::TempDir tmp;
    const auto path = tmp.path() / "old.sqlite";
    {
        auto db = store::Database::open(path, {.mode = store::OpenMode::create});
        db.exec("SELECT InitSpatialMetadata(1)");
        for (const auto& m : store::migrations()) {
            if (m.version > 16) {
                break;
            }
            store::Transaction tx(db);
            db.exec(m.sql);
            db.exec("PRAGMA user_version = " + std::to_string(m.version));
            tx.commit();
        }
        db.exec("INSERT INTO cemeteries (id, name, address, geom, geom_wgs84) VALUES (1, 'Old', "
                "'Road', CastToMultiPolygon(BuildMbr(358000, 418000, 358100, 418100, 27700)), "
                "CastToMultiPolygon(BuildMbr(-2.6, 53.6, -2.59, 53.61, 4326)))");
        db.exec("INSERT INTO cemetery_sections (id, cemetery_id, name, denomination, geom, "
                "geom_wgs84) VALUES (1, 1, 'Section A', 'Church of England', BuildMbr(358000, "
                "418000, 358100, 418100, 27700), BuildMbr(-2.6, 53.6, -2.59, 53.61, 4326)), (2, "
                "1, 'Baby Garden', NULL, BuildMbr(358000, 418000, 358100, 418100, 27700), "
                "BuildMbr(-2.6, 53.6, -2.59, 53.61, 4326))");
        const char* plots[][6] = {
            {"1", "1", "A-1", "traditional", "available", "0"},
            {"2", "1", "A-2", "traditional", "full", "3"},
            {"3", "1", "A-3", "traditional", "occupied", "1"},
            {"4", "1", "A-4", "traditional", "reserved", "0"},
            {"5", "1", "A-5", "traditional", "purchased_unused", "0"},
            {"6", "1", "A-6", "traditional", "unusable", "0"},
            {"7", "2", "A-1", "childrens", "full", "0"}, // a clash of numbers in the cemetery
        };
        for (const auto& p : plots) {
            db.exec(std::string("INSERT INTO burial_plots (id, section_id, plot_ref, plot_type, "
                                "status, capacity, interments, geom, geom_wgs84) VALUES (") +
                    p[0] + ", " + p[1] + ", '" + p[2] + "', '" + p[3] + "', '" + p[4] + "', " +
                    (std::string(p[3]) == "childrens" ? "1" : "3") + ", " + p[5] +
                    ", BuildMbr(358010, 418010, 358011.2, 418012.4, 27700), BuildMbr(-2.6, 53.6, "
                    "-2.5999, 53.6001, 4326))");
        }
    }
    const auto result = store::migrate(path);
    EXPECT_EQ(result.from_version, 16);
    auto db = store::Database::open(path);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM sqlite_master WHERE name = 'burial_plots'"), 0);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM grave_spaces"), 7);
    EXPECT_EQ(db.query_text("SELECT grave_number FROM grave_spaces WHERE id = 7"),
              "Baby Garden A-1");
    EXPECT_EQ(db.query_text("SELECT kind FROM cemetery_sections WHERE id = 2"), "baby");
    EXPECT_EQ(db.query_int("SELECT consecrated FROM cemetery_sections WHERE id = 1"), 1);
    const std::map<int, std::string> expected = {
        {1, "available"}, {2, "full"},        {3, "in_use"}, {4, "reserved"},
        {5, "reserved"},  {6, "unavailable"}, {7, "full"}};
    for (const auto& [id, status] : expected) {
        const auto s = services::grave_status(db, id, core::Date{2026, 12, 1});
        ASSERT_TRUE(s) << id;
        EXPECT_EQ(s->status, status) << id;
    }
    EXPECT_EQ(db.query_int("SELECT count(*) FROM grave_status_overrides WHERE reason LIKE "
                           "'migrated from the stored status%'"),
              3); // reserved, purchased_unused, full with spare capacity
}

} // namespace
} // namespace wardmap
