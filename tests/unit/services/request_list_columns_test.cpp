// Migration 0012: the request row's copies of its latest public note and first photo, and its
// open/closed flag, on real SpatiaLite files.
#include "geo/store/database.hpp"
#include "geo/store/migrations.hpp"
#include "server/services/requests/request_service.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

namespace wardmap::services {
namespace {

using store::Database;

void add_category(Database& db) {
    db.exec("INSERT INTO service_categories (code, name, group_name) "
            "VALUES ('litter', 'Litter', 'Street cleaning')");
}

std::int64_t add_request(Database& db, const std::string& status) {
    auto st = db.prepare(
        "INSERT INTO service_requests (category_code, status, description, created_at, "
        "updated_at, geom, geom_wgs84) VALUES ('litter', ?1, 'Cans', '2026-11-01T09:00:00Z', "
        "'2026-11-01T09:00:00Z', MakePoint(358000, 418000, 27700), MakePoint(-2.6, 53.65, 4326))");
    st.bind(1, status).run();
    return db.last_insert_rowid();
}

void add_history(Database& db, std::int64_t request, const std::string& note, bool is_public) {
    auto st = db.prepare("INSERT INTO service_request_history (request_id, at, actor, to_status, "
                         "note, public) VALUES (?1, '2026-11-02T09:00:00Z', 'staff:test', "
                         "'in_progress', ?2, ?3)");
    st.bind(1, request).bind(2, note).bind(3, std::int64_t{is_public ? 1 : 0}).run();
}

void add_photo(Database& db, const std::string& id) {
    auto st = db.prepare("INSERT INTO photos (id, created_at, width, height, jpeg, "
                         "thumbnail_width, thumbnail_height, thumbnail) VALUES (?1, "
                         "'2026-11-01T09:00:00Z', 1, 1, x'FF', 1, 1, x'FF')");
    st.bind(1, id).run();
}

void attach_photo(Database& db,
                  const std::string& id,
                  std::int64_t request,
                  std::optional<std::int64_t> history,
                  int position) {
    auto st = db.prepare(
        "UPDATE photos SET request_id = ?2, history_id = ?3, position = ?4 WHERE id = ?1");
    st.bind(1, id).bind(2, request).bind(3, history).bind(4, std::int64_t{position}).run();
}

std::optional<std::string> column_of(Database& db, const char* column, std::int64_t request) {
    return db.query_text(std::string("SELECT ") + column +
                         " FROM service_requests WHERE id = " + std::to_string(request));
}

/// A store at the latest schema with one service category.
class RequestListColumns : public ::testing::Test {
  protected:
    static Database migrated(const std::filesystem::path& path) {
        store::migrate(path);
        auto db = Database::open(path);
        add_category(db);
        return db;
    }
    testing::TempDir tmp;
    Database db = migrated(tmp.path() / "db.sqlite");
};

TEST_F(RequestListColumns, IsOpenAgreesWithTheLifecycleForEveryStatus) {
    // Every lifecycle status, and one the code does not know (both count it as open).
    for (const std::string status :
         {"open", "investigating", "in_progress", "action_scheduled", "reopened", "fixed",
          "no_further_action", "duplicate", "not_councils_responsibility", "internal_referral",
          "cancelled", "closed", "some_future_status"}) {
        const auto id = add_request(db, status);
        const StatusInfo* info = status_info(status);
        const bool open = info == nullptr || info->open;
        EXPECT_EQ(
            db.query_int("SELECT is_open FROM service_requests WHERE id = " + std::to_string(id)),
            open ? 1 : 0)
            << status;
    }
    // The flag follows a status change.
    const auto id = add_request(db, "open");
    db.exec("UPDATE service_requests SET status = 'fixed' WHERE id = " + std::to_string(id));
    EXPECT_EQ(db.query_int("SELECT is_open FROM service_requests WHERE id = " + std::to_string(id)),
              0);
}

TEST_F(RequestListColumns, TriggersKeepTheLatestPublicNoteAndTheFirstOwnPhoto) {
    const auto id = add_request(db, "open");
    EXPECT_EQ(column_of(db, "status_note", id), std::nullopt);

    add_history(db, id, "Crew sent", true);
    EXPECT_EQ(column_of(db, "status_note", id), "Crew sent");
    add_history(db, id, "Internal: overtime needed", false); // staff only
    add_history(db, id, "", true);                           // a change without a note
    EXPECT_EQ(column_of(db, "status_note", id), "Crew sent");
    add_history(db, id, "Cleared", true);
    EXPECT_EQ(column_of(db, "status_note", id), "Cleared");

    EXPECT_EQ(column_of(db, "photo_id", id), std::nullopt);
    add_photo(db, "b");
    add_photo(db, "a");
    add_photo(db, "update");
    attach_photo(db, "b", id, std::nullopt, 1);
    EXPECT_EQ(column_of(db, "photo_id", id), "b");
    attach_photo(db, "a", id, std::nullopt, 0); // an earlier position takes first place
    EXPECT_EQ(column_of(db, "photo_id", id), "a");
    const auto history = db.query_int("SELECT max(id) FROM service_request_history");
    attach_photo(db, "update", id, *history, 0); // an update's photo is not the request's own
    EXPECT_EQ(column_of(db, "photo_id", id), "a");

    // A photo inserted already attached counts too.
    const auto other = add_request(db, "open");
    db.exec("INSERT INTO photos (id, created_at, request_id, position, width, height, jpeg, "
            "thumbnail_width, thumbnail_height, thumbnail) VALUES ('c', '2026-11-01T09:00:00Z', " +
            std::to_string(other) + ", 0, 1, 1, x'FF', 1, 1, x'FF')");
    EXPECT_EQ(column_of(db, "photo_id", other), "c");
}

TEST(RequestListColumnsMigration, MigratingAnOlderStoreFillsThemFromItsHistoryAndPhotos) {
    testing::TempDir tmp;
    const auto path = tmp.path() / "db.sqlite";
    std::int64_t with_both = 0;
    std::int64_t bare = 0;
    {
        // A store as 0011 left it, with requests that already have notes and photos.
        auto db = Database::open(path, {.mode = store::OpenMode::create});
        db.exec("SELECT InitSpatialMetadata(1)");
        for (const auto& m : store::migrations()) {
            if (m.version < 12) {
                db.exec(m.sql);
            }
        }
        db.exec("PRAGMA user_version = 11");
        db.exec("PRAGMA application_id = " + std::to_string(store::application_id));
        add_category(db);
        with_both = add_request(db, "in_progress");
        bare = add_request(db, "open");
        add_history(db, with_both, "Booked for Tuesday", true);
        add_history(db, with_both, "Staff only", false);
        add_photo(db, "second");
        add_photo(db, "first");
        attach_photo(db, "second", with_both, std::nullopt, 1);
        attach_photo(db, "first", with_both, std::nullopt, 0);
    }
    const auto result = store::migrate(path);
    EXPECT_EQ(result.from_version, 11);
    auto db = Database::open(path);
    EXPECT_EQ(column_of(db, "status_note", with_both), "Booked for Tuesday");
    EXPECT_EQ(column_of(db, "photo_id", with_both), "first");
    EXPECT_EQ(column_of(db, "status_note", bare), std::nullopt);
    EXPECT_EQ(column_of(db, "photo_id", bare), std::nullopt);
}

} // namespace
} // namespace wardmap::services
