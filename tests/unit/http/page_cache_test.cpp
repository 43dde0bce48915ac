#include "server/http/features/page_cache.hpp"

#include <gtest/gtest.h>

namespace wardmap::http {
namespace {

Response page(std::string body, int status = 200) {
    Response r = Response::text(std::move(body), "application/geo+json", status);
    r.header("ETag", "\"e\"");
    return r;
}

TEST(PageCache, AStoredPageComesBackWithItsHeadersWhileTheVersionHolds) {
    PageCache cache(1 << 20);
    EXPECT_FALSE(cache.find("k", 1, false));
    cache.store("k", 1, page("{\"a\":1}"));
    const auto hit = cache.find("k", 1, false);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->body, "{\"a\":1}");
    EXPECT_EQ(hit->content_type, "application/geo+json");
    EXPECT_EQ(hit->find_header("ETag"), "\"e\"");
    EXPECT_FALSE(cache.find("other", 1, false));
    const auto s = cache.stats();
    EXPECT_EQ(s.hits, 1U);
    EXPECT_EQ(s.misses, 2U);
    EXPECT_EQ(s.pages, 1U);
}

TEST(PageCache, ANewDataVersionEmptiesIt) {
    PageCache cache(1 << 20);
    cache.store("k", 1, page("old"));
    EXPECT_FALSE(cache.find("k", 2, false)) << "the store changed since the page was made";
    cache.store("k", 1, page("made from version 1, stored late"));
    EXPECT_FALSE(cache.find("k", 2, false)) << "a page older than the cache is not kept";
    cache.store("k", 2, page("new"));
    ASSERT_TRUE(cache.find("k", 2, false));
    EXPECT_EQ(cache.find("k", 2, false)->body, "new");
}

TEST(PageCache, KeepsOnlySuccessesAndNothingWhenDisabled) {
    PageCache cache(1 << 20);
    cache.store("k", 1, page("missing", 404));
    EXPECT_FALSE(cache.find("k", 1, false));
    PageCache off(0);
    EXPECT_FALSE(off.enabled());
    off.store("k", 1, page("x"));
    EXPECT_FALSE(off.find("k", 1, false));
}

TEST(PageCache, TheLeastRecentlyUsedPagesGoFirstAndHugePagesAreNotKept) {
    PageCache cache(64 * 1024);
    const std::string body(3000, 'x');
    for (int i = 0; i < 40; ++i) {
        cache.store("k" + std::to_string(i), 1, page(body));
        ASSERT_TRUE(cache.find("k0", 1, false)) << "k0 is used all the time, so it stays";
    }
    EXPECT_LE(cache.stats().bytes, 64U * 1024);
    EXPECT_FALSE(cache.find("k1", 1, false)) << "the oldest unused page went";
    EXPECT_TRUE(cache.find("k39", 1, false));
    cache.store("huge", 1, page(std::string(20 * 1024, 'y')));
    EXPECT_FALSE(cache.find("huge", 1, false)) << "over an eighth of the budget";
}

TEST(PageCache, TheGzipFormIsKeptOnceMadeAndOnlyGivenToThoseWhoAsk) {
    PageCache cache(1 << 20);
    cache.store("k", 1, page("body"));
    EXPECT_FALSE(cache.find("k", 1, true)->gzip_body);
    cache.add_gzip("k", 1, "GZ");
    EXPECT_EQ(cache.find("k", 1, true)->gzip_body, "GZ");
    EXPECT_FALSE(cache.find("k", 1, false)->gzip_body);
    cache.add_gzip("k", 2, "stale");
    EXPECT_EQ(cache.find("k", 1, true)->gzip_body, "GZ");
}

} // namespace
} // namespace wardmap::http
