// Bookings of burials over real HTTP against the demo borough (docs/burials.md "Bookings"):
// a funeral director books a slot, uploads the documents, the bereavement officer confirms
// (a grave-digging visit on the grounds crew's day) or refuses, the interment completes it;
// every 409 and 400 reason; two bookings of one slot sent at once (one wins); firm isolation
// (another firm's booking and documents answer 404) and nothing of a booking on public routes.

#include "core/dates.hpp"
#include "core/working_days.hpp"

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/signed_in.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace wardmap {
namespace {

using nlohmann::json;
using testing::HttpResponse;

using testing::Credentials;

const std::string pdf = "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

class BookingsApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        ASSERT_TRUE(testing::make_demo_store(db_path));
        // A second firm's funeral director, added as an admin does it.
        std::string out;
        ASSERT_EQ(testing::run_wardmap({"users", "add", "fd.b@example.test", "--name", "Bo Other",
                                        "--role", "funeral_director", "--firm", "Other Firm Ltd",
                                        "--db", db_path.string()},
                                       &out, {"WARDMAP_PASSWORD=Other-firm-pass-9"}),
                  0)
            << out;
        EXPECT_NE(out.find("funeral_director(Other Firm Ltd)"), std::string::npos) << out;
        server = new testing::ServerProcess(db_path, {"--no-access-log"});
        // Bookings are made at least a week ahead, on working days.
        auto d = core::add_working_days(core::today_utc(), 7);
        day1 = d.iso();
        day2 = core::add_working_days(d, 1).iso();
        day3 = core::add_working_days(d, 2).iso();
        cemetery = sql_int("SELECT id FROM cemeteries WHERE name = 'Chorley Cemetery'");
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
    static Credentials firm_a() {
        static const auto c = sign_in("funeral.director@demo.wardmap.test", "Demo-funeral-1");
        return c;
    }
    static Credentials firm_b() {
        static const auto c = sign_in("fd.b@example.test", "Other-firm-pass-9");
        return c;
    }
    static HttpResponse get(const std::string& target, const Credentials& who = {}) {
        return testing::get_as(server->port(), target, who);
    }
    static HttpResponse post(const std::string& target, const json& body, const Credentials& who) {
        return testing::send_json_as(server->port(), "POST", target, body, who);
    }
    static HttpResponse upload(std::int64_t booking,
                               const std::string& kind,
                               const std::string& bytes,
                               const Credentials& who,
                               const std::string& type = "application/pdf") {
        const std::string b = "----wardmapBoundary7";
        std::string body = "--" + b + "\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n" +
                           kind + "\r\n--" + b +
                           "\r\nContent-Disposition: form-data; name=\"file\"; "
                           "filename=\"" +
                           kind + ".pdf\"\r\nContent-Type: " + type + "\r\n\r\n" + bytes +
                           "\r\n--" + b + "--\r\n";
        return testing::http_request(
            server->port(), "POST",
            "/api/burials/bookings/" + std::to_string(booking) + "/documents", body,
            {{"Content-Type", "multipart/form-data; boundary=" + b},
             {"Cookie", who.cookie},
             {"X-CSRF-Token", who.csrf_token}});
    }
    static std::int64_t sql_int(const std::string& sql) { return testing::sql_int(db_path, sql); }
    static std::string sql_text(const std::string& sql) { return testing::sql_text(db_path, sql); }
    /// A grave of Chorley Cemetery with this derived status on `on` (and grave type when
    /// given), not used by another test: each call skips the ones it gave before.
    static std::string grave_with(const std::string& status,
                                  const std::string& on,
                                  const std::string& type = "",
                                  int min_coffins = 0) {
        const std::string box =
            sql_text("SELECT printf('%f,%f,%f,%f', MbrMinX(geom), MbrMinY(geom), MbrMaxX(geom), "
                     "MbrMaxY(geom)) FROM cemeteries WHERE id = " +
                     std::to_string(cemetery));
        const auto doc =
            json::parse(get("/api/burials/graves/status?bbox=" + box + "&on=" + on).body);
        for (const auto& g : doc["graves"]) {
            const std::string number = g["grave_number"];
            if (g["status"] != status || used.count(number) != 0) {
                continue;
            }
            if (!type.empty() &&
                sql_text("SELECT grave_type FROM grave_spaces WHERE cemetery_id = " +
                         std::to_string(cemetery) + " AND grave_number = '" + number + "'") !=
                    type) {
                continue;
            }
            if (min_coffins > 0 &&
                sql_int("SELECT max_coffins FROM grave_spaces WHERE cemetery_id = " +
                        std::to_string(cemetery) + " AND grave_number = '" + number + "'") <
                    min_coffins) {
                continue;
            }
            // A grave refused for its right must have a coffin space left (else grave_full).
            if (status == "right_expired" || status == "available" || status == "reserved") {
                const auto record = json::parse(
                    get("/api/burials/graves/" + std::to_string(g_id(number)), officer()).body);
                if (record["capacity"]["coffins_used"].get<int>() >=
                    record["capacity"]["coffins"].get<int>()) {
                    continue;
                }
            }
            // Not a grave the demo's bookings hold.
            if (sql_int("SELECT count(*) FROM burial_slot_holds h JOIN grave_spaces g ON g.id = "
                        "h.grave_id WHERE h.released_at IS NULL AND g.grave_number = '" +
                        number + "' AND g.cemetery_id = " + std::to_string(cemetery)) > 0) {
                continue;
            }
            used.insert(number);
            return number;
        }
        ADD_FAILURE() << "no " << status << " " << type << " grave on " << on;
        return {};
    }
    static std::int64_t g_id(const std::string& number) {
        return sql_int("SELECT id FROM grave_spaces WHERE grave_number = '" + number +
                       "' AND cemetery_id = " + std::to_string(cemetery));
    }
    static std::string deed_of(const std::string& grave, const std::string& on) {
        return sql_text("SELECT gr.deed_number FROM burial_grants gr JOIN grave_spaces g ON g.id "
                        "= gr.grave_id WHERE g.grave_number = '" +
                        grave + "' AND g.cemetery_id = " + std::to_string(cemetery) +
                        " AND gr.granted_on <= '" + on + "' ORDER BY gr.granted_on DESC LIMIT 1");
    }
    static json booking(const std::string& date,
                        const std::string& time,
                        const std::string& surname = "Quillfeather") {
        return {{"cemetery_id", cemetery}, {"date", date},       {"time", time},
                {"surname", surname},      {"forenames", "Ida"}, {"died_on", day0()},
                {"age_years", 88}};
    }
    static std::string day0() { return core::today_utc().iso(); }
    static std::string reason_of(const HttpResponse& r) {
        const auto doc = json::parse(r.body, nullptr, false);
        if (doc.is_object() && doc.contains("errors")) {
            for (const auto& e : doc["errors"]) {
                if (e.value("name", "") == "reason") {
                    return e.value("message", "");
                }
            }
            return doc["errors"][0].value("name", "");
        }
        return {};
    }

    static testing::TempDir* tmp;
    static std::filesystem::path db_path;
    static testing::ServerProcess* server;
    static std::string day1, day2, day3;
    static std::int64_t cemetery;
    static std::set<std::string> used;
};
testing::TempDir* BookingsApi::tmp = nullptr;
std::filesystem::path BookingsApi::db_path;
testing::ServerProcess* BookingsApi::server = nullptr;
std::string BookingsApi::day1, BookingsApi::day2, BookingsApi::day3;
std::int64_t BookingsApi::cemetery = 0;
std::set<std::string> BookingsApi::used;

TEST_F(BookingsApi, AFirmBooksUploadsAndTheOfficerConfirmsThenTheBurialCompletesIt) {
    const std::string grave = grave_with("reserved", day1, "private");
    json body = booking(day1, "10:30");
    body["grave_number"] = grave;
    body["deed_number"] = deed_of(grave, day1);
    auto r = post("/api/burials/bookings", body, firm_a());
    ASSERT_EQ(r.status, 201) << r.body;
    const std::int64_t id = json::parse(r.body)["id"];

    // The slot is no longer offered.
    const auto slots = json::parse(
        get("/api/burials/slots?cemetery=" + std::to_string(cemetery) + "&date=" + day1, firm_a())
            .body);
    ASSERT_FALSE(slots["slots"].empty());
    for (const auto& s : slots["slots"]) {
        EXPECT_EQ(s["free"], s["time"] != "10:30") << s.dump();
    }

    // Without documents: which are missing.
    r = post("/api/burials/bookings/" + std::to_string(id) + "/confirm", json::object(), officer());
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(reason_of(r), "missing_document");
    EXPECT_NE(r.body.find("green_form or coroners_order, deed, owner_consent"), std::string::npos)
        << r.body;
    // A file that is not what it says is refused; the firm's real ones are kept.
    r = upload(id, "green_form", "GIF89a not a pdf", firm_a());
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(upload(id, "green_form", pdf, firm_a()).status, 201);
    EXPECT_EQ(upload(id, "deed", pdf, firm_a()).status, 201);
    r = post("/api/burials/bookings/" + std::to_string(id) + "/confirm", json::object(), officer());
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_NE(r.body.find("lacks: owner_consent"), std::string::npos) << r.body;
    r = upload(id, "owner_consent", pdf, firm_a());
    ASSERT_EQ(r.status, 201) << r.body;
    const std::string doc_url = r.header("location");

    r = post("/api/burials/bookings/" + std::to_string(id) + "/confirm", json::object(), officer());
    ASSERT_EQ(r.status, 200) << r.body;
    auto doc = json::parse(get("/api/burials/bookings/" + std::to_string(id), firm_a()).body);
    EXPECT_EQ(doc["status"], "confirmed");
    EXPECT_EQ(doc["documents"].size(), 3U);
    ASSERT_EQ(doc["events"].size(), 2U);
    const std::int64_t visit = doc["events"][1]["visit_id"];
    // The grave-digging visit is on a crew's day, on the burial's date.
    EXPECT_EQ(sql_text("SELECT r.activity || ' ' || v.planned_date FROM schedule_visits v JOIN "
                       "schedule_rounds r ON r.id = v.round_id WHERE v.id = " +
                       std::to_string(visit)),
              "dig_grave " + day1);
    // Both the firm and the officer fetch the document; its bytes are the upload's.
    r = get(doc_url, firm_a());
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, pdf);
    EXPECT_EQ(r.header("content-type"), "application/pdf");
    EXPECT_EQ(get(doc_url, officer()).status, 200);

    // The burial entered with the booking completes it.
    const std::int64_t grave_id = doc["grave_id"];
    const std::int64_t holder =
        sql_int("SELECT h.id FROM burial_grant_holders h JOIN burial_grants gr ON gr.id = "
                "h.grant_id WHERE gr.grave_id = " +
                std::to_string(grave_id) + " AND h.held_to IS NULL ORDER BY h.id LIMIT 1");
    r = post("/api/burials/graves/" + std::to_string(grave_id) + "/interments",
             {{"buried_on", day1},
              {"surname", "Quillfeather"},
              {"died_on", day0()},
              {"consent_holder_id", holder},
              {"consent_on", day0()},
              {"booking_id", id}},
             officer());
    ASSERT_EQ(r.status, 201) << r.body;
    doc = json::parse(get("/api/burials/bookings/" + std::to_string(id), officer()).body);
    EXPECT_EQ(doc["status"], "completed");
    // A booking completed cannot be withdrawn.
    r = post("/api/burials/bookings/" + std::to_string(id) + "/withdraw", json::object(), firm_a());
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(reason_of(r), "booking_closed");
}

TEST_F(BookingsApi, EachRefusalNamesItsReason) {
    const auto expect = [&](json body, int status, const std::string& reason) {
        const auto r = post("/api/burials/bookings", body, firm_a());
        EXPECT_EQ(r.status, status) << body.dump() << " -> " << r.body;
        EXPECT_EQ(reason_of(r), reason) << r.body;
        EXPECT_EQ(r.header("content-type"), "application/problem+json");
    };
    json b = booking(day2, "09:30");
    b["grave_number"] = grave_with("full", day2);
    expect(b, 409, "grave_full");
    b["grave_number"] = grave_with("right_expired", day2, "private");
    expect(b, 409, "right_expired");
    b["grave_number"] = grave_with("available", day2, "private");
    expect(b, 409, "no_active_grant");

    // slot_taken and grave_booked.
    const std::string reserved = grave_with("reserved", day2, "private", 2);
    b["grave_number"] = reserved;
    b["deed_number"] = deed_of(reserved, day2);
    ASSERT_EQ(post("/api/burials/bookings", b, firm_a()).status, 201);
    json other = booking(day2, "09:30");
    other["new_section_id"] =
        sql_int("SELECT id FROM cemetery_sections WHERE cemetery_id = " + std::to_string(cemetery) +
                " LIMIT 1");
    other["new_grave_type"] = "private";
    expect(other, 409, "slot_taken");
    b["time"] = "11:30";
    expect(b, 409, "grave_booked");

    // 400s name the field.
    json bad = booking(day3, "09:30");
    bad["grave_number"] = reserved;
    bad.erase("surname");
    expect(bad, 400, "surname");
    bad = other;
    bad["time"] = "09:31";
    expect(bad, 400, "time");
    bad = other;
    bad["date"] = "2031-02-30";
    expect(bad, 400, "date");
    bad = other;
    // A Saturday.
    auto sat = core::days_since_epoch(core::today_utc()) + 7;
    while (core::weekday(core::date_from_days(sat)) != 5) {
        ++sat;
    }
    bad["date"] = core::date_from_days(sat).iso();
    expect(bad, 400, "date");
    bad = other;
    bad["died_on"] = core::date_from_days(core::days_since_epoch(core::today_utc()) + 400).iso();
    expect(bad, 400, "died_on");
    bad = other;
    bad["colour"] = "black";
    expect(bad, 400, "colour");
    bad = other;
    bad["grave_number"] = reserved;
    expect(bad, 400, "grave_number"); // both an existing and a new grave
    bad = booking(day3, "09:30");
    bad["grave_number"] = grave_with("reserved", day3, "private");
    bad["deed_number"] = "NOT-THE-DEED";
    expect(bad, 400, "deed_number");
    const auto r = testing::http_request(server->port(), "POST", "/api/burials/bookings", "{oops",
                                         {{"Content-Type", "application/json"},
                                          {"Cookie", firm_a().cookie},
                                          {"X-CSRF-Token", firm_a().csrf_token}});
    EXPECT_EQ(r.status, 400);
}

TEST_F(BookingsApi, TwoBookingsOfOneSlotAtOnceOneWins) {
    // The same slot twice, and one grave in two slots of a day, each pair sent at once.
    for (int round = 0; round < 2; ++round) {
        const std::string time = round == 0 ? "13:30" : "12:30";
        json a = booking(day3, time, "Concurrent");
        a["new_section_id"] = sql_int("SELECT id FROM cemetery_sections WHERE cemetery_id = " +
                                      std::to_string(cemetery) + " LIMIT 1");
        a["new_grave_type"] = "private";
        json b = a;
        if (round == 1) {
            const std::string grave = grave_with("reserved", day3, "private", 2);
            a.erase("new_section_id");
            a.erase("new_grave_type");
            a["grave_number"] = grave;
            a["deed_number"] = deed_of(grave, day3);
            b = a;
            b["time"] = "14:30";
        }
        const auto a_creds = firm_a();
        const auto b_creds = firm_b();
        std::atomic<int> ready{0};
        HttpResponse ra, rb;
        std::thread ta([&] {
            ++ready;
            while (ready < 2) {
            }
            ra = post("/api/burials/bookings", a, a_creds);
        });
        std::thread tb([&] {
            ++ready;
            while (ready < 2) {
            }
            rb = post("/api/burials/bookings", b, b_creds);
        });
        ta.join();
        tb.join();
        EXPECT_EQ((ra.status == 201) + (rb.status == 201), 1) << ra.body << " / " << rb.body;
        EXPECT_EQ((ra.status == 409) + (rb.status == 409), 1) << ra.body << " / " << rb.body;
        const auto& lost = ra.status == 409 ? ra : rb;
        EXPECT_EQ(reason_of(lost), round == 0 ? "slot_taken" : "grave_booked") << lost.body;
    }
    EXPECT_EQ(sql_int("SELECT count(*) FROM burial_slot_holds WHERE released_at IS NULL AND "
                      "slot_date = '" +
                      day3 + "' AND slot_time = '13:30'"),
              1);
}

TEST_F(BookingsApi, AFirmSeesOnlyItsOwnAndNothingIsPublic) {
    json b = booking(day3, "10:30", "Zebedeeworth");
    b["new_section_id"] =
        sql_int("SELECT id FROM cemetery_sections WHERE cemetery_id = " + std::to_string(cemetery) +
                " LIMIT 1");
    b["new_grave_type"] = "private";
    auto r = post("/api/burials/bookings", b, firm_a());
    ASSERT_EQ(r.status, 201) << r.body;
    const std::string id = std::to_string(json::parse(r.body)["id"].get<std::int64_t>());
    r = upload(std::stoll(id), "green_form", pdf, firm_a());
    ASSERT_EQ(r.status, 201) << r.body;
    const std::string doc_url = r.header("location");

    // Firm B: not in its list, and 404 for the booking, its documents, its withdrawal.
    const auto list_b = json::parse(get("/api/burials/bookings", firm_b()).body);
    for (const auto& x : list_b["bookings"]) {
        EXPECT_EQ(x["firm"], "Other Firm Ltd") << x.dump();
    }
    EXPECT_EQ(get("/api/burials/bookings/" + id, firm_b()).status, 404);
    EXPECT_EQ(get(doc_url, firm_b()).status, 404);
    EXPECT_EQ(upload(std::stoll(id), "deed", pdf, firm_b()).status, 404);
    EXPECT_EQ(post("/api/burials/bookings/" + id + "/withdraw", json::object(), firm_b()).status,
              404);
    // Firm A sees it; the officer sees every firm's, and filters by date and status.
    bool found = false;
    const auto list_a = json::parse(get("/api/burials/bookings", firm_a()).body);
    for (const auto& x : list_a["bookings"]) {
        EXPECT_EQ(x["firm"], "Demo Family Funeral Directors");
        found = found || std::to_string(x["id"].get<std::int64_t>()) == id;
    }
    EXPECT_TRUE(found);
    const auto staff =
        json::parse(get("/api/burials/bookings?date=" + day3 + "&status=requested", officer())
                        .body)["bookings"];
    bool a_seen = false;
    for (const auto& x : staff) {
        EXPECT_EQ(x["date"], day3);
        EXPECT_EQ(x["status"], "requested");
        a_seen = a_seen || x["firm"] == "Demo Family Funeral Directors";
    }
    EXPECT_TRUE(a_seen);
    EXPECT_EQ(get("/api/burials/bookings?status=lost", officer()).status, 400);
    // A funeral director decides nothing and reads no register.
    EXPECT_EQ(post("/api/burials/bookings/" + id + "/confirm", json::object(), firm_a()).status,
              403);
    EXPECT_EQ(get("/api/burials/graves/1", firm_a()).status, 403);
    EXPECT_EQ(get("/api/audit", firm_a()).status, 403);
    // Nobody signed in: 401, and no public route shows the deceased's name.
    EXPECT_EQ(get("/api/burials/bookings").status, 401);
    EXPECT_EQ(get(doc_url).status, 401);
    EXPECT_EQ(get("/api/burials/bookings/" + id).status, 401);
    for (const auto* target : {"/ogc/collections/graves/items?limit=10000", "/ogc/collections",
                               "/api/burials/graves/status?bbox=0,0,1,1"}) {
        const auto pub = get(target);
        EXPECT_EQ(pub.body.find("Zebedeeworth"), std::string::npos) << target;
    }

    // The officer refuses it (with a reason): the slot is offered again; the firm withdraws
    // another.
    EXPECT_EQ(post("/api/burials/bookings/" + id + "/refuse", json::object(), officer()).status,
              400);
    r = post("/api/burials/bookings/" + id + "/refuse", {{"reason", "no green form signed"}},
             officer());
    ASSERT_EQ(r.status, 200) << r.body;
    const auto slots = json::parse(
        get("/api/burials/slots?cemetery=" + std::to_string(cemetery) + "&date=" + day3, firm_b())
            .body);
    for (const auto& s : slots["slots"]) {
        if (s["time"] == "10:30") {
            EXPECT_TRUE(s["free"].get<bool>());
        }
    }
    r = post("/api/burials/bookings/" + id + "/refuse", {{"reason", "again"}}, officer());
    EXPECT_EQ(reason_of(r), "not_requested");
}

TEST_F(BookingsApi, ANewGraveIsPickedAtConfirmation) {
    json b = booking(day2, "13:30");
    b["new_section_id"] = sql_int("SELECT section_id FROM grave_spaces WHERE cemetery_id = " +
                                  std::to_string(cemetery) + " LIMIT 1");
    b["new_grave_type"] = "private";
    b["interment_kind"] = "coffin";
    auto r = post("/api/burials/bookings", b, firm_a());
    ASSERT_EQ(r.status, 201) << r.body;
    const std::string id = std::to_string(json::parse(r.body)["id"].get<std::int64_t>());
    ASSERT_EQ(upload(std::stoll(id), "coroners_order", pdf, firm_a()).status, 201);
    r = post("/api/burials/bookings/" + id + "/confirm", json::object(), officer());
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(reason_of(r), "grave_id");
    const std::string full = grave_with("full", day2);
    r = post("/api/burials/bookings/" + id + "/confirm",
             {{"grave_id", sql_int("SELECT id FROM grave_spaces WHERE grave_number = '" + full +
                                   "' AND cemetery_id = " + std::to_string(cemetery))}},
             officer());
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(reason_of(r), "grave_not_available");
    const std::string free = grave_with("available", day2);
    const auto free_id = sql_int("SELECT id FROM grave_spaces WHERE grave_number = '" + free +
                                 "' AND cemetery_id = " + std::to_string(cemetery));
    r = post("/api/burials/bookings/" + id + "/confirm", {{"grave_id", free_id}}, officer());
    ASSERT_EQ(r.status, 200) << r.body;
    const auto doc = json::parse(get("/api/burials/bookings/" + id, firm_a()).body);
    EXPECT_EQ(doc["status"], "confirmed");
    EXPECT_EQ(doc["grave_id"], free_id);
    EXPECT_EQ(doc["grave_number"], free);
    // The firm withdraws it: the slot and the grave are free again.
    r = post("/api/burials/bookings/" + id + "/withdraw", json::object(), firm_a());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(sql_int("SELECT count(*) FROM burial_slot_holds WHERE released_at IS NULL AND "
                      "booking_id = " +
                      id),
              0);
}

} // namespace
} // namespace wardmap
