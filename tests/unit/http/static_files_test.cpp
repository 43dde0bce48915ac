#include "server/http/static_files.hpp"
#include "server/services/shared/errors.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace wardmap::http {
namespace {

using services::DomainError;

class StaticFilesTest : public ::testing::Test {
  protected:
    StaticFilesTest() {
        root = tmp.path() / "web";
        std::filesystem::create_directories(root / "js");
        write(root / "index.html", "<!doctype html><title>wardmap</title>" + std::string(500, ' '));
        write(root / "js" / "app.js", "export const x = 1;");
        write(root / ".secret", "hidden");
        write(tmp.path() / "outside.txt", "outside the root");
        std::filesystem::create_symlink(tmp.path() / "outside.txt", root / "link.txt");
    }
    static void write(const std::filesystem::path& p, const std::string& text) {
        std::ofstream(p, std::ios::binary) << text;
    }
    bool refused(StaticFiles& files, const std::string& path) {
        try {
            files.serve(path, Request{});
            return false;
        } catch (const DomainError& e) {
            return e.code() == services::ErrorCode::not_found;
        }
    }
    testing::TempDir tmp;
    std::filesystem::path root;
};

TEST_F(StaticFilesTest, ServesIndexWithMimeEtagAndCacheControl) {
    StaticFiles files(root);
    auto r = files.serve("", Request{});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_TRUE(r.find_header("ETag"));
    EXPECT_EQ(r.find_header("Cache-Control"), "no-cache");
    EXPECT_TRUE(r.gzip_body.has_value());
    EXPECT_EQ(files.serve("js/app.js", Request{}).content_type, "text/javascript; charset=utf-8");
}

TEST_F(StaticFilesTest, IfNoneMatchGives304) {
    StaticFiles files(root);
    const auto etag = *files.serve("js/app.js", Request{}).find_header("ETag");
    Request conditional;
    conditional.headers["If-None-Match"] = etag;
    auto r = files.serve("js/app.js", conditional);
    EXPECT_EQ(r.status, 304);
    EXPECT_TRUE(r.body.empty());
    conditional.headers["If-None-Match"] = "\"other\"";
    EXPECT_EQ(files.serve("js/app.js", conditional).status, 200);
}

TEST_F(StaticFilesTest, ReloadsAChangedFile) {
    StaticFiles files(root);
    EXPECT_EQ(files.serve("js/app.js", Request{}).body, "export const x = 1;");
    write(root / "js" / "app.js", "export const x = 2;");
    std::filesystem::last_write_time(root / "js" / "app.js",
                                     std::filesystem::file_time_type::clock::now() +
                                         std::chrono::seconds(5));
    EXPECT_EQ(files.serve("js/app.js", Request{}).body, "export const x = 2;");
}

TEST_F(StaticFilesTest, RefusesTraversalHiddenFilesAndSymlinksOut) {
    StaticFiles files(root);
    EXPECT_TRUE(refused(files, "../outside.txt"));
    EXPECT_TRUE(refused(files, "js/../../outside.txt"));
    EXPECT_TRUE(refused(files, ".secret"));
    EXPECT_TRUE(refused(files, "link.txt"));
    EXPECT_TRUE(refused(files, "js\\..\\..\\outside.txt"));
    EXPECT_TRUE(refused(files, "missing.js"));
}

} // namespace
} // namespace wardmap::http
