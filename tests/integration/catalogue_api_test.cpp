// The staff API over the service catalogue, over real HTTP: full definitions for staff only,
// create / replace / retire checked exactly as the data file is, effective at once in
// Open311, recorded (who, what, when), and still there after a restart.

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

const Headers staff{{"X-Api-Key", "demo-staff-key"}, {"Content-Type", "application/json"}};

json bench_damage(const std::string& name = "Damaged bench") {
    return {
        {"code", "bench_damage"},
        {"name", name},
        {"group", "Parks and open spaces"},
        {"description", "A broken or vandalised public bench"},
        {"keywords", {"bench", "seat"}},
        {"duplicate_radius_m", 25},
        {"attributes",
         {{{"code", "danger"},
           {"description", "Is anyone at risk of injury?"},
           {"datatype", "singlevaluelist"},
           {"required", true},
           {"order", 1},
           {"values", {{{"key", "yes"}, {"name", "Yes"}}, {{"key", "no"}, {"name", "No"}}}}}}},
        {"priorities",
         {{{"code", "normal"}, {"name", "Normal"}, {"sla_working_days", 10}},
          {{"code", "high"}, {"name", "High"}, {"sla_working_days", 1}}}},
        {"priority_rules", {{{"attribute", "danger"}, {"value", "yes"}, {"priority", "high"}}}}};
}

class CatalogueApi : public ::testing::Test {
  protected:
    void SetUp() override {
        db_path = tmp.path() / "demo.sqlite";
        const auto point = testing::make_demo_store(db_path);
        ASSERT_TRUE(point);
        where = point->lat_long();
        start();
    }
    void start() {
        server = std::make_unique<testing::ServerProcess>(
            db_path, std::vector<std::string>{"--no-access-log"});
    }
    HttpResponse call(const std::string& method,
                      const std::string& path,
                      const std::string& body = "",
                      const Headers& headers = staff) {
        return testing::http_request(server->port(), method, path, body, headers);
    }
    json open311_codes() {
        const auto r = testing::http_get(server->port(), "/open311/v2/services.json");
        EXPECT_EQ(r.status, 200);
        json codes = json::array();
        for (const auto& s : json::parse(r.body)) {
            codes.push_back(s["service_code"]);
        }
        return codes;
    }
    static bool has(const json& list, const std::string& code) {
        return std::find(list.begin(), list.end(), code) != list.end();
    }
    HttpResponse report(const std::string& code, const std::string& extra = "") {
        return call("POST", "/open311/v2/requests.json",
                    "api_key=demo-client-key&service_code=" + code + "&description=Broken+slats&" +
                        where + extra,
                    {{"Content-Type", "application/x-www-form-urlencoded"}});
    }

    testing::TempDir tmp;
    std::filesystem::path db_path;
    std::string where;
    std::unique_ptr<testing::ServerProcess> server;
};

TEST_F(CatalogueApi, OnlyStaffSeeTheFullCatalogue) {
    EXPECT_EQ(call("GET", "/api/services", "", {}).status, 403);
    const auto client = call("GET", "/api/services", "", {{"X-Api-Key", "demo-client-key"}});
    EXPECT_EQ(client.status, 403);
    EXPECT_EQ(client.header("content-type"), "application/problem+json");
    const auto r = call("GET", "/api/services");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto list = json::parse(r.body)["services"];
    bool saw_private = false;
    for (const auto& s : list) {
        EXPECT_TRUE(s["priorities"].is_array());
        EXPECT_TRUE(s["duplicate_radius_m"].is_number());
        EXPECT_TRUE(s["private"].is_boolean());
        EXPECT_FALSE(s["priorities"][0]["sla_working_days"].is_null());
        saw_private = saw_private || (s["code"] == "noise_nuisance" && s["private"] == true);
    }
    EXPECT_TRUE(saw_private) << r.body; // with its private flag, SLAs and radius
    // The query parameter works as the header does.
    EXPECT_EQ(call("GET", "/api/services?api_key=demo-staff-key", "", {}).status, 200);
}

TEST_F(CatalogueApi, CreateReplaceRetireTakeEffectAtOnceAndSurviveARestart) {
    ASSERT_FALSE(has(open311_codes(), "bench_damage"));
    const auto created = call("POST", "/api/services", bench_damage().dump());
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(created.header("location"), "/api/services/bench_damage");
    EXPECT_TRUE(has(open311_codes(), "bench_damage"));
    const auto definition =
        testing::http_get(server->port(), "/open311/v2/services/bench_damage.json");
    ASSERT_EQ(definition.status, 200);
    EXPECT_EQ(json::parse(definition.body)["attributes"][0]["code"], "danger");
    // Its SLA and priority rule work for a new request.
    const auto made = report("bench_damage", "&attribute%5Bdanger%5D=yes");
    ASSERT_EQ(made.status, 200) << made.body;
    const std::string id = json::parse(made.body)[0]["service_request_id"];
    const auto req = json::parse(
        testing::http_get(server->port(), "/open311/v2/requests/" + id + ".json?extensions=true")
            .body)[0];
    EXPECT_EQ(req["extended_attributes"]["priority"], "high");
    EXPECT_EQ(call("POST", "/api/services", bench_damage().dump()).status, 409);

    // Replace: the new name shows at once; the code in the body must match the path.
    ASSERT_EQ(call("PUT", "/api/services/bench_damage", bench_damage("Broken bench").dump()).status,
              200);
    const auto renamed = json::parse(
        testing::http_get(server->port(), "/open311/v2/requests/" + id + ".json").body)[0];
    EXPECT_EQ(renamed["service_name"], "Broken bench");
    EXPECT_EQ(call("PUT", "/api/services/litter", bench_damage().dump()).status, 400);
    auto unknown = bench_damage();
    unknown["code"] = "no_such_service";
    EXPECT_EQ(call("PUT", "/api/services/no_such_service", unknown.dump()).status, 404);
    auto litter = json::parse(call("GET", "/api/services").body)["services"];
    json litter_def;
    for (const auto& s : litter) {
        if (s["code"] == "litter") {
            litter_def = s;
        }
    }
    ASSERT_FALSE(litter_def.is_null());
    litter_def["name"] = "Litter and rubbish";
    ASSERT_EQ(call("PUT", "/api/services/litter", litter_def.dump()).status, 200);

    // Retire: gone from discovery and from new reports; its requests are still readable.
    const auto retired = call("DELETE", "/api/services/bench_damage");
    EXPECT_EQ(retired.status, 204) << retired.body;
    EXPECT_FALSE(has(open311_codes(), "bench_damage"));
    EXPECT_EQ(report("bench_damage", "&attribute%5Bdanger%5D=no").status, 404);
    EXPECT_EQ(testing::http_get(server->port(), "/open311/v2/requests/" + id + ".json").status,
              200);
    EXPECT_EQ(call("DELETE", "/api/services/bench_damage").status, 404);

    // Who changed what, append-only.
    {
        auto conn = store::Database::open(db_path);
        EXPECT_EQ(conn.query_text("SELECT group_concat(action || ':' || code || ':' || actor, "
                                  "' | ') FROM (SELECT * FROM service_definition_changes "
                                  "ORDER BY id)")
                      .value_or(""),
                  "create:bench_damage:staff:Demo back office | "
                  "replace:bench_damage:staff:Demo back office | "
                  "replace:litter:staff:Demo back office | "
                  "retire:bench_damage:staff:Demo back office");
        EXPECT_THROW(conn.exec("DELETE FROM service_definition_changes"), store::StoreError);
    }

    // A restart keeps every edit.
    ASSERT_EQ(server->terminate(), 0);
    start();
    const auto codes = open311_codes();
    EXPECT_FALSE(has(codes, "bench_damage"));
    EXPECT_TRUE(has(codes, "litter"));
    const auto services =
        json::parse(testing::http_get(server->port(), "/open311/v2/services.json").body);
    for (const auto& s : services) {
        if (s["service_code"] == "litter") {
            EXPECT_EQ(s["service_name"], "Litter and rubbish");
        }
    }
    EXPECT_EQ(testing::http_get(server->port(), "/open311/v2/requests/" + id + ".json").status,
              200);
    EXPECT_EQ(report("bench_damage", "&attribute%5Bdanger%5D=no").status, 404);
}

TEST_F(CatalogueApi, BadDefinitionsAreRefusedNamingTheField) {
    const auto field_of = [&](const json& body) {
        const auto r = call("POST", "/api/services", body.dump());
        EXPECT_EQ(r.status, 400) << r.body;
        EXPECT_EQ(r.header("content-type"), "application/problem+json");
        return json::parse(r.body)["errors"][0]["name"].get<std::string>();
    };
    auto no_name = bench_damage();
    no_name.erase("name");
    EXPECT_EQ(field_of(no_name), "name");
    auto bad_type = bench_damage();
    bad_type["attributes"][0]["datatype"] = "colour";
    EXPECT_EQ(field_of(bad_type), "datatype");
    auto bad_sla = bench_damage();
    bad_sla["priorities"][0]["sla_working_days"] = 400;
    EXPECT_EQ(field_of(bad_sla), "sla_working_days");
    auto bad_code = bench_damage();
    bad_code["code"] = "bench damage!";
    const auto r = call("POST", "/api/services", bad_code.dump());
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(call("POST", "/api/services", "{not json").status, 400);
    EXPECT_EQ(call("POST", "/api/services", "[]").status, 400);
    EXPECT_FALSE(has(open311_codes(), "bench_damage")); // nothing half-made
}

} // namespace
} // namespace wardmap
