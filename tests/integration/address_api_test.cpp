// The address API on the real server over the demo borough (whose gazetteer fills the search
// index): type-ahead search, a property by UPRN, nearest addresses and postcodes, and every bad
// parameter answered with a problem naming it.

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <string>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::http_get;
using testing::url_encode;

std::string lower(std::string s) {
    for (char& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

class AddressApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        const auto db = tmp->path() / "demo.sqlite";
        std::string output;
        ASSERT_EQ(testing::copy_demo_store(db, &output), 0) << output;
        {
            auto conn = store::Database::open(db);
            // A numbered address on a street whose name has two words, e.g. "12 MARKET STREET".
            auto st = conn.prepare(
                "SELECT a.uprn, a.pao_start_number, a.street, a.postcode, p.easting, p.northing "
                "FROM addresses a JOIN properties p ON p.uprn = a.uprn "
                "WHERE a.logical_status = 1 AND a.pao_start_number IS NOT NULL AND "
                "ifnull(a.pao_start_suffix, '') = '' AND a.pao_end_number IS NULL AND "
                "ifnull(a.sao_text, '') = '' AND a.sao_start_number IS NULL AND "
                "a.postcode IS NOT NULL "
                "AND a.street LIKE '% %' ORDER BY a.id LIMIT 1");
            ASSERT_TRUE(st.step());
            uprn = st.int64(0);
            number = st.int64(1);
            street = std::string(st.text(2));
            postcode = std::string(st.text(3));
            easting = st.real(4);
            northing = st.real(5);
            road = conn.query_text("SELECT street FROM addresses WHERE street LIKE '% ROAD' "
                                   "AND logical_status = 1 ORDER BY id LIMIT 1")
                       .value_or("");
            searchable = conn.query_int("SELECT count(*) FROM addresses WHERE logical_status "
                                        "IN (1, 3, 6)")
                             .value_or(0);
        }
        server = new testing::ServerProcess(db, {"--no-access-log"});
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }
    static std::uint16_t port() { return server->port(); }
    static json get_json(const std::string& target, int status = 200) {
        const auto r = http_get(port(), target);
        EXPECT_EQ(r.status, status) << target << ": " << r.body;
        return json::parse(r.body);
    }
    /// "MARKET STREET" -> "market st": the first word, and the second cut to two letters.
    static std::string typed_street() {
        const auto space = street.find(' ');
        return lower(street.substr(0, space)) + " " + lower(street.substr(space + 1, 2));
    }

    static inline testing::TempDir* tmp = nullptr;
    static inline testing::ServerProcess* server = nullptr;
    static inline std::int64_t uprn = 0;
    static inline std::int64_t number = 0;
    static inline std::string street;
    static inline std::string postcode;
    static inline std::string road;
    static inline double easting = 0;
    static inline double northing = 0;
    static inline std::int64_t searchable = 0;
};

void expect_problem(const testing::HttpResponse& r, int status, const std::string& name = "") {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
    const auto body = json::parse(r.body);
    EXPECT_EQ(body["status"], status);
    if (!name.empty()) {
        ASSERT_TRUE(body.contains("errors")) << r.body;
        EXPECT_EQ(body["errors"][0]["name"], name) << r.body;
    }
}

TEST_F(AddressApi, TheDemoFillsTheSearchIndex) {
    EXPECT_GT(searchable, 100);
    EXPECT_FALSE(road.empty());
}

TEST_F(AddressApi, NumberAndStreetPrefixTypedLowerCaseWithPunctuation) {
    const std::string q = std::to_string(number) + ", " + typed_street();
    const auto r = http_get(port(), "/api/addresses?q=" + url_encode(q));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/geo+json");
    const auto body = json::parse(r.body);
    EXPECT_EQ(body["type"], "FeatureCollection");
    ASSERT_FALSE(body["features"].empty()) << q;
    const auto& first = body["features"][0];
    EXPECT_EQ(first["properties"]["street"], street) << q;
    EXPECT_EQ(first["properties"]["paon"], std::to_string(number)) << first.dump();
    bool found = false;
    for (const auto& f : body["features"]) {
        found = found || f["properties"]["uprn"] == uprn;
        EXPECT_EQ(f["geometry"]["type"], "Point");
        const double lon = f["geometry"]["coordinates"][0];
        const double lat = f["geometry"]["coordinates"][1];
        EXPECT_NEAR(lon, -2.63, 0.3);
        EXPECT_NEAR(lat, 53.65, 0.2);
        EXPECT_NE(lower(f["properties"]["address"].get<std::string>()).find(lower(street)),
                  std::string::npos);
    }
    EXPECT_TRUE(found) << "UPRN " << uprn << " not found for '" << q << "': " << r.body;
    EXPECT_EQ(body["numberReturned"], body["features"].size());
}

TEST_F(AddressApi, FirstResultForNumberAndStreetHasThatNumber) {
    const auto body =
        get_json("/api/addresses?q=" + url_encode(std::to_string(number) + " " + lower(street)) +
                 "&limit=5");
    ASSERT_FALSE(body["features"].empty());
    const std::string line = body["features"][0]["properties"]["address"];
    EXPECT_EQ(line.rfind(std::to_string(number) + " " + street, 0) == 0 ||
                  line.find(", " + std::to_string(number) + " " + street) != std::string::npos,
              true)
        << line;
}

TEST_F(AddressApi, PostcodeWithAndWithoutTheSpaceListsItsAddressesInHouseNumberOrder) {
    std::string compact = postcode;
    compact.erase(std::remove(compact.begin(), compact.end(), ' '), compact.end());
    const auto spaced = get_json("/api/addresses?q=" + url_encode(postcode) + "&limit=100");
    const auto joined = get_json("/api/addresses?q=" + lower(compact) + "&limit=100");
    ASSERT_FALSE(spaced["features"].empty());
    EXPECT_EQ(spaced["features"], joined["features"]);
    std::string last_street;
    std::int64_t last_number = -1;
    for (const auto& f : spaced["features"]) {
        EXPECT_EQ(f["properties"]["postcode"], postcode);
        const std::string s = f["properties"]["street"].is_string()
                                  ? f["properties"]["street"].get<std::string>()
                                  : "";
        const std::string paon =
            f["properties"]["paon"].is_string() ? f["properties"]["paon"].get<std::string>() : "";
        if (paon.empty() || std::isdigit(static_cast<unsigned char>(paon[0])) == 0) {
            continue;
        }
        const auto n = std::stoll(paon);
        if (s == last_street) {
            EXPECT_LE(last_number, n) << f.dump();
        }
        last_street = s;
        last_number = n;
    }
}

TEST_F(AddressApi, RdFindsRoad) {
    ASSERT_FALSE(road.empty());
    const auto first_word = lower(road.substr(0, road.find(' ')));
    const auto body = get_json("/api/addresses?q=" + url_encode(first_word + " rd"));
    ASSERT_FALSE(body["features"].empty()) << first_word << " rd";
    bool has_road = false;
    for (const auto& f : body["features"]) {
        has_road = has_road || f["properties"]["street"] == road;
    }
    EXPECT_TRUE(has_road) << body.dump();
}

TEST_F(AddressApi, LimitIsHonoured) {
    const auto body = get_json("/api/addresses?q=" + url_encode(lower(street)) + "&limit=3");
    EXPECT_EQ(body["features"].size(), 3U);
    EXPECT_EQ(body["numberReturned"], 3);
}

TEST_F(AddressApi, Epsg27700GivesEastingsAndNorthings) {
    const auto body =
        get_json("/api/addresses?q=" + url_encode(std::to_string(number) + " " + lower(street)) +
                 "&crs=EPSG:27700");
    ASSERT_FALSE(body["features"].empty());
    EXPECT_EQ(body["crs"], "EPSG:27700");
    bool found = false;
    for (const auto& f : body["features"]) {
        const double x = f["geometry"]["coordinates"][0];
        const double y = f["geometry"]["coordinates"][1];
        EXPECT_GT(x, 300000);
        EXPECT_LT(x, 400000);
        EXPECT_GT(y, 380000);
        EXPECT_LT(y, 450000);
        if (f["properties"]["uprn"] == uprn) {
            found = true;
            EXPECT_NEAR(x, easting, 0.01);
            EXPECT_NEAR(y, northing, 0.01);
        }
    }
    EXPECT_TRUE(found);
}

TEST_F(AddressApi, PropertyByUprnHasAddressesClassificationAndWard) {
    const auto f = get_json("/api/addresses/" + std::to_string(uprn));
    EXPECT_EQ(f["type"], "Feature");
    EXPECT_EQ(f["id"], uprn);
    const auto& p = f["properties"];
    EXPECT_EQ(p["uprn"], uprn);
    ASSERT_TRUE(p["addresses"].is_array());
    ASSERT_FALSE(p["addresses"].empty());
    EXPECT_EQ(p["addresses"][0]["street"], street);
    EXPECT_EQ(p["addresses"][0]["postcode"], postcode);
    EXPECT_TRUE(p["classification"].is_string());
    EXPECT_FALSE(p["classification"].get<std::string>().empty());
    ASSERT_TRUE(p["ward"].is_object()) << f.dump();
    EXPECT_EQ(p["ward"]["code"].get<std::string>().substr(0, 3), "E05");
    // The same ward as the point lookup gives.
    const auto at = get_json("/api/wards/at?x=" + std::to_string(easting) +
                             "&y=" + std::to_string(northing) + "&crs=EPSG:27700");
    EXPECT_EQ(at["code"], p["ward"]["code"]) << at.dump();
}

TEST_F(AddressApi, BadUprnsAndQueries) {
    expect_problem(http_get(port(), "/api/addresses/999999999998"), 404);
    expect_problem(http_get(port(), "/api/addresses/abc"), 400, "uprn");
    expect_problem(http_get(port(), "/api/addresses?q="), 400, "q");
    expect_problem(http_get(port(), "/api/addresses?q=%20%2C"), 400, "q");
    expect_problem(http_get(port(), "/api/addresses?q=market&limit=0"), 400, "limit");
    expect_problem(http_get(port(), "/api/addresses?q=market&limit=101"), 400, "limit");
}

TEST_F(AddressApi, NearestIsSortedByDistanceWithinTheRadius) {
    const auto body =
        get_json("/api/addresses/nearest?crs=EPSG:27700&x=" + std::to_string(easting + 3) +
                 "&y=" + std::to_string(northing) + "&radius=200&limit=20");
    ASSERT_FALSE(body["features"].empty());
    EXPECT_LE(body["features"].size(), 20U);
    EXPECT_EQ(body["features"][0]["properties"]["uprn"], uprn) << body.dump();
    double last = -1;
    for (const auto& f : body["features"]) {
        const double d = f["properties"]["distance_m"];
        EXPECT_LE(d, 200.0);
        EXPECT_GE(d, last);
        last = d;
        const double x = f["geometry"]["coordinates"][0];
        const double y = f["geometry"]["coordinates"][1];
        EXPECT_NEAR(std::hypot(x - easting - 3, y - northing), d, 0.05);
    }
    // The same point in lon/lat.
    const auto at = get_json("/api/addresses/" + std::to_string(uprn));
    const double lon = at["geometry"]["coordinates"][0];
    const double lat = at["geometry"]["coordinates"][1];
    const auto wgs = get_json("/api/addresses/nearest?lon=" + std::to_string(lon) +
                              "&lat=" + std::to_string(lat) + "&radius=50&limit=3");
    ASSERT_FALSE(wgs["features"].empty());
    EXPECT_EQ(wgs["features"][0]["properties"]["uprn"], uprn);
    EXPECT_LT(wgs["features"][0]["properties"]["distance_m"].get<double>(), 1.0);
    EXPECT_NEAR(wgs["features"][0]["geometry"]["coordinates"][0].get<double>(), lon, 1e-5);
    expect_problem(http_get(port(), "/api/addresses/nearest?lon=" + std::to_string(lon) +
                                        "&lat=" + std::to_string(lat) + "&radius=5000"),
                   400, "radius");
}

TEST_F(AddressApi, PostcodeHasCentroidAddressesAndWard) {
    const auto f = get_json("/api/postcodes/" + url_encode(lower(postcode)));
    EXPECT_EQ(f["type"], "Feature");
    EXPECT_EQ(f["id"], postcode);
    const auto& p = f["properties"];
    EXPECT_EQ(p["postcode"], postcode);
    ASSERT_TRUE(p["addresses"].is_array());
    EXPECT_GE(p["addresses"].size(), 1U);
    EXPECT_EQ(p["address_count"], p["addresses"].size());
    bool found = false;
    for (const auto& a : p["addresses"]) {
        EXPECT_EQ(a["postcode"], postcode);
        found = found || a["uprn"] == uprn;
    }
    EXPECT_TRUE(found);
    EXPECT_NEAR(f["geometry"]["coordinates"][0].get<double>(), -2.63, 0.3);
    EXPECT_NEAR(f["geometry"]["coordinates"][1].get<double>(), 53.65, 0.2);
    EXPECT_TRUE(p["ward"].is_object()) << f.dump();
    expect_problem(http_get(port(), "/api/postcodes/XX"), 400, "postcode");
    expect_problem(http_get(port(), "/api/postcodes/ZZ99%209ZZ"), 404);
}

} // namespace
} // namespace wardmap
