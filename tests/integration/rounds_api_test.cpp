// Staff editing of rounds over real HTTP (issue #18): the real server on the demo borough, a
// streetscene supervisor and an admin signed in with cookies and the CSRF token. Each route
// (list, create, show, change, history) and each refusal: 400 problem+json naming the field
// for a rule libical rejects or with no visit in the horizon (saying which), an empty season,
// an asset that does not exist, was removed or belongs to another council, an unknown USRN or
// UPRN, a duplicate code; 401/403 for callers without rounds_manage; the asset history route
// and its link from the asset's OGC feature.

#include "core/dates.hpp"
#include "core/working_days.hpp"

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::HttpResponse;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* password = "correct horse battery staple 18";

struct Session {
    std::string cookie;
    std::string csrf;
};

class RoundsApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        std::string output;
        ASSERT_EQ(testing::copy_demo_store(db_path, &output), 0) << output;
        {
            auto db = store::Database::open(db_path);
            usrn = db.query_int("SELECT usrn FROM streets ORDER BY usrn LIMIT 1").value_or(0);
            uprn = db.query_int("SELECT uprn FROM addresses WHERE usrn IS NOT NULL ORDER BY uprn "
                                "LIMIT 1")
                       .value_or(0);
            bin = db.query_int("SELECT id FROM street_assets WHERE asset_type = 'litter_bin' AND "
                               "status = 'active' ORDER BY id LIMIT 1")
                      .value_or(0);
            bin_ref = db.query_text("SELECT reference FROM street_assets WHERE id = " +
                                    std::to_string(bin))
                          .value_or("");
            removed = db.query_int("SELECT id FROM street_assets WHERE asset_type = 'bench' AND "
                                   "status = 'active' ORDER BY id LIMIT 1")
                          .value_or(0);
            // One bench retired, as an import of a full file does to one missing from it.
            db.exec("UPDATE street_assets SET status = 'removed', removed_on = '2026-11-30', "
                    "changed_at = '2026-11-30T10:00:00Z', changed_by = 'import assets "
                    "benches.csv' WHERE id = " +
                    std::to_string(removed));
            // Another council's litter bin (in Preston, outside the borough), as a register
            // loaded before the council's outline was would hold it.
            db.exec("INSERT INTO street_assets (asset_type, reference, attributes, anchor_e, "
                    "anchor_n, changed_at, changed_by, geom, geom_wgs84) VALUES ('litter_bin', "
                    "'PRESTON-1', '{}', 354000, 429500, '2026-01-01T00:00:00Z', 'test', "
                    "MakePoint(354000, 429500, 27700), MakePoint(-2.7, 53.76, 4326))");
            foreign = db.query_int("SELECT id FROM street_assets WHERE reference = 'PRESTON-1'")
                          .value_or(0);
        }
        ASSERT_GT(usrn, 0);
        ASSERT_GT(uprn, 0);
        ASSERT_GT(bin, 0);
        ASSERT_GT(removed, 0);
        const std::vector<std::vector<std::string>> people = {
            {"supervisor.ss@example.org", "Sue Supervisor", "supervisor", "--team", "streetscene"},
            {"officer.ss@example.org", "Olly Officer", "officer", "--team", "streetscene"},
            {"supervisor.cs@example.org", "Cas Supervisor", "supervisor", "--team",
             "customer_services"},
            {"admin@example.org", "Ada Admin", "admin"},
        };
        for (const auto& p : people) {
            std::vector<std::string> args = {"users",  "add", p[0],     "--db", db_path.string(),
                                             "--name", p[1],  "--role", p[2]};
            args.insert(args.end(), p.begin() + 3, p.end());
            std::string out;
            ASSERT_EQ(
                testing::run_wardmap(args, &out, {std::string("WARDMAP_PASSWORD=") + password}), 0)
                << out;
        }
        server = new testing::ServerProcess(db_path, {"--no-access-log"});
        supervisor = sign_in("supervisor.ss@example.org");
        admin = sign_in("admin@example.org");
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }

    static Session sign_in(const std::string& email) {
        const auto r = testing::http_request(server->port(), "POST", "/api/session",
                                             json{{"email", email}, {"password", password}}.dump(),
                                             {{"Content-Type", "application/json"}});
        EXPECT_EQ(r.status, 200) << email << ": " << r.body;
        const auto set_cookie = r.header("set-cookie");
        return {set_cookie.substr(0, set_cookie.find(';')),
                json::parse(r.body).value("csrf_token", "")};
    }

    static HttpResponse call(const std::string& method,
                             const std::string& target,
                             const Session& who,
                             const std::string& body = "") {
        Headers headers{{"Cookie", who.cookie}, {"X-CSRF-Token", who.csrf}};
        if (!body.empty()) {
            headers.emplace_back("Content-Type", "application/json");
        }
        return testing::http_request(server->port(), method, target, body, headers);
    }

    static json round_body(const std::string& code) {
        return json{
            {"code", code},
            {"name", "Litter bins and a street, Tuesday"},
            {"activity", "empty_litter_bins"},
            {"vehicle", "VAN-7"},
            {"working_pattern", "Tue 07:00-15:00"},
            {"kind", "rrule"},
            {"rrule", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"},
            {"first_date", "2026-01-06"},
            {"bank_holidays", "next_working_day"},
            {"stops", json::array({json{{"asset_reference", bin_ref}, {"asset_type", "litter_bin"}},
                                   json{{"usrn", usrn}}, json{{"uprn", uprn}}})}};
    }

    /// POSTs `body` and expects a 400 problem+json naming `field`; returns its message.
    static std::string refused(const json& body, const std::string& field) {
        const auto r = call("POST", "/api/rounds", supervisor, body.dump());
        EXPECT_EQ(r.status, 400) << r.body;
        EXPECT_EQ(r.header("content-type"), "application/problem+json");
        const auto doc = json::parse(r.body, nullptr, false);
        if (doc.is_discarded() || !doc.contains("errors") || doc["errors"].empty()) {
            ADD_FAILURE() << "no field errors in " << r.body;
            return "";
        }
        EXPECT_EQ(doc["errors"][0]["name"], field) << r.body;
        return doc["errors"][0].value("message", "");
    }

    static inline testing::TempDir* tmp = nullptr;
    static inline std::filesystem::path db_path;
    static inline testing::ServerProcess* server = nullptr;
    static inline Session supervisor;
    static inline Session admin;
    static inline std::int64_t usrn = 0;
    static inline std::int64_t uprn = 0;
    static inline std::int64_t bin = 0;
    static inline std::string bin_ref;
    static inline std::int64_t removed = 0;
    static inline std::int64_t foreign = 0;
};

TEST_F(RoundsApi, ASupervisorCreatesShowsAndChangesARound) {
    const auto list = call("GET", "/api/rounds", supervisor);
    ASSERT_EQ(list.status, 200) << list.body;
    const auto rounds = json::parse(list.body).at("rounds");
    ASSERT_GE(rounds.size(), 8U); // the demo's
    EXPECT_EQ(rounds[0].at("code"), "DEMO-FLAIL-1");

    const auto made = call("POST", "/api/rounds", supervisor, round_body("BINS-TUE-1").dump());
    ASSERT_EQ(made.status, 201) << made.body;
    EXPECT_EQ(made.header("location"), "/api/rounds/BINS-TUE-1");
    const auto created = json::parse(made.body);
    EXPECT_TRUE(created.at("created").get<bool>());
    EXPECT_GT(created.at("visits").at("planned").get<int>(), 0);
    const auto& round = created.at("round");
    EXPECT_EQ(round.at("rule_version"), 1);
    EXPECT_EQ(round.at("stops")[0].at("asset_id"), bin);
    ASSERT_EQ(round.at("stop_details").size(), 3U);
    for (const auto& s : round.at("stop_details")) {
        EXPECT_GT(s.at("lat").get<double>(), 53.5) << s.dump();
        EXPECT_LT(s.at("lon").get<double>(), -2.4) << s.dump();
    }
    EXPECT_EQ(round.at("stop_details")[0].at("kind"), "asset");
    EXPECT_EQ(round.at("stop_details")[1].at("kind"), "street");
    EXPECT_EQ(round.at("stop_details")[2].at("kind"), "property");
    ASSERT_FALSE(round.at("next_visits").empty());
    EXPECT_EQ(round.at("next_visits")[0].at("visits"), 3);

    // GET gives what PUT takes: change the rule and send it back.
    const auto shown = call("GET", "/api/rounds/BINS-TUE-1", admin);
    ASSERT_EQ(shown.status, 200) << shown.body;
    auto edit = json::parse(shown.body);
    for (const auto* extra : {"activity_name", "rule_version", "created_at", "updated_at",
                              "horizon", "stop_details", "next_visits"}) {
        edit.erase(extra);
    }
    edit["rrule"] = "FREQ=WEEKLY;BYDAY=FR";
    edit["first_date"] = "2026-01-02";
    const auto put = call("PUT", "/api/rounds/BINS-TUE-1", admin, edit.dump());
    ASSERT_EQ(put.status, 200) << put.body;
    const auto changed = json::parse(put.body);
    EXPECT_TRUE(changed.at("changed").get<bool>());
    EXPECT_EQ(changed.at("round").at("rule_version"), 2);
    for (const auto& v : changed.at("round").at("next_visits")) {
        const auto date = *core::parse_iso_date(v.at("date").get<std::string>());
        // Fridays, or the working day a bank holiday moved one to.
        EXPECT_TRUE(core::weekday(date) == 4 || v.contains("moved_from")) << v.dump();
    }

    const auto changes = call("GET", "/api/rounds/BINS-TUE-1/changes", supervisor);
    ASSERT_EQ(changes.status, 200) << changes.body;
    const auto history = json::parse(changes.body).at("changes");
    ASSERT_EQ(history.size(), 2U);
    EXPECT_EQ(history[0].at("change"), "changed");
    EXPECT_NE(history[0].at("actor").get<std::string>().find("Ada Admin"), std::string::npos);
    EXPECT_EQ(history[0].at("detail").at("before").at("rule").at("rrule"),
              "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU");
    EXPECT_EQ(history[0].at("detail").at("after").at("rule").at("rrule"), "FREQ=WEEKLY;BYDAY=FR");
    EXPECT_EQ(history[1].at("change"), "created");
    EXPECT_NE(history[1].at("actor").get<std::string>().find("Sue Supervisor"), std::string::npos);
}

TEST_F(RoundsApi, BadRoundsAre400sNamingTheField) {
    auto b = round_body("BAD-1");
    b["rrule"] = "FREQ=SOMETIMES;BYDAY=TU";
    EXPECT_NE(refused(b, "rrule").find("libical"), std::string::npos);
    b = round_body("BAD-1");
    b["rrule"] = "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260301";
    EXPECT_NE(refused(b, "rrule").find("ends on 2026-02-24"), std::string::npos);
    b["rrule"] = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;UNTIL=20270101";
    b["first_date"] = "2025-01-01";
    EXPECT_NE(refused(b, "rrule").find("never gives a date"), std::string::npos);
    b = round_body("BAD-1");
    b["first_date"] = "2030-01-01";
    EXPECT_NE(refused(b, "first_date").find("after the horizon"), std::string::npos);
    b = round_body("BAD-1");
    b["season"] = "11-01..11-30";
    b["suspension"] = "10-01..01-31";
    EXPECT_NE(refused(b, "season").find("leaves no day"), std::string::npos);
    b = round_body("BAD-1");
    b["season"] = "04-31..10-31";
    (void)refused(b, "season");
    b = round_body("BAD-1");
    b["stops"] = json::array({json{{"asset_id", 987654321}}});
    EXPECT_NE(refused(b, "stops[0].asset_id").find("no asset has id"), std::string::npos);
    b["stops"] = json::array({json{{"usrn", usrn}}, json{{"asset_id", removed}}});
    EXPECT_NE(refused(b, "stops[1].asset_id").find("was removed on 2026-11-30"), std::string::npos);
    b["stops"] = json::array({json{{"asset_id", foreign}}});
    EXPECT_NE(refused(b, "stops[0].asset_id").find("another council"), std::string::npos);
    b["stops"] = json::array({json{{"usrn", 99999998}}});
    (void)refused(b, "stops[0].usrn");
    b["stops"] = json::array({json{{"uprn", 999999999998}}});
    (void)refused(b, "stops[0].uprn");
    b["stops"] = json::array({json{{"uprn", uprn}}, json{{"uprn", uprn}}});
    EXPECT_NE(refused(b, "stops[1].uprn").find("already a stop"), std::string::npos);
    b = round_body("DEMO-SWEEP-1");
    EXPECT_NE(refused(b, "code").find("already"), std::string::npos);
    b = round_body("BAD-1");
    b["team"] = "crew-a";
    (void)refused(b, "team");
    b = round_body("BAD-1");
    b["colour"] = "green";
    (void)refused(b, "colour");
    b = round_body("BAD 1");
    (void)refused(b, "code");
    b = round_body("BAD-1");
    b["activity"] = "juggling";
    (void)refused(b, "activity");
    // Nothing of them was stored.
    auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
    EXPECT_EQ(
        db.query_int("SELECT count(*) FROM schedule_rounds WHERE code LIKE 'BAD%'").value_or(-1),
        0);
    // Not JSON; an unknown round; a PUT naming another code.
    const auto garbled = call("POST", "/api/rounds", supervisor, "{\"code\": ");
    EXPECT_EQ(garbled.status, 400) << garbled.body;
    EXPECT_EQ(call("GET", "/api/rounds/NO-SUCH", supervisor).status, 404);
    EXPECT_EQ(call("GET", "/api/rounds/NO-SUCH/changes", supervisor).status, 404);
    EXPECT_EQ(call("PUT", "/api/rounds/NO-SUCH", supervisor, round_body("NO-SUCH").dump()).status,
              404);
    const auto other =
        call("PUT", "/api/rounds/DEMO-SWEEP-1", supervisor, round_body("DEMO-GRASS-1").dump());
    EXPECT_EQ(other.status, 400) << other.body;
}

TEST_F(RoundsApi, OnlyStreetsceneSupervisorsAndAdminsMayEdit) {
    const auto body = round_body("PERM-1").dump();
    // No session: 401. An officer, another team's supervisor: 403 naming the permission.
    EXPECT_EQ(testing::http_get(server->port(), "/api/rounds").status, 401);
    for (const auto* email : {"officer.ss@example.org", "supervisor.cs@example.org"}) {
        const auto who = sign_in(email);
        const auto r = call("GET", "/api/rounds", who);
        EXPECT_EQ(r.status, 403) << email;
        EXPECT_NE(r.body.find("rounds_manage"), std::string::npos) << r.body;
        EXPECT_EQ(call("POST", "/api/rounds", who, body).status, 403) << email;
    }
    // A state change without the CSRF token: 403, nothing stored.
    const auto no_csrf = testing::http_request(
        server->port(), "POST", "/api/rounds", body,
        {{"Cookie", supervisor.cookie}, {"Content-Type", "application/json"}});
    EXPECT_EQ(no_csrf.status, 403) << no_csrf.body;
    EXPECT_EQ(call("GET", "/api/rounds/PERM-1", supervisor).status, 404);
}

TEST_F(RoundsApi, AnAssetsHistoryIsPublicAndLinkedFromItsFeature) {
    const auto r =
        testing::http_get(server->port(), "/api/assets/" + std::to_string(removed) + "/history");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto doc = json::parse(r.body);
    EXPECT_EQ(doc.at("status"), "removed");
    const auto& history = doc.at("history");
    ASSERT_GE(history.size(), 2U);
    EXPECT_EQ(history.front().at("change"), "insert");
    EXPECT_EQ(history.back().at("change"), "retire");
    EXPECT_EQ(history.back().at("source"), "import assets benches.csv");
    EXPECT_EQ(testing::http_get(server->port(), "/api/assets/987654321/history").status, 404);
    EXPECT_EQ(testing::http_get(server->port(), "/api/assets/abc/history").status, 400);
    // The bin's page in its collection links to its history.
    const auto feature = testing::http_get(server->port(), "/ogc/collections/litter_bins/items/" +
                                                               std::to_string(bin));
    ASSERT_EQ(feature.status, 200) << feature.body;
    bool linked = false;
    const auto item = json::parse(feature.body); // kept: a range-for over a temporary's member
    for (const auto& l : item.at("links")) {
        if (l.at("rel") == "version-history") {
            linked = true;
            const auto href = l.at("href").get<std::string>();
            EXPECT_TRUE(href.ends_with("/api/assets/" + std::to_string(bin) + "/history")) << href;
            const auto path = href.substr(href.find("/api/"));
            EXPECT_EQ(testing::http_get(server->port(), path).status, 200);
        }
    }
    EXPECT_TRUE(linked) << feature.body;
}

} // namespace
} // namespace wardmap
