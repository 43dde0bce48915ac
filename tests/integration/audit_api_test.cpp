// The audit trail over real HTTP: a staff read of a reporter's contact details makes exactly
// one audit row (who, when, what, route, from where); an admin lists it with filters and
// exports it as CSV; a read whose audit row cannot be written answers an error and no data.

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
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

/// RFC 4180: fields separated by commas, rows by CRLF, quoted fields with doubled quotes.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows(1);
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            rows.back().push_back(field);
            field.clear();
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            rows.back().push_back(field);
            field.clear();
            rows.emplace_back();
            ++i;
        } else {
            field += c;
        }
    }
    if (rows.back().empty() && field.empty()) {
        rows.pop_back();
    }
    return rows;
}

class AuditApi : public ::testing::Test {
  protected:
    void SetUp() override {
        db_path = tmp.path() / "demo.sqlite";
        const auto point = testing::make_demo_store(db_path);
        ASSERT_TRUE(point);
        for (const auto& [email, name, role] :
             {std::tuple{"admin@example.org", "Ada Admin", "admin"},
              std::tuple{"officer@example.org", "=Olive, \"CS\"", "officer"}}) {
            std::vector<std::string> args = {"users",  "add", email,    "--db", db_path.string(),
                                             "--name", name,  "--role", role};
            if (std::string(role) == "officer") {
                args.insert(args.end(), {"--team", "customer_services"});
            }
            std::string output;
            ASSERT_EQ(
                testing::run_wardmap(args, &output, {std::string("WARDMAP_PASSWORD=") + password}),
                0)
                << output;
        }
        server = std::make_unique<testing::ServerProcess>(
            db_path, std::vector<std::string>{"--no-access-log"});
        const auto created = testing::http_request(
            server->port(), "POST", "/open311/v2/requests.json",
            "api_key=demo-client-key&service_code=fly_tipping&description=Sofa&attribute%5Bwaste_"
            "type%5D%5B%5D=furniture&attribute%5Bamount%5D=car_boot&email=pat%40"
            "example.org&first_name=Pat&last_name=Reporter&phone=01257+000000&" +
                point->lat_long(),
            {{"Content-Type", "application/x-www-form-urlencoded"}});
        ASSERT_EQ(created.status, 200) << created.body;
        request_id = json::parse(created.body)[0]["service_request_id"].get<std::string>();
        admin = sign_in("admin@example.org");
        officer = sign_in("officer@example.org");
        const auto me = get("/api/me", officer);
        ASSERT_EQ(me.status, 200) << me.body;
        officer_id = json::parse(me.body)["person"]["id"].get<std::int64_t>();
    }

    std::string sign_in(const std::string& email) {
        const auto r = testing::http_request(server->port(), "POST", "/api/session",
                                             json{{"email", email}, {"password", password}}.dump(),
                                             {{"Content-Type", "application/json"}});
        EXPECT_EQ(r.status, 200) << r.body;
        const auto cookie = r.header("set-cookie");
        return cookie.substr(0, cookie.find(';'));
    }

    HttpResponse get(const std::string& target, const std::string& cookie) {
        return testing::http_get(server->port(), target, {{"Cookie", cookie}});
    }

    json audit(const std::string& query = "") {
        const auto r = get("/api/audit" + query, admin);
        EXPECT_EQ(r.status, 200) << r.body;
        // The demo's own bookings were made through the booking service, which audits them
        // (route "demo-data"); these tests count the rows their own calls write.
        const auto doc = json::parse(r.body);
        json entries = json::array();
        for (const auto& entry : doc["entries"]) {
            if (entry["route"] != "demo-data") {
                entries.push_back(entry);
            }
        }
        return entries;
    }

    testing::TempDir tmp;
    std::filesystem::path db_path;
    std::unique_ptr<testing::ServerProcess> server;
    std::string request_id;
    std::string admin;
    std::string officer;
    std::int64_t officer_id = 0;
};

TEST_F(AuditApi, AContactReadMakesExactlyOneRow) {
    EXPECT_EQ(audit().size(), 0U);
    const auto r = get("/api/requests/" + request_id + "/contact", officer);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto contact = json::parse(r.body);
    EXPECT_EQ(contact["email"], "pat@example.org");
    EXPECT_EQ(contact["first_name"], "Pat");
    EXPECT_EQ(contact["last_name"], "Reporter");
    EXPECT_EQ(contact["phone"], "01257 000000");
    EXPECT_EQ(r.header("cache-control"), "no-store");
    const auto entries = audit();
    ASSERT_EQ(entries.size(), 1U) << entries.dump();
    const auto& row = entries[0];
    EXPECT_EQ(row["actor_kind"], "person");
    EXPECT_EQ(row["actor_id"], officer_id);
    EXPECT_EQ(row["actor_name"], "=Olive, \"CS\"");
    EXPECT_EQ(row["action"], "read");
    EXPECT_EQ(row["record_kind"], "request_contact");
    EXPECT_EQ(row["record_id"], request_id);
    EXPECT_EQ(row["route"], "/api/requests/:id/contact");
    EXPECT_EQ(row["client_address"], "127.0.0.1");
    EXPECT_TRUE(row["at"].get<std::string>().ends_with("Z")) << row["at"];
    // Reading the audit is not itself a personal-data read.
    EXPECT_EQ(audit().size(), 1U);
}

TEST_F(AuditApi, FiltersSelectRows) {
    ASSERT_EQ(get("/api/requests/" + request_id + "/contact", officer).status, 200);
    ASSERT_EQ(get("/api/requests/" + request_id + "/contact", admin).status, 200);
    EXPECT_EQ(audit().size(), 2U);
    EXPECT_EQ(audit("?person=" + std::to_string(officer_id)).size(), 1U);
    EXPECT_EQ(audit("?record_kind=request_contact&record_id=" + request_id).size(), 2U);
    EXPECT_EQ(audit("?record_id=999999").size(), 0U);
    EXPECT_EQ(audit("?from=2000-01-01&to=2999-12-31").size(), 2U);
    EXPECT_EQ(audit("?to=2000-01-01").size(), 0U);
    EXPECT_EQ(audit("?from=2999-01-01T00:00:00Z").size(), 0U);
    EXPECT_EQ(audit("?limit=1").size(), 1U);
    EXPECT_EQ(get("/api/audit?limit=0", admin).status, 400);
    EXPECT_EQ(get("/api/audit?from=yesterday", admin).status, 400);
    EXPECT_EQ(get("/api/audit?person=x", admin).status, 400);
}

TEST_F(AuditApi, TheCsvExportParses) {
    ASSERT_EQ(get("/api/requests/" + request_id + "/contact", officer).status, 200);
    const auto r = get("/api/audit.csv?record_kind=request_contact", admin);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(r.header("content-type").starts_with("text/csv")) << r.header("content-type");
    const auto rows = parse_csv(r.body);
    ASSERT_EQ(rows.size(), 2U) << r.body;
    EXPECT_EQ(rows[0], (std::vector<std::string>{"id", "at", "actor_kind", "actor_id", "actor_name",
                                                 "action", "record_kind", "record_id", "route",
                                                 "client_address"}));
    ASSERT_EQ(rows[1].size(), 10U);
    // The name's comma and quotes survive; its leading '=' cannot run as a formula.
    EXPECT_EQ(rows[1][4], "'=Olive, \"CS\"");
    EXPECT_EQ(rows[1][7], request_id);
    EXPECT_EQ(get("/api/audit.csv", officer).status, 403);
}

TEST_F(AuditApi, AReadWhoseAuditRowFailsAnswersAnErrorAndNoData) {
    {
        auto db = store::Database::open(db_path);
        db.exec("CREATE TRIGGER audit_log_refuse BEFORE INSERT ON audit_log BEGIN "
                "SELECT RAISE(ABORT, 'audit refused'); END");
    }
    const auto r = get("/api/requests/" + request_id + "/contact", officer);
    EXPECT_EQ(r.status, 500) << r.body;
    EXPECT_EQ(r.body.find("pat@example.org"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("Pat"), std::string::npos) << r.body;
    EXPECT_EQ(audit().size(), 0U);
}

TEST_F(AuditApi, TheLogCannotBeEditedOrDeleted) {
    ASSERT_EQ(get("/api/requests/" + request_id + "/contact", officer).status, 200);
    auto db = store::Database::open(db_path);
    EXPECT_THROW(db.exec("UPDATE audit_log SET actor_name = 'nobody'"), store::StoreError);
    EXPECT_THROW(db.exec("DELETE FROM audit_log"), store::StoreError);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM audit_log WHERE route <> 'demo-data'"), 1);
}

} // namespace
} // namespace wardmap
