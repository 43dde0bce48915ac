// The crews' day on the real server over the demo borough (its crews and a year of their
// completions): a crew's day in work order and its GeoJSON shape, status derived from the
// completions, a completion 201 / 200 duplicate / 404 / 403 / 400, a not-done visit rolled to
// the next working day across Christmas bank holidays, supervisors' assignments with their
// history, the day's progress, a crew's week, a photo from an officer's session, and a
// round's regeneration keeping the visits that have completions.

#include "core/dates.hpp"
#include "core/working_days.hpp"

#include "geo/store/database.hpp"
#include "server/services/streetscene/schedule_service.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_images.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::HttpResponse;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* officer_email = "streetscene@demo.wardmap.test";
constexpr const char* officer_password = "Demo-streetscene-1";
constexpr const char* supervisor_email = "supervisor@demo.wardmap.test";
constexpr const char* supervisor_password = "Demo-supervisor-1";
constexpr const char* outsider_password = "correct horse battery staple 18";

struct Session {
    std::string cookie;
    std::string csrf;
    Headers headers(bool json_body = false) const {
        Headers h{{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
        if (json_body) {
            h.emplace_back("Content-Type", "application/json");
        }
        return h;
    }
};

class CrewsApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        std::string output;
        ASSERT_EQ(testing::copy_demo_store(db_path, &output), 0) << output;
        {
            auto db = store::Database::open(db_path);
            // The demo date: the first day of the daily litter round with no completion.
            demo_date = db.query_text("SELECT min(v.planned_date) FROM schedule_visits v JOIN "
                                      "schedule_rounds r ON r.id = v.round_id WHERE r.code = "
                                      "'DEMO-LITTER-DAILY' AND NOT EXISTS (SELECT 1 FROM "
                                      "schedule_visit_completions c WHERE c.visit_id = v.id)")
                            .value_or("");
            // A round of our own over Christmas 2030 (Christmas Day a Wednesday, Boxing Day a
            // Thursday) for the cleansing crew: three streets swept every day.
            services::RoundDefinition def;
            def.code = "TEST-XMAS";
            def.name = "Christmas sweep";
            def.activity = "sweep";
            def.team = "cleansing";
            def.rule.kind = services::RuleKind::rrule;
            def.rule.rrule = "FREQ=DAILY";
            def.rule.first_date = *core::parse_iso_date("2030-12-20");
            def.rule.bank_holidays = services::BankHolidayRule::work;
            auto q = db.prepare("SELECT usrn FROM streets ORDER BY usrn LIMIT 3");
            while (q.step()) {
                def.stops.push_back({services::StopTarget::Kind::street, q.int64(0)});
            }
            xmas_first_usrn = def.stops.front().id;
            store::Transaction tx(db);
            services::ScheduleService::save_round(db, def, "test",
                                                  *core::parse_iso_date("2030-12-20"),
                                                  *core::parse_iso_date("2031-01-10"));
            tx.commit();
        }
        ASSERT_FALSE(demo_date.empty());
        std::vector<std::string> args = {
            "users",          "add",    "outsider@example.org", "--db",
            db_path.string(), "--name", "Olly Outsider",        "--role",
            "officer",        "--team", "streetscene"};
        ASSERT_EQ(testing::run_wardmap(args, &output,
                                       {std::string("WARDMAP_PASSWORD=") + outsider_password}),
                  0)
            << output;
        server = new testing::ServerProcess(db_path, {"--no-access-log"});
        officer = sign_in(officer_email, officer_password);
        supervisor = sign_in(supervisor_email, supervisor_password);
        outsider = sign_in("outsider@example.org", outsider_password);
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }

    static Session sign_in(const std::string& email, const std::string& password) {
        const auto r = testing::http_request(server->port(), "POST", "/api/session",
                                             json{{"email", email}, {"password", password}}.dump(),
                                             {{"Content-Type", "application/json"}});
        EXPECT_EQ(r.status, 200) << email << ": " << r.body;
        const auto set_cookie = r.header("set-cookie");
        return {set_cookie.substr(0, set_cookie.find(';')),
                r.status == 200 ? json::parse(r.body).value("csrf_token", "") : ""};
    }

    static HttpResponse get(const std::string& target, const Session& who) {
        return testing::http_get(server->port(), target, who.headers());
    }
    static json get_json(const std::string& target, const Session& who) {
        const auto r = get(target, who);
        EXPECT_EQ(r.status, 200) << target << ": " << r.body;
        return r.status == 200 ? json::parse(r.body) : json::object();
    }
    static HttpResponse send(const std::string& method,
                             const std::string& target,
                             const json& body,
                             const Session& who) {
        return testing::http_request(server->port(), method, target, body.dump(),
                                     who.headers(true));
    }
    static json completion(const std::string& client_id,
                           const std::string& outcome = "done",
                           const std::string& reason = "") {
        json body{{"client_id", client_id}, {"outcome", outcome}, {"at", "2026-12-07T09:30:00Z"}};
        if (!reason.empty()) {
            body["reason"] = reason;
        }
        return body;
    }
    /// A visit of `crew` on `date` with no completion: its id.
    static std::int64_t planned_visit(const std::string& crew, const std::string& date) {
        const auto day = get_json("/api/crews/" + crew + "/day?date=" + date, supervisor);
        for (const auto& f : day.at("features")) {
            if (f.at("properties").at("status") == "planned") {
                return f.at("id").get<std::int64_t>();
            }
        }
        ADD_FAILURE() << "no planned visit of " << crew << " on " << date;
        return 0;
    }
    static std::int64_t count(const std::string& sql) {
        auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
        return db.query_int(sql).value_or(-1);
    }
    static std::string problem_field(const HttpResponse& r) {
        const auto doc = json::parse(r.body);
        if (!doc.contains("errors") || doc.at("errors").empty()) {
            return "(none) " + r.body;
        }
        return doc.at("errors").at(0).at("name").get<std::string>();
    }

    static inline testing::TempDir* tmp = nullptr;
    static inline std::filesystem::path db_path;
    static inline testing::ServerProcess* server = nullptr;
    static inline std::string demo_date;
    static inline std::int64_t xmas_first_usrn = 0;
    static inline Session officer;
    static inline Session supervisor;
    static inline Session outsider;
};

TEST_F(CrewsApi, ACrewsDayIsGeoJsonInWorkOrder) {
    const auto r = get("/api/crews/cleansing/day?date=" + demo_date, officer);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/geo+json");
    const auto day = json::parse(r.body);
    EXPECT_EQ(day.at("type"), "FeatureCollection");
    EXPECT_EQ(day.at("crew").at("code"), "cleansing");
    EXPECT_EQ(day.at("date"), demo_date);
    const auto& features = day.at("features");
    ASSERT_GE(features.size(), 40U) << "the daily litter round has 40 bins";
    const auto& counts = day.at("counts");
    EXPECT_EQ(counts.at("planned").get<std::size_t>() + counts.at("done").get<std::size_t>() +
                  counts.at("not_done").get<std::size_t>(),
              features.size());
    std::string last_round;
    std::int64_t last_seq = 0;
    for (const auto& f : features) {
        const auto& p = f.at("properties");
        EXPECT_EQ(f.at("id"), p.at("visit_id"));
        EXPECT_EQ(f.at("geometry").at("type"), "Point");
        const double lon = f.at("geometry").at("coordinates").at(0);
        const double lat = f.at("geometry").at("coordinates").at(1);
        EXPECT_TRUE(lon > -3.5 && lon < -2.0 && lat > 53.0 && lat < 54.5) << f.dump();
        for (const char* key : {"round_code", "round_name", "activity", "activity_name", "seq",
                                "stop_kind", "label", "usrn", "uprn", "asset_reference",
                                "planned_date", "status", "assigned_person", "completion", "job"}) {
            EXPECT_TRUE(p.contains(key)) << key << " missing: " << p.dump();
        }
        EXPECT_EQ(p.at("planned_date"), demo_date);
        // Only a crew's round of jobs (0018's JOB-<crew>-<activity>; the demo makes a few) has
        // visits with a job.
        const std::string round = p.at("round_code");
        EXPECT_EQ(p.at("job").is_null(), !round.starts_with("JOB-")) << p.dump();
        // Work order: round by round, each in its stops' order.
        if (round == last_round) {
            EXPECT_GT(p.at("seq").get<std::int64_t>(), last_seq) << round;
        } else {
            EXPECT_LT(last_round, round);
        }
        last_round = round;
        last_seq = p.at("seq");
        if (round == "DEMO-LITTER-DAILY") {
            EXPECT_EQ(p.at("stop_kind"), "asset");
            EXPECT_EQ(p.at("activity"), "empty_litter_bins");
            EXPECT_TRUE(p.at("asset_reference").is_string());
            EXPECT_TRUE(p.at("label").get<std::string>().starts_with("Litter bin ")) << p.dump();
        }
    }
    // Polling: unchanged is 304.
    const auto again =
        testing::http_get(server->port(), "/api/crews/cleansing/day?date=" + demo_date,
                          {{"Cookie", officer.cookie}, {"If-None-Match", r.header("etag")}});
    EXPECT_EQ(again.status, 304);
    EXPECT_TRUE(again.body.empty());
    // The officer's own day is their crew's.
    const auto mine = get_json("/api/me/day?date=" + demo_date, officer);
    EXPECT_EQ(mine.at("person").at("name"), "Sam Streetscene");
    EXPECT_EQ(mine.at("features").size(), features.size());
}

TEST_F(CrewsApi, StatusFollowsFromTheCompletions) {
    // A past day: the demo's crews worked every visit; none is planned.
    const auto past = core::add_working_days(*core::parse_iso_date(demo_date), 0);
    const auto ten_days_ago = core::date_from_days(core::days_since_epoch(past) - 10).iso();
    const auto day = get_json("/api/crews/cleansing/day?date=" + ten_days_ago, officer);
    ASSERT_FALSE(day.at("features").empty());
    EXPECT_EQ(day.at("counts").at("planned"), 0);
    for (const auto& f : day.at("features")) {
        const auto& p = f.at("properties");
        ASSERT_FALSE(p.at("completion").is_null()) << p.dump();
        EXPECT_EQ(p.at("status"), p.at("completion").at("outcome"));
    }
    // And no visit stores a status of its own.
    EXPECT_EQ(count("SELECT count(*) FROM pragma_table_info('schedule_visits') WHERE name = "
                    "'status'"),
              0);
    // A correction (a later completion) wins.
    const auto id = planned_visit("cleansing", demo_date);
    auto first = completion("status-first-0001", "not_done", "weather");
    first["at"] = demo_date + "T08:00:00Z";
    ASSERT_EQ(
        send("POST", "/api/visits/" + std::to_string(id) + "/completions", first, officer).status,
        201);
    auto second = completion("status-second-0001");
    second["at"] = demo_date + "T09:00:00Z";
    ASSERT_EQ(
        send("POST", "/api/visits/" + std::to_string(id) + "/completions", second, officer).status,
        201);
    const auto after = get_json("/api/crews/cleansing/day?date=" + demo_date, officer);
    bool found = false;
    for (const auto& f : after.at("features")) {
        if (f.at("id") == id) {
            found = true;
            EXPECT_EQ(f.at("properties").at("status"), "done");
            EXPECT_EQ(f.at("properties").at("completion").at("by"), "Sam Streetscene");
        }
    }
    EXPECT_TRUE(found);
}

TEST_F(CrewsApi, ACompletionIsCreatedOnceAndRefusedWhereItMust) {
    const auto id = planned_visit("cleansing", demo_date);
    const std::string target = "/api/visits/" + std::to_string(id) + "/completions";
    json body = completion("0b6f3a52-9d1e-4c8e-a1f0-3c2d5e6f7a8b");
    body["position"] = {{"lon", -2.63}, {"lat", 53.65}, {"accuracy_m", 6}};
    body["quantities"] = {{"bins_emptied", 1}, {"fill_percent", 70}};
    body["notes"] = "Lid cracked";
    const auto created = send("POST", target, body, officer);
    ASSERT_EQ(created.status, 201) << created.body;
    const auto doc = json::parse(created.body);
    EXPECT_FALSE(doc.at("duplicate").get<bool>());
    const auto& c = doc.at("completion");
    EXPECT_EQ(c.at("visit_id"), id);
    EXPECT_EQ(c.at("outcome"), "done");
    EXPECT_EQ(c.at("quantities").at("fill_percent"), 70);
    EXPECT_EQ(c.at("by"), "Sam Streetscene");
    // Committed before the answer: another connection to the file sees it.
    EXPECT_EQ(count("SELECT count(*) FROM schedule_visit_completions WHERE client_id = "
                    "'0b6f3a52-9d1e-4c8e-a1f0-3c2d5e6f7a8b'"),
              1);
    // Sent again (the device never saw the answer), whatever it says now: the first.
    auto resent = completion("0b6f3a52-9d1e-4c8e-a1f0-3c2d5e6f7a8b", "not_done", "unsafe");
    const auto dup = send("POST", target, resent, officer);
    ASSERT_EQ(dup.status, 200) << dup.body;
    const auto dup_doc = json::parse(dup.body);
    EXPECT_TRUE(dup_doc.at("duplicate").get<bool>());
    EXPECT_EQ(dup_doc.at("completion").at("id"), c.at("id"));
    EXPECT_EQ(dup_doc.at("completion").at("outcome"), "done");
    EXPECT_EQ(count("SELECT count(*) FROM schedule_visit_completions WHERE client_id = "
                    "'0b6f3a52-9d1e-4c8e-a1f0-3c2d5e6f7a8b'"),
              1);
    // Unknown visit.
    EXPECT_EQ(
        send("POST", "/api/visits/999999999/completions", completion("unknown-visit-01"), officer)
            .status,
        404);
    // A visit of a crew the caller is not in.
    const auto refused = send("POST", target, completion("outsider-0000001"), outsider);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(get("/api/crews/cleansing/day?date=" + demo_date, outsider).status, 403);
    // Bad fields, each named.
    const auto field_of = [&](json b) {
        const auto r = send("POST", target, b, officer);
        EXPECT_EQ(r.status, 400) << r.body;
        EXPECT_EQ(r.header("content-type"), "application/problem+json");
        return problem_field(r);
    };
    EXPECT_EQ(field_of(completion("bad-field-00001", "not_done")), "reason");
    EXPECT_EQ(field_of(completion("bad-field-00002", "finished")), "outcome");
    EXPECT_EQ(field_of(completion("bad-field-00003", "done", "weather")), "reason");
    EXPECT_EQ(field_of(completion("short")), "client_id");
    auto b = completion("bad-field-00004");
    b["at"] = "yesterday";
    EXPECT_EQ(field_of(b), "at");
    b = completion("bad-field-00005");
    b["quantities"] = {{"fill_percent", 140}};
    EXPECT_EQ(field_of(b), "quantities.fill_percent");
    b = completion("bad-field-00006");
    b["colour"] = "red";
    EXPECT_EQ(field_of(b), "colour");
    b = completion("bad-field-00007");
    b["notes"] = std::string(2001, 'x');
    EXPECT_EQ(field_of(b), "notes");
    b = completion("bad-field-00008");
    b["photo_ids"] = {"0123456789abcdef0123456789abcdef"};
    EXPECT_EQ(field_of(b), "photo_ids[0]"); // no such photo
    // A cookie without the CSRF token changes nothing.
    const auto no_csrf =
        testing::http_request(server->port(), "POST", target, completion("no-csrf-000001").dump(),
                              {{"Cookie", officer.cookie}, {"Content-Type", "application/json"}});
    EXPECT_EQ(no_csrf.status, 403);
    // Anonymous: refused.
    EXPECT_EQ(testing::http_request(server->port(), "POST", target,
                                    completion("anonymous-00001").dump(),
                                    {{"Content-Type", "application/json"}})
                  .status,
              403);
    EXPECT_EQ(count("SELECT count(*) FROM schedule_visit_completions WHERE client_id LIKE "
                    "'bad-field-%' OR client_id IN ('no-csrf-000001', 'anonymous-00001', "
                    "'outsider-0000001')"),
              0);
}

TEST_F(CrewsApi, APhotoFromAnOfficersSessionGoesWithACompletion) {
    const auto image = test::make_test_image(test::TestImageFormat::jpeg, 64, 48);
    auto headers = officer.headers();
    headers.emplace_back("Content-Type", "image/jpeg");
    const auto up = testing::http_request(server->port(), "POST", "/api/photos", image, headers);
    ASSERT_EQ(up.status, 201) << up.body;
    const std::string photo = json::parse(up.body).at("id");
    // Not without the CSRF token, and not for a councillor-like caller without the permission.
    EXPECT_EQ(testing::http_request(server->port(), "POST", "/api/photos", image,
                                    {{"Cookie", officer.cookie}, {"Content-Type", "image/jpeg"}})
                  .status,
              403);
    const auto id = planned_visit("cleansing", demo_date);
    auto body = completion("photo-completion-01");
    body["photo_ids"] = {photo};
    body["photo_roles"] = {{photo, "before"}};
    const auto r =
        send("POST", "/api/visits/" + std::to_string(id) + "/completions", body, officer);
    ASSERT_EQ(r.status, 201) << r.body;
    const auto doc = json::parse(r.body);
    const auto& photos = doc.at("completion").at("photos");
    ASSERT_EQ(photos.size(), 1U);
    EXPECT_EQ(photos[0].at("id"), photo);
    EXPECT_EQ(photos[0].at("role"), "before");
    // A photo goes with one completion only.
    body["client_id"] = "photo-completion-02";
    EXPECT_EQ(problem_field(send("POST", "/api/visits/" + std::to_string(id) + "/completions", body,
                                 officer)),
              "photo_ids[0]");
}

TEST_F(CrewsApi, ANotDoneVisitRollsToTheNextWorkingDayAfterChristmas) {
    const auto day = get_json("/api/crews/cleansing/day?date=2030-12-24", supervisor);
    std::vector<std::int64_t> ids;
    for (const auto& f : day.at("features")) {
        if (f.at("properties").at("round_code") == "TEST-XMAS") {
            ids.push_back(f.at("id"));
        }
    }
    ASSERT_EQ(ids.size(), 3U);
    auto blocked = completion("xmas-roll-000001", "not_done", "parked_car");
    const auto r =
        send("POST", "/api/visits/" + std::to_string(ids[1]) + "/completions", blocked, officer);
    ASSERT_EQ(r.status, 201) << r.body;
    const auto rolled_to = json::parse(r.body).at("completion").at("rolled_to");
    ASSERT_TRUE(rolled_to.is_number()) << r.body;
    // Christmas Day and Boxing Day 2030 are a Wednesday and a Thursday: Friday the 27th.
    const auto friday = get_json("/api/crews/cleansing/day?date=2030-12-27", officer);
    int rolls = 0;
    for (const auto& f : friday.at("features")) {
        if (f.at("id") == rolled_to) {
            ++rolls;
            EXPECT_EQ(f.at("properties").at("rolled_from"), ids[1]);
            EXPECT_EQ(f.at("properties").at("status"), "planned");
        }
    }
    EXPECT_EQ(rolls, 1);
    EXPECT_EQ(count("SELECT count(*) FROM schedule_changes WHERE change = 'rolled' AND "
                    "json_extract(detail, '$.to_date') = '2030-12-27'"),
              1);
    // Not needed: nothing to roll.
    const auto not_needed = send("POST", "/api/visits/" + std::to_string(ids[2]) + "/completions",
                                 completion("xmas-roll-000002", "not_done", "not_needed"), officer);
    ASSERT_EQ(not_needed.status, 201) << not_needed.body;
    EXPECT_TRUE(json::parse(not_needed.body).at("completion").at("rolled_to").is_null());
    EXPECT_EQ(
        count("SELECT count(*) FROM schedule_visits WHERE rolled_from = " + std::to_string(ids[2])),
        0);
}

TEST_F(CrewsApi, SupervisorsAssignVisitsAndRoundsWithHistory) {
    const auto id = planned_visit("cleansing", "2030-12-23");
    const std::string target = "/api/visits/" + std::to_string(id) + "/assignment";
    // An officer may not.
    EXPECT_EQ(send("PUT", target, {{"crew", "grounds"}}, officer).status, 403);
    const auto moved = send("PUT", target, {{"crew", "grounds"}}, supervisor);
    ASSERT_EQ(moved.status, 200) << moved.body;
    EXPECT_EQ(json::parse(moved.body).at("crew"), "grounds");
    const auto has = [](const json& day, std::int64_t visit) {
        for (const auto& f : day.at("features")) {
            if (f.at("id") == visit) {
                return true;
            }
        }
        return false;
    };
    EXPECT_TRUE(has(get_json("/api/crews/grounds/day?date=2030-12-23", supervisor), id));
    EXPECT_FALSE(has(get_json("/api/crews/cleansing/day?date=2030-12-23", supervisor), id));
    // Now the crew member outside any crew of it: to one person, shown on their own day.
    const auto outsider_id = count("SELECT id FROM people WHERE email = 'outsider@example.org'");
    const auto to_person = send("PUT", target, {{"person_id", outsider_id}}, supervisor);
    ASSERT_EQ(to_person.status, 200) << to_person.body;
    EXPECT_EQ(json::parse(to_person.body).at("assigned_person").at("name"), "Olly Outsider");
    const auto theirs = get_json("/api/me/day?date=2030-12-23", outsider);
    ASSERT_EQ(theirs.at("features").size(), 1U);
    EXPECT_EQ(theirs.at("features")[0].at("properties").at("assigned_person").at("id"),
              outsider_id);
    // ...who may now record it.
    EXPECT_EQ(send("POST", "/api/visits/" + std::to_string(id) + "/completions",
                   completion("assigned-person-01"), outsider)
                  .status,
              201);
    // Refusals name the field.
    EXPECT_EQ(problem_field(send("PUT", target, {{"crew", "no-such-crew"}}, supervisor)), "crew");
    EXPECT_EQ(problem_field(send("PUT", target, {{"person_id", 999999}}, supervisor)), "person_id");
    EXPECT_EQ(
        send("PUT", "/api/visits/999999999/assignment", {{"crew", "grounds"}}, supervisor).status,
        404);
    // The round to another crew from a date: before it, as it was.
    const auto round = send("PUT", "/api/rounds/TEST-XMAS/crew",
                            {{"crew", "grounds"}, {"from", "2030-12-30"}}, supervisor);
    ASSERT_EQ(round.status, 200) << round.body;
    const auto count_round = [](const json& day) {
        int n = 0;
        for (const auto& f : day.at("features")) {
            n += f.at("properties").at("round_code") == "TEST-XMAS" ? 1 : 0;
        }
        return n;
    };
    EXPECT_EQ(count_round(get_json("/api/crews/grounds/day?date=2030-12-31", supervisor)), 3);
    EXPECT_EQ(count_round(get_json("/api/crews/cleansing/day?date=2030-12-31", supervisor)), 0);
    EXPECT_EQ(count_round(get_json("/api/crews/cleansing/day?date=2030-12-20", supervisor)), 3);
    EXPECT_EQ(
        send("PUT", "/api/rounds/NO-SUCH-ROUND/crew", {{"crew", "grounds"}}, supervisor).status,
        404);
    // The history, append-only: two assignments of the visit and the handover of the round.
    EXPECT_EQ(count("SELECT count(*) FROM schedule_changes WHERE change = 'assigned' AND "
                    "json_extract(detail, '$.visit_id') = " +
                    std::to_string(id)),
              2);
    EXPECT_EQ(count("SELECT count(*) FROM schedule_changes WHERE change = 'assigned' AND "
                    "json_extract(detail, '$.visit_id') = " +
                    std::to_string(id) +
                    " AND json_extract(detail, '$.before.crew') = 'cleansing' AND "
                    "json_extract(detail, '$.after.crew') = 'grounds' AND actor = 'Sol "
                    "Supervisor'"),
              1);
    EXPECT_EQ(count("SELECT count(*) FROM schedule_changes WHERE change = 'reassigned' AND "
                    "json_extract(detail, '$.from') = '2030-12-30' AND json_extract(detail, "
                    "'$.before') = 'cleansing' AND json_extract(detail, '$.after') = 'grounds'"),
              1);
}

TEST_F(CrewsApi, ProgressShowsEveryCrewsDay) {
    EXPECT_EQ(get("/api/crews/progress?date=" + demo_date, officer).status, 403);
    const auto doc = get_json("/api/crews/progress?date=" + demo_date, supervisor);
    std::int64_t total = 0;
    bool cleansing = false;
    for (const auto& c : doc.at("crews")) {
        const auto& n = c.at("counts");
        total += n.at("planned").get<std::int64_t>() + n.at("done").get<std::int64_t>() +
                 n.at("not_done").get<std::int64_t>();
        if (c.at("crew").at("code") == "cleansing") {
            cleansing = true;
            const auto day = get_json("/api/crews/cleansing/day?date=" + demo_date, supervisor);
            EXPECT_EQ(n, day.at("counts"));
        }
    }
    EXPECT_TRUE(cleansing);
    EXPECT_EQ(static_cast<std::size_t>(total), doc.at("features").size());
    for (const auto& f : doc.at("features")) {
        EXPECT_TRUE(f.at("properties").contains("crew"));
    }
}

TEST_F(CrewsApi, TheCrewsListTheirMembersByNameOnly) {
    EXPECT_EQ(get("/api/crews", officer).status, 403);
    EXPECT_EQ(get("/api/crews?x=1", supervisor).status, 400);
    const auto r = get("/api/crews", supervisor);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body.find("@"), std::string::npos) << "no e-mail address: " << r.body;
    const auto doc = json::parse(r.body);
    std::vector<std::string> codes;
    const auto officer_id =
        count("SELECT id FROM people WHERE email = '" + std::string(officer_email) + "'");
    bool officer_listed = false;
    for (const auto& c : doc.at("crews")) {
        codes.push_back(c.at("code"));
        for (const auto& m : c.at("members")) {
            EXPECT_EQ(m.size(), 2U) << m.dump();
            EXPECT_TRUE(m.at("id").is_number_integer() && m.at("name").is_string()) << m.dump();
            officer_listed =
                officer_listed || (c.at("code") == "cleansing" && m.at("id") == officer_id &&
                                   m.at("name") == "Sam Streetscene");
        }
    }
    EXPECT_TRUE(officer_listed) << r.body;
    EXPECT_TRUE(std::is_sorted(codes.begin(), codes.end()));
    EXPECT_EQ(static_cast<std::int64_t>(codes.size()), count("SELECT count(*) FROM crews"));
}

TEST_F(CrewsApi, AWeekPlanCountsEachDayAndRound) {
    const auto doc = get_json("/api/crews/cleansing/week?from=" + demo_date, officer);
    ASSERT_EQ(doc.at("days").size(), 7U);
    EXPECT_EQ(doc.at("from"), demo_date);
    for (const auto& d : doc.at("days")) {
        bool litter = false;
        std::int64_t sum = 0;
        for (const auto& r : d.at("rounds")) {
            sum += r.at("visits").get<std::int64_t>();
            if (r.at("round_code") == "DEMO-LITTER-DAILY") {
                litter = true;
                EXPECT_GE(r.at("visits").get<std::int64_t>(), 40) << d.dump();
            }
        }
        EXPECT_TRUE(litter) << d.at("date");
        EXPECT_EQ(sum, d.at("visits").get<std::int64_t>());
    }
    EXPECT_EQ(get("/api/crews/cleansing/week?from=" + demo_date, outsider).status, 403);
    EXPECT_EQ(get("/api/crews/no-such-crew/week", supervisor).status, 404);
}

TEST_F(CrewsApi, ACrewsDayIsTheSameWhenAnotherCrewWorksThatDay) {
    // The day reads only the visits that can be the crew's (the rounds it has or had, the
    // visits assigned to it) before it keeps its own: it must answer exactly what reading every
    // crew's visits of the date and keeping its own answers. The supervisors' progress still
    // reads them all: the officer's own day is its cleansing part, byte for byte.
    auto progress = get_json("/api/crews/progress?date=" + demo_date, supervisor);
    json cleansing_part = json::array();
    for (const auto& f : progress.at("features")) {
        if (f.at("properties").at("crew") == "cleansing") {
            cleansing_part.push_back(f);
        }
    }
    ASSERT_GE(cleansing_part.size(), 40U);
    EXPECT_EQ(get_json("/api/me/day?date=" + demo_date, officer).at("features"), cleansing_part);
    json crew_part = cleansing_part;
    for (auto& f : crew_part) {
        f.at("properties").erase("crew");
    }
    EXPECT_EQ(get_json("/api/crews/cleansing/day?date=" + demo_date, officer).at("features"),
              crew_part);

    // A day of our own, 2032-03-02: the cleansing crew's, then the grounds crew gets visits.
    const auto save = [](const std::string& code, const std::string& team, int offset) {
        auto db = store::Database::open(db_path);
        services::RoundDefinition def;
        def.code = code;
        def.name = "Day test " + code;
        def.activity = "sweep";
        def.team = team;
        def.rule.kind = services::RuleKind::rrule;
        def.rule.rrule = "FREQ=DAILY";
        def.rule.first_date = *core::parse_iso_date("2032-03-01");
        def.rule.bank_holidays = services::BankHolidayRule::work;
        auto q = db.prepare("SELECT usrn FROM streets ORDER BY usrn LIMIT 3 OFFSET " +
                            std::to_string(offset));
        while (q.step()) {
            def.stops.push_back({services::StopTarget::Kind::street, q.int64(0)});
        }
        store::Transaction tx(db);
        services::ScheduleService::save_round(db, def, "test", *core::parse_iso_date("2032-03-01"),
                                              *core::parse_iso_date("2032-03-03"));
        tx.commit();
    };
    save("TEST-DAY-ONE", "cleansing", 10);
    const std::string day_target = "/api/crews/cleansing/day?date=2032-03-02";
    const auto before = get(day_target, officer);
    ASSERT_EQ(before.status, 200) << before.body;
    const auto mine_before = get("/api/me/day?date=2032-03-02", officer);
    ASSERT_EQ(json::parse(before.body).at("features").size(), 3U);
    EXPECT_TRUE(
        get_json("/api/crews/grounds/day?date=2032-03-02", supervisor).at("features").empty());

    save("TEST-DAY-TWO", "grounds", 20);
    EXPECT_EQ(get_json("/api/crews/grounds/day?date=2032-03-02", supervisor).at("features").size(),
              3U);
    const auto after = get(day_target, officer);
    EXPECT_EQ(after.body, before.body);
    EXPECT_EQ(after.header("etag"), before.header("etag"));
    EXPECT_EQ(get("/api/me/day?date=2032-03-02", officer).body, mine_before.body);
    EXPECT_EQ(get_json("/api/crews/progress?date=2032-03-02", supervisor).at("features").size(),
              6U);

    // A grounds visit assigned to the cleansing crew joins its day; to the officer, their own.
    const auto grounds = get_json("/api/crews/grounds/day?date=2032-03-02", supervisor);
    const auto moved = grounds.at("features")[0].at("id").get<std::int64_t>();
    const auto mine = grounds.at("features")[1].at("id").get<std::int64_t>();
    ASSERT_EQ(send("PUT", "/api/visits/" + std::to_string(moved) + "/assignment",
                   {{"crew", "cleansing"}}, supervisor)
                  .status,
              200);
    const auto officer_id =
        count("SELECT id FROM people WHERE email = '" + std::string(officer_email) + "'");
    ASSERT_EQ(send("PUT", "/api/visits/" + std::to_string(mine) + "/assignment",
                   {{"person_id", officer_id}}, supervisor)
                  .status,
              200);
    EXPECT_EQ(json::parse(get(day_target, officer).body).at("features").size(), 4U);
    EXPECT_EQ(get_json("/api/me/day?date=2032-03-02", officer).at("features").size(), 5U);
    EXPECT_EQ(get_json("/api/crews/grounds/day?date=2032-03-02", supervisor).at("features").size(),
              2U);
}

TEST_F(CrewsApi, RegenerationKeepsVisitsWithCompletions) {
    // Work the first street's visit on 2030-12-21, then take the street off the round.
    std::int64_t worked = 0;
    const auto first_day = get_json("/api/crews/cleansing/day?date=2030-12-21", supervisor);
    for (const auto& f : first_day.at("features")) {
        if (f.at("properties").at("usrn") == xmas_first_usrn &&
            f.at("properties").at("round_code") == "TEST-XMAS") {
            worked = f.at("id");
        }
    }
    ASSERT_GT(worked, 0);
    ASSERT_EQ(send("POST", "/api/visits/" + std::to_string(worked) + "/completions",
                   completion("regenerate-keep-01"), officer)
                  .status,
              201);
    {
        auto db = store::Database::open(db_path);
        auto def = services::ScheduleService::load_round(db, "TEST-XMAS");
        ASSERT_TRUE(def);
        def->stops.erase(def->stops.begin());
        store::Transaction tx(db);
        const auto saved = services::ScheduleService::save_round(
            db, *def, "test", *core::parse_iso_date("2030-12-20"),
            *core::parse_iso_date("2031-01-10"));
        tx.commit();
        EXPECT_GE(saved.visits.kept, 1);
    }
    EXPECT_EQ(count("SELECT count(*) FROM schedule_visits WHERE id = " + std::to_string(worked)),
              1);
    // The street's other, planned visits are gone; the worked one stays, done.
    const auto day = get_json("/api/crews/cleansing/day?date=2030-12-21", supervisor);
    bool kept = false;
    for (const auto& f : day.at("features")) {
        if (f.at("id") == worked) {
            kept = true;
            EXPECT_EQ(f.at("properties").at("status"), "done");
        }
    }
    EXPECT_TRUE(kept);
    const auto next_day = get_json("/api/crews/cleansing/day?date=2030-12-22", supervisor);
    for (const auto& f : next_day.at("features")) {
        EXPECT_FALSE(f.at("properties").at("usrn") == xmas_first_usrn &&
                     f.at("properties").at("round_code") == "TEST-XMAS")
            << f.dump();
    }
}

} // namespace
} // namespace wardmap
