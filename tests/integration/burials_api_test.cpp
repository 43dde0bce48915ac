// Burials over real HTTP against the demo borough: the public graves collection and status
// route carry grave numbers and statuses only; the bereavement officer's routes (a grave with
// its register entries, grants, holders and history, each holders' read audited; new entries
// refused for a full grave or a private one without a grant, 409 naming the reason); and a
// scan of every public GET route's output for the names of the demo's grant holders.

#include "geo/store/burial_name_keys.hpp"
#include "geo/store/database.hpp"
#include "geo/store/migrations.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/served_routes.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/signed_in.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::HttpResponse;

using testing::Credentials;

/// Drops what the migrations after `version` created (every later migration only creates
/// tables, indexes, triggers and views: the test that takes a store back to an older version
/// needs them gone so that they can be made again), the newest first.
void drop_objects_after(store::Database& db, int version) {
    // Statements start a line; a comment's words never do.
    const std::regex create(
        R"((?:^|\n)CREATE\s+(?:UNIQUE\s+)?(TABLE|INDEX|TRIGGER|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+))");
    const auto& all = store::migrations();
    for (auto m = all.rbegin(); m != all.rend() && m->version > version; ++m) {
        const std::string sql = m->sql;
        std::vector<std::pair<std::string, std::string>> made;
        for (std::sregex_iterator it(sql.begin(), sql.end(), create), end; it != end; ++it) {
            made.emplace_back((*it)[1].str(), (*it)[2].str());
        }
        for (auto o = made.rbegin(); o != made.rend(); ++o) {
            db.exec("DROP " + o->first + " IF EXISTS " + o->second);
        }
    }
}

class BurialsApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        ASSERT_TRUE(testing::make_demo_store(db_path));
        server = new testing::ServerProcess(db_path, {"--no-access-log"});
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }

    static Credentials sign_in(const std::string& email, const std::string& password) {
        return testing::sign_in(server->port(), email, password);
    }
    static Credentials officer() {
        static const auto c = sign_in("bereavement@demo.wardmap.test", "Demo-bereavement-1");
        return c;
    }
    static HttpResponse get(const std::string& target, const Credentials& who = {}) {
        return testing::get_as(server->port(), target, who);
    }
    static HttpResponse post(const std::string& target, const json& body, const Credentials& who) {
        return testing::send_json_as(server->port(), "POST", target, body, who);
    }
    static std::int64_t sql_int(const std::string& sql) { return testing::sql_int(db_path, sql); }
    static std::string sql_text(const std::string& sql) { return testing::sql_text(db_path, sql); }

    /// The search's answer as the query over the interments and graves before 0026 gave it
    /// (with the embargo and infant policy by default): ids and whether each is exact, exact
    /// spellings first, then surname, forenames, burial date, id; the first `limit` (-1: all).
    static std::vector<std::pair<std::int64_t, bool>>
    wide_join_order(const std::string& asked, const std::string& cemetery, int limit) {
        const auto q = store::parse_name_query(asked);
        EXPECT_TRUE(q.has_value()) << asked;
        const auto quoted = [](const std::string& t) { return "'" + t + "'"; };
        std::string keys, fore_match, fore_exact;
        for (const auto& k : q->keys) {
            keys += (keys.empty() ? "" : ", ") + quoted(k);
        }
        for (std::size_t k = 0; k < q->forenames.size(); ++k) {
            const auto& f = q->forenames[k];
            fore_match += " AND (instr(n.forename_spellings, ' " + f + "') > 0" +
                          (q->forename_keys[k].size() >= 3
                               ? " OR instr(n.forename_keys, ' " + q->forename_keys[k] + " ') > 0"
                               : std::string()) +
                          ")";
            fore_exact += " AND instr(n.forename_spellings, ' " + f + " ') > 0";
        }
        auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
        auto st = db.prepare(
            "WITH hits AS (SELECT DISTINCT interment_id AS id FROM interment_name_keys WHERE key "
            "IN (" +
            keys + ")) SELECT i.id, (n.surname_spelling = " + quoted(q->surname) + fore_exact +
            ") AS exact FROM hits h JOIN interments i ON i.id = h.id JOIN interment_names n ON "
            "n.interment_id = i.id JOIN grave_spaces g ON g.id = i.grave_id WHERE i.buried_on <= "
            "date('now', '-30 days')" +
            (cemetery.empty() ? std::string() : " AND g.cemetery_id = " + cemetery) + fore_match +
            " AND i.stillborn = 0 AND g.grave_type <> 'baby' AND NOT (coalesce(i.age_years, 0) = "
            "0 AND coalesce(i.age_months, 0) < 12 AND (i.age_years IS NOT NULL OR i.age_months IS "
            "NOT NULL OR i.age_weeks IS NOT NULL OR i.age_days IS NOT NULL)) AND (SELECT s.kind "
            "FROM cemetery_sections s WHERE s.id = g.section_id) <> 'baby' ORDER BY exact DESC, "
            "i.surname, i.forenames, i.buried_on, i.id LIMIT " +
            std::to_string(limit));
        std::vector<std::pair<std::int64_t, bool>> out;
        while (st.step()) {
            out.emplace_back(st.int64(0), st.int64(1) != 0);
        }
        return out;
    }

    static testing::TempDir* tmp;
    static std::filesystem::path db_path;
    static testing::ServerProcess* server;
};
testing::TempDir* BurialsApi::tmp = nullptr;
std::filesystem::path BurialsApi::db_path;
testing::ServerProcess* BurialsApi::server = nullptr;

TEST_F(BurialsApi, TheGravesCollectionIsNumberAndStatusOnly) {
    const auto q = json::parse(get("/ogc/collections/graves/queryables").body);
    std::set<std::string> names;
    for (const auto& [k, v] : q["properties"].items()) {
        names.insert(k);
    }
    EXPECT_EQ(names, (std::set<std::string>{"grave_number", "status", "geometry"}));
    const auto fc = json::parse(get("/ogc/collections/graves/items?limit=10000").body);
    EXPECT_EQ(fc["numberReturned"], sql_int("SELECT count(*) FROM grave_spaces"));
    std::map<std::string, int> statuses;
    for (const auto& f : fc["features"]) {
        std::set<std::string> keys;
        for (const auto& [k, v] : f["properties"].items()) {
            keys.insert(k);
        }
        ASSERT_EQ(keys, (std::set<std::string>{"grave_number", "status"})) << f.dump();
        ++statuses[f["properties"]["status"].get<std::string>()];
    }
    // The demo shows every status the facts can give.
    for (const char* s :
         {"available", "reserved", "in_use", "full", "unavailable", "right_expired"}) {
        EXPECT_GT(statuses[s], 0) << s;
    }
    // A filter on the derived status.
    const auto full =
        json::parse(get("/ogc/collections/graves/items?limit=10000&status=full").body);
    EXPECT_EQ(full["numberReturned"], statuses["full"]);
}

TEST_F(BurialsApi, TheStatusRouteAgreesWithTheCollectionForAWholeCemetery) {
    const std::string box =
        sql_text("SELECT printf('%f,%f,%f,%f', MbrMinX(geom), MbrMinY(geom), MbrMaxX(geom), "
                 "MbrMaxY(geom)) FROM cemeteries WHERE name = 'Chorley Cemetery'");
    const auto r = get("/api/burials/graves/status?bbox=" + box);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto doc = json::parse(r.body);
    const auto fc = json::parse(get("/ogc/collections/graves/items?limit=10000").body);
    std::map<std::int64_t, std::string> from_layer;
    for (const auto& f : fc["features"]) {
        from_layer[f["id"].get<std::int64_t>()] = f["properties"]["status"];
    }
    EXPECT_EQ(static_cast<std::int64_t>(doc["graves"].size()),
              sql_int("SELECT count(*) FROM grave_spaces g JOIN cemeteries c ON c.id = "
                      "g.cemetery_id WHERE c.name = 'Chorley Cemetery'"));
    for (const auto& g : doc["graves"]) {
        ASSERT_EQ(g.size(), 3U) << g.dump(); // id, grave_number, status: nothing else
        EXPECT_EQ(from_layer[g["id"].get<std::int64_t>()], g["status"]) << g.dump();
    }
    EXPECT_EQ(get("/api/burials/graves/status?bbox=1,2,3").status, 400);
    EXPECT_EQ(get("/api/burials/graves/status?bbox=0,0,100000,100000").status, 400);
    EXPECT_EQ(get("/api/burials/graves/status?bbox=1,2,3,4&colour=red").status, 400);
}

TEST_F(BurialsApi, StaffSeeAGraveWithItsRegisterAndGrantsAndEachReadIsAudited) {
    const auto grave =
        sql_int("SELECT g.id FROM grave_spaces g WHERE EXISTS (SELECT 1 FROM "
                "burial_grant_events e JOIN burial_grants gr ON gr.id = e.grant_id WHERE "
                "gr.grave_id = g.id AND e.kind = 'transfer_on_death') ORDER BY g.id LIMIT 1");
    ASSERT_GT(grave, 0);
    const std::string target = "/api/burials/graves/" + std::to_string(grave);
    EXPECT_EQ(get(target).status, 401);
    const auto street = sign_in("streetscene@demo.wardmap.test", "Demo-streetscene-1");
    EXPECT_EQ(get(target, street).status, 403);
    const auto before = sql_int("SELECT count(*) FROM audit_log WHERE record_kind = "
                                "'burial_grant'");
    const auto r = get(target, officer());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("cache-control"), "no-store");
    const auto g = json::parse(r.body);
    EXPECT_FALSE(g["interments"].empty());
    ASSERT_FALSE(g["grants"].empty());
    const auto& grant = g["grants"][0];
    EXPECT_GE(grant["holders"].size(), 2U);
    EXPECT_EQ(grant["events"][0]["kind"], "purchase");
    EXPECT_EQ(sql_int("SELECT count(*) FROM audit_log WHERE record_kind = 'burial_grant'"),
              before + static_cast<std::int64_t>(g["grants"].size()));
    EXPECT_EQ(sql_text("SELECT route FROM audit_log WHERE record_kind = 'burial_grant' ORDER BY "
                       "id DESC LIMIT 1"),
              "/api/burials/graves/:id");
}

TEST_F(BurialsApi, NewEntriesAreRefusedForAFullGraveOrAPrivateOneWithoutAGrant) {
    const auto full = sql_int(
        "SELECT g.id FROM grave_spaces g WHERE g.unavailable_reason IS NULL AND (SELECT count(*) "
        "FROM interments i WHERE i.grave_id = g.id AND i.kind = 'coffin') = g.max_coffins AND "
        "(SELECT count(*) FROM interments i WHERE i.grave_id = g.id AND i.kind = "
        "'cremated_remains') = g.max_cremated_remains ORDER BY g.id LIMIT 1");
    const auto empty = sql_int(
        "SELECT g.id FROM grave_spaces g WHERE g.grave_type = 'private' AND g.unavailable_reason "
        "IS NULL AND NOT EXISTS (SELECT 1 FROM burial_grants gr WHERE gr.grave_id = g.id) AND NOT "
        "EXISTS (SELECT 1 FROM interments i WHERE i.grave_id = g.id) ORDER BY g.id LIMIT 1");
    ASSERT_GT(full, 0);
    ASSERT_GT(empty, 0);
    const json entry = {{"buried_on", "2026-11-20"}, {"died_on", "2026-11-12"},
                        {"surname", "Testing"},      {"forenames", "Anne"},
                        {"age_years", 88},           {"kind", "coffin"}};
    auto r = post("/api/burials/graves/" + std::to_string(full) + "/interments", entry, officer());
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_NE(r.body.find("\"full\""), std::string::npos) << r.body;
    r = post("/api/burials/graves/" + std::to_string(empty) + "/interments", entry, officer());
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_NE(r.body.find("no_active_grant"), std::string::npos) << r.body;

    // Grant, then the holder's consent: the entry takes the register's next number.
    r = post("/api/burials/graves/" + std::to_string(empty) + "/grants",
             {{"deed_number", "TEST/2026/1"},
              {"granted_on", "2026-11-15"},
              {"holders", {{{"full_name", "Testy Q. Holder"}}}}},
             officer());
    ASSERT_EQ(r.status, 201) << r.body;
    const auto holder = sql_int("SELECT h.id FROM burial_grant_holders h JOIN burial_grants g ON "
                                "g.id = h.grant_id WHERE g.deed_number = 'TEST/2026/1'");
    auto with_consent = entry;
    with_consent["consent_holder_id"] = holder;
    with_consent["consent_on"] = "2026-11-16";
    const auto next = sql_int("SELECT max(register_number) + 1 FROM interments i JOIN "
                              "grave_spaces g ON g.id = i.grave_id JOIN grave_spaces e ON "
                              "e.cemetery_id = g.cemetery_id WHERE e.id = " +
                              std::to_string(empty));
    r = post("/api/burials/graves/" + std::to_string(empty) + "/interments", with_consent,
             officer());
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(json::parse(r.body)["register_number"], next);
    // A bad body is a 400 naming the field.
    auto bad = with_consent;
    bad["died_on"] = "2026-11-25";
    r = post("/api/burials/graves/" + std::to_string(empty) + "/interments", bad, officer());
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find("buried_on"), std::string::npos) << r.body;
}

/// Every "Forename X. Surname" in `text` (the shape every demo holder's name has).
std::vector<std::string> initialled_names(const std::string& text) {
    std::vector<std::string> out;
    const auto is_word = [](char c) {
        return std::isalpha(static_cast<unsigned char>(c)) || c == '\'' || c == '-';
    };
    for (std::size_t i = 1; i + 3 < text.size(); ++i) {
        if (text[i - 1] != ' ' || !std::isupper(static_cast<unsigned char>(text[i])) ||
            text[i + 1] != '.' || text[i + 2] != ' ') {
            continue;
        }
        std::size_t a = i - 1;
        while (a > 0 && is_word(text[a - 1])) {
            --a;
        }
        std::size_t b = i + 3;
        while (b < text.size() && is_word(text[b])) {
            ++b;
        }
        if (a < i - 1 && b > i + 3) {
            out.push_back(text.substr(a, b - a));
        }
    }
    return out;
}

TEST_F(BurialsApi, NoPublicRouteShowsAGrantHoldersName) {
    std::set<std::string> holders;
    {
        auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
        auto st = db.prepare("SELECT full_name FROM burial_grant_holders");
        while (st.step()) {
            holders.insert(std::string(st.text(0)));
        }
    }
    ASSERT_GT(holders.size(), 1000U);
    // The scanner finds a holder's name where one is (the staff view shows them).
    const auto staff =
        get("/api/burials/graves/" +
                std::to_string(sql_int("SELECT grave_id FROM burial_grants LIMIT 1")),
            officer());
    bool seen = false;
    for (const auto& n : initialled_names(staff.body)) {
        seen = seen || holders.count(n) > 0;
    }
    ASSERT_TRUE(seen) << "the scan cannot find holders' names at all";

    // Every public GET route of the server's route table, with its parameters filled in.
    testing::TempDir routes_dir;
    testing::ServedRoutes served(routes_dir.path());
    std::vector<std::string> collections;
    // The parsed document is kept while it is walked (a range-for over a member of a
    // temporary reads freed memory).
    const auto listed = json::parse(get("/ogc/collections").body);
    for (const auto& c : listed.at("collections")) {
        collections.push_back(c.at("id"));
    }
    const std::string chorley =
        sql_text("SELECT printf('%f,%f,%f,%f', MbrMinX(geom), MbrMinY(geom), MbrMaxX(geom), "
                 "MbrMaxY(geom)) FROM cemeteries WHERE name = 'Chorley Cemetery'");
    const std::map<std::string, std::vector<std::string>> query_for = {
        {"/api/burials/graves/status", {"?bbox=" + chorley}},
        // The most common surname of the holders, a page of 100 of its burials.
        {"/api/burials/search",
         {"?limit=100&name=" + sql_text("SELECT surname FROM interments GROUP BY surname ORDER "
                                        "BY count(*) DESC LIMIT 1")}},
        {"/ogc/collections/:collectionId/items", {"?limit=10000"}},
    };
    int scanned = 0;
    for (const auto& route : served.router().routes()) {
        if (route.method != "GET" ||
            route.options.access.kind != services::RouteAccess::Kind::public_route) {
            continue;
        }
        // Fill each ":name": every collection, else the first feature or a harmless value.
        std::vector<std::string> targets = {""};
        std::size_t start = 1;
        const auto& p = route.pattern;
        while (start <= p.size()) {
            const auto slash = p.find('/', start);
            const auto segment =
                p.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
            std::vector<std::string> values = {segment};
            if (segment == ":collectionId") {
                values = collections;
            } else if (segment.starts_with(":")) {
                values = {"1"};
            } else if (segment == "*") {
                values = {"index.html"};
            }
            std::vector<std::string> next;
            for (const auto& t : targets) {
                for (const auto& v : values) {
                    next.push_back(t + "/" + v);
                }
            }
            targets = std::move(next);
            if (slash == std::string::npos) {
                break;
            }
            start = slash + 1;
        }
        const auto q = query_for.find(route.pattern);
        for (const auto& t : targets) {
            const auto r = get(t + (q == query_for.end() ? "" : q->second.front()));
            ++scanned;
            for (const auto& n : initialled_names(r.body)) {
                EXPECT_EQ(holders.count(n), 0U) << route.pattern << " -> " << t << ": " << n;
            }
        }
    }
    EXPECT_GT(scanned, 30);
}

json search(const std::string& query, std::uint16_t port = 0) {
    const auto r = testing::http_get(port, "/api/burials/search?" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return json::parse(r.body);
}

/// Every result of a search, page after page (100 a page).
std::vector<json> all_results(const std::string& query, std::uint16_t port) {
    std::vector<json> out;
    for (int page = 1; page <= 20; ++page) {
        const auto doc = search(query + "&limit=100&page=" + std::to_string(page), port);
        for (const auto& h : doc["results"]) {
            out.push_back(h);
        }
        if (static_cast<std::int64_t>(out.size()) >= doc["total"].get<std::int64_t>() ||
            doc["results"].empty()) {
            break;
        }
    }
    return out;
}

std::set<std::int64_t> ids_of(const json& doc) {
    std::set<std::int64_t> ids;
    for (const auto& h : doc["results"]) {
        ids.insert(h["id"].get<std::int64_t>());
    }
    return ids;
}

TEST_F(BurialsApi, TheSearchFindsSoundAlikesExactSpellingsFirst) {
    const auto doc = search("name=Smyth&limit=100", server->port());
    ASSERT_GT(doc["total"].get<int>(), 0) << doc.dump();
    const auto every = all_results("name=Smyth", server->port());
    EXPECT_EQ(static_cast<std::int64_t>(every.size()), doc["total"].get<std::int64_t>());
    std::set<std::string> surnames;
    bool sounds_like_seen = false;
    for (const auto& h : every) {
        surnames.insert(h["surname"].get<std::string>());
        // Exact spellings come first, then sound-alikes.
        if (h["match"] == "sounds_like") {
            sounds_like_seen = true;
        } else {
            EXPECT_FALSE(sounds_like_seen) << h.dump();
            EXPECT_EQ(h["surname"], "Smyth");
        }
    }
    EXPECT_TRUE(surnames.count("Smith")) << doc.dump();
    EXPECT_EQ(surnames, (std::set<std::string>{"Smith", "Smyth"}));
    // Every match, exact ones and sound-alikes, is counted.
    EXPECT_EQ(doc["total"].get<std::int64_t>(),
              sql_int("SELECT count(*) FROM interments i JOIN grave_spaces g ON g.id = "
                      "i.grave_id JOIN cemetery_sections s ON s.id = g.section_id WHERE "
                      "i.surname IN ('Smith', 'Smyth') AND i.buried_on <= date('now', '-30 "
                      "days') AND i.stillborn = 0 AND g.grave_type <> 'baby' AND s.kind <> "
                      "'baby' AND NOT (coalesce(i.age_years, 0) = 0 AND coalesce(i.age_months, "
                      "0) < 12 AND (i.age_years IS NOT NULL OR i.age_months IS NOT NULL OR "
                      "i.age_weeks IS NOT NULL OR i.age_days IS NOT NULL))"));
    // Each variant finds the other.
    for (const auto& [asked, other] :
         std::vector<std::pair<std::string, std::string>>{{"Macdonald", "McDonald"},
                                                          {"McDonald", "Macdonald"},
                                                          {"Thomson", "Thompson"},
                                                          {"Ainscow", "Ainscough"}}) {
        std::set<std::string> found;
        for (const auto& h : all_results("name=" + asked, server->port())) {
            found.insert(h["surname"].get<std::string>());
        }
        EXPECT_TRUE(found.count(other)) << asked;
    }
    // A forename narrows; each result has the public fields and nothing else.
    const auto john = search("name=John%20Smith&limit=100", server->port());
    ASSERT_GT(john["total"].get<int>(), 0);
    EXPECT_LT(john["total"].get<int>(), doc["total"].get<int>());
    for (const auto& h : john["results"]) {
        EXPECT_NE(h["forenames"].get<std::string>().find("John"), std::string::npos) << h.dump();
        std::set<std::string> keys;
        for (const auto& [k, v] : h.items()) {
            keys.insert(k);
        }
        EXPECT_EQ(keys, (std::set<std::string>{"id", "forenames", "surname", "age", "died_on",
                                               "buried_on", "cemetery", "section", "grave", "match",
                                               "disinterred"}));
        EXPECT_EQ(h["grave"]["point"]["type"], "Point");
    }
    // Year range and cemetery.
    const auto old = search("name=Smith&year_from=1926&year_to=1950&cemetery=Chorley%20Cemetery"
                            "&limit=100",
                            server->port());
    for (const auto& h : old["results"]) {
        EXPECT_LE(h["buried_on"].get<std::string>(), "1950-12-31");
        EXPECT_EQ(h["cemetery"]["name"], "Chorley Cemetery");
    }
}

TEST_F(BurialsApi, TheSearchPagesKeepTheOrderOfTheWideJoin) {
    // 0026 made the search read only its key rows; pages 1 and 2 must be what the query over
    // the interments and graves before it gave (run here on the same store): exact spellings
    // first, then surname, forenames, burial date, id, with the same filters.
    const auto escaped = [](std::string t) {
        for (std::size_t k = 0; (k = t.find(' ', k)) != std::string::npos;) {
            t.replace(k, 1, "%20");
        }
        return t;
    };
    std::vector<std::pair<std::string, std::string>> asked = {
        {"Smyth", ""}, {"Smith", ""}, {"John Smith", ""}, {"Eliz Taylor", ""}, {"Ainscow", ""}};
    asked.emplace_back("Smith", sql_text("SELECT min(id) FROM cemeteries"));
    // A surname of several words has several keys (each word's and the whole one's).
    const auto several =
        sql_text("SELECT surname FROM interments WHERE surname LIKE '%-%' OR surname LIKE '% %' "
                 "ORDER BY id LIMIT 1");
    if (!several.empty()) {
        asked.emplace_back(several, "");
    }
    int compared = 0;
    for (const auto& [name, cemetery] : asked) {
        std::vector<std::int64_t> expected;
        for (const auto& [id, exact] : wide_join_order(name, cemetery, 40)) {
            expected.push_back(id);
        }
        std::vector<std::int64_t> got;
        for (int page = 1; page <= 2; ++page) {
            const auto doc =
                search("limit=20&page=" + std::to_string(page) + "&name=" + escaped(name) +
                           (cemetery.empty() ? "" : "&cemetery=" + cemetery),
                       server->port());
            for (const auto& h : doc["results"]) {
                got.push_back(h["id"].get<std::int64_t>());
            }
        }
        EXPECT_EQ(got, expected) << name << " " << cemetery;
        compared += static_cast<int>(expected.size());
    }
    EXPECT_GT(compared, 100);
}

TEST_F(BurialsApi, EveryPageOfEveryLimitIsTheWideJoinsSlice) {
    // 0027 reads the exact spellings and then the sound-alikes as two index ranges that stop
    // after the page: whatever the limit, the pages (across the turn from exact to sound-alike
    // too) are the old query's answer cut into slices, with the same `match`, and `total`
    // (under the cap here) is every match on each page and 0 past the last.
    std::vector<std::pair<std::string, std::string>> asked = {
        {"Smyth", ""}, {"Smith", ""}, {"John Smith", ""}, {"Eliz Taylor", ""}, {"Ainscow", ""}};
    asked.emplace_back("Taylor", sql_text("SELECT max(id) FROM cemeteries"));
    int turns = 0;
    for (const auto& [name, cemetery] : asked) {
        const auto expected = wide_join_order(name, cemetery, -1);
        ASSERT_FALSE(expected.empty()) << name;
        for (const int limit : {1, 3, 7, 20, 100}) {
            std::vector<std::pair<std::int64_t, bool>> got;
            for (int page = 1; page <= 1000; ++page) {
                std::string query = "limit=" + std::to_string(limit) +
                                    "&page=" + std::to_string(page) + "&name=" + name;
                for (std::size_t k = 0; (k = query.find(' ', k)) != std::string::npos;) {
                    query.replace(k, 1, "%20");
                }
                const auto doc = search(query + (cemetery.empty() ? "" : "&cemetery=" + cemetery),
                                        server->port());
                EXPECT_EQ(doc["total_capped"], false) << query;
                if (doc["results"].empty()) {
                    EXPECT_EQ(doc["total"], 0) << query;
                    break;
                }
                EXPECT_EQ(doc["total"].get<std::size_t>(), expected.size()) << query;
                for (const auto& h : doc["results"]) {
                    got.emplace_back(h["id"].get<std::int64_t>(), h["match"] == "exact");
                }
            }
            EXPECT_EQ(got, expected) << name << " " << cemetery << " limit " << limit;
        }
        for (std::size_t k = 1; k < expected.size(); ++k) {
            turns += expected[k - 1].second && !expected[k].second ? 1 : 0;
        }
    }
    EXPECT_GE(turns, 3); // most of the names have exact matches and sound-alikes
}

TEST_F(BurialsApi, TheTotalIsCountedUpToTheCap) {
    // --burial-search-count-cap: past it `total` is the cap and `total_capped` says there are
    // more; the pages go on and are the same as without the cap.
    testing::ServerProcess capped(db_path, {"--no-access-log", "--burial-search-count-cap", "5"});
    const auto all = wide_join_order("Smith", "", -1);
    ASSERT_GT(all.size(), 30U);
    for (const int page : {1, 2, 3}) {
        const std::string query = "name=Smith&limit=10&page=" + std::to_string(page);
        const auto doc = search(query, capped.port());
        EXPECT_EQ(doc["total"], 5) << query;
        EXPECT_EQ(doc["total_capped"], true) << query;
        const auto plain = search(query, server->port());
        EXPECT_EQ(plain["total"].get<std::size_t>(), all.size()) << query;
        EXPECT_EQ(plain["total_capped"], false) << query;
        EXPECT_EQ(doc["results"], plain["results"]) << query;
    }
    // A last page known to end past the cap is capped too; a count under it is exact.
    const auto last =
        search("name=Smith&limit=100&page=" + std::to_string(all.size() / 100 + 1), capped.port());
    ASSERT_FALSE(last["results"].empty());
    EXPECT_EQ(last["total"], 5);
    EXPECT_EQ(last["total_capped"], true);
    const auto few = wide_join_order("Eliz Taylor", "", -1);
    ASSERT_GT(few.size(), 0U);
    if (few.size() <= 5) {
        const auto doc = search("name=Eliz%20Taylor", capped.port());
        EXPECT_EQ(doc["total"].get<std::size_t>(), few.size());
        EXPECT_EQ(doc["total_capped"], false);
    }
}

TEST_F(BurialsApi, TheSearchKeyRowsCarryTheirIntermentsFactsFromEveryPath) {
    // Written by the demo's indexing (and the staff route in the tests above): each key row
    // holds what interment_search_facts (0026) derives from its interment and grave.
    const std::string differing =
        "SELECT count(*) FROM interment_name_keys k JOIN interment_names n ON n.interment_id = "
        "k.interment_id JOIN interment_search_facts f ON f.interment_id = k.interment_id WHERE "
        "k.surname_spelling IS NOT n.surname_spelling OR k.forename_spellings IS NOT "
        "n.forename_spellings OR k.forename_keys IS NOT n.forename_keys OR k.surname IS NOT "
        "f.surname OR k.forenames IS NOT f.forenames OR k.buried_on IS NOT f.buried_on OR "
        "k.cemetery_id IS NOT f.cemetery_id OR k.grave_id IS NOT f.grave_id OR k.infant IS NOT "
        "f.infant";
    EXPECT_GT(sql_int("SELECT count(*) FROM interment_name_keys"), 1000);
    EXPECT_GT(sql_int("SELECT count(*) FROM interment_name_keys WHERE infant = 1"), 0);
    EXPECT_EQ(sql_int(differing), 0);

    // A store of 0025 whose keys were written without the facts (nor 0027's indexes, nor what
    // later migrations made): 0026 backfills them, and its triggers follow a section that becomes a
    // baby garden.
    testing::TempDir copy_dir;
    const auto copy = copy_dir.path() / "old.sqlite";
    {
        auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
        db.exec("VACUUM INTO '" + copy.string() + "'");
    }
    {
        auto db = store::Database::open(copy);
        db.exec("DROP INDEX interment_name_keys_exact_order; DROP INDEX "
                "interment_name_keys_order; DROP TRIGGER interment_search_facts_grave; DROP "
                "TRIGGER interment_search_facts_section; DROP TRIGGER "
                "interment_search_facts_interment; DROP VIEW interment_search_facts");
        for (const char* c : {"surname_spelling", "forename_spellings", "forename_keys", "surname",
                              "forenames", "buried_on", "cemetery_id", "grave_id", "infant"}) {
            db.exec(std::string("ALTER TABLE interment_name_keys DROP COLUMN ") + c);
        }
        drop_objects_after(db, 27);
        db.exec("PRAGMA user_version = 25");
    }
    EXPECT_EQ(store::migrate(copy).from_version, 25);
    auto db = store::Database::open(copy);
    EXPECT_EQ(db.query_int(differing), 0);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM interment_name_keys WHERE buried_on = ''"), 0);
    // 0027's ordered indexes are made over the backfilled rows.
    EXPECT_EQ(db.query_int("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN "
                           "('interment_name_keys_exact_order', 'interment_name_keys_order')"),
              2);
    const auto section = db.query_int(
        "SELECT g.section_id FROM interment_name_keys k JOIN grave_spaces g ON g.id = k.grave_id "
        "WHERE k.infant = 0 ORDER BY k.interment_id LIMIT 1");
    ASSERT_TRUE(section);
    db.exec("UPDATE cemetery_sections SET kind = 'baby' WHERE id = " + std::to_string(*section));
    EXPECT_EQ(db.query_int("SELECT count(*) FROM interment_name_keys k JOIN grave_spaces g ON "
                           "g.id = k.grave_id WHERE k.infant = 0 AND g.section_id = " +
                           std::to_string(*section)),
              0);
    EXPECT_EQ(db.query_int(differing), 0);
}

TEST_F(BurialsApi, TheSearchShowsNothingOfTheLivingOrTheFuneral) {
    // Everything a result could leak: funeral directors, ministers, last addresses,
    // parents' names, holders (none of them is in any result's text).
    std::set<std::string> secret;
    {
        auto db = store::Database::open(db_path, {.mode = store::OpenMode::read_only});
        auto st = db.prepare(
            "SELECT funeral_director FROM interments UNION SELECT officiating_minister FROM "
            "interments UNION SELECT last_address FROM interments UNION SELECT parents_names "
            "FROM interments UNION SELECT full_name FROM burial_grant_holders");
        while (st.step()) {
            if (!st.is_null(0)) {
                secret.insert(std::string(st.text(0)));
            }
        }
    }
    ASSERT_GT(secret.size(), 100U);
    int results = 0;
    for (const char* name : {"Smith", "Ainscough", "Taylor", "Hussain", "Pilkington"}) {
        const auto doc = search(std::string("limit=100&name=") + name, server->port());
        const std::string body = doc.dump();
        results += static_cast<int>(doc["results"].size());
        for (const auto& s : secret) {
            EXPECT_EQ(body.find(s), std::string::npos) << name << ": " << s;
        }
    }
    EXPECT_GT(results, 100);
}

TEST_F(BurialsApi, TheSearchHidesRecentBurialsAndInfants) {
    // Public graves (no grant needed) with a coffin space left: one burial in each.
    const auto grave_with_space = [](int k) {
        return sql_int("SELECT g.id FROM grave_spaces g JOIN cemetery_sections s ON s.id = "
                       "g.section_id WHERE g.grave_type = 'public' AND s.kind <> 'baby' AND "
                       "g.unavailable_reason IS NULL AND g.prior_coffins + (SELECT count(*) FROM "
                       "interments i WHERE i.grave_id = g.id AND i.kind = 'coffin') < "
                       "g.max_coffins AND NOT EXISTS (SELECT 1 FROM grave_status_overrides o "
                       "WHERE o.grave_id = g.id) ORDER BY g.id LIMIT 1 OFFSET " +
                       std::to_string(k));
    };
    int graves_used = 0;
    const auto days_ago = [](int n) {
        return sql_text("SELECT date('now', '-" + std::to_string(n) + " days')");
    };
    const auto bury = [&](const json& extra) {
        json entry = {{"kind", "coffin"}, {"forenames", "Quentin"}};
        entry.update(extra);
        const auto grave = grave_with_space(graves_used++);
        EXPECT_GT(grave, 0);
        const auto r =
            post("/api/burials/graves/" + std::to_string(grave) + "/interments", entry, officer());
        EXPECT_EQ(r.status, 201) << r.body;
        return json::parse(r.body).value("id", std::int64_t{0});
    };
    const auto recent =
        bury({{"surname", "Zebedeeworth"}, {"buried_on", days_ago(10)}, {"age_years", 80}});
    const auto older =
        bury({{"surname", "Zebedeeworth"}, {"buried_on", days_ago(40)}, {"age_years", 81}});
    const auto stillborn =
        bury({{"surname", "Zebedeeworth"}, {"buried_on", days_ago(60)}, {"stillborn", true}});
    const auto baby =
        bury({{"surname", "Zebedeworth"}, {"buried_on", days_ago(70)}, {"age_months", 3}});
    // Default policy: 30 days' embargo, infants left out.
    auto doc = search("name=Zebedeeworth", server->port());
    EXPECT_EQ(ids_of(doc), (std::set<std::int64_t>{older})) << doc.dump();
    EXPECT_EQ(doc["results"][0]["age"], "81 years");
    // The demo's own burials of the last 30 days and its baby garden are not shown either.
    const auto latest = sql_text("SELECT surname FROM interments WHERE entered_by = 'demo-data' "
                                 "ORDER BY buried_on DESC LIMIT 1");
    doc = search("limit=100&name=" + latest, server->port());
    for (const auto& h : doc["results"]) {
        EXPECT_LE(h["buried_on"].get<std::string>(), days_ago(30)) << h.dump();
    }
    const auto in_baby_garden = sql_int(
        "SELECT i.id FROM interments i JOIN grave_spaces g ON g.id = i.grave_id JOIN "
        "cemetery_sections s ON s.id = g.section_id WHERE s.kind = 'baby' AND i.buried_on < "
        "date('now', '-60 days') ORDER BY i.id LIMIT 1");
    ASSERT_GT(in_baby_garden, 0);
    // Its name, year and cemetery narrow the search to a page.
    const auto narrow = sql_text(
        "SELECT 'limit=100&name=' || replace(i.surname, ' ', '%20') || '&year_from=' || "
        "substr(i.buried_on, 1, 4) || '&year_to=' || substr(i.buried_on, 1, 4) || '&cemetery=' "
        "|| g.cemetery_id FROM interments i JOIN grave_spaces g ON g.id = i.grave_id WHERE i.id "
        "= " +
        std::to_string(in_baby_garden));
    EXPECT_FALSE(ids_of(search(narrow, server->port())).count(in_baby_garden));

    // With the embargo off and infants shown (a second server over the same store).
    testing::ServerProcess open(db_path, {"--no-access-log", "--burial-search-embargo-days", "0",
                                          "--burial-search-exclude-infants", "false"});
    doc = search("name=Zebedeeworth", open.port());
    EXPECT_EQ(ids_of(doc), (std::set<std::int64_t>{recent, older, stillborn, baby})) << doc.dump();
    EXPECT_EQ(doc["embargo_days"], 0);
    EXPECT_EQ(doc["infants_excluded"], false);
    bool stillborn_shown = false;
    for (const auto& h : doc["results"]) {
        stillborn_shown = stillborn_shown || h["age"] == "stillborn";
    }
    EXPECT_TRUE(stillborn_shown);
    EXPECT_TRUE(ids_of(search(narrow, open.port())).count(in_baby_garden)) << narrow;
}

TEST_F(BurialsApi, BadSearchesAre400NamingTheField) {
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"", "name"},
        {"name=", "name"},
        {"name=J", "name"},
        {"name=%2C%2C", "name"},
        {"name=Smith&year_from=1990&year_to=1950", "year_to"},
        {"name=Smith&year_from=19x0", "year_from"},
        {"name=Smith&year_to=100", "year_to"},
        {"name=Smith&cemetery=Nowhere%20Park", "cemetery"},
        {"name=Smith&cemetery=999999", "cemetery"},
        {"name=Smith&limit=0", "limit"},
        {"name=Smith&limit=101", "limit"},
        {"name=Smith&page=0", "page"},
        {"name=Smith&colour=red", "colour"},
        {"name=" + std::string(300, 'a'), "name"},
    };
    for (const auto& [query, field] : bad) {
        const auto r = get("/api/burials/search?" + query);
        EXPECT_EQ(r.status, 400) << query << ": " << r.body;
        EXPECT_EQ(r.header("content-type"), "application/problem+json") << query;
        EXPECT_NE(r.body.find("\"" + field + "\""), std::string::npos) << query << ": " << r.body;
    }
    // A cemetery by id works as by name.
    const auto id = sql_int("SELECT id FROM cemeteries WHERE name = 'Chorley Cemetery'");
    EXPECT_EQ(search("name=Smith&cemetery=" + std::to_string(id), server->port())["total"],
              search("name=Smith&cemetery=chorley%20cemetery", server->port())["total"]);
}

} // namespace
} // namespace wardmap
