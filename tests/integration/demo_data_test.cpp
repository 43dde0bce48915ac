// `wardmap demo-data`: the borough's casework is made through the request service, up to the
// generation date, the same for the same seed and date.

#include "core/dates.hpp"
#include "core/w3c_time.hpp"

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace wardmap {
namespace {

using store::Database;
using store::OpenMode;
using testing::run_wardmap;

std::int64_t count(Database& db, const std::string& sql) {
    return db.query_int(sql).value_or(-1);
}

/// Every row of the casework and schedule tables as text, in a fixed order. Tracking tokens are
/// random by design (and so is the hash of a key nobody is told), so they are left out.
std::string casework_of(const std::filesystem::path& path) {
    auto db = Database::open(path, {.mode = OpenMode::read_only});
    std::string out;
    for (const char* sql :
         {"SELECT id, category_code, status, description, address, uprn, usrn, ward_code, "
          "source, created_at, updated_at, closed_at, priority, expected_at, attributes, "
          "postcode, anonymous, private, api_key_id, status_note, AsText(geom) "
          "FROM service_requests ORDER BY id",
          "SELECT id, request_id, at, actor, from_status, to_status, note, public, api_key_id, "
          "external_id FROM service_request_history ORDER BY id",
          "SELECT request_id, first_name, last_name, email, phone FROM "
          "service_request_contacts ORDER BY request_id",
          "SELECT id, name, role, channel, created_at, rate_limit_per_address, "
          "rate_limit_per_key FROM api_keys ORDER BY id",
          // The streetscene rounds (their created_at/updated_at are the clock's).
          "SELECT id, code, name, activity, round_set, team, vehicle, rule_kind, rrule, "
          "first_date, interval_working_days, visits_per_season, season_start, season_end, "
          "suspended_start, suspended_end, bank_holidays FROM schedule_rounds ORDER BY id",
          "SELECT id, round_id, seq, usrn, uprn, asset_id FROM schedule_round_stops ORDER BY id",
          "SELECT id, round_id, stop_id, rule_date, planned_date, moved, rolled_from FROM "
          "schedule_visits ORDER BY id",
          // The crews and a year of their completions (recorded at the times they are dated).
          "SELECT code, name, depot, vehicle FROM crews ORDER BY code",
          "SELECT crew_code, person_id FROM crew_members ORDER BY crew_code, person_id",
          "SELECT id, visit_id, client_id, person_id, actor, outcome, reason, at, recorded_at, "
          "lon, lat, accuracy_m, quantities, notes FROM schedule_visit_completions ORDER BY id",
          // The empty-property register (its created_at/recorded_at are the clock's).
          "SELECT id, uprn, source, empty_since, registered_on, furnished, risk FROM "
          "empty_properties ORDER BY id",
          "SELECT id, property_id, status, effective_on, person_name, note FROM "
          "empty_property_status_log ORDER BY id",
          "SELECT id, property_id, inspected_on, inspector_name, condition, security, "
          "recommended_action FROM empty_property_inspections ORDER BY id",
          "SELECT property_id, name, address, phone, email FROM empty_property_owners "
          "ORDER BY property_id"}) {
        auto st = db.prepare(sql);
        while (st.step()) {
            for (int c = 0; c < st.column_count(); ++c) {
                out += st.is_null(c) ? std::string("NULL") : std::string(st.text(c));
                out += '|';
            }
            out += '\n';
        }
    }
    return out;
}

TEST(DemoData, TheSameSeedAndDateGiveTheSameCasework) {
    testing::TempDir tmp;
    const auto a = tmp.path() / "a.sqlite", b = tmp.path() / "b.sqlite",
               later = tmp.path() / "later.sqlite";
    std::string out;
    for (const auto& [file, date] :
         {std::pair{a, "2026-06-30"}, std::pair{b, "2026-06-30"}, std::pair{later, "2026-07-31"}}) {
        ASSERT_EQ(
            run_wardmap({"demo-data", "--db", file.string(), "--seed", "11", "--date", date}, &out),
            0)
            << out;
    }
    EXPECT_NE(out.find("activity up to 2026-07-31"), std::string::npos) << out;
    const std::string first = casework_of(a);
    EXPECT_GT(first.size(), 100000U);
    EXPECT_EQ(casework_of(b), first);
    EXPECT_NE(casework_of(later), first) << "the activity moves with the date";

    auto db = Database::open(a, {.mode = OpenMode::read_only});
    EXPECT_EQ(db.query_text("SELECT max(created_at) < '2026-06-30' AND max(created_at) >= "
                            "'2026-06-29' FROM service_requests"),
              "1");
    EXPECT_EQ(count(db, "SELECT count(*) FROM service_request_history WHERE at >= '2026-06-30'"),
              0);
}

TEST(DemoData, RefusesABadDate) {
    testing::TempDir tmp;
    std::string out;
    EXPECT_NE(run_wardmap(
                  {"demo-data", "--db", (tmp.path() / "x.sqlite").string(), "--date", "2026-02-30"},
                  &out),
              0);
    EXPECT_NE(out.find("--date"), std::string::npos) << out;
    EXPECT_FALSE(std::filesystem::exists(tmp.path() / "x.sqlite"));
}

class DemoCasework : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        s_dir = std::make_unique<testing::TempDir>();
        ASSERT_TRUE(testing::make_demo_store(path())); // today's date, the default
    }
    static void TearDownTestSuite() { s_dir.reset(); }
    static std::filesystem::path path() { return s_dir->path() / "demo.sqlite"; }
    static Database open() { return Database::open(path(), {.mode = OpenMode::read_only}); }
    static std::unique_ptr<testing::TempDir> s_dir;
};
std::unique_ptr<testing::TempDir> DemoCasework::s_dir;

TEST_F(DemoCasework, RunsUpToTheDayItIsGenerated) {
    auto db = open();
    const core::Date today = core::today_utc();
    const std::string newest =
        db.query_text("SELECT max(created_at) FROM service_requests").value_or("");
    const auto yesterday = core::format_utc(core::now_seconds() - 86400).substr(0, 10);
    EXPECT_TRUE(newest.starts_with(today.iso()) || newest.starts_with(yesterday)) << newest;
    EXPECT_GE(count(db, "SELECT count(*) FROM service_requests"), 1200);
    EXPECT_LE(count(db, "SELECT count(*) FROM service_requests"), 1400);
}

TEST_F(DemoCasework, RequestsAreEnrichedAsRealCreatesAre) {
    auto db = open();
    // Every request has what create() gives: ward, priority, target, street.
    EXPECT_EQ(count(db, "SELECT count(*) FROM service_requests WHERE ward_code IS NULL OR "
                        "priority IS NULL OR expected_at IS NULL OR usrn IS NULL OR "
                        "expected_at < created_at"),
              0);
    EXPECT_GT(count(db, "SELECT count(*) FROM service_requests WHERE uprn IS NOT NULL"), 600);
    EXPECT_GT(count(db, "SELECT count(*) FROM service_requests WHERE priority = 'high'"), 20);
    EXPECT_GE(count(db, "SELECT count(DISTINCT source) FROM service_requests"), 5);
    EXPECT_GE(count(db, "SELECT count(DISTINCT status) FROM service_requests"), 8);
    // Open ones are of all ages: some still within their target, some past it.
    const std::string now = core::format_utc(core::now_seconds());
    EXPECT_GT(count(db, "SELECT count(*) FROM service_requests WHERE is_open = 1 AND "
                        "expected_at > '" +
                            now + "'"),
              0);
    EXPECT_GT(count(db, "SELECT count(*) FROM service_requests WHERE is_open = 1 AND "
                        "expected_at < '" +
                            now + "'"),
              0);
    // Staff updates went into the history; closed requests were closed by one (the back
    // office's, or a crew's clearing a job).
    EXPECT_EQ(count(db, "SELECT count(*) FROM service_requests r WHERE closed_at IS NOT NULL AND "
                        "NOT EXISTS (SELECT 1 FROM service_request_history h WHERE h.request_id "
                        "= r.id AND h.at = r.closed_at AND (h.actor LIKE 'staff:%' OR h.actor LIKE "
                        "'person:%'))"),
              0);
    // The catalogue's categories, and no mail queued by the history: the only demo email on a
    // report is the demo resident's (My Account), on three.
    EXPECT_EQ(count(db, "SELECT count(*) FROM service_categories WHERE code = 'pothole' AND "
                        "group_name = 'Roads (Lancashire County Council)'"),
              1);
    EXPECT_EQ(count(db, "SELECT count(*) FROM notification_outbox"), 0);
    EXPECT_EQ(count(db, "SELECT count(*) FROM service_request_contacts WHERE email IS NOT NULL "
                        "AND email <> 'resident@demo.wardmap.test'"),
              0);
    EXPECT_EQ(count(db, "SELECT count(*) FROM service_request_contacts WHERE email = "
                        "'resident@demo.wardmap.test'"),
              3);
}

TEST_F(DemoCasework, KpisHaveEveryMeasure) {
    testing::ServerProcess server(path(), {"--no-access-log"});
    const auto r = testing::http_get(server.port(), "/api/kpis");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto k = nlohmann::json::parse(r.body);
    EXPECT_GT(k["received"].get<int>(), 100);
    EXPECT_GT(k["open"].get<int>(), 0);
    EXPECT_LT(k["overdue"].get<int>(), k["open"].get<int>()) << "not every open one is late";
    EXPECT_GT(k["high_priority_decided"].get<int>(), 0);
    EXPECT_TRUE(k["high_priority_within_target_share"].is_number()) << r.body;
    EXPECT_TRUE(k["median_days_to_close"].is_number()) << r.body;
}

TEST_F(DemoCasework, TheEmptyPropertyRegisterHasHistoriesAndSyntheticOwners) {
    auto db = open();
    const auto properties = count(db, "SELECT count(*) FROM empty_properties");
    EXPECT_GE(properties, 140);
    EXPECT_LE(properties, 150);
    // On the gazetteer's residential properties, each with a status log from its registration.
    EXPECT_EQ(count(db, "SELECT count(*) FROM empty_properties e JOIN properties p ON "
                        "p.uprn = e.uprn WHERE p.classification LIKE 'R%'"),
              properties);
    EXPECT_EQ(count(db, "SELECT count(*) FROM empty_properties e WHERE NOT EXISTS (SELECT 1 "
                        "FROM empty_property_status_log s WHERE s.property_id = e.id AND "
                        "s.effective_on = e.registered_on)"),
              0);
    EXPECT_GT(count(db, "SELECT count(*) FROM empty_property_inspections"), properties);
    EXPECT_GT(count(db, "SELECT count(*) FROM empty_property_status_log WHERE status = "
                        "'back_in_use'"),
              0);
    // Owners are synthetic: drama numbers and example.com only.
    EXPECT_GT(count(db, "SELECT count(*) FROM empty_property_owners"), properties / 2);
    EXPECT_EQ(count(db, "SELECT count(*) FROM empty_property_owners WHERE phone NOT LIKE "
                        "'01632 960%' OR email NOT LIKE '%@example.com'"),
              0);
}

} // namespace
} // namespace wardmap
