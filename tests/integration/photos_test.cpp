// Residents' photos through real HTTP: uploads of JPEG, PNG and WebP (raw body or multipart),
// fakes and oversized bodies refused, EXIF/GPS gone and orientation applied in what is
// served, photos attached to Open311 requests (photo_id or multipart media) showing as
// media_url, private services' photos hidden, tracking and updates listing photos.

#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_images.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <ctime>
#include <regex>
#include <string>

namespace wardmap {
namespace {

using nlohmann::json;
using test::TestImageFormat;
using testing::HttpResponse;

constexpr const char* web_key = "demo-web-key";
constexpr const char* client_key = "demo-client-key";
constexpr const char* staff_key = "demo-staff-key";
constexpr std::size_t max_photo_bytes = 300'000;
constexpr const char* boundary = "----wardmapTestBoundary7MA4YWxk";

using Fields = testing::FormFields;
using testing::form;
using testing::form_encode;

struct FilePart {
    std::string field;
    std::string filename;
    std::string type;
    std::string bytes;
};

std::string multipart(const Fields& fields, const std::vector<FilePart>& files) {
    std::string out;
    for (const auto& [name, value] : fields) {
        out += std::string("--") + boundary + "\r\nContent-Disposition: form-data; name=\"" + name +
               "\"\r\n\r\n" + value + "\r\n";
    }
    for (const auto& f : files) {
        out += std::string("--") + boundary + "\r\nContent-Disposition: form-data; name=\"" +
               f.field + "\"; filename=\"" + f.filename + "\"\r\nContent-Type: " + f.type +
               "\r\n\r\n" + f.bytes + "\r\n";
    }
    return out + "--" + boundary + "--\r\n";
}

std::string multipart_type() {
    return std::string("multipart/form-data; boundary=") + boundary;
}

/// The path of an absolute URL this server gave out (it must be ours).
std::string path_of(const std::string& url) {
    const std::string origin = "http://127.0.0.1";
    EXPECT_TRUE(url.starts_with(origin + "/")) << url;
    return url.substr(origin.size());
}

class Photos : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        tmp = new testing::TempDir();
        db_path = tmp->path() / "demo.sqlite";
        const auto point = testing::make_demo_store(db_path);
        ASSERT_TRUE(point);
        lon = point->lon;
        lat = point->lat;
        server = new testing::ServerProcess(
            db_path, {"--no-access-log", "--max-photo-bytes", std::to_string(max_photo_bytes)});
    }
    static void TearDownTestSuite() {
        delete server;
        delete tmp;
    }

    static HttpResponse
    upload(const std::string& bytes, const std::string& type, const std::string& key = web_key) {
        return testing::http_request(server->port(), "POST", "/api/photos?api_key=" + key, bytes,
                                     {{"Content-Type", type}});
    }
    /// Uploads and returns the 201 body.
    static json uploaded(const std::string& bytes, const std::string& type) {
        const auto r = upload(bytes, type);
        EXPECT_EQ(r.status, 201) << r.body;
        EXPECT_EQ(r.header("content-type"), "application/json");
        return json::parse(r.body);
    }
    static HttpResponse get(const std::string& path) {
        return testing::http_get(server->port(), path);
    }
    static HttpResponse
    open311_post(const std::string& path, const std::string& body, const std::string& type) {
        return testing::http_request(server->port(), "POST", "/open311/v2/" + path, body,
                                     {{"Content-Type", type}});
    }
    static std::string ll(double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.7f", v);
        return buf;
    }
    static Fields litter(const std::string& description) {
        return {{"api_key", client_key},
                {"service_code", "litter"},
                {"lat", ll(lat)},
                {"long", ll(lon)},
                {"email", "resident@example.org"},
                {"description", description}};
    }
    /// Creates a request from a form; returns the 200 body's first item.
    static json create(const Fields& fields) {
        const auto r =
            open311_post("requests.json", form(fields), "application/x-www-form-urlencoded");
        EXPECT_EQ(r.status, 200) << r.body;
        return json::parse(r.body)[0];
    }
    static json problem(const HttpResponse& r, int status) {
        EXPECT_EQ(r.status, status) << r.body;
        EXPECT_EQ(r.header("content-type"), "application/problem+json");
        const auto body = json::parse(r.body);
        EXPECT_EQ(body["status"], status);
        return body;
    }

    static inline testing::TempDir* tmp = nullptr;
    static inline testing::ServerProcess* server = nullptr;
    static inline std::filesystem::path db_path;
    static inline double lon = 0;
    static inline double lat = 0;
};

TEST_F(Photos, UploadsJpegPngAndWebpAndServesReencodedJpegsWithThumbnails) {
    const std::regex hex32("[0-9a-f]{32}");
    const std::vector<std::pair<TestImageFormat, std::string>> formats = {
        {TestImageFormat::jpeg, "image/jpeg"},
        {TestImageFormat::png, "image/png"},
        {TestImageFormat::webp, "image/webp"}};
    for (const auto& [format, type] : formats) {
        const auto body = uploaded(test::make_test_image(format, 640, 480), type);
        const std::string id = body["id"];
        EXPECT_TRUE(std::regex_match(id, hex32)) << id;
        EXPECT_EQ(body["url"], "http://127.0.0.1/media/photos/" + id + ".jpg");
        EXPECT_EQ(body["thumbnail_url"], "http://127.0.0.1/media/photos/" + id + ".thumb.jpg");
        EXPECT_EQ(body["width"], 640);
        EXPECT_EQ(body["height"], 480);

        const auto full = get(path_of(body["url"]));
        ASSERT_EQ(full.status, 200) << type;
        EXPECT_EQ(full.header("content-type"), "image/jpeg");
        EXPECT_NE(full.header("cache-control").find("immutable"), std::string::npos);
        const auto decoded = test::decode_test_image(full.body);
        EXPECT_EQ(decoded.loader, "jpegload_buffer");
        EXPECT_EQ(decoded.width, 640);
        EXPECT_EQ(decoded.height, 480);
        const auto thumb = get(path_of(body["thumbnail_url"]));
        ASSERT_EQ(thumb.status, 200);
        EXPECT_EQ(thumb.header("content-type"), "image/jpeg");
        const auto small = test::decode_test_image(thumb.body);
        EXPECT_EQ(small.width, 256);
        EXPECT_EQ(small.height, 192);
    }
    // A proxy's forwarded host and prefix shape the links.
    const auto proxied =
        testing::http_request(server->port(), "POST", std::string("/api/photos?api_key=") + web_key,
                              test::make_test_image(TestImageFormat::png, 20, 20),
                              {{"Content-Type", "image/png"},
                               {"X-Forwarded-Proto", "https"},
                               {"X-Forwarded-Host", "maps.chorley.gov.uk"},
                               {"X-Forwarded-Prefix", "/wardmap"}});
    ASSERT_EQ(proxied.status, 201) << proxied.body;
    EXPECT_TRUE(json::parse(proxied.body)["url"].get<std::string>().starts_with(
        "https://maps.chorley.gov.uk/wardmap/media/photos/"));
}

TEST_F(Photos, MultipartUploadLosesExifAndGpsAndIsTurnedUpright) {
    const std::string input =
        test::with_exif(test::make_test_image(TestImageFormat::jpeg, 300, 200), 6);
    ASSERT_TRUE(test::decode_test_image(input).has_gps);
    const auto r =
        upload(multipart({}, {{"photo", "IMG_0001.JPG", "image/jpeg", input}}), multipart_type());
    ASSERT_EQ(r.status, 201) << r.body;
    const auto body = json::parse(r.body);
    EXPECT_EQ(body["width"], 200);
    EXPECT_EQ(body["height"], 300);
    for (const char* key : {"url", "thumbnail_url"}) {
        const auto served = get(path_of(body[key]));
        ASSERT_EQ(served.status, 200);
        const auto decoded = test::decode_test_image(served.body);
        EXPECT_FALSE(decoded.has_exif) << key;
        EXPECT_FALSE(decoded.has_gps) << key;
        EXPECT_EQ(decoded.orientation, 1);
        EXPECT_EQ(served.body.find("Exif"), std::string::npos);
        EXPECT_GT(decoded.height, decoded.width) << key;
    }
    const auto served = get(path_of(body["url"]));
    EXPECT_LT(test::pixel_mean(served.body, 100, 40), 30);   // was the left half
    EXPECT_GT(test::pixel_mean(served.body, 100, 260), 225); // was the right half
}

TEST_F(Photos, FakesAnimationsAndBombsAreRefusedClearly) {
    const auto fake = problem(upload("this is a text file named photo.jpg", "image/jpeg"), 415);
    EXPECT_NE(fake["detail"].get<std::string>().find("not a JPEG, PNG or WebP"), std::string::npos);
    EXPECT_EQ(fake["errors"][0]["name"], "photo");
    problem(upload(multipart({}, {{"photo", "x.png", "image/png", "<html>nope</html>"}}),
                   multipart_type()),
            415);
    const auto animated = problem(upload(test::make_animated_webp(32, 32, 3), "image/webp"), 415);
    EXPECT_NE(animated["detail"].get<std::string>().find("animated"), std::string::npos);
    const auto bomb = problem(upload(test::make_flat_png(8000, 8000), "image/png"), 413);
    EXPECT_NE(bomb["detail"].get<std::string>().find("megapixels"), std::string::npos);
    problem(upload("\xFF\xD8\xFF\xE0 truncated", "image/jpeg"), 400);
    // Not an image type, no body, no photo field, a broken multipart body.
    problem(upload("x", "text/plain"), 415);
    problem(upload("", "image/jpeg"), 400);
    problem(upload(multipart({{"other", "x"}}, {}), multipart_type()), 400);
    const auto broken =
        problem(upload(std::string("--") + boundary + "\r\nno headers", multipart_type()), 400);
    EXPECT_EQ(broken["type"].get<std::string>().find("malformed-body") != std::string::npos, true);
}

TEST_F(Photos, OversizedBodiesGet413AndKeysAreChecked) {
    const auto png = test::make_test_image(TestImageFormat::png, 16, 16);
    // Over --max-photo-bytes but under the route's buffer: the pipeline says so.
    const auto over = problem(upload(png + std::string(max_photo_bytes, '\0'), "image/png"), 413);
    EXPECT_NE(over["detail"].get<std::string>().find("at most 300000"), std::string::npos);
    // Far over: refused before the handler runs.
    problem(upload(std::string(max_photo_bytes + 200'000, 'x'), "image/png"), 413);
    problem(upload(png, "image/png", "not-a-key"), 403);
    EXPECT_EQ(testing::http_request(server->port(), "POST", "/api/photos", png,
                                    {{"Content-Type", "image/png"}})
                  .status,
              403);
    EXPECT_EQ(get("/media/photos/0123456789abcdef0123456789abcdef.jpg").status, 404);
    EXPECT_EQ(get("/media/photos/../../etc/passwd.jpg").status, 404);
    EXPECT_EQ(get("/media/photos/not-an-id.png").status, 404);
}

TEST_F(Photos, TheKeyMayComeInTheXApiKeyHeaderAsOnEveryOtherRoute) {
    const auto png = test::make_test_image(TestImageFormat::png, 16, 16);
    const auto ok =
        testing::http_request(server->port(), "POST", "/api/photos", png,
                              {{"Content-Type", "image/png"}, {"X-Api-Key", client_key}});
    ASSERT_EQ(ok.status, 201) << ok.body;
    EXPECT_EQ(get("/media/photos/" + json::parse(ok.body)["id"].get<std::string>() + ".jpg").status,
              200);
    // The header is checked like the query's key: an unknown one is refused.
    problem(testing::http_request(server->port(), "POST", "/api/photos", png,
                                  {{"Content-Type", "image/png"}, {"X-Api-Key", "not-a-key"}}),
            403);
    // A multipart upload with the key only in the header.
    EXPECT_EQ(testing::http_request(server->port(), "POST", "/api/photos",
                                    multipart({}, {{"photo", "a.png", "image/png", png}}),
                                    {{"Content-Type", multipart_type()}, {"X-Api-Key", client_key}})
                  .status,
              201);
}

TEST_F(Photos, PhotoIdsAttachToAnOpen311RequestAsMediaUrl) {
    const auto a = uploaded(test::make_test_image(TestImageFormat::jpeg, 64, 48), "image/jpeg");
    const auto b = uploaded(test::make_test_image(TestImageFormat::png, 64, 48), "image/png");
    auto fields = litter("Crisp packets all over the play area");
    fields.emplace_back("photo_id", a["id"].get<std::string>() + "," + b["id"].get<std::string>());
    const auto created = create(fields);
    const std::string id = created["service_request_id"];

    const auto one = json::parse(get("/open311/v2/requests/" + id + ".json").body)[0];
    EXPECT_EQ(one["media_url"], a["url"]);
    const auto list = json::parse(get("/open311/v2/requests.json?service_request_id=" + id).body);
    EXPECT_EQ(list[0]["media_url"], a["url"]);
    const auto xml = get("/open311/v2/requests/" + id + ".xml").body;
    EXPECT_NE(xml.find("<media_url>" + a["url"].get<std::string>() + "</media_url>"),
              std::string::npos)
        << xml;
    EXPECT_EQ(get(path_of(a["url"])).status, 200);

    // A photo is used once; unknown ids and too many are refused, and nothing is stored.
    const auto count_before = json::parse(get("/open311/v2/requests.json").body).size();
    const auto reuse = open311_post("requests.json", form([&] {
                                        auto f = litter("Reusing a photo");
                                        f.emplace_back("photo_id", a["id"].get<std::string>());
                                        return f;
                                    }()),
                                    "application/x-www-form-urlencoded");
    EXPECT_EQ(reuse.status, 400) << reuse.body;
    EXPECT_NE(reuse.body.find("not an unattached photo"), std::string::npos) << reuse.body;
    const auto unknown = open311_post("requests.json", form([&] {
                                          auto f = litter("Unknown photo");
                                          f.emplace_back("photo_id", "nothex");
                                          return f;
                                      }()),
                                      "application/x-www-form-urlencoded");
    EXPECT_EQ(unknown.status, 400) << unknown.body;
    const auto four = open311_post(
        "requests.json", form([&] {
            auto f = litter("Four photos");
            f.emplace_back("photo_id", std::string(32, 'a') + "," + std::string(32, 'b') + "," +
                                           std::string(32, 'c') + "," + std::string(32, 'd'));
            return f;
        }()),
        "application/x-www-form-urlencoded");
    EXPECT_EQ(four.status, 400) << four.body;
    EXPECT_EQ(json::parse(get("/open311/v2/requests.json").body).size(), count_before);

    // An external media_url (as FixMyStreet sends) is kept as given.
    auto external = litter("With an external photo");
    external.emplace_back("media_url", "https://www.fixmystreet.com/photo/42.jpeg");
    const std::string ext_id = create(external)["service_request_id"];
    EXPECT_EQ(json::parse(get("/open311/v2/requests/" + ext_id + ".json").body)[0]["media_url"],
              "https://www.fixmystreet.com/photo/42.jpeg");
}

TEST_F(Photos, MultipartOpen311PostTakesMediaFiles) {
    auto fields = litter("Litter by the bus stop, photo attached");
    fields.emplace_back("jurisdiction_id", "chorley.gov.uk");
    const auto body = multipart(fields, {{"media", "bus-stop.webp", "image/webp",
                                          test::make_test_image(TestImageFormat::webp, 500, 400)}});
    const auto r = open311_post("requests.xml", body, multipart_type());
    ASSERT_EQ(r.status, 200) << r.body;
    const std::regex id_re("<service_request_id>(\\d+)</service_request_id>");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.body, m, id_re)) << r.body;
    const std::string id = m[1];
    const auto one = json::parse(get("/open311/v2/requests/" + id + ".json").body)[0];
    const std::string url = one["media_url"];
    EXPECT_TRUE(
        std::regex_match(url, std::regex(R"(http://127\.0\.0\.1/media/photos/[0-9a-f]{32}\.jpg)")))
        << url;
    const auto served = get(path_of(url));
    ASSERT_EQ(served.status, 200);
    EXPECT_EQ(test::decode_test_image(served.body).width, 500);

    // A fake media file is an Open311 error list (400: Open311 has no 415), and no request
    // is stored.
    const auto count_before = json::parse(get("/open311/v2/requests.json").body).size();
    const auto fake =
        open311_post("requests.json",
                     multipart(litter("Fake photo"), {{"media", "a.jpg", "image/jpeg", "text"}}),
                     multipart_type());
    EXPECT_EQ(fake.status, 400) << fake.body;
    const auto errors = json::parse(fake.body);
    ASSERT_TRUE(errors.is_array());
    EXPECT_EQ(errors[0]["code"], 400);
    EXPECT_NE(errors[0]["description"].get<std::string>().find("not a JPEG, PNG or WebP"),
              std::string::npos);
    EXPECT_EQ(json::parse(get("/open311/v2/requests.json").body).size(), count_before);
    // A broken multipart body is a 400 in Open311's format.
    const auto broken = open311_post("requests.json", "--nope", multipart_type());
    EXPECT_EQ(broken.status, 400);
    EXPECT_TRUE(json::parse(broken.body).is_array());
}

TEST_F(Photos, PrivateServicePhotosAre404ToThePublic) {
    const auto photo = uploaded(test::make_test_image(TestImageFormat::jpeg, 64, 64), "image/jpeg");
    // Unattached, the uploader can still preview it.
    EXPECT_EQ(get(path_of(photo["url"])).status, 200);
    const auto created = create({{"api_key", client_key},
                                 {"service_code", "noise_nuisance"},
                                 {"lat", ll(lat)},
                                 {"long", ll(lon)},
                                 {"email", "neighbour@example.org"},
                                 {"description", "Loud music, photo of the speakers"},
                                 {"attribute[noise_type]", "music"},
                                 {"photo_id", photo["id"].get<std::string>()}});
    EXPECT_EQ(get(path_of(photo["url"])).status, 404);
    EXPECT_EQ(get(path_of(photo["thumbnail_url"])).status, 404);
    // The reporter still sees it through the tracking link's listing.
    const auto t =
        json::parse(get("/api/track/" + created["tracking_token"].get<std::string>()).body);
    ASSERT_EQ(t["photos"].size(), 1U);
    EXPECT_EQ(t["photos"][0]["url"], photo["url"]);
}

TEST_F(Photos, TrackingAndUpdatesCarryPhotos) {
    const auto first = uploaded(test::make_test_image(TestImageFormat::png, 80, 60), "image/png");
    auto fields = litter("Overflowing with takeaway boxes");
    fields.emplace_back("photo_id", first["id"].get<std::string>());
    const auto created = create(fields);
    const std::string token = created["tracking_token"];
    const std::string id = created["service_request_id"];

    const auto later = uploaded(test::make_test_image(TestImageFormat::jpeg, 80, 60), "image/jpeg");
    const auto r = testing::http_request(
        server->port(), "POST", "/api/track/" + token + "/updates",
        json{{"text", "Worse today"}, {"photo_id", json::array({later["id"]})}}.dump(),
        {{"Content-Type", "application/json"}});
    ASSERT_EQ(r.status, 201) << r.body;
    const auto t = json::parse(get("/api/track/" + token).body);
    ASSERT_EQ(t["photos"].size(), 1U);
    EXPECT_EQ(t["photos"][0]["url"], first["url"]);
    EXPECT_EQ(t["photos"][0]["thumbnail_url"], first["thumbnail_url"]);
    ASSERT_EQ(t["history"].size(), 2U);
    EXPECT_TRUE(t["history"][0]["photos"].empty());
    ASSERT_EQ(t["history"][1]["photos"].size(), 1U);
    EXPECT_EQ(t["history"][1]["photos"][0]["url"], later["url"]);
    // A photo alone is an update too; a used photo is refused.
    const auto again = testing::http_request(
        server->port(), "POST", "/api/track/" + token + "/updates",
        json{{"photo_id", later["id"]}}.dump(), {{"Content-Type", "application/json"}});
    EXPECT_EQ(again.status, 400) << again.body;

    // A staff update with a photo shows it as media_url in servicerequestupdates.
    const auto fixed = uploaded(test::make_test_image(TestImageFormat::jpeg, 80, 60), "image/jpeg");
    char when[32];
    const std::time_t now = std::time(nullptr) - 60;
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    const auto posted = open311_post("servicerequestupdates.json",
                                     form({{"api_key", staff_key},
                                           {"service_request_id", id},
                                           {"update_id", "photo-update-1"},
                                           {"status", "FIXED"},
                                           {"updated_datetime", when},
                                           {"description", "Cleared, see photo"},
                                           {"photo_id", fixed["id"].get<std::string>()}}),
                                     "application/x-www-form-urlencoded");
    ASSERT_EQ(posted.status, 200) << posted.body;
    const auto updates = json::parse(get("/open311/v2/servicerequestupdates.json").body);
    bool seen = false;
    for (const auto& u : updates) {
        if (u["service_request_id"] == id && u["description"] == "Cleared, see photo") {
            EXPECT_EQ(u["media_url"], fixed["url"]);
            seen = true;
        }
    }
    EXPECT_TRUE(seen) << updates.dump();
}

TEST_F(Photos, UnattachedPhotosOlderThanADayAreSwept) {
    const auto old = uploaded(test::make_test_image(TestImageFormat::jpeg, 32, 32), "image/jpeg");
    {
        auto conn = store::Database::open(db_path);
        auto st =
            conn.prepare("UPDATE photos SET created_at = '2000-01-01T00:00:00Z' WHERE id = ?1");
        st.bind(1, old["id"].get<std::string>()).run();
    }
    EXPECT_EQ(get(path_of(old["url"])).status, 200);
    (void)uploaded(test::make_test_image(TestImageFormat::jpeg, 32, 32), "image/jpeg");
    EXPECT_EQ(get(path_of(old["url"])).status, 404);
}

} // namespace
} // namespace wardmap
