// Open311 GeoReport v2 on the real server over the demo borough, driven the way FixMyStreet's
// Open311 client drives a council: services and their definitions, a form-encoded POST with
// attribute[...], then polling requests and servicerequestupdates, in JSON and in XML. Every
// JSON response is checked against the shapes the spec text gives (spec_shapes below) and,
// after each test, against the JSON Schemas in tests/integration/open311_schemas (ajv, run
// by node; skipped with a message when node or ajv is missing).

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::HttpResponse;

constexpr const char* client_key = "demo-client-key";
constexpr const char* staff_key = "demo-staff-key";
constexpr const char* base = "/open311/v2/";

using Fields = testing::FormFields;
using testing::form;
using testing::form_encode;

// ---- shapes from the GeoReport v2 text (reference/fixmystreet-open311.md §3) ----
const std::regex w3c(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d))");

void expect_string(const json& j, const char* key, bool required = true) {
    if (!j.contains(key)) {
        EXPECT_FALSE(required) << "missing " << key << " in " << j.dump();
        return;
    }
    EXPECT_TRUE(j[key].is_string()) << key << " in " << j.dump();
}

void expect_datetime(const json& j, const char* key, bool required = true) {
    expect_string(j, key, required);
    if (j.contains(key) && j[key].is_string()) {
        EXPECT_TRUE(std::regex_match(j[key].get<std::string>(), w3c)) << key << " " << j[key];
    }
}

void expect_service_shape(const json& s) {
    for (const char* k : {"service_code", "service_name", "description", "keywords", "group"}) {
        expect_string(s, k);
    }
    EXPECT_TRUE(s["metadata"].is_boolean()) << s.dump();
    EXPECT_TRUE(s["type"] == "realtime" || s["type"] == "batch" || s["type"] == "blackbox");
}

void expect_request_shape(const json& r) {
    for (const char* k : {"service_request_id", "service_name", "service_code", "description"}) {
        expect_string(r, k);
    }
    EXPECT_TRUE(r["status"] == "open" || r["status"] == "closed") << r.dump();
    EXPECT_LE(r["description"].get<std::string>().size(), 4000U * 4);
    for (const char* k : {"status_notes", "agency_responsible", "service_notice", "address",
                          "address_id", "zipcode", "media_url"}) {
        expect_string(r, k, false);
    }
    expect_datetime(r, "requested_datetime");
    expect_datetime(r, "updated_datetime");
    expect_datetime(r, "expected_datetime", false);
    EXPECT_TRUE(r["lat"].is_number()) << r.dump();
    EXPECT_TRUE(r["long"].is_number()) << r.dump();
    // Personal data never leaves through Open311.
    for (const char* k : {"email", "phone", "first_name", "last_name", "requestor_name",
                          "account_id", "device_id", "tracking_token", "token"}) {
        EXPECT_FALSE(r.contains(k)) << k << " in " << r.dump();
    }
}

void expect_errors_shape(const json& e, int code) {
    ASSERT_TRUE(e.is_array()) << e.dump();
    ASSERT_FALSE(e.empty());
    for (const auto& item : e) {
        EXPECT_EQ(item["code"], code) << e.dump();
        EXPECT_TRUE(item["description"].is_string());
    }
}

// ---- JSON Schemas written from the spec text (tests/integration/open311_schemas) ----
std::filesystem::path schema_dir() {
    return testing::source_dir() / "tests/integration/open311_schemas";
}

/// Why the schema validator cannot run here, or "" when it can.
std::string schema_validator_missing() {
    if (std::system("node --version >/dev/null 2>&1") != 0) {
        return "node is not installed";
    }
    if (!std::filesystem::exists(schema_dir() / "node_modules/ajv-formats")) {
        return "ajv is not installed in " + schema_dir().string() + " (run scripts/setup)";
    }
    return "";
}

/// Runs a command; returns its exit status and fills `out` with stdout and stderr.
int run_command(const std::string& command, std::string& out) {
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) {
        return -1;
    }
    char buf[512];
    while (fgets(buf, sizeof buf, pipe) != nullptr) {
        out += buf;
    }
    const int status = pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// The schema a JSON response to `method` on `path` (below /open311/v2/) must match; "" for
/// none (XML).
std::string schema_for(const std::string& method, const std::string& path, int status) {
    const std::string p = path.substr(0, path.find('?'));
    if (status >= 400) {
        return "errors";
    }
    if (p == "discovery.json") {
        return "discovery";
    }
    if (p == "services.json") {
        return "services";
    }
    if (p.starts_with("services/") && p.ends_with(".json")) {
        return "service_definition";
    }
    if (p == "requests.json") {
        return method == "POST" ? "post_requests" : "requests";
    }
    if (p.starts_with("requests/") && p.ends_with(".json")) {
        return "request";
    }
    if (p.starts_with("tokens/") && p.ends_with(".json")) {
        return "tokens";
    }
    if (p == "servicerequestupdates.json") {
        return method == "POST" ? "post_servicerequestupdates" : "servicerequestupdates";
    }
    return "";
}

class Open311 : public ::testing::Test {
  protected:
    /// Every JSON response this test received, validated against its schema in one node run.
    void TearDown() override {
        if (pending.empty()) {
            return;
        }
        const std::string missing = schema_validator_missing();
        if (!missing.empty()) {
            std::cerr << "Open311 JSON Schema validation SKIPPED for " << pending.size()
                      << " responses: " << missing << std::endl;
            pending.clear();
            return;
        }
        const auto batch = tmp->path() / "schema-batch.jsonl";
        {
            std::ofstream out(batch);
            for (const auto& [schema, body] : pending) {
                out << json{{"schema", schema}, {"document", json::parse(body)}}.dump() << "\n";
            }
        }
        std::string out;
        const int status = run_command(
            "node " + (schema_dir() / "validate.js").string() + " --batch " + batch.string(), out);
        EXPECT_EQ(status, 0) << out;
        std::size_t valid = 0;
        for (std::size_t at = out.find("valid: "); at != std::string::npos;
             at = out.find("valid: ", at + 1)) {
            valid += at == 0 || out[at - 1] == '\n' ? 1 : 0;
        }
        EXPECT_EQ(valid, pending.size()) << out;
        pending.clear();
    }
    /// Queues a JSON Open311 response for schema validation at the end of the test.
    static void
    queue_schema_check(const std::string& method, const std::string& path, const HttpResponse& r) {
        if (!r.header("content-type").starts_with("application/json")) {
            return;
        }
        const std::string schema = schema_for(method, path, r.status);
        EXPECT_FALSE(schema.empty()) << method << " " << path << " answered JSON";
        EXPECT_TRUE(json::accept(r.body)) << path << ": " << r.body;
        if (!schema.empty() && json::accept(r.body)) {
            pending.emplace_back(schema, r.body);
        }
    }

    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        std::string output;
        ASSERT_EQ(testing::copy_demo_store(db_path, &output), 0) << output;
        {
            auto conn = store::Database::open(db_path);
            // A property inside the current wards, with a postcode and a street.
            auto st = conn.prepare(
                "SELECT p.uprn, p.lon, p.lat, a.single_line, a.postcode FROM properties p "
                "JOIN addresses a ON a.uprn = p.uprn WHERE a.logical_status = 1 AND "
                "a.postcode IS NOT NULL AND a.usrn IS NOT NULL ORDER BY p.uprn LIMIT 1");
            ASSERT_TRUE(st.step());
            uprn = st.int64(0);
            lon = st.real(1);
            lat = st.real(2);
            single_line = std::string(st.text(3));
            postcode = std::string(st.text(4));
        }
        mail_dir = tmp->path() / "mail";
        server =
            new testing::ServerProcess(db_path, {"--no-access-log", "--mail-dir", mail_dir.string(),
                                                 "--mail-interval-seconds", "1"});
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }
    static HttpResponse get(const std::string& path) {
        auto r = testing::http_get(server->port(), base + path);
        queue_schema_check("GET", path, r);
        return r;
    }
    static HttpResponse post(const std::string& path,
                             const std::string& body,
                             const std::string& type = "application/x-www-form-urlencoded") {
        auto r = testing::http_request(server->port(), "POST", base + path, body,
                                       {{"Content-Type", type}});
        queue_schema_check("POST", path, r);
        return r;
    }
    static json get_json(const std::string& path, int status = 200) {
        const auto r = get(path);
        EXPECT_EQ(r.status, status) << path << ": " << r.body;
        if (status == 200) {
            EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
        }
        return json::parse(r.body);
    }
    static std::string ll(double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.7f", v);
        return buf;
    }
    /// A fly-tipping report the way FixMyStreet sends one.
    static Fields fly_tipping(const std::string& description = "Sofa and black bags dumped") {
        return {{"api_key", client_key},
                {"jurisdiction_id", "chorley.gov.uk"},
                {"service_code", "fly_tipping"},
                {"lat", ll(lat)},
                {"long", ll(lon)},
                {"email", "resident@example.org"},
                {"first_name", "Rita"},
                {"last_name", "Resident"},
                {"phone", "07700 900123"},
                {"description", description},
                {"attribute[waste_type][]", "furniture"},
                {"attribute[waste_type][]", "household"},
                {"attribute[amount]", "car_boot"},
                {"attribute[fixmystreet_id]", "4242"},
                {"deviceid", "fms-device"}};
    }
    /// Posts a request; returns {id, tracking token}.
    static std::pair<std::string, std::string> create(const Fields& fields) {
        const auto r = post("requests.json", form(fields));
        EXPECT_EQ(r.status, 200) << r.body;
        const auto body = json::parse(r.body);
        EXPECT_TRUE(body.is_array()) << r.body;
        return {body[0]["service_request_id"].get<std::string>(),
                body[0]["tracking_token"].get<std::string>()};
    }
    static json errors_of(const HttpResponse& r, int status) {
        EXPECT_EQ(r.status, status) << r.body;
        const auto body = json::parse(r.body);
        expect_errors_shape(body, status);
        return body;
    }
    static std::string all_descriptions(const json& errors) {
        std::string out;
        for (const auto& e : errors) {
            out += e["description"].get<std::string>() + "\n";
        }
        return out;
    }

    static inline testing::TempDir* tmp = nullptr;
    static inline testing::ServerProcess* server = nullptr;
    static inline std::vector<std::pair<std::string, std::string>> pending; // schema, body
    static inline std::filesystem::path db_path;
    static inline std::filesystem::path mail_dir;
    static inline std::int64_t uprn = 0;
    static inline double lon = 0;
    static inline double lat = 0;
    static inline std::string single_line;
    static inline std::string postcode;
};

Fields without(Fields fields, const std::string& name) {
    std::erase_if(fields, [&name](const auto& f) { return f.first == name; });
    return fields;
}

Fields with(Fields fields, const std::string& name, const std::string& value) {
    fields = without(std::move(fields), name);
    fields.emplace_back(name, value);
    return fields;
}

TEST_F(Open311, DiscoveryInBothFormats) {
    const auto j = get_json("discovery.json");
    EXPECT_EQ(j["changeset"], j["endpoints"][0]["changeset"]);
    EXPECT_TRUE(j["contact"].is_string());
    EXPECT_TRUE(j["key_service"].is_string());
    EXPECT_EQ(j["endpoints"][0]["specification"], "http://wiki.open311.org/GeoReport_v2");
    EXPECT_EQ(j["endpoints"][0]["formats"], json({"text/xml", "application/json"}));
    EXPECT_EQ(j["endpoints"][0]["url"], "http://127.0.0.1/open311/v2");
    const auto x = get("discovery.xml");
    EXPECT_EQ(x.status, 200);
    EXPECT_EQ(x.header("content-type"), "text/xml; charset=utf-8");
    EXPECT_TRUE(x.body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<discovery>"));
    EXPECT_NE(x.body.find("<endpoints><endpoint><specification>"), std::string::npos);
    EXPECT_NE(x.body.find("<formats><format>text/xml</format><format>application/json</format>"),
              std::string::npos);
}

TEST_F(Open311, ServiceListIsABareArrayWithBooleans) {
    const auto list = get_json("services.json");
    ASSERT_TRUE(list.is_array());
    EXPECT_GE(list.size(), 15U);
    bool saw_private = false;
    for (const auto& s : list) {
        expect_service_shape(s);
        if (s["service_code"] == "noise_nuisance") {
            saw_private = s["keywords"].get<std::string>().find("private") != std::string::npos;
        }
    }
    EXPECT_TRUE(saw_private) << "a private service says so in its keywords";
    const auto x = get("services.xml");
    EXPECT_EQ(x.header("content-type"), "text/xml; charset=utf-8");
    EXPECT_NE(x.body.find("<services><service><service_code>"), std::string::npos);
    EXPECT_NE(x.body.find("<metadata>true</metadata>"), std::string::npos);
    // A jurisdiction other than ours is not found; ours, or an empty one, is fine.
    errors_of(get("services.json?jurisdiction_id=example.gov"), 404);
    EXPECT_EQ(get("services.json?jurisdiction_id=chorley.gov.uk").status, 200);
    EXPECT_EQ(get("services.json?jurisdiction_id=").status, 200);
}

TEST_F(Open311, ServiceDefinitionListsAttributesInOrder) {
    const auto d = get_json("services/fly_tipping.json");
    ASSERT_TRUE(d.is_object());
    EXPECT_EQ(d["service_code"], "fly_tipping");
    const auto& a = d["attributes"];
    ASSERT_EQ(a.size(), 4U);
    EXPECT_EQ(a[0]["code"], "waste_type");
    EXPECT_EQ(a[0]["datatype"], "multivaluelist");
    EXPECT_EQ(a[0]["required"], true);
    EXPECT_EQ(a[0]["variable"], true);
    EXPECT_EQ(a[0]["order"], 1);
    EXPECT_TRUE(a[0]["datatype_description"].is_null());
    EXPECT_EQ(a[0]["values"][0],
              json({{"key", "household"}, {"name", "Household rubbish (black bags)"}}));
    EXPECT_EQ(a[3]["datatype"], "datetime");
    EXPECT_FALSE(a[3].contains("values"));
    const auto x = get("services/fly_tipping.xml");
    EXPECT_NE(x.body.find("<service_definition><service_code>fly_tipping</service_code><attributes>"
                          "<attribute><variable>true</variable>"),
              std::string::npos)
        << x.body;
    EXPECT_NE(x.body.find("<values><value><key>household</key>"), std::string::npos);
    EXPECT_NE(errors_of(get("services/no_such_thing.json"), 404)[0]["description"]
                  .get<std::string>()
                  .find("no_such_thing"),
              std::string::npos);
    const auto xml_error = get("services/no_such_thing.xml");
    EXPECT_EQ(xml_error.status, 404);
    EXPECT_NE(xml_error.body.find("<errors><error><code>404</code>"), std::string::npos);
    EXPECT_EQ(get("services/fly_tipping").status, 404); // a format is part of the name
    errors_of(get("nothing_here.json"), 404);
}

TEST_F(Open311, FixMyStreetCreatesThenPollsTheRequest) {
    const auto [id, token] = create(fly_tipping());
    EXPECT_GE(token.size(), 20U);

    // Stored with ward, nearest UPRN, USRN and target; contact details apart.
    {
        auto conn = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
        auto st = conn.prepare("SELECT ward_code, uprn, usrn, expected_at, created_at, priority, "
                               "source, attributes FROM service_requests WHERE id = " +
                               id);
        ASSERT_TRUE(st.step());
        EXPECT_FALSE(st.is_null(0));
        EXPECT_EQ(st.int64(1), uprn);
        EXPECT_FALSE(st.is_null(2));
        EXPECT_GT(std::string(st.text(3)), std::string(st.text(4)));
        EXPECT_EQ(st.text(5), "normal");
        EXPECT_EQ(st.text(6), "app");
        const auto answers = json::parse(st.text(7));
        EXPECT_EQ(answers["waste_type"], json({"furniture", "household"}));
        EXPECT_EQ(answers["fixmystreet_id"], "4242");
        EXPECT_EQ(
            conn.query_text("SELECT email FROM service_request_contacts WHERE request_id = " + id),
            "resident@example.org");
        EXPECT_EQ(conn.query_text("SELECT device_id FROM service_request_contacts WHERE "
                                  "request_id = " +
                                  id),
                  "fms-device");
    }

    const auto one = get_json("requests/" + id + ".json");
    ASSERT_EQ(one.size(), 1U);
    const auto& r = one[0];
    expect_request_shape(r);
    EXPECT_EQ(r["service_request_id"], id);
    EXPECT_EQ(r["status"], "open");
    EXPECT_EQ(r["service_code"], "fly_tipping");
    EXPECT_EQ(r["service_name"], "Fly-tipping");
    EXPECT_EQ(r["address_id"], std::to_string(uprn));
    EXPECT_EQ(r["zipcode"], postcode);
    EXPECT_EQ(r["agency_responsible"], "Chorley Council");
    EXPECT_NEAR(r["lat"].get<double>(), lat, 1e-6);
    EXPECT_NEAR(r["long"].get<double>(), lon, 1e-6);
    EXPECT_GT(r["expected_datetime"].get<std::string>(),
              r["requested_datetime"].get<std::string>());
    for (const char* secret :
         {"resident@example.org", "Rita", "Resident", "07700", token.c_str()}) {
        EXPECT_EQ(get("requests/" + id + ".json").body.find(secret), std::string::npos) << secret;
        EXPECT_EQ(get("requests/" + id + ".xml").body.find(secret), std::string::npos) << secret;
        EXPECT_EQ(get("requests.json").body.find(secret), std::string::npos) << secret;
    }

    // The tracking token leads back to the id.
    const auto t = get_json("tokens/" + token + ".json");
    EXPECT_EQ(t[0]["service_request_id"], id);
    EXPECT_EQ(t[0]["token"], token);
    errors_of(get("tokens/not-a-token.json"), 404);

    // Listed by default (the last 90 days), with the filters the spec names.
    const auto contains = [&id](const json& list) {
        return std::any_of(list.begin(), list.end(),
                           [&id](const json& x) { return x["service_request_id"] == id; });
    };
    const auto recent = get_json("requests.json");
    ASSERT_TRUE(recent.is_array());
    EXPECT_LE(recent.size(), 1000U);
    EXPECT_TRUE(contains(recent));
    for (const auto& x : recent) {
        expect_request_shape(x);
    }
    EXPECT_TRUE(contains(get_json("requests.json?service_code=litter,fly_tipping&status=open")));
    EXPECT_FALSE(contains(get_json("requests.json?service_code=litter")));
    EXPECT_FALSE(contains(get_json("requests.json?status=closed")));
    EXPECT_TRUE(contains(get_json("requests.json?status=open,closed&service_code=")));
    EXPECT_TRUE(
        contains(get_json("requests.json?service_request_id=1," + id + "&service_code=litter")))
        << "service_request_id overrides the other filters";
    EXPECT_FALSE(contains(get_json("requests.json?start_date=2020-01-01T00:00:00Z&"
                                   "end_date=2020-02-01T00:00:00Z")));

    // Extended attributes on request.
    const auto ext = get_json("requests/" + id + ".json?extensions=true")[0]["extended_attributes"];
    EXPECT_EQ(ext["status"], "open");
    EXPECT_EQ(ext["channel"], "app");
    EXPECT_TRUE(ext["ward"].is_string());
    EXPECT_TRUE(ext["usrn"].is_string());
    EXPECT_EQ(ext["priority"], "normal");
    EXPECT_EQ(ext["overdue"], false);

    // XML, as FixMyStreet's client reads it.
    const auto xml = get("requests/" + id + ".xml");
    EXPECT_EQ(xml.header("content-type"), "text/xml; charset=utf-8");
    EXPECT_NE(xml.body.find("<service_requests><request><service_request_id>" + id +
                            "</service_request_id><status>open</status>"),
              std::string::npos)
        << xml.body;
}

TEST_F(Open311, PostingToTheXmlEndpointAnswersInXml) {
    const auto r = post("requests.xml", form(with(fly_tipping(), "attribute[hazardous]", "yes")));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "text/xml; charset=utf-8");
    const std::regex shape(
        R"(<\?xml version="1.0" encoding="utf-8"\?>\n<service_requests><request>)"
        R"(<service_request_id>(\d+)</service_request_id>)"
        R"((?:<account_id>|<tracking_token>))");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.body, m, shape)) << r.body;
    // A hazardous fly-tip gets the high priority and its one-working-day target.
    const auto ext = get_json("requests/" + m[1].str() + ".json?extensions=true")[0];
    EXPECT_EQ(ext["extended_attributes"]["priority"], "high");
}

TEST_F(Open311, LocationByUprnOrAddressText) {
    const auto [by_uprn, t1] = create(
        with(without(without(fly_tipping(), "lat"), "long"), "address_id", std::to_string(uprn)));
    const auto r1 = get_json("requests/" + by_uprn + ".json")[0];
    EXPECT_EQ(r1["address_id"], std::to_string(uprn));
    EXPECT_EQ(r1["address"], single_line);
    const auto [by_text, t2] =
        create(with(without(without(fly_tipping(), "lat"), "long"), "address_string", single_line));
    EXPECT_EQ(get_json("requests/" + by_text + ".json")[0]["address_id"], std::to_string(uprn));
    // An empty lat/long is as good as absent: the address decides.
    const auto [empty_ll, t3] = create(
        with(with(with(fly_tipping(), "lat", ""), "long", ""), "address_id", std::to_string(uprn)));
    EXPECT_EQ(get_json("requests/" + empty_ll + ".json")[0]["address_id"], std::to_string(uprn));
    const auto unknown =
        errors_of(post("requests.json", form(with(without(without(fly_tipping(), "lat"), "long"),
                                                  "address_string", "Nowhere Street Atlantis"))),
                  400);
    EXPECT_NE(all_descriptions(unknown).find("address_string"), std::string::npos);
    errors_of(post("requests.json", form(with(without(without(fly_tipping(), "lat"), "long"),
                                              "address_id", "999999999999"))),
              400);
}

TEST_F(Open311, BadKeysAreForbidden) {
    const auto none =
        errors_of(post("requests.json", form(without(fly_tipping(), "api_key"))), 403);
    EXPECT_NE(none[0]["description"].get<std::string>().find("api_key"), std::string::npos);
    errors_of(post("requests.json", form(with(fly_tipping(), "api_key", "guess"))), 403);
    errors_of(post("requests.json", form(with(fly_tipping(), "api_key", ""))), 403);
    const auto xml = post("requests.xml", form(with(fly_tipping(), "api_key", "guess")));
    EXPECT_EQ(xml.status, 403);
    EXPECT_NE(xml.body.find("<errors><error><code>403</code>"), std::string::npos);
}

TEST_F(Open311, InvalidReportsAreRefusedWithOpen311Errors) {
    const auto expect_400 = [](const Fields& fields, const std::string& mention) {
        const auto e = errors_of(post("requests.json", form(fields)), 400);
        EXPECT_NE(all_descriptions(e).find(mention), std::string::npos)
            << mention << " not in " << e.dump();
    };
    errors_of(post("requests.json", form(with(fly_tipping(), "service_code", "unicorns"))), 404);
    expect_400(without(fly_tipping(), "service_code"), "service_code");
    expect_400(without(fly_tipping(), "attribute[amount]"), "attribute[amount]");
    expect_400(with(fly_tipping(), "attribute[amount]", "a mountain"), "a mountain");
    expect_400(with(fly_tipping(), "attribute[waste_type][]", "uranium"), "uranium");
    expect_400(with(fly_tipping(), "attribute[witnessed_at]", "last Tuesday"), "last Tuesday");
    expect_400(with(fly_tipping(), "description", std::string(4001, 'x')), "4000");
    expect_400(without(fly_tipping(), "long"), "long");
    expect_400(with(fly_tipping(), "lat", "north"), "lat");
    expect_400(without(without(fly_tipping(), "lat"), "long"), "location");
    // London is outside the borough; the Atlantic is outside Great Britain.
    expect_400(with(with(fly_tipping(), "lat", "51.5007"), "long", "-0.1246"), "outside");
    expect_400(with(with(fly_tipping(), "lat", "45.0"), "long", "-30.0"), "outside");
    // Several problems at once are several errors.
    const auto many = errors_of(
        post("requests.json",
             form(without(without(fly_tipping(), "attribute[amount]"), "attribute[waste_type][]"))),
        400);
    EXPECT_EQ(many.size(), 2U);
    // Abandoned vehicles are not taken anonymously; an empty email is no email.
    const Fields vehicle{{"api_key", client_key},
                         {"service_code", "abandoned_vehicle"},
                         {"lat", ll(lat)},
                         {"long", ll(lon)},
                         {"email", ""},
                         {"attribute[make_model]", "Red Ford"},
                         {"attribute[condition]", "untaxed"}};
    expect_400(vehicle, "anonymous");
    create(with(vehicle, "email", "driver@example.org"));
    // Not UTF-8.
    const auto bad_utf8 =
        post("requests.json", form(without(fly_tipping(), "description")) + "&description=caf%E9");
    EXPECT_NE(all_descriptions(errors_of(bad_utf8, 400)).find("description"), std::string::npos);
    // Not a form.
    errors_of(post("requests.json", R"({"service_code":"litter"})", "application/json"), 400);
    // Over the body limit: 413, still an Open311 error list.
    const auto big = post("requests.json",
                          form(with(fly_tipping(), "description", std::string(70 * 1024, 'x'))));
    errors_of(big, 413);
    // Exactly 4,000 characters (of several bytes each) is fine.
    std::string long_text;
    for (int i = 0; i < 4000; ++i) {
        long_text += "\xC3\xA9";
    }
    create(fly_tipping(long_text));
}

TEST_F(Open311, BadQueriesAreRefused) {
    errors_of(get("requests.json?status=pending"), 400);
    errors_of(get("requests.json?start_date=yesterday"), 400);
    errors_of(get("requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z"),
              400); // more than 90 days
    errors_of(get("requests.json?service_request_id=abc"), 400);
    errors_of(get("requests/abc.json"), 400);
    errors_of(get("requests/99999999.json"), 404);
    // Refused before a worker sees it (a bad percent-escape), yet still in Open311's form.
    errors_of(get("requests.json?status=%ZZ"), 400);
    const auto xml = get("requests/99999999.xml");
    EXPECT_EQ(xml.status, 404);
    EXPECT_EQ(xml.header("content-type"), "text/xml; charset=utf-8");
}

TEST_F(Open311, HtmlInTextIsEscapedInXml) {
    const auto [id, token] = create(fly_tipping("<script>alert('x')</script> & more"));
    const auto xml = get("requests/" + id + ".xml").body;
    EXPECT_EQ(xml.find("<script>"), std::string::npos);
    EXPECT_NE(xml.find("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; more"),
              std::string::npos)
        << xml;
    EXPECT_EQ(get_json("requests/" + id + ".json")[0]["description"],
              "<script>alert('x')</script> & more");
}

TEST_F(Open311, PrivateServicesNeverAppear) {
    const auto [id, token] = create({{"api_key", client_key},
                                     {"service_code", "noise_nuisance"},
                                     {"lat", ll(lat)},
                                     {"long", ll(lon)},
                                     {"email", "neighbour@example.org"},
                                     {"description", "Loud music every night at number 3"},
                                     {"attribute[noise_type]", "music"}});
    errors_of(get("requests/" + id + ".json"), 404);
    EXPECT_EQ(get("requests.json").body.find("Loud music"), std::string::npos);
    EXPECT_EQ(get("requests.json?service_code=noise_nuisance").body, "[]");
    EXPECT_EQ(get("requests.json?service_request_id=" + id).body, "[]");
    EXPECT_EQ(get_json("tokens/" + token + ".json")[0]["service_request_id"], id);
    // Its updates stay private too.
    const auto posted =
        post("servicerequestupdates.json", form({{"api_key", staff_key},
                                                 {"service_request_id", id},
                                                 {"update_id", "private-1"},
                                                 {"status", "INVESTIGATING"},
                                                 {"updated_datetime", "2026-01-01T10:00:00Z"},
                                                 {"description", "Officer visiting"}}));
    EXPECT_EQ(posted.status, 200) << posted.body;
    EXPECT_EQ(get("servicerequestupdates.json").body.find("Officer visiting"), std::string::npos);
    // Nor in the public map layer (OGC API - Features).
    const auto feature =
        testing::http_get(server->port(), "/ogc/collections/service_requests/items/" + id);
    EXPECT_EQ(feature.status, 404) << feature.body;
    const auto page = testing::http_get(
        server->port(), "/ogc/collections/service_requests/items?category_code=noise_nuisance");
    EXPECT_EQ(page.status, 200) << page.body;
    EXPECT_NE(page.body.find("\"numberReturned\":0"), std::string::npos) << page.body;
}

TEST_F(Open311, StaffUpdatesFlowBackToPollingClients) {
    const auto [id, token] = create(fly_tipping("Fridge on the pavement"));
    const auto [original, t2] = create(fly_tipping("Fridge dumped on the footway"));
    const auto update = [&id](const std::string& update_id, const std::string& status,
                              const std::string& text, const std::string& key = staff_key) {
        return post("servicerequestupdates.json",
                    form({{"api_key", key},
                          {"service_request_id", id},
                          {"update_id", update_id},
                          {"status", status},
                          {"updated_datetime", "2026-01-01T10:00:00Z"},
                          {"description", text}}));
    };
    // A client key may not post updates; a staff key may.
    errors_of(update("u1", "IN_PROGRESS", "Crew booked", client_key), 403);
    const auto r1 = update("u1", "IN_PROGRESS", "Crew booked for Monday");
    ASSERT_EQ(r1.status, 200) << r1.body;
    const auto update_id = json::parse(r1.body)[0]["update_id"].get<std::string>();
    errors_of(update("u1", "FIXED", "again"), 400); // the sender's update_id is unique
    errors_of(update("u2", "WORSE", "?"), 400);
    errors_of(post("servicerequestupdates.json", form({{"api_key", staff_key},
                                                       {"service_request_id", "99999999"},
                                                       {"update_id", "u9"},
                                                       {"status", "FIXED"},
                                                       {"updated_datetime", "2026-01-01T10:00:00Z"},
                                                       {"description", "x"}})),
              404);

    auto r = get_json("requests/" + id + ".json?extensions=true")[0];
    EXPECT_EQ(r["status"], "open");
    EXPECT_EQ(r["status_notes"], "Crew booked for Monday");
    EXPECT_EQ(r["extended_attributes"]["status"], "in_progress");

    // Staff mark it a duplicate of the other report: closed, and says of which.
    const auto dup =
        post("servicerequestupdates.xml", form({{"api_key", staff_key},
                                                {"service_request_id", id},
                                                {"update_id", "u3"},
                                                {"status", "DUPLICATE"},
                                                {"duplicate_of", original},
                                                {"updated_datetime", "2026-01-02T10:00:00+00:00"},
                                                {"description", "Already reported"}}));
    ASSERT_EQ(dup.status, 200) << dup.body;
    EXPECT_NE(dup.body.find("<service_request_updates><request_update><update_id>"),
              std::string::npos)
        << dup.body;
    r = get_json("requests/" + id + ".json?extensions=true")[0];
    EXPECT_EQ(r["status"], "closed");
    EXPECT_EQ(r["extended_attributes"]["status"], "duplicate");
    EXPECT_EQ(r["extended_attributes"]["duplicate"], original);
    EXPECT_TRUE(get_json("requests.json?status=closed&service_code=fly_tipping")
                    .dump()
                    .find("\"" + id + "\"") != std::string::npos);

    // Reopening a closed request.
    ASSERT_EQ(update("u4", "REOPEN", "Not a duplicate after all").status, 200);
    r = get_json("requests/" + id + ".json?extensions=true")[0];
    EXPECT_EQ(r["status"], "open");
    EXPECT_EQ(r["extended_attributes"]["status"], "reopened");
    EXPECT_TRUE(r["extended_attributes"]["duplicate"].is_null());

    // FixMyStreet polls updates with start_date and end_date together.
    const auto updates = get_json("servicerequestupdates.json?start_date=2025-12-31T00:00:00Z&"
                                  "end_date=2026-01-03T00:00:00Z&api_key=" +
                                  std::string(client_key));
    std::vector<std::string> statuses;
    for (const auto& u : updates) {
        if (u["service_request_id"] == id) {
            statuses.push_back(u["status"]);
            for (const char* k :
                 {"update_id", "service_request_id", "status", "description", "media_url"}) {
                expect_string(u, k);
            }
            expect_datetime(u, "updated_datetime");
        }
    }
    EXPECT_EQ(statuses, (std::vector<std::string>{"in_progress", "reopened", "duplicate"}))
        << updates.dump(); // ordered by time: the reopening is dated 1 January
    EXPECT_TRUE(updates.dump().find(update_id) != std::string::npos);
    errors_of(get("servicerequestupdates.json?start_date=2026-01-01T00:00:00Z"), 400);
    const auto xml = get("servicerequestupdates.xml?start_date=2025-12-31T00:00:00Z&"
                         "end_date=2026-01-03T00:00:00Z");
    EXPECT_NE(xml.body.find("<service_request_updates><request_update><update_id>"),
              std::string::npos);

    // The history is append-only, whoever asks.
    auto conn = store::Database::open(db_path);
    EXPECT_EQ(
        conn.query_int("SELECT count(*) FROM service_request_history WHERE request_id = " + id), 4);
    EXPECT_THROW(
        conn.exec("UPDATE service_request_history SET note = 'x' WHERE request_id = " + id),
        store::StoreError);
    EXPECT_THROW(conn.exec("DELETE FROM service_request_history WHERE request_id = " + id),
                 store::StoreError);
}

TEST_F(Open311, OverdueRequestsAreFlagged) {
    const auto [id, token] = create(fly_tipping("Old dumped tyres"));
    {
        auto conn = store::Database::open(db_path);
        conn.exec("UPDATE service_requests SET expected_at = '2026-01-01T00:00:00Z' WHERE id = " +
                  id);
    }
    EXPECT_EQ(
        get_json("requests/" + id + ".json?extensions=true")[0]["extended_attributes"]["overdue"],
        true);
}

// ---- the residents' side: duplicates, tracking, following, notifications ----

json api_json(const HttpResponse& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    return json::parse(r.body);
}

TEST_F(Open311, NearbyOpenRequestsOfTheSameServiceAreOfferedWithoutPersonalData) {
    const auto [id, token] = create(fly_tipping("Mattress by the lamp post"));
    const auto port = server->port();
    const std::string at = "lon=" + ll(lon + 0.0001) + "&lat=" + ll(lat); // about 7 m away
    const auto near = api_json(testing::http_get(port, "/api/requests/duplicates?"
                                                       "service_code=fly_tipping&" +
                                                           at),
                               200);
    EXPECT_EQ(near["type"], "FeatureCollection");
    EXPECT_EQ(near["radius_m"], 50);
    bool found = false;
    double last = 0;
    for (const auto& f : near["features"]) {
        const auto& p = f["properties"];
        EXPECT_EQ(p["service_code"], "fly_tipping");
        EXPECT_LE(p["distance_m"].get<double>(), 50.0);
        EXPECT_GE(p["distance_m"].get<double>(), last); // nearest first
        last = p["distance_m"].get<double>();
        found = found || p["service_request_id"] == id;
    }
    EXPECT_TRUE(found) << near.dump();
    for (const char* secret : {"resident@example.org", "Rita", "07700", token.c_str()}) {
        EXPECT_EQ(near.dump().find(secret), std::string::npos) << secret;
    }
    // Other services, closed requests and private services are not offered.
    const auto litter = api_json(testing::http_get(port, "/api/requests/duplicates?"
                                                         "service_code=litter&" +
                                                             at),
                                 200);
    EXPECT_EQ(litter.dump().find("\"" + id + "\""), std::string::npos);
    EXPECT_EQ(testing::http_get(port, "/api/requests/duplicates?service_code=noise_nuisance&" + at)
                  .status,
              404);
    EXPECT_EQ(testing::http_get(port, "/api/requests/duplicates?service_code=fly_tipping").status,
              400);
}

TEST_F(Open311, TheTrackingTokenShowsHistoryTakesNotesAndReopens) {
    const auto [id, token] = create(fly_tipping("Bags behind the garages"));
    const auto port = server->port();
    auto t = api_json(testing::http_get(port, "/api/track/" + token), 200);
    EXPECT_EQ(t["service_request_id"], id);
    EXPECT_EQ(t["status"], "open");
    ASSERT_EQ(t["history"].size(), 1U);
    EXPECT_EQ(t["history"][0]["to"], "open");
    EXPECT_TRUE(t["history"][0]["from"].is_null());
    EXPECT_EQ(testing::http_get(port, "/api/track/not-a-token").status, 404);

    const auto note = [&](const std::string& body) {
        return testing::http_request(port, "POST", "/api/track/" + token + "/updates", body,
                                     {{"Content-Type", "application/json"}});
    };
    t = api_json(note(R"({"text": "There are more bags now"})"), 201);
    ASSERT_EQ(t["history"].size(), 2U);
    EXPECT_EQ(t["history"][1]["note"], "There are more bags now");
    EXPECT_EQ(t["history"][1]["by"], "reporter");
    // A reporter's note is theirs and the council's, not public.
    EXPECT_EQ(get("servicerequestupdates.json").body.find("There are more bags now"),
              std::string::npos);
    EXPECT_EQ(note(R"({"reopen": true})").status, 400); // it is open
    EXPECT_EQ(note(R"({"text": 5})").status, 400);

    // Closed by the council, reopened by the reporter.
    ASSERT_EQ(post("servicerequestupdates.json", form({{"api_key", staff_key},
                                                       {"service_request_id", id},
                                                       {"update_id", "track-1"},
                                                       {"status", "FIXED"},
                                                       {"updated_datetime", "2026-01-05T09:00:00Z"},
                                                       {"description", "Cleared"}}))
                  .status,
              200);
    t = api_json(testing::http_get(port, "/api/track/" + token), 200);
    EXPECT_EQ(t["status"], "fixed");
    EXPECT_EQ(t["open"], false);
    t = api_json(note(R"({"text": "They are back", "reopen": true})"), 201);
    EXPECT_EQ(t["status"], "reopened");
    EXPECT_EQ(get_json("requests/" + id + ".json")[0]["status"], "open");
}

/// The text of `"name":NUMBER` in a JSON body: the number as the server wrote it.
std::string raw_number(const std::string& body, const std::string& name) {
    std::smatch m;
    const std::regex field("\"" + name + "\":(-?[0-9.eE+-]+)");
    return std::regex_search(body, m, field) ? m[1].str() : "";
}

TEST_F(Open311, TheTrackingTokenShowsThePointOpen311Publishes) {
    // Posted to 7 decimals; Open311 publishes 6, and so does the tracking document.
    const auto [id, token] = create(fly_tipping("Mattress by the canal"));
    const auto port = server->port();
    const auto tracked = testing::http_get(port, "/api/track/" + token);
    ASSERT_EQ(tracked.status, 200) << tracked.body;
    const auto published = get("requests/" + id + ".json");
    ASSERT_EQ(published.status, 200) << published.body;
    for (const char* name : {"lat", "long"}) {
        const std::string shown = raw_number(tracked.body, name);
        ASSERT_FALSE(shown.empty()) << name << " missing: " << tracked.body;
        EXPECT_EQ(shown, raw_number(published.body, name)) << name;
        const auto dot = shown.find('.');
        ASSERT_NE(dot, std::string::npos) << shown;
        EXPECT_LE(shown.size() - dot - 1, 6U) << name << " finer than Open311's: " << shown;
    }
    const auto t = json::parse(tracked.body);
    EXPECT_NEAR(t["lat"].get<double>(), lat, 2e-6);
    EXPECT_NEAR(t["long"].get<double>(), lon, 2e-6);
    // The document says nothing of the reporter, for all it now has the point.
    for (const char* secret : {"resident@example.org", "Rita", "07700", "fms-device"}) {
        EXPECT_EQ(tracked.body.find(secret), std::string::npos) << secret;
    }

    // A private service's request is not in Open311 at all; its reporter still sees the point
    // they gave, rounded the same way.
    const auto [private_id, private_token] = create({{"api_key", client_key},
                                                     {"service_code", "noise_nuisance"},
                                                     {"lat", ll(lat)},
                                                     {"long", ll(lon)},
                                                     {"email", "neighbour@example.org"},
                                                     {"description", "Drums at 2am"},
                                                     {"attribute[noise_type]", "music"}});
    errors_of(get("requests/" + private_id + ".json"), 404);
    const auto private_tracked = testing::http_get(port, "/api/track/" + private_token);
    ASSERT_EQ(private_tracked.status, 200) << private_tracked.body;
    EXPECT_EQ(raw_number(private_tracked.body, "lat"), raw_number(tracked.body, "lat"));
    EXPECT_EQ(raw_number(private_tracked.body, "long"), raw_number(tracked.body, "long"));
    EXPECT_EQ(private_tracked.body.find("neighbour@example.org"), std::string::npos);
}

std::string utc_stamp(std::time_t at) {
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&at));
    return stamp;
}

TEST_F(Open311, AReportersReopeningReachesUpdatePollersWithoutTheirWords) {
    const auto [id, token] = create(fly_tipping("Rubble at the bus stop"));
    const std::time_t now = std::time(nullptr);
    ASSERT_EQ(post("servicerequestupdates.json", form({{"api_key", staff_key},
                                                       {"service_request_id", id},
                                                       {"update_id", "reopen-1"},
                                                       {"status", "FIXED"},
                                                       {"updated_datetime", utc_stamp(now - 60)},
                                                       {"description", "Rubble removed"}}))
                  .status,
              200);
    const auto port = server->port();
    const auto note = [&](const std::string& body) {
        return testing::http_request(port, "POST", "/api/track/" + token + "/updates", body,
                                     {{"Content-Type", "application/json"}});
    };
    // A plain note is not a status change: pollers do not see it.
    ASSERT_EQ(note(R"({"text": "Thank you, Rita at number 12"})").status, 201);
    ASSERT_EQ(note(R"({"text": "It is back, ring me on 07700 900123", "reopen": true})").status,
              201);

    // FixMyStreet's bin/fetch --updates: the XML feed over the last two hours, with its key.
    const std::string window =
        "start_date=" + utc_stamp(now - 7200) + "&end_date=" + utc_stamp(now + 120) +
        "&api_key=" + std::string(client_key) + "&jurisdiction_id=chorley.gov.uk";
    const auto xml = get("servicerequestupdates.xml?" + window);
    ASSERT_EQ(xml.status, 200) << xml.body;
    std::vector<std::string> mine;
    const std::regex item("<request_update>(.*?)</request_update>");
    for (auto it = std::sregex_iterator(xml.body.begin(), xml.body.end(), item);
         it != std::sregex_iterator(); ++it) {
        const std::string u = (*it)[1];
        if (u.find("<service_request_id>" + id + "</service_request_id>") != std::string::npos) {
            mine.push_back(u);
        }
    }
    ASSERT_EQ(mine.size(), 2U) << xml.body; // fixed, then reopened; the plain note is not there
    EXPECT_NE(mine[0].find("<status>fixed</status>"), std::string::npos) << mine[0];
    EXPECT_NE(mine[1].find("<status>reopened</status>"), std::string::npos) << mine[1];
    EXPECT_NE(mine[1].find("<description>Reopened by the reporter</description>"),
              std::string::npos)
        << mine[1];
    EXPECT_NE(mine[1].find("<media_url></media_url>"), std::string::npos) << mine[1];
    for (const char* secret :
         {"Rita", "07700", "number 12", "It is back", "resident@", token.c_str()}) {
        EXPECT_EQ(xml.body.find(secret), std::string::npos) << secret;
    }

    // The JSON feed says the same, and the request itself reads open again.
    const auto updates = get_json("servicerequestupdates.json?" + window);
    json reopened;
    for (const auto& u : updates) {
        if (u["service_request_id"] == id && u["status"] == "reopened") {
            reopened = u;
        }
    }
    ASSERT_FALSE(reopened.is_null()) << updates.dump();
    EXPECT_EQ(reopened["description"], "Reopened by the reporter");
    expect_datetime(reopened, "updated_datetime");
    EXPECT_EQ(updates.dump().find("07700"), std::string::npos);
    EXPECT_EQ(get_json("requests/" + id + ".json")[0]["status"], "open");
}

TEST_F(Open311, StatusChangesReachReporterAndFollowersAsEmlFiles) {
    const auto [id, token] = create(fly_tipping("Tyres in the brook"));
    const auto port = server->port();
    const auto follow = [&](const std::string& email) {
        return testing::http_request(port, "POST", "/api/requests/" + id + "/followers",
                                     R"({"email": ")" + email + R"("})",
                                     {{"Content-Type", "application/json"}});
    };
    // Asking to follow is accepted; nothing but a confirmation goes to the address until its
    // link is used (tests/integration/smtp_test.cpp follows the whole way by SMTP).
    EXPECT_EQ(follow("neighbour@example.org").status, 202);
    EXPECT_EQ(follow("neighbour@example.org").status, 202); // twice is harmless
    EXPECT_EQ(follow("not an email").status, 400);
    ASSERT_EQ(
        post("servicerequestupdates.json", form({{"api_key", staff_key},
                                                 {"service_request_id", id},
                                                 {"update_id", "mail-1"},
                                                 {"status", "ACTION_SCHEDULED"},
                                                 {"updated_datetime", "2026-01-05T09:00:00Z"},
                                                 {"description", "Crew booked for Thursday"}}))
            .status,
        200);
    {
        auto conn = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
        EXPECT_EQ(
            conn.query_int("SELECT count(*) FROM notification_outbox WHERE request_id = " + id),
            1); // the reporter; the follower has not confirmed
    }
    // The sender runs every second; wait for the file.
    std::vector<std::string> mails;
    for (int i = 0; i < 200 && mails.empty(); ++i) {
        mails.clear();
        if (std::filesystem::exists(mail_dir)) {
            for (const auto& f : std::filesystem::directory_iterator(mail_dir)) {
                if (f.path().extension() != ".eml") {
                    continue;
                }
                std::ifstream in(f.path(), std::ios::binary);
                const std::string text((std::istreambuf_iterator<char>(in)), {});
                if (text.find("report " + id + " is now action scheduled") != std::string::npos) {
                    mails.push_back(text);
                }
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1500)); // nothing else comes
    for (const auto& f : std::filesystem::directory_iterator(mail_dir)) {
        std::ifstream in(f.path(), std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(in)), {});
        if (text.find("report " + id + " is now") != std::string::npos &&
            std::find(mails.begin(), mails.end(), text) == mails.end()) {
            mails.push_back(text);
        }
    }
    ASSERT_EQ(mails.size(), 1U) << server->output();
    const auto& m = mails.front();
    EXPECT_NE(m.find("To: <resident@example.org>\r\n"), std::string::npos);
    EXPECT_NE(m.find("Crew booked for Thursday"), std::string::npos);
    EXPECT_NE(m.find("Content-Type: text/plain; charset=utf-8"), std::string::npos);
    EXPECT_NE(m.find("/api/unsubscribe/"), std::string::npos);
}

TEST_F(Open311, MediaUrlMustBeAnHttpOrHttpsUrlOnEveryPathThatTakesIt) {
    const auto with = [](Fields fields, const std::string& url) {
        fields.emplace_back("media_url", url);
        return fields;
    };
    for (const std::string bad :
         {"javascript:alert(document.cookie)", "JavaScript:alert(1)", "file:///etc/passwd",
          "data:text/html,<script>alert(1)</script>", "//evil.example/x.jpg", "http:///x.jpg",
          "https://", "ftp://example.org/a.jpg", "photo.jpg", "https://exa mple.org/a.jpg",
          "/media/photos/../../etc/passwd.jpg"}) {
        const auto errors = errors_of(post("requests.json", form(with(fly_tipping(), bad))), 400);
        EXPECT_NE(all_descriptions(errors).find("media_url"), std::string::npos) << bad;
        // The XML form says the same.
        const auto xml = post("requests.xml", form(with(fly_tipping(), bad)));
        EXPECT_EQ(xml.status, 400) << bad;
        EXPECT_NE(xml.body.find("<errors><error><code>400</code>"), std::string::npos);
    }
    // Absolute http(s) URLs are taken and shown as given; the server's own photo path too,
    // shown as an absolute URL.
    for (const std::string good : {"https://fixmystreet.example/photo/1.jpeg",
                                   "HTTP://images.example.org/a.jpg?size=full"}) {
        const auto [id, token] = create(with(fly_tipping("Media " + good), good));
        EXPECT_EQ(get_json("requests/" + id + ".json")[0]["media_url"], good);
    }
    const std::string own = "/media/photos/0123456789abcdef0123456789abcdef.jpg";
    const auto [own_id, own_token] = create(with(fly_tipping("Our own photo path"), own));
    const auto shown = get_json("requests/" + own_id + ".json")[0]["media_url"].get<std::string>();
    EXPECT_TRUE(shown.starts_with("http://")) << shown;
    EXPECT_TRUE(shown.ends_with(own)) << shown;
    // A staff update's media_url is held to the same rule.
    const auto [id, token] = create(fly_tipping("Media on updates"));
    const auto update = [&](const std::string& update_id, const std::string& url) {
        return post("servicerequestupdates.json",
                    form({{"api_key", staff_key},
                          {"service_request_id", id},
                          {"update_id", update_id},
                          {"status", "INVESTIGATING"},
                          {"updated_datetime", "2026-01-05T09:00:00Z"},
                          {"description", "Looking"},
                          {"media_url", url}}));
    };
    const auto refused = errors_of(update("media-1", "javascript:alert(1)"), 400);
    EXPECT_NE(all_descriptions(refused).find("media_url"), std::string::npos);
    EXPECT_EQ(errors_of(update("media-2", "file:///etc/passwd"), 400).size(), 1U);
    EXPECT_EQ(update("media-3", "https://crm.example/update/3.jpg").status, 200);
}

TEST_F(Open311, StoredMediaUrlsFromBeforeTheCheckAreNotRepublished) {
    const auto [id, token] = create(fly_tipping("Stored before the check"));
    {
        auto conn = store::Database::open(db_path);
        conn.exec("UPDATE service_requests SET media_url = 'javascript:alert(1)' WHERE id = " + id);
    }
    const auto r = get_json("requests/" + id + ".json");
    EXPECT_FALSE(r[0].contains("media_url")) << r.dump();
}

TEST_F(Open311, AReportersPrivateNoteChangesNoPublicField) {
    const auto [id, token] = create(fly_tipping("Mattress in the lane"));
    const auto port = server->port();
    const auto before = get_json("requests/" + id + ".json")[0];
    const auto ogc = [&] {
        return api_json(testing::http_get(port, "/ogc/collections/service_requests/items/" + id),
                        200);
    };
    const auto ogc_before = ogc();
    const auto track_before = api_json(testing::http_get(port, "/api/track/" + token), 200);
    // Stored times are whole seconds: let the clock move on so a change would show.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    const auto noted = testing::http_request(port, "POST", "/api/track/" + token + "/updates",
                                             R"({"text": "It smells now"})",
                                             {{"Content-Type", "application/json"}});
    ASSERT_EQ(noted.status, 201) << noted.body;

    const auto after = get_json("requests/" + id + ".json")[0];
    EXPECT_EQ(after["updated_datetime"], before["updated_datetime"]);
    EXPECT_EQ(after["status"], before["status"]);
    EXPECT_EQ(after.value("status_notes", ""), before.value("status_notes", ""));
    const auto listed = get_json("requests.json?service_request_id=" + id)[0];
    EXPECT_EQ(listed["updated_datetime"], before["updated_datetime"]);
    const auto extended = get_json("requests/" + id + ".json?extensions=true")[0];
    EXPECT_EQ(extended["extended_attributes"]["status"], "open");
    const auto ogc_after = ogc();
    EXPECT_EQ(ogc_after["properties"]["updated_at"], ogc_before["properties"]["updated_at"]);
    EXPECT_EQ(ogc_after["properties"]["status"], ogc_before["properties"]["status"]);
    // The reporter's own tracking page keeps its status and shows their note in the history.
    const auto track = api_json(testing::http_get(port, "/api/track/" + token), 200);
    EXPECT_EQ(track["status"], track_before["status"]);
    EXPECT_EQ(track["history"].size(), track_before["history"].size() + 1);
    EXPECT_EQ(track["history"].back()["note"], "It smells now");
    EXPECT_EQ(track["history"].back()["to"], track_before["status"]);

    // A reopening is public, and does move them.
    ASSERT_EQ(post("servicerequestupdates.json",
                   form({{"api_key", staff_key},
                         {"service_request_id", id},
                         {"update_id", "note-1"},
                         {"status", "FIXED"},
                         {"updated_datetime", utc_stamp(std::time(nullptr) - 30)},
                         {"description", "Taken away"}}))
                  .status,
              200);
    const auto fixed = get_json("requests/" + id + ".json")[0];
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    ASSERT_EQ(testing::http_request(port, "POST", "/api/track/" + token + "/updates",
                                    R"({"text": "Still a stain"})",
                                    {{"Content-Type", "application/json"}})
                  .status,
              201);
    EXPECT_EQ(get_json("requests/" + id + ".json")[0]["updated_datetime"],
              fixed["updated_datetime"]);
    EXPECT_EQ(get_json("requests/" + id + ".json")[0]["status"], "closed");
    ASSERT_EQ(testing::http_request(port, "POST", "/api/track/" + token + "/updates",
                                    R"({"reopen": true})", {{"Content-Type", "application/json"}})
                  .status,
              201);
    const auto reopened = get_json("requests/" + id + ".json")[0];
    EXPECT_EQ(reopened["status"], "open");
    EXPECT_NE(reopened["updated_datetime"], fixed["updated_datetime"]);
}

TEST_F(Open311, KpisAddUpOverTheDemoYear) {
    const auto port = server->port();
    // The demo's year of casework ends on the day it is generated: ask for the year to today.
    const auto iso = [](std::chrono::sys_days day) {
        const std::chrono::year_month_day d{day};
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                      static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
        return std::string(buf);
    };
    const auto this_day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    const std::string from = iso(this_day - std::chrono::days(364));
    const auto k =
        api_json(testing::http_get(port, "/api/kpis?from=" + from + "&to=" + iso(this_day)), 200);
    EXPECT_EQ(k["from"], from);
    EXPECT_GT(k["received"].get<int>(), 1000);
    int channels = 0;
    for (const auto& [name, count] : k["by_channel"].items()) {
        channels += count.get<int>();
    }
    EXPECT_EQ(channels, k["received"]);
    EXPECT_EQ(k["open"].get<int>() + k["closed"].get<int>(), k["received"]);
    EXPECT_GT(k["online_share"].get<double>(), 0.3);
    EXPECT_LT(k["online_share"].get<double>(), 1.0);
    EXPECT_GT(k["median_days_to_close"].get<double>(), 0);
    EXPECT_GE(k["high_priority_decided"], k["high_priority_within_target"]);
    int by_service = 0;
    for (const auto& s : k["by_service"]) {
        by_service += s["received"].get<int>();
        EXPECT_NE(s["service_code"], "noise_nuisance"); // private services stay out
        EXPECT_LE(s["overdue"].get<int>(), s["open"].get<int>());
    }
    EXPECT_EQ(by_service, k["received"]);

    // One ward: a request made now is counted there, under its channel.
    const auto [id, token] = create(fly_tipping("Counted in its ward"));
    const auto ward =
        get_json("requests/" + id + ".json?extensions=true")[0]["extended_attributes"]["ward"]
            .get<std::string>();
    const auto w = api_json(testing::http_get(port, "/api/kpis?ward=" + ward), 200);
    EXPECT_EQ(w["ward"], ward);
    EXPECT_GE(w["by_channel"]["app"].get<int>(), 1);
    EXPECT_LT(w["received"].get<int>(),
              api_json(testing::http_get(port, "/api/kpis"), 200)["received"].get<int>() + 1);
    // A high-priority request fixed at once is within its target.
    const auto [urgent, t2] =
        create(with(fly_tipping("Asbestos sheets"), "attribute[hazardous]", "yes"));
    const std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    ASSERT_EQ(post("servicerequestupdates.json", form({{"api_key", staff_key},
                                                       {"service_request_id", urgent},
                                                       {"update_id", "kpi-1"},
                                                       {"status", "FIXED"},
                                                       {"updated_datetime", stamp},
                                                       {"description", "Removed safely"}}))
                  .status,
              200);
    const auto today = api_json(testing::http_get(port, "/api/kpis?ward=" + ward), 200);
    EXPECT_GE(today["high_priority_decided"].get<int>(), 1);
    EXPECT_GE(today["high_priority_within_target"].get<int>(), 1);
    EXPECT_EQ(testing::http_get(port, "/api/kpis?from=2026-13-01").status, 400);
    EXPECT_EQ(testing::http_get(port, "/api/kpis?from=2026-02-01&to=2026-01-01").status, 400);
    EXPECT_EQ(testing::http_get(port, "/api/kpis?from=2020-01-01&to=2026-01-01").status, 400);
}

TEST_F(Open311, KeysIssuedByTheCliWorkUntilRevoked) {
    std::string key;
    ASSERT_EQ(testing::run_wardmap({"keys", "add", "--name", "Test CRM", "--role", "client",
                                    "--channel", "web", "--db", db_path.string()},
                                   &key),
              0)
        << key;
    key.erase(key.find_last_not_of("\r\n") + 1);
    key = key.substr(key.rfind('\n') == std::string::npos ? 0 : key.rfind('\n') + 1);
    ASSERT_EQ(key.size(), 32U) << key;
    const auto [id, token] = create(with(fly_tipping(), "api_key", key));
    EXPECT_EQ(
        get_json("requests/" + id + ".json?extensions=true")[0]["extended_attributes"]["channel"],
        "web");
    std::string output;
    EXPECT_NE(testing::run_wardmap({"keys", "add", "--name", "Test CRM", "--db", db_path.string()},
                                   &output),
              0); // one live key per holder
    EXPECT_NE(
        testing::run_wardmap(
            {"keys", "add", "--name", "X", "--role", "admin", "--db", db_path.string()}, &output),
        0);
    ASSERT_EQ(testing::run_wardmap({"keys", "list", "--db", db_path.string()}, &output), 0);
    EXPECT_NE(output.find("Test CRM\tclient\tweb"), std::string::npos) << output;
    EXPECT_EQ(output.find(key), std::string::npos); // never shown again
    ASSERT_EQ(testing::run_wardmap(
                  {"keys", "revoke", "--name", "Test CRM", "--db", db_path.string()}, &output),
              0)
        << output;
    errors_of(post("requests.json", form(with(fly_tipping(), "api_key", key))), 403);
}

TEST_F(Open311, SchemasRejectDriftedDocuments) {
    const std::string missing = schema_validator_missing();
    if (!missing.empty()) {
        GTEST_SKIP() << "Open311 JSON Schema validation SKIPPED: " << missing;
    }
    (void)create(fly_tipping("A drifted document starts from a real one"));
    const auto services = get_json("services.json");
    const auto requests = get_json("requests.json");
    const auto discovery = get_json("discovery.json");
    const auto errors = json::parse(get("requests/99999999.json").body);
    ASSERT_FALSE(requests.empty());
    const auto validate = [](const std::string& schema, const json& doc) {
        const auto file = tmp->path() / "drifted.json";
        std::ofstream(file) << doc.dump();
        std::string out;
        const int status = run_command("node " + (schema_dir() / "validate.js").string() + " " +
                                           schema + " " + file.string(),
                                       out);
        return std::pair{status, out};
    };
    // The real documents pass...
    EXPECT_EQ(validate("services", services).first, 0);
    EXPECT_EQ(validate("requests", requests).first, 0);
    EXPECT_EQ(validate("discovery", discovery).first, 0);
    EXPECT_EQ(validate("errors", errors).first, 0);
    // ...and each drift real servers make fails.
    const auto rejected = [&](const std::string& schema, const json& doc, const std::string& why) {
        const auto [status, out] = validate(schema, doc);
        EXPECT_EQ(status, 1) << why << ": " << out;
        EXPECT_NE(out.find("invalid: " + schema), std::string::npos) << why << ": " << out;
    };
    auto drift = services;
    drift[0]["metadata"] = drift[0]["metadata"].get<bool>() ? "true" : "false";
    rejected("services", drift, "a boolean sent as a string");
    rejected("requests", json{{"service_requests", requests}}, "a wrapped list");
    rejected("services", json{{"services", services}}, "a wrapped list");
    drift = requests;
    drift[0]["requested_datetime"] = "2026-11-01T10:00:00";
    rejected("requests", drift, "a date without a zone");
    drift = requests;
    drift[0]["updated_datetime"] = "2026-11-01 10:00:00Z";
    rejected("requests", drift, "a date with a space");
    drift = requests;
    drift[0]["status"] = "in_progress";
    rejected("requests", drift, "a status beyond open/closed");
    drift = requests;
    drift[0]["lat"] = std::to_string(drift[0]["lat"].get<double>());
    rejected("requests", drift, "a number sent as a string");
    drift = requests;
    drift[0]["email"] = "resident@example.org";
    rejected("requests", drift, "personal data");
    rejected("request", requests.size() > 1 ? requests : json::array({requests[0], requests[0]}),
             "more than one request for requests/{id}");
    rejected("errors", errors[0], "an error object instead of a list");
    drift = errors;
    drift[0]["code"] = "404";
    rejected("errors", drift, "a code sent as a string");
    drift = discovery;
    drift.erase("contact");
    rejected("discovery", drift, "a missing required field");
    drift = discovery;
    drift["endpoints"][0]["formats"] = json::array({"application/json"});
    rejected("discovery", drift, "an endpoint without text/xml");
}

} // namespace
} // namespace wardmap
