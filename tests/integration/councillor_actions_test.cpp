// A councillor's actions over real HTTP (issue #16, docs/myward.md "Councillors' actions"):
// following a request of their ward (a status change then queues a message to their account's
// address, read from the real notification_outbox), notes for staff that never reach Open311
// or the resident's tracking page, and a request raised on a resident's behalf (channel
// `councillor`, not counted as online in /api/kpis, no personal data in Open311). The test
// makes its own requests at gazetteer addresses whose ward it asks the public /api/wards/at
// for.

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <sstream>
#include <string>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::HttpResponse;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* cllr_email = "councillor@demo.wardmap.test";

struct Who {
    std::string cookie;
    std::string csrf;
};

struct Place {
    double e = 0;
    double n = 0;
    double lon = 0;
    double lat = 0;
};

class CouncillorActionsApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        ASSERT_TRUE(testing::make_demo_store(db_path));
        server = new testing::ServerProcess(db_path, {"--no-access-log"});
        councillor = sign_in(cllr_email, "Demo-councillor-1");
        staff = sign_in("customer.services@demo.wardmap.test", "Demo-customer-1");
        admin = sign_in("admin@demo.wardmap.test", "Demo-admin-pass-1");
        const auto me = json::parse(call("GET", "/api/me", councillor).body);
        for (const auto& w : me["person"]["roles"][0]["wards"]) {
            cllr_wards.push_back(w.get<std::string>());
        }
        ASSERT_FALSE(cllr_wards.empty()) << me.dump();
        pick_places();
        inside_id = open311_request(inside);
        outside_id = open311_request(outside);
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }

    static Who sign_in(const std::string& email, const std::string& password) {
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
                             const Who& who = {},
                             const std::string& body = "") {
        Headers h;
        if (!who.cookie.empty()) {
            h.emplace_back("Cookie", who.cookie);
            h.emplace_back("X-CSRF-Token", who.csrf);
        }
        if (!body.empty()) {
            h.emplace_back("Content-Type", "application/json");
        }
        return testing::http_request(server->port(), method, target, body, h);
    }
    static std::string today() {
        std::time_t t = std::time(nullptr);
        char buf[16];
        std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
        return buf;
    }
    static std::string ward_at(const Place& p) {
        std::ostringstream t;
        t.precision(3);
        t << std::fixed << "/api/wards/at?crs=EPSG:27700&x=" << p.e << "&y=" << p.n
          << "&date=" << today();
        const auto r = call("GET", t.str());
        return r.status == 200 ? json::parse(r.body).value("code", "") : "";
    }
    /// One gazetteer address in the councillor's first ward and one in no ward of theirs.
    static void pick_places() {
        auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
        auto all = db.prepare("SELECT easting, northing, lon, lat FROM properties ORDER BY uprn");
        std::vector<Place> places;
        while (all.step()) {
            places.push_back({all.real(0), all.real(1), all.real(2), all.real(3)});
        }
        bool have_in = false;
        bool have_out = false;
        for (std::size_t i = 0; i < places.size() && !(have_in && have_out);
             i += places.size() / 200) {
            const auto ward = ward_at(places[i]);
            if (ward.empty()) {
                continue;
            }
            const bool mine =
                std::find(cllr_wards.begin(), cllr_wards.end(), ward) != cllr_wards.end();
            if (mine && !have_in) {
                inside = places[i];
                have_in = true;
            } else if (!mine && !have_out) {
                outside = places[i];
                have_out = true;
            }
        }
        ASSERT_TRUE(have_in && have_out);
    }
    static std::string lat_long(const Place& p) {
        std::ostringstream t;
        t.precision(7);
        t << std::fixed << "lat=" << p.lat << "&long=" << p.lon;
        return t.str();
    }
    static std::string open311_request(const Place& p) {
        const auto r = testing::http_request(
            server->port(), "POST", "/open311/v2/requests.json",
            "api_key=demo-client-key&service_code=pothole&description=Deep+pothole&" + lat_long(p),
            {{"Content-Type", "application/x-www-form-urlencoded"}});
        EXPECT_EQ(r.status, 200) << r.body;
        return json::parse(r.body)[0]["service_request_id"].get<std::string>();
    }
    static inline int update_count = 0;
    static void change_status(const std::string& id, const std::string& status) {
        const auto r = testing::http_request(
            server->port(), "POST", "/open311/v2/servicerequestupdates.json",
            "api_key=demo-staff-key&service_request_id=" + id + "&update_id=cllr-test-" +
                std::to_string(++update_count) + "&status=" + status +
                "&updated_datetime=" + testing::form_encode(now_w3c()) + "&description=Seen",
            {{"Content-Type", "application/x-www-form-urlencoded"}});
        ASSERT_EQ(r.status, 200) << r.body;
    }
    static std::string now_w3c() {
        std::time_t t = std::time(nullptr) - 5;
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
        return buf;
    }
    static long outbox_to_councillor(const std::string& id) {
        auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
        auto st = db.prepare(
            "SELECT count(*) FROM notification_outbox WHERE request_id = ?1 AND recipient = ?2");
        st.bind(1, static_cast<std::int64_t>(std::stoll(id))).bind(2, std::string(cllr_email));
        return st.step() ? static_cast<long>(st.int64(0)) : -1;
    }
    static bool has_problem_field(const HttpResponse& r, const std::string& field) {
        return r.body.find("\"" + field + "\"") != std::string::npos;
    }

    static testing::TempDir* tmp;
    static std::filesystem::path db_path;
    static testing::ServerProcess* server;
    static Who councillor;
    static Who staff;
    static Who admin;
    static std::vector<std::string> cllr_wards;
    static Place inside;
    static Place outside;
    static std::string inside_id;
    static std::string outside_id;
};
testing::TempDir* CouncillorActionsApi::tmp = nullptr;
std::filesystem::path CouncillorActionsApi::db_path;
testing::ServerProcess* CouncillorActionsApi::server = nullptr;
Who CouncillorActionsApi::councillor;
Who CouncillorActionsApi::staff;
Who CouncillorActionsApi::admin;
std::vector<std::string> CouncillorActionsApi::cllr_wards;
Place CouncillorActionsApi::inside;
Place CouncillorActionsApi::outside;
std::string CouncillorActionsApi::inside_id;
std::string CouncillorActionsApi::outside_id;

TEST_F(CouncillorActionsApi, FollowListsTheRequestAndMailsItsStatusChanges) {
    const std::string path = "/api/requests/" + inside_id + "/councillor-follow";
    auto r = call("POST", path, councillor, "{}");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["changed"], true);
    r = call("POST", path, councillor, "{}"); // twice is harmless
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["changed"], false);

    const auto list = call("GET", "/api/myward/following", councillor);
    ASSERT_EQ(list.status, 200) << list.body;
    const auto following = json::parse(list.body)["following"];
    ASSERT_EQ(following.size(), 1U) << list.body;
    EXPECT_EQ(following[0]["service_request_id"], inside_id);
    EXPECT_EQ(following[0]["ward_code"], ward_at(inside));
    EXPECT_EQ(following[0]["status"], "open");

    EXPECT_EQ(outbox_to_councillor(inside_id), 0);
    change_status(inside_id, "IN_PROGRESS");
    EXPECT_EQ(outbox_to_councillor(inside_id), 1);

    r = call("DELETE", path, councillor);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["following"], false);
    EXPECT_TRUE(
        json::parse(call("GET", "/api/myward/following", councillor).body)["following"].empty());
    change_status(inside_id, "ACTION_SCHEDULED");
    EXPECT_EQ(outbox_to_councillor(inside_id), 1); // no more once unfollowed
}

TEST_F(CouncillorActionsApi, OutsideTheirWardsOrNotACouncillorIsRefused) {
    auto r = call("POST", "/api/requests/" + outside_id + "/councillor-follow", councillor, "{}");
    EXPECT_EQ(r.status, 403) << r.body;
    r = call("POST", "/api/requests/" + outside_id + "/councillor-notes", councillor,
             json{{"text", "x"}}.dump());
    EXPECT_EQ(r.status, 403) << r.body;
    r = call("GET", "/api/requests/" + outside_id + "/councillor-notes", councillor);
    EXPECT_EQ(r.status, 403) << r.body;
    // Staff read any ward's notes but do not act as councillors.
    r = call("POST", "/api/requests/" + inside_id + "/councillor-follow", staff, "{}");
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_NE(r.body.find("councillor_act"), std::string::npos) << r.body;
    r = call("POST", "/api/requests/" + inside_id + "/councillor-follow", {}, "{}");
    EXPECT_EQ(r.status, 401) << r.body;
    r = call("POST", "/api/requests/999999999/councillor-follow", councillor, "{}");
    EXPECT_EQ(r.status, 404) << r.body;
}

TEST_F(CouncillorActionsApi, NotesAreForStaffAndTheCouncillorNeverPublic) {
    const std::string text = "Resident at number 12 is elderly; please call ahead 7713";
    const std::string path = "/api/requests/" + inside_id + "/councillor-notes";
    auto r = call("POST", path, councillor, json{{"text", "   "}}.dump());
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_TRUE(has_problem_field(r, "text")) << r.body;
    r = call("POST", path, councillor, json{{"text", std::string(2001, 'a')}}.dump());
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_TRUE(has_problem_field(r, "text")) << r.body;
    r = call("POST", path, councillor, json{{"note", "wrong field"}}.dump());
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_TRUE(has_problem_field(r, "text")) << r.body;
    r = call("POST", path, councillor, json{{"text", text}}.dump());
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(json::parse(r.body)["author"], "Cllr Alex Demo");

    for (const auto* who : {&staff, &councillor}) {
        const auto read = call("GET", path, *who);
        ASSERT_EQ(read.status, 200) << read.body;
        const auto notes = json::parse(read.body)["notes"];
        ASSERT_EQ(notes.size(), 1U) << read.body;
        EXPECT_EQ(notes[0]["text"], text);
    }
    // Each read is audited.
    const auto audit = call("GET", "/api/audit?record_kind=councillor_notes", admin);
    ASSERT_EQ(audit.status, 200) << audit.body;
    int reads = 0;
    const auto audited = json::parse(audit.body);
    for (const auto& e : audited["entries"]) {
        reads += e["action"] == "read" && e["record_id"] == inside_id ? 1 : 0;
    }
    EXPECT_EQ(reads, 2) << audit.body;

    // Never public: Open311's request, its updates, the ward's requests.
    for (const auto& target :
         {"/open311/v2/requests/" + inside_id + ".json?extensions=true",
          "/open311/v2/requests/" + inside_id + ".xml", std::string("/open311/v2/requests.json"),
          std::string("/open311/v2/servicerequestupdates.json")}) {
        const auto pub = call("GET", target);
        EXPECT_EQ(pub.status, 200) << target << pub.body;
        EXPECT_EQ(pub.body.find("7713"), std::string::npos) << target;
        EXPECT_EQ(pub.body.find("elderly"), std::string::npos) << target;
    }
}

TEST_F(CouncillorActionsApi, RaisedOnAResidentsBehalfIsANormalRequestOnItsOwnChannel) {
    const auto kpis_before =
        json::parse(call("GET", "/api/kpis?from=" + today() + "&to=" + today()).body);
    const json body{{"service_code", "pothole"},
                    {"lat", inside.lat},
                    {"long", inside.lon},
                    {"description", "Pothole outside the school gates"},
                    {"first_name", "Robin"},
                    {"last_name", "Resident"},
                    {"email", "robin.resident@example.org"},
                    {"phone", "01257 555 0199"}};
    auto r = call("POST", "/api/myward/requests", councillor, body.dump());
    ASSERT_EQ(r.status, 201) << r.body;
    const auto created = json::parse(r.body);
    const std::string id = created["service_request_id"];
    EXPECT_EQ(created["channel"], "councillor");

    // Open311 shows it as any other request: no councillor, no resident.
    const auto pub = call("GET", "/open311/v2/requests/" + id + ".json?extensions=true");
    ASSERT_EQ(pub.status, 200) << pub.body;
    EXPECT_EQ(json::parse(pub.body)[0]["service_code"], "pothole");
    EXPECT_EQ(json::parse(pub.body)[0]["extended_attributes"]["channel"], "councillor") << pub.body;
    for (const auto* secret : {"Robin", "Resident", "robin.resident", "0199", "Cllr", "Alex"}) {
        EXPECT_EQ(pub.body.find(secret), std::string::npos) << secret << " in " << pub.body;
    }
    // The resident's tracking page says who raised it.
    const auto track = call("GET", "/api/track/" + created["token"].get<std::string>());
    ASSERT_EQ(track.status, 200) << track.body;
    EXPECT_NE(track.body.find("raised by Cllr Alex Demo on a resident's behalf"), std::string::npos)
        << track.body;
    // A councillor's note never reaches the resident's tracking page either.
    const std::string note = "Tenant dispute next door, do not mention 4471";
    ASSERT_EQ(call("POST", "/api/requests/" + id + "/councillor-notes", councillor,
                   json{{"text", note}}.dump())
                  .status,
              201);
    const auto tracked = call("GET", "/api/track/" + created["token"].get<std::string>());
    ASSERT_EQ(tracked.status, 200) << tracked.body;
    EXPECT_EQ(tracked.body.find("4471"), std::string::npos) << tracked.body;
    // Staff with request_contact_read reach the resident.
    const auto contact = call("GET", "/api/requests/" + id + "/contact", staff);
    ASSERT_EQ(contact.status, 200) << contact.body;
    EXPECT_EQ(json::parse(contact.body)["email"], "robin.resident@example.org");
    // Audited as the councillor's change.
    const auto audit = call("GET", "/api/audit?record_id=" + id, admin);
    ASSERT_EQ(audit.status, 200) << audit.body;
    bool raised = false;
    const auto audited = json::parse(audit.body);
    for (const auto& e : audited["entries"]) {
        raised |= e["action"] == "change" && e["actor_name"] == "Cllr Alex Demo" &&
                  e["route"] == "/api/myward/requests";
    }
    EXPECT_TRUE(raised) << audit.body;

    // /api/kpis counts it on its own channel, not as online.
    const auto kpis_after =
        json::parse(call("GET", "/api/kpis?from=" + today() + "&to=" + today()).body);
    EXPECT_EQ(kpis_after["received"].get<int>(), kpis_before["received"].get<int>() + 1);
    const auto online = [](const json& k) {
        return k["online_share"].is_null()
                   ? 0L
                   : std::lround(k["online_share"].get<double>() * k["received"].get<double>());
    };
    EXPECT_EQ(online(kpis_after), online(kpis_before)) << kpis_after.dump();
    EXPECT_EQ(kpis_after["by_channel"]["councillor"].get<int>(),
              kpis_before["by_channel"].value("councillor", 0) + 1)
        << kpis_after.dump();

    // A point outside their wards: 403 naming the location; bad bodies: 400 naming the field.
    json away = body;
    away["lat"] = outside.lat;
    away["long"] = outside.lon;
    r = call("POST", "/api/myward/requests", councillor, away.dump());
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_TRUE(has_problem_field(r, "lat")) << r.body;
    r = call("POST", "/api/myward/requests", councillor, json{{"lat", inside.lat}}.dump());
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_TRUE(has_problem_field(r, "service_code")) << r.body;
    json wrong = body;
    wrong["api_key"] = "demo-client-key";
    r = call("POST", "/api/myward/requests", councillor, wrong.dump());
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_TRUE(has_problem_field(r, "api_key")) << r.body;
    r = call("POST", "/api/myward/requests", staff, body.dump());
    EXPECT_EQ(r.status, 403) << r.body;
}

} // namespace
} // namespace wardmap
