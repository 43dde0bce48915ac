// Empty-property inspections over real HTTP (issue #18): the housing team registers properties,
// records inspections and reads the next inspection due, derived from the risk cadence with
// month ends as a calendar has them; owner details go only to the housing team, every read
// audited in its own transaction (a read whose audit row fails answers no data); councillors
// see a ward's counts with small numbers suppressed, for their own wards only.
//
// The demo store's own register is emptied first, so every count below is this test's.

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_images.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::HttpResponse;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* password = "correct horse battery staple 17";

struct Session {
    std::string cookie;
    std::string csrf;
};

class HousingApi : public ::testing::Test {
  protected:
    void SetUp() override {
        db_path = tmp.path() / "demo.sqlite";
        ASSERT_TRUE(testing::make_demo_store(db_path));
        {
            auto db = store::Database::open(db_path);
            // This test's register only: the demo's entries go (the logs' append-only
            // triggers are lifted for that in this copy alone).
            db.exec("DROP TRIGGER empty_property_status_log_no_delete;"
                    "DROP TRIGGER empty_property_inspections_no_delete;"
                    "DELETE FROM empty_property_photos; DELETE FROM empty_property_owners;"
                    "DELETE FROM empty_property_inspections;"
                    "DELETE FROM empty_property_status_log; DELETE FROM empty_properties;");
            auto st = db.prepare("SELECT uprn, easting, northing FROM properties WHERE "
                                 "classification LIKE 'R%' ORDER BY uprn LIMIT 400");
            while (st.step()) {
                properties.push_back({st.int64(0), st.real(1), st.real(2)});
            }
        }
        ASSERT_GE(properties.size(), 50U);
        add_user("housing@example.org", "Hana Housing", {"--role", "officer", "--team", "housing"});
        add_user("street@example.org", "Sol Street",
                 {"--role", "officer", "--team", "streetscene"});
        add_user("admin@example.org", "Ada Admin", {"--role", "admin"});
        server = std::make_unique<testing::ServerProcess>(
            db_path, std::vector<std::string>{"--no-access-log"});
        housing = sign_in("housing@example.org");
        street = sign_in("street@example.org");
        admin = sign_in("admin@example.org");
    }

    void add_user(const std::string& email,
                  const std::string& name,
                  const std::vector<std::string>& role) {
        std::vector<std::string> args = {"users",          "add",    email, "--db",
                                         db_path.string(), "--name", name};
        args.insert(args.end(), role.begin(), role.end());
        std::string output;
        ASSERT_EQ(
            testing::run_wardmap(args, &output, {std::string("WARDMAP_PASSWORD=") + password}), 0)
            << output;
    }

    Session sign_in(const std::string& email) {
        const auto r = testing::http_request(server->port(), "POST", "/api/session",
                                             json{{"email", email}, {"password", password}}.dump(),
                                             {{"Content-Type", "application/json"}});
        EXPECT_EQ(r.status, 200) << r.body;
        const auto cookie = r.header("set-cookie");
        return {cookie.substr(0, cookie.find(';')), json::parse(r.body).value("csrf_token", "")};
    }

    HttpResponse get(const std::string& target, const Session& who) {
        return testing::http_get(server->port(), target, {{"Cookie", who.cookie}});
    }
    HttpResponse send(const std::string& method,
                      const std::string& target,
                      const json& body,
                      const Session& who) {
        return testing::http_request(server->port(), method, target, body.dump(),
                                     {{"Cookie", who.cookie},
                                      {"X-CSRF-Token", who.csrf},
                                      {"Content-Type", "application/json"}});
    }

    /// Registers a property; returns its id.
    std::int64_t enrol(std::int64_t uprn,
                       const std::string& empty_since,
                       const std::string& registered_on,
                       const std::string& risk) {
        const auto r = send("POST", "/api/housing/properties",
                            {{"uprn", uprn},
                             {"source", "council_tax"},
                             {"empty_since", empty_since},
                             {"registered_on", registered_on},
                             {"risk", risk}},
                            housing);
        EXPECT_EQ(r.status, 201) << r.body;
        return json::parse(r.body).value("id", std::int64_t{0});
    }

    std::string ward_of(std::size_t i, const std::string& date) {
        const auto r = testing::http_get(
            server->port(),
            "/api/wards/at?crs=EPSG:27700&x=" + std::to_string(properties[i].easting) +
                "&y=" + std::to_string(properties[i].northing) + "&date=" + date);
        return r.status == 200 ? json::parse(r.body).value("code", "") : "";
    }

    json audit_rows(std::int64_t id) {
        const auto r = get(
            "/api/audit?record_kind=empty_property_owner&record_id=" + std::to_string(id), admin);
        EXPECT_EQ(r.status, 200) << r.body;
        return json::parse(r.body)["entries"];
    }

    struct Place {
        std::int64_t uprn;
        double easting;
        double northing;
    };
    testing::TempDir tmp;
    std::filesystem::path db_path;
    std::vector<Place> properties;
    std::unique_ptr<testing::ServerProcess> server;
    Session housing;
    Session street;
    Session admin;
};

TEST_F(HousingApi, TheNextInspectionIsDueByTheRiskCadenceWithMonthEnds) {
    // Medium risk (6 months), never inspected: due 6 months after registration.
    const auto id = enrol(properties[0].uprn, "2025-01-15", "2025-02-28", "medium");
    const auto path = "/api/housing/properties/" + std::to_string(id);
    auto detail = json::parse(get(path + "?date=2025-03-01", housing).body);
    EXPECT_EQ(detail["next_inspection_due"], "2025-08-28");
    EXPECT_EQ(detail["status"], "monitoring");
    EXPECT_EQ(detail["overdue"], false);
    // Inspected on 31 August: the next is due on the last day of February.
    const auto inspected = send("POST", path + "/inspections",
                                {{"inspected_on", "2025-08-31"},
                                 {"condition", "fair"},
                                 {"security", "secure"},
                                 {"recommended_action", "monitor"}},
                                housing);
    ASSERT_EQ(inspected.status, 201) << inspected.body;
    EXPECT_EQ(json::parse(inspected.body)["inspections"][0]["inspector"], "Hana Housing");
    detail = json::parse(get(path + "?date=2026-02-28", housing).body);
    EXPECT_EQ(detail["last_inspected_on"], "2025-08-31");
    EXPECT_EQ(detail["next_inspection_due"], "2026-02-28");
    EXPECT_EQ(detail["overdue"], false);
    // Due on the day asked: listed as due, not overdue; the day after, overdue.
    auto due = json::parse(get("/api/housing/due?date=2026-02-28", housing).body);
    ASSERT_EQ(due["count"], 1);
    EXPECT_EQ(due["properties"][0]["id"], id);
    EXPECT_EQ(due["overdue"], 0);
    EXPECT_EQ(json::parse(get("/api/housing/due?date=2026-02-27", housing).body)["count"], 0);
    due = json::parse(get("/api/housing/due?date=2026-03-01", housing).body);
    EXPECT_EQ(due["overdue"], 1);
    EXPECT_EQ(due["properties"][0]["overdue"], true);
    // Raising the risk to high (3 months) brings it forward to 30 November 2025.
    ASSERT_EQ(send("PATCH", path, {{"risk", "high"}}, housing).status, 200);
    detail = json::parse(get(path + "?date=2025-12-01", housing).body);
    EXPECT_EQ(detail["next_inspection_due"], "2025-11-30");
    EXPECT_EQ(detail["overdue"], true);
    // Back in use: nothing more is due, and the status log keeps both rows.
    ASSERT_EQ(send("POST", path + "/status",
                   {{"status", "back_in_use"}, {"effective_on", "2026-01-10"}}, housing)
                  .status,
              201);
    detail = json::parse(get(path + "?date=2026-03-01", housing).body);
    EXPECT_EQ(detail["status"], "back_in_use");
    EXPECT_TRUE(detail["next_inspection_due"].is_null());
    ASSERT_EQ(detail["status_log"].size(), 2U);
    EXPECT_EQ(detail["status_log"][1]["by"], "Hana Housing");
    EXPECT_EQ(json::parse(get("/api/housing/due?date=2026-03-01", housing).body)["count"], 0);
    // On a date before it was back in use, it was still being monitored.
    EXPECT_EQ(json::parse(get(path + "?date=2026-01-09", housing).body)["status"], "monitoring");
}

TEST_F(HousingApi, ListFiltersAndTheMapAgree) {
    const auto a = enrol(properties[1].uprn, "2024-01-01", "2024-02-01", "high");
    const auto b = enrol(properties[2].uprn, "2026-06-01", "2026-06-15", "low");
    const auto list =
        json::parse(get("/api/housing/properties?date=2026-12-01&overdue=true", housing).body);
    ASSERT_EQ(list["count"], 1);
    EXPECT_EQ(list["properties"][0]["id"], a);
    EXPECT_FALSE(list["properties"][0].contains("owner"));
    const auto map =
        get("/api/housing/properties.geojson?date=2026-12-01&status=monitoring", housing);
    ASSERT_EQ(map.status, 200) << map.body;
    EXPECT_EQ(map.header("content-type"), "application/geo+json");
    const auto fc = json::parse(map.body);
    ASSERT_EQ(fc["features"].size(), 2U);
    // Next due first: a's (2024-05-01) before b's (2027-06-15).
    EXPECT_EQ(fc["features"][0]["id"], a);
    EXPECT_EQ(fc["features"][1]["id"], b);
    EXPECT_EQ(fc["features"][1]["properties"]["next_inspection_due"], "2027-06-15");
    const auto ward = ward_of(1, "2026-12-01");
    ASSERT_FALSE(ward.empty());
    EXPECT_EQ(fc["features"][0]["properties"]["ward_code"], ward);
    const auto in_ward =
        json::parse(get("/api/housing/properties?date=2026-12-01&ward=" + ward, housing).body);
    for (const auto& p : in_ward["properties"]) {
        EXPECT_EQ(p["ward_code"], ward);
    }
    EXPECT_GE(in_ward["count"].template get<int>(), 1);
    // Bad input names the parameter.
    const auto bad = get("/api/housing/properties?status=sold", housing);
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("\"status\""), std::string::npos) << bad.body;
    EXPECT_EQ(get("/api/housing/due?date=2026-02-30", housing).status, 400);
    EXPECT_EQ(get("/api/housing/properties/999999", housing).status, 404);
    // Registering twice is a conflict; an unknown UPRN names the field.
    EXPECT_EQ(send("POST", "/api/housing/properties",
                   {{"uprn", properties[1].uprn},
                    {"source", "survey"},
                    {"empty_since", "2024-01-01"},
                    {"risk", "low"}},
                   housing)
                  .status,
              409);
    const auto unknown = send("POST", "/api/housing/properties",
                              {{"uprn", 999999999999},
                               {"source", "survey"},
                               {"empty_since", "2024-01-01"},
                               {"risk", "low"}},
                              housing);
    EXPECT_EQ(unknown.status, 400);
    EXPECT_NE(unknown.body.find("uprn"), std::string::npos) << unknown.body;
}

TEST_F(HousingApi, OwnerDetailsOnlyForTheHousingTeamAndEveryReadIsAudited) {
    const auto id = enrol(properties[3].uprn, "2025-05-01", "2025-06-01", "medium");
    const auto owner = "/api/housing/properties/" + std::to_string(id) + "/owner";
    const auto put = send("PUT", owner,
                          {{"name", "Owen Owner"},
                           {"address", "1 Example Road, Testford"},
                           {"phone", "01632 960123"},
                           {"email", "owen@example.com"}},
                          housing);
    ASSERT_EQ(put.status, 200) << put.body;
    EXPECT_EQ(audit_rows(id).size(), 1U); // the change
    // Nobody else: not another team, not an admin, not a councillor (403); nobody signed in 401.
    for (const Session* who : {&street, &admin}) {
        const auto r = get(owner, *who);
        EXPECT_EQ(r.status, 403) << r.body;
        EXPECT_EQ(r.body.find("Owen"), std::string::npos);
        EXPECT_NE(r.body.find("housing_owner_read"), std::string::npos) << r.body;
    }
    EXPECT_EQ(testing::http_get(server->port(), owner).status, 401);
    EXPECT_EQ(send("PUT", owner, {{"name", "X"}}, street).status, 403);
    // The register's own routes never carry owner details.
    const auto detail = get("/api/housing/properties/" + std::to_string(id), housing);
    EXPECT_EQ(detail.body.find("Owen"), std::string::npos);
    EXPECT_EQ(json::parse(detail.body)["owner_details_held"], true);
    // Each read is one audit row, with who and the route.
    for (int i = 0; i < 3; ++i) {
        const auto r = get(owner, housing);
        ASSERT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(json::parse(r.body)["email"], "owen@example.com");
    }
    const auto rows = audit_rows(id);
    ASSERT_EQ(rows.size(), 4U);
    EXPECT_EQ(rows[0]["action"], "read");
    EXPECT_EQ(rows[0]["actor_name"], "Hana Housing");
    EXPECT_EQ(rows[0]["route"], "/api/housing/properties/:id/owner");
    EXPECT_EQ(rows[3]["action"], "change");
}

TEST_F(HousingApi, AnOwnerReadWhoseAuditRowFailsAnswersNoData) {
    const auto id = enrol(properties[4].uprn, "2025-05-01", "2025-06-01", "medium");
    const auto owner = "/api/housing/properties/" + std::to_string(id) + "/owner";
    ASSERT_EQ(send("PUT", owner, {{"name", "Petra Private"}}, housing).status, 200);
    {
        auto db = store::Database::open(db_path);
        db.exec("CREATE TRIGGER audit_log_refuse BEFORE INSERT ON audit_log BEGIN "
                "SELECT RAISE(ABORT, 'audit refused'); END");
    }
    const auto r = get(owner, housing);
    EXPECT_EQ(r.status, 500) << r.body;
    EXPECT_EQ(r.body.find("Petra"), std::string::npos) << r.body;
    // A change that cannot be audited is not made either.
    EXPECT_EQ(send("PUT", owner, {{"name", "Someone Else"}}, housing).status, 500);
    {
        auto db = store::Database::open(db_path);
        db.exec("DROP TRIGGER audit_log_refuse");
    }
    EXPECT_EQ(json::parse(get(owner, housing).body)["name"], "Petra Private");
}

TEST_F(HousingApi, OtherTeamsAndCouncillorsCannotUseTheRegister) {
    const auto id = enrol(properties[5].uprn, "2025-05-01", "2025-06-01", "low");
    const auto ward = ward_of(5, "2026-12-01");
    ASSERT_FALSE(ward.empty());
    add_user("cllr@example.org", "Cllr Count", {"--role", "councillor", "--ward", ward});
    const auto cllr = sign_in("cllr@example.org");
    const auto path = "/api/housing/properties/" + std::to_string(id);
    for (const Session* who : {static_cast<const Session*>(&street), &cllr}) {
        for (const auto& target : {std::string("/api/housing/properties"), path,
                                   std::string("/api/housing/due"), path + "/owner"}) {
            EXPECT_EQ(get(target, *who).status, 403) << target;
        }
        EXPECT_EQ(send("POST", path + "/inspections",
                       {{"inspected_on", "2026-01-01"},
                        {"condition", "good"},
                        {"security", "secure"},
                        {"recommended_action", "none"}},
                       *who)
                      .status,
                  403);
    }
    // An admin manages the register (but reads no owner details: above).
    EXPECT_EQ(get(path, admin).status, 200);
    // Inspections with a bad date or value name the field.
    const auto bad = send("POST", path + "/inspections",
                          {{"inspected_on", "2099-01-01"},
                           {"condition", "splendid"},
                           {"security", "secure"},
                           {"recommended_action", "none"}},
                          housing);
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("condition"), std::string::npos) << bad.body;
}

TEST_F(HousingApi, InspectionPhotosAreReEncodedAndServedToTheTeamOnly) {
    const auto id = enrol(properties[6].uprn, "2025-05-01", "2025-06-01", "high");
    const auto inspected =
        send("POST", "/api/housing/properties/" + std::to_string(id) + "/inspections",
             {{"inspected_on", "2026-11-02"},
              {"condition", "poor"},
              {"security", "insecure"},
              {"recommended_action", "emergency_works"}},
             housing);
    ASSERT_EQ(inspected.status, 201) << inspected.body;
    const auto inspection =
        json::parse(inspected.body)["inspection_id"].template get<std::int64_t>();
    const auto png = test::make_test_image(test::TestImageFormat::png, 640, 480);
    const auto up = testing::http_request(
        server->port(), "POST",
        "/api/housing/inspections/" + std::to_string(inspection) + "/photos", png,
        {{"Cookie", housing.cookie},
         {"X-CSRF-Token", housing.csrf},
         {"Content-Type", "image/png"}});
    ASSERT_EQ(up.status, 201) << up.body;
    const auto url = json::parse(up.body)["url"].template get<std::string>();
    const auto photo = get(url, housing);
    ASSERT_EQ(photo.status, 200);
    EXPECT_EQ(photo.header("content-type"), "image/jpeg");
    EXPECT_EQ(static_cast<unsigned char>(photo.body[0]), 0xFF);
    EXPECT_EQ(get(url, street).status, 403);
    const auto detail =
        json::parse(get("/api/housing/properties/" + std::to_string(id), housing).body);
    EXPECT_EQ(detail["inspections"][0]["photos"][0]["url"], url);
    const auto junk = testing::http_request(
        server->port(), "POST",
        "/api/housing/inspections/" + std::to_string(inspection) + "/photos", "not an image",
        {{"Cookie", housing.cookie},
         {"X-CSRF-Token", housing.csrf},
         {"Content-Type", "image/png"}});
    EXPECT_EQ(junk.status, 415) << junk.body;
}

TEST_F(HousingApi, WardCountsSuppressSmallNumbersForCouncillorsOfTheWard) {
    const std::string on = "2026-12-01";
    // Properties of one ward, found through the public ward lookup.
    const auto ward = ward_of(0, on);
    ASSERT_FALSE(ward.empty());
    std::vector<std::int64_t> in_ward;
    std::string other_ward;
    for (std::size_t i = 0; i < properties.size() && (in_ward.size() < 11 || other_ward.empty());
         ++i) {
        const auto w = ward_of(i, on);
        if (w == ward && in_ward.size() < 11) {
            in_ward.push_back(properties[i].uprn);
        } else if (w != ward && other_ward.empty() && !w.empty()) {
            other_ward = w;
        }
    }
    ASSERT_EQ(in_ward.size(), 11U);
    ASSERT_FALSE(other_ward.empty());
    add_user("cllr@example.org", "Cllr Count", {"--role", "councillor", "--ward", ward});
    const auto cllr = sign_in("cllr@example.org");
    const auto counts = [&](const Session& who) {
        const auto r = get("/api/wards/" + ward + "/empty-properties?date=" + on, who);
        EXPECT_EQ(r.status, 200) << r.body;
        return json::parse(r.body);
    };
    const auto bands = [](const json& c) {
        std::vector<json> out;
        for (const auto& b : c["by_time_empty"]) {
            out.push_back(b["count"]);
        }
        return out;
    };
    // One property: everything that is not zero is suppressed.
    enrol(in_ward[0], "2026-01-10", "2026-06-01", "high"); // 6 to 12 months
    auto c = counts(cllr);
    EXPECT_TRUE(c["total"].is_null());
    EXPECT_EQ(bands(c), (std::vector<json>{nullptr, nullptr, nullptr, nullptr}));
    EXPECT_TRUE(c["inspections"]["overdue"].is_null());
    // Seven: five empty two years or more, two 6-12 months. The 2 is suppressed and, being the
    // only one, takes the next smallest (5) with it; the total shows.
    enrol(in_ward[1], "2026-02-01", "2026-06-01", "high");
    for (int i = 2; i < 7; ++i) {
        enrol(in_ward[i], "2023-03-01", "2026-06-01", "high");
    }
    c = counts(cllr);
    EXPECT_EQ(c["total"], 7);
    EXPECT_EQ(bands(c), (std::vector<json>{0, nullptr, 0, nullptr}));
    // All high risk registered 2026-06-01 and never inspected: due 2026-09-01, overdue.
    EXPECT_EQ(c["inspections"]["overdue"], 7);
    EXPECT_EQ(c["inspections"]["due_within_28_days"], 0);
    // Eleven: three under 6 months, two 6-12, six 2+: two suppressed, neither follows.
    enrol(in_ward[7], "2023-03-01", "2026-06-01", "high");
    for (int i = 8; i < 11; ++i) {
        enrol(in_ward[i], "2026-09-15", "2026-09-15", "high"); // due 2026-12-15
    }
    c = counts(cllr);
    EXPECT_EQ(c["total"], 11);
    EXPECT_EQ(bands(c), (std::vector<json>{nullptr, nullptr, 0, 6}));
    EXPECT_EQ(c["inspections"]["overdue"], 8);
    EXPECT_TRUE(c["inspections"]["due_within_28_days"].is_null()); // 3, due 2026-12-15
    // No owner, address or UPRN in a councillor's answer.
    const auto raw = get("/api/wards/" + ward + "/empty-properties?date=" + on, cllr).body;
    EXPECT_EQ(raw.find("uprn"), std::string::npos);
    EXPECT_EQ(raw.find(std::to_string(in_ward[0])), std::string::npos);
    // Staff of any team read any ward; a councillor only their own.
    EXPECT_EQ(counts(street)["total"], 11);
    EXPECT_EQ(get("/api/wards/" + other_ward + "/empty-properties", cllr).status, 403);
    EXPECT_EQ(get("/api/wards/" + other_ward + "/empty-properties", street).status, 200);
    EXPECT_EQ(get("/api/wards/E05999999/empty-properties", street).status, 404);
    EXPECT_EQ(testing::http_get(server->port(), "/api/wards/" + ward + "/empty-properties").status,
              401);
}

} // namespace
} // namespace wardmap
