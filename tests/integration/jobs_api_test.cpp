// Requests become jobs on the real server over the demo borough (its crews, rounds, accounts
// and a year of completions): a fly-tipping report made into a job on the cleansing crew's
// day, completed by the crew's officer from the crew's day with an "after" photo, closes the
// request so the tracking JSON, Open311's request and servicerequestupdates show it closed
// with the photo; the nearest crew chosen when none is named, a not_done visit leaving the
// request open with a public note, the office closing it; bin reports linked by reference and
// by nearest, and the bin's review; missed-collection reports accepted and refused.

#include "core/w3c_time.hpp"
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

#include <cctype>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::HttpResponse;
using Headers = std::vector<std::pair<std::string, std::string>>;

/// A signed-in person's cookie and CSRF token.
struct Session {
    std::string cookie;
    std::string csrf;
};

std::string form_encode(const std::string& s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

double metres_between(double lon1, double lat1, double lon2, double lat2) {
    constexpr double r = 6371000;
    const double p1 = lat1 * M_PI / 180;
    const double p2 = lat2 * M_PI / 180;
    const double dp = p2 - p1;
    const double dl = (lon2 - lon1) * M_PI / 180;
    const double a = std::sin(dp / 2) * std::sin(dp / 2) +
                     std::cos(p1) * std::cos(p2) * std::sin(dl / 2) * std::sin(dl / 2);
    return 2 * r * std::asin(std::sqrt(a));
}

class JobsApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        const auto db = tmp->path() / "demo.sqlite";
        const auto point = testing::make_demo_store(db);
        ASSERT_TRUE(point);
        demo_point = *point;
        today = core::uk_date(core::now_seconds());
        {
            auto conn = store::Database::open(db);
            // A town-centre litter bin the cleansing crew empties daily (fill readings from the
            // demo's completions) with no other bin within 15 m.
            auto q = conn.prepare(
                "SELECT a.id, a.reference, X(a.geom), Y(a.geom), X(a.geom_wgs84), Y(a.geom_wgs84) "
                "FROM street_assets a JOIN schedule_round_stops s ON s.asset_id = a.id JOIN "
                "schedule_rounds r ON r.id = s.round_id AND r.code = 'DEMO-LITTER-DAILY' WHERE "
                "NOT EXISTS (SELECT 1 FROM street_assets b WHERE b.id <> a.id AND b.asset_type IN "
                "('litter_bin', 'dog_bin') AND ST_Distance(b.geom, a.geom) < 15) ORDER BY s.seq "
                "LIMIT 1");
            ASSERT_TRUE(q.step()) << "no lone bin on the demo's daily litter round";
            bin = {q.int64(0), std::string(q.text(1)), q.real(2), q.real(3), q.real(4), q.real(5)};
            // Two properties on no demo waste round, for a round of our own below.
            auto p = conn.prepare(
                "SELECT a.uprn, a.usrn FROM addresses a WHERE a.usrn IS NOT NULL AND NOT EXISTS "
                "(SELECT 1 FROM schedule_round_stops s JOIN schedule_rounds r ON r.id = "
                "s.round_id JOIN schedule_activities act ON act.code = r.activity AND act.kind = "
                "'waste' WHERE s.uprn = a.uprn OR s.usrn = a.usrn) ORDER BY a.uprn LIMIT 2");
            for (auto* target : {&quiet_a, &quiet_b}) {
                ASSERT_TRUE(p.step());
                *target = {p.int64(0), p.int64(1)};
            }
            // A daily household-waste round of those two properties for the waste-tue crew,
            // from a fortnight back: its visits before today are for the crew to complete.
            services::RoundDefinition def;
            def.code = "TEST-REFUSE-DAILY";
            def.name = "Refuse, every working day (test)";
            def.activity = "household_waste";
            def.team = "waste-tue";
            def.rule.kind = services::RuleKind::working_days;
            def.rule.interval_working_days = 1;
            def.rule.first_date = services::add_days(today, -14);
            def.stops = {{services::StopTarget::Kind::property, quiet_a.uprn},
                         {services::StopTarget::Kind::property, quiet_b.uprn}};
            store::Transaction tx(conn);
            services::ScheduleService::save_round(conn, def, "test", services::add_days(today, -14),
                                                  services::add_days(today, 90));
            tx.commit();
        }
        server = new testing::ServerProcess(db, {"--no-access-log"});
        supervisor = sign_in("supervisor@demo.wardmap.test", "Demo-supervisor-1");
        officer = sign_in("streetscene@demo.wardmap.test", "Demo-streetscene-1");
        customer_services = sign_in("customer.services@demo.wardmap.test", "Demo-customer-1");
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }

    static Session sign_in(const std::string& email, const std::string& password) {
        const auto r = testing::http_request(server->port(), "POST", "/api/session",
                                             json{{"email", email}, {"password", password}}.dump(),
                                             {{"Content-Type", "application/json"}});
        EXPECT_EQ(r.status, 200) << email << " " << r.body;
        const auto cookie = r.header("set-cookie");
        return {cookie.substr(0, cookie.find(';')), json::parse(r.body).value("csrf_token", "")};
    }

    static HttpResponse call(const std::string& method,
                             const std::string& target,
                             const Session& who,
                             const std::string& body = "",
                             const std::string& type = "application/json") {
        Headers headers{{"Cookie", who.cookie}};
        if (method != "GET") {
            headers.emplace_back("X-CSRF-Token", who.csrf);
            headers.emplace_back("Content-Type", type);
        }
        return testing::http_request(server->port(), method, target, body, headers);
    }

    /// A report through Open311 with the demo client key; the 200's first element.
    static json report(const std::string& fields, const std::string& lat_long) {
        const auto r = testing::http_request(
            server->port(), "POST", "/open311/v2/requests.json",
            "api_key=demo-client-key&email=resident%40example.org&" + fields + "&" + lat_long,
            {{"Content-Type", "application/x-www-form-urlencoded"}});
        EXPECT_EQ(r.status, 200) << r.body;
        return json::parse(r.body).at(0);
    }

    static json track(const std::string& token) {
        const auto r = testing::http_get(server->port(), "/api/track/" + token);
        EXPECT_EQ(r.status, 200) << r.body;
        return json::parse(r.body);
    }

    static std::string lat_long(double lat, double lon) {
        char text[96];
        std::snprintf(text, sizeof text, "lat=%.7f&long=%.7f", lat, lon);
        return text;
    }

    /// The day a job lands on when none is named.
    static core::Date job_day() {
        return core::is_working_day(today) ? today : core::add_working_days(today, 1);
    }

    static json complete(const Session& who, std::int64_t visit, const json& body) {
        const auto r =
            call("POST", "/api/visits/" + std::to_string(visit) + "/completions", who, body.dump());
        EXPECT_TRUE(r.status == 201 || r.status == 200) << r.body;
        return json::parse(r.body);
    }

    struct Bin {
        std::int64_t id;
        std::string reference;
        double e, n, lon, lat;
    };
    struct Place {
        std::int64_t uprn;
        std::int64_t usrn;
    };
    static inline testing::TempDir* tmp = nullptr;
    static inline testing::ServerProcess* server = nullptr;
    static inline testing::DemoPoint demo_point;
    static inline core::Date today;
    static inline Bin bin;
    static inline Place quiet_a;
    static inline Place quiet_b;
    static inline Session supervisor;
    static inline Session officer;
    static inline Session customer_services;
};

TEST_F(JobsApi, AFlyTipBecomesAJobTheCrewClearsItAndTheResidentSeesItClosedWithThePhoto) {
    const auto created = report("service_code=fly_tipping&description=Mattress+dumped&"
                                "attribute%5Bwaste_type%5D%5B%5D=furniture&"
                                "attribute%5Bamount%5D=single_item",
                                demo_point.lat_long());
    const std::string id = created.at("service_request_id");
    const std::string token = created.at("tracking_token");
    const auto before = track(token);
    ASSERT_EQ(before.at("status"), "open");

    // The supervisor puts it on the cleansing crew's day.
    const auto made = call("POST", "/api/requests/" + id + "/job", supervisor,
                           json{{"crew", "cleansing"}}.dump());
    ASSERT_EQ(made.status, 201) << made.body;
    const auto job = json::parse(made.body);
    EXPECT_EQ(made.header("location"), "/api/jobs/" + std::to_string(job.at("id").get<int>()));
    EXPECT_EQ(job.at("request_id"), std::stoll(id));
    EXPECT_EQ(job.at("category"), "fly_tipping");
    EXPECT_EQ(job.at("activity"), "clear_fly_tip");
    EXPECT_EQ(job.at("crew"), "cleansing");
    EXPECT_EQ(job.at("chosen"), "supervisor");
    EXPECT_EQ(job.at("planned_date"), job_day().iso());
    // Due on the request's own target (its SLA), as the tracking page showed it.
    EXPECT_EQ(
        job.at("due_date"),
        core::uk_date(*core::parse_w3c_datetime(before.at("expected_datetime").get<std::string>()))
            .iso());
    EXPECT_EQ(job.at("state"), "open");
    EXPECT_EQ(job.at("request_status"), "action_scheduled");
    const auto scheduled = track(token);
    EXPECT_EQ(scheduled.at("status"), "action_scheduled");
    EXPECT_NE(scheduled.at("history").back().at("note").get<std::string>().find("booked"),
              std::string::npos);
    EXPECT_EQ(scheduled.at("history").back().at("by"), "council");
    // A second job of it is refused.
    EXPECT_EQ(call("POST", "/api/requests/" + id + "/job", supervisor, "{}").status, 409);

    // The crew's officer finds it on their own day and the crew's, at the report's point.
    const std::int64_t visit = job.at("visit_id");
    for (const auto& target : {"/api/me/day?date=" + job_day().iso(),
                               "/api/crews/cleansing/day?date=" + job_day().iso()}) {
        const auto r = call("GET", target, officer);
        ASSERT_EQ(r.status, 200) << target << " " << r.body;
        const auto day = json::parse(r.body);
        const json* found = nullptr;
        for (const auto& f : day.at("features")) {
            if (f.at("id") == visit) {
                found = &f;
            }
        }
        ASSERT_NE(found, nullptr) << target << " lacks the job's visit";
        const auto& p = found->at("properties");
        ASSERT_TRUE(p.at("job").is_object()) << found->dump();
        EXPECT_EQ(p.at("job").at("id"), job.at("id"));
        EXPECT_EQ(p.at("job").at("request_id"), std::stoll(id));
        EXPECT_EQ(p.at("job").at("category"), "fly_tipping");
        EXPECT_EQ(p.at("job").at("due_date"), job.at("due_date"));
        EXPECT_EQ(p.at("activity"), "clear_fly_tip");
        EXPECT_EQ(p.at("status"), "planned");
        const auto& c = found->at("geometry").at("coordinates");
        EXPECT_LT(metres_between(c[0], c[1], demo_point.lon, demo_point.lat), 1.0);
    }

    // It is done, with a photo taken after the work.
    const auto photo =
        call("POST", "/api/photos", officer,
             test::make_test_image(test::TestImageFormat::jpeg, 64, 48), "image/jpeg");
    ASSERT_EQ(photo.status, 201) << photo.body;
    const std::string photo_id = json::parse(photo.body).at("id");
    const json completion{{"client_id", "4d3c2b1a-0000-4000-8000-000000000001"},
                          {"outcome", "done"},
                          {"at", core::format_utc(core::now_seconds() - 60)},
                          {"photo_ids", {photo_id}},
                          {"photo_roles", {{photo_id, "after"}}}};
    const auto done = complete(officer, visit, completion);
    EXPECT_EQ(done.at("duplicate"), false);

    const auto closed = track(token);
    EXPECT_EQ(closed.at("status"), "fixed");
    EXPECT_EQ(closed.at("open"), false);
    const auto& last = closed.at("history").back();
    EXPECT_EQ(last.at("from"), "action_scheduled");
    EXPECT_EQ(last.at("to"), "fixed");
    EXPECT_EQ(last.at("by"), "council");
    EXPECT_NE(last.at("note").get<std::string>().find("Cleared by the streetscene crew"),
              std::string::npos);
    ASSERT_EQ(last.at("photos").size(), 1U);
    EXPECT_EQ(last.at("photos")[0].at("id"), photo_id);
    const auto jpeg = testing::http_get(server->port(), "/media/photos/" + photo_id + ".jpg");
    EXPECT_EQ(jpeg.status, 200);
    EXPECT_EQ(jpeg.header("content-type"), "image/jpeg");

    // Open311 pollers: the request closed, and the update with the photo as its media_url.
    const auto o = testing::http_get(server->port(), "/open311/v2/requests/" + id + ".json");
    ASSERT_EQ(o.status, 200) << o.body;
    EXPECT_EQ(json::parse(o.body).at(0).at("status"), "closed");
    const auto updates =
        testing::http_get(server->port(), "/open311/v2/servicerequestupdates.json");
    ASSERT_EQ(updates.status, 200);
    const json update_list = json::parse(updates.body);
    const json* fixed = nullptr;
    for (const auto& u : update_list) {
        if (u.at("service_request_id") == id && u.at("status") == "fixed") {
            fixed = &u;
        }
    }
    ASSERT_NE(fixed, nullptr) << updates.body;
    EXPECT_TRUE(fixed->at("media_url").get<std::string>().ends_with(photo_id + ".jpg"));

    // The job is done; the same completion sent again changes nothing.
    const auto read = call("GET", "/api/jobs/" + std::to_string(job.at("id").get<int>()), officer);
    ASSERT_EQ(read.status, 200) << read.body;
    EXPECT_EQ(json::parse(read.body).at("state"), "done");
    EXPECT_EQ(complete(officer, visit, completion).at("duplicate"), true);
    EXPECT_EQ(track(token).at("history").size(), closed.at("history").size());
}

TEST_F(JobsApi, TheNearestCrewGetsItANotDoneVisitLeavesItOpenAndTheOfficeClosesIt) {
    const auto created =
        report("service_code=litter&description=Bags+split+on+the+pavement", demo_point.lat_long());
    const std::string id = created.at("service_request_id");
    const auto made = call("POST", "/api/requests/" + id + "/job", supervisor, "");
    ASSERT_EQ(made.status, 201) << made.body;
    const auto job = json::parse(made.body);
    EXPECT_EQ(job.at("chosen"), "nearest");
    EXPECT_EQ(job.at("activity"), "sweep");
    // The chosen crew works that day, and its nearest stop there is no nearer than the
    // distance given (a street is measured to its line, its feature is its midpoint).
    const std::string crew = job.at("crew");
    const auto r = call("GET", "/api/crews/progress?date=" + job_day().iso(), supervisor);
    ASSERT_EQ(r.status, 200) << r.body;
    double nearest = 1e12;
    const json progress = json::parse(r.body);
    for (const auto& f : progress.at("features")) {
        const auto& p = f.at("properties");
        if (p.at("crew") == crew && p.at("job").is_null() && f.at("geometry").is_object()) {
            const auto& c = f.at("geometry").at("coordinates");
            nearest = std::min(nearest, metres_between(c[0], c[1], demo_point.lon, demo_point.lat));
        }
    }
    ASSERT_LT(nearest, 1e12) << crew << " has no visit on " << job_day().iso();
    EXPECT_LE(job.at("distance_m").get<double>(), nearest + 1.0);

    // Not done: blocked access. The request stays open with a public note; the visit rolls.
    const auto c = complete(supervisor, job.at("visit_id").get<std::int64_t>(),
                            {{"client_id", "4d3c2b1a-0000-4000-8000-000000000002"},
                             {"outcome", "not_done"},
                             {"reason", "blocked_access"},
                             {"at", core::format_utc(core::now_seconds() - 30)}});
    const auto open = track(created.at("tracking_token"));
    EXPECT_EQ(open.at("open"), true);
    EXPECT_EQ(open.at("status"), "action_scheduled");
    const std::string note = open.at("history").back().at("note");
    EXPECT_NE(note.find("access was blocked"), std::string::npos) << note;
    EXPECT_NE(note.find("planned again for"), std::string::npos) << note;
    ASSERT_TRUE(c.at("completion").at("rolled_to").is_number()) << c.dump();
    const auto again =
        call("GET", "/api/jobs/" + std::to_string(job.at("id").get<int>()), supervisor);
    EXPECT_EQ(json::parse(again.body).at("state"), "open");

    // The office closes it.
    const auto closed =
        call("POST", "/api/jobs/" + std::to_string(job.at("id").get<int>()) + "/close", supervisor,
             json{{"status", "no_further_action"}, {"note", "Cleared by the shop"}}.dump());
    ASSERT_EQ(closed.status, 200) << closed.body;
    EXPECT_EQ(json::parse(closed.body).at("state"), "closed");
    const auto t = track(created.at("tracking_token"));
    EXPECT_EQ(t.at("status"), "no_further_action");
    EXPECT_EQ(t.at("history").back().at("note"), "Cleared by the shop");
    const auto o = testing::http_get(server->port(), "/open311/v2/requests/" + id + ".json");
    EXPECT_EQ(json::parse(o.body).at(0).at("status"), "closed");
    // Closing twice is refused.
    EXPECT_EQ(call("POST", "/api/jobs/" + std::to_string(job.at("id").get<int>()) + "/close",
                   supervisor, "{}")
                  .status,
              400);
}

TEST_F(JobsApi, BadJobsAreRefusedNamingTheField) {
    const auto pothole =
        report("service_code=pothole&description=Deep&attribute%5Bdepth%5D=over_40mm",
               demo_point.lat_long());
    const std::string pid = pothole.at("service_request_id");
    const auto problem = [](const HttpResponse& r) {
        EXPECT_EQ(r.header("content-type"), "application/problem+json") << r.body;
        const auto doc = json::parse(r.body);
        return doc.contains("errors") && !doc.at("errors").empty()
                   ? doc.at("errors")[0].at("name").get<std::string>()
                   : std::string("(none)");
    };
    auto r = call("POST", "/api/requests/" + pid + "/job", supervisor, "{}");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(problem(r), "id");
    const auto litter = report("service_code=litter&description=Cans", demo_point.lat_long());
    const std::string lid = litter.at("service_request_id");
    r = call("POST", "/api/requests/" + lid + "/job", supervisor, R"({"crew": "nobody"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(problem(r), "crew");
    r = call("POST", "/api/requests/" + lid + "/job", supervisor, R"({"date": "2020-01-01"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(problem(r), "date");
    r = call("POST", "/api/requests/" + lid + "/job", supervisor, R"({"date": "2026-02-30"})");
    EXPECT_EQ(problem(r), "date");
    r = call("POST", "/api/requests/" + lid + "/job", supervisor, R"({"colour": "red"})");
    EXPECT_EQ(problem(r), "colour");
    r = call("POST", "/api/requests/" + lid + "/job", supervisor, R"([1)");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(call("POST", "/api/requests/99999999/job", supervisor, "{}").status, 404);
    EXPECT_EQ(call("POST", "/api/requests/abc/job", supervisor, "{}").status, 400);
    // Customer services may not make jobs; nobody without a session or key either.
    EXPECT_EQ(call("POST", "/api/requests/" + lid + "/job", customer_services, "{}").status, 403);
    EXPECT_EQ(testing::http_request(server->port(), "POST", "/api/requests/" + lid + "/job", "{}",
                                    {{"Content-Type", "application/json"}})
                  .status,
              403);
    // A cookie without its CSRF token.
    EXPECT_EQ(
        testing::http_request(server->port(), "POST", "/api/requests/" + lid + "/job", "{}",
                              {{"Content-Type", "application/json"}, {"Cookie", supervisor.cookie}})
            .status,
        403);
}

TEST_F(JobsApi, BinReportsAreLinkedByReferenceOrNearestAndFeedTheBinsReview) {
    // 60 m east with the bin's number typed on the form; then 3 m from it with none.
    const double metre_lon = 1.0 / (111320.0 * std::cos(bin.lat * M_PI / 180));
    report("service_code=overflowing_bin&attribute%5Bbin_type%5D=litter&attribute%5Basset_ref%5D=" +
               form_encode(bin.reference),
           lat_long(bin.lat, bin.lon + 60 * metre_lon));
    report("service_code=overflowing_bin&attribute%5Bbin_type%5D=litter",
           lat_long(bin.lat, bin.lon + 3 * metre_lon));
    // 40 m away without a number: no bin within 10 m, no link.
    report("service_code=overflowing_bin&attribute%5Bbin_type%5D=litter",
           lat_long(bin.lat + 40.0 / 111320.0, bin.lon));

    const auto r = call("GET", "/api/assets/" + std::to_string(bin.id) + "/review", supervisor);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto review = json::parse(r.body);
    EXPECT_EQ(review.at("reference"), bin.reference);
    EXPECT_EQ(review.at("reports").at("total"), 2);
    EXPECT_EQ(review.at("reports").at("in_window"), 2);
    std::vector<std::string> matched;
    for (const auto& rep : review.at("reports").at("list")) {
        matched.push_back(rep.at("matched_by"));
    }
    EXPECT_EQ(matched, (std::vector<std::string>{"nearest", "reference"})); // newest first

    // The fill history is the demo crew's recorded fill levels of this bin.
    std::vector<int> stored;
    {
        auto conn = store::Database::open(tmp->path() / "demo.sqlite");
        auto q = conn.prepare(
            "SELECT json_extract(c.quantities, '$.fill_percent') FROM schedule_visit_completions "
            "c JOIN schedule_visits v ON v.id = c.visit_id JOIN schedule_round_stops s ON s.id = "
            "v.stop_id WHERE s.asset_id = ? AND c.outcome = 'done' AND json_extract(c.quantities, "
            "'$.fill_percent') IS NOT NULL ORDER BY v.planned_date, c.id");
        q.bind(1, bin.id);
        while (q.step()) {
            stored.push_back(static_cast<int>(q.int64(0)));
        }
    }
    ASSERT_FALSE(stored.empty()) << "the demo recorded no fill levels for bin " << bin.id;
    const auto& history = review.at("fill").at("history");
    ASSERT_EQ(history.size(), stored.size());
    for (std::size_t i = 0; i < stored.size(); ++i) {
        EXPECT_EQ(history[i].at("fill_percent"), stored[i]);
    }
    // Two reports inside 13 weeks: twice as often.
    const auto& f = review.at("frequency");
    EXPECT_EQ(f.at("suggestion"), "increase");
    EXPECT_GT(f.at("visits_per_week").get<double>(), 0);
    EXPECT_NEAR(f.at("suggested_visits_per_week").get<double>(),
                2 * f.at("visits_per_week").get<double>(), 0.011);

    // An unknown asset is 404; residents may not read it.
    EXPECT_EQ(call("GET", "/api/assets/99999999/review", supervisor).status, 404);
    EXPECT_EQ(testing::http_get(server->port(), "/api/assets/" + std::to_string(bin.id) + "/review")
                  .status,
              403);
}

TEST_F(JobsApi, AMissedCollectionIsTakenOnlyAfterADoneCollectionWithinTwoWorkingDays) {
    const auto missed = [](std::int64_t uprn) {
        return testing::http_request(
            server->port(), "POST", "/open311/v2/requests.json",
            "api_key=demo-client-key&service_code=missed_bin&email=resident%40example.org&"
            "attribute%5Bcontainer%5D%5B%5D=grey&address_id=" +
                std::to_string(uprn),
            {{"Content-Type", "application/x-www-form-urlencoded"}});
    };
    // The daily test round's latest visit up to today, for each property.
    const auto latest_visit = [](std::int64_t uprn) {
        auto conn = store::Database::open(tmp->path() / "demo.sqlite");
        auto q = conn.prepare("SELECT v.id, v.planned_date FROM schedule_visits v JOIN "
                              "schedule_round_stops s ON s.id = v.stop_id WHERE s.uprn = ? AND "
                              "v.planned_date <= ? ORDER BY v.planned_date DESC LIMIT 1");
        q.bind(1, uprn).bind(2, today.iso());
        EXPECT_TRUE(q.step());
        return std::pair{q.int64(0), std::string(q.text(1))};
    };
    // Not yet marked complete: refused, in Open311's error list, saying when the next is.
    auto r = missed(quiet_a.uprn);
    ASSERT_EQ(r.status, 400) << r.body;
    auto errors = json::parse(r.body);
    ASSERT_TRUE(errors.is_array());
    std::string why = errors[0].at("description");
    EXPECT_NE(why.find("has not been marked complete yet"), std::string::npos) << why;
    EXPECT_NE(why.find("The next collection is on"), std::string::npos) << why;

    // Done, with no exception: accepted.
    const auto [visit_a, date_a] = latest_visit(quiet_a.uprn);
    complete(supervisor, visit_a,
             {{"client_id", "4d3c2b1a-0000-4000-8000-000000000003"},
              {"outcome", "done"},
              {"at", core::format_utc(core::now_seconds() - 20)}});
    r = missed(quiet_a.uprn);
    EXPECT_EQ(r.status, 200) << date_a << " " << r.body;

    // The crew recorded an exception: refused with the reason.
    const auto [visit_b, date_b] = latest_visit(quiet_b.uprn);
    complete(supervisor, visit_b,
             {{"client_id", "4d3c2b1a-0000-4000-8000-000000000004"},
              {"outcome", "not_done"},
              {"reason", "parked_car"},
              {"at", core::format_utc(core::now_seconds() - 20)}});
    r = missed(quiet_b.uprn);
    ASSERT_EQ(r.status, 400) << r.body;
    why = json::parse(r.body)[0].at("description");
    EXPECT_NE(why.find("a parked car was in the way"), std::string::npos) << why;
}

} // namespace
} // namespace wardmap
