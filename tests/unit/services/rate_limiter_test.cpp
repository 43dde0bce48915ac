// Token buckets with an explicit clock: a burst up to the limit, then one token per
// period/count, a Retry-After that says when, separate buckets per name, and the parser.

#include "server/services/shared/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace wardmap::services {
namespace {

using std::chrono::seconds;

TEST(RateLimit, ParsesCountsPerPeriod) {
    EXPECT_EQ(RateLimit::parse("10/min")->count, 10);
    EXPECT_EQ(RateLimit::parse("10/min")->period_seconds, 60);
    EXPECT_EQ(RateLimit::parse("5/hour")->period_seconds, 3600);
    EXPECT_EQ(RateLimit::parse("2/s")->period_seconds, 1);
    EXPECT_EQ(RateLimit::parse("1000/day")->period_seconds, 86400);
    EXPECT_EQ(RateLimit::parse("7/minute")->to_string(), "7/min");
    for (const char* bad :
         {"", "10", "/min", "0/min", "-1/min", "10/fortnight", "ten/min", "10/min ", "2000000/s"}) {
        EXPECT_FALSE(RateLimit::parse(bad)) << bad;
    }
}

TEST(RateLimiter, ABurstThenOneTokenPerInterval) {
    RateLimiter limiter;
    const RateLimit limit{3, 60}; // a token every 20 s
    const auto t0 = RateLimiter::Clock::time_point{} + seconds(1000);
    for (int i = 0; i < 3; ++i) {
        EXPECT_FALSE(limiter.take("a", limit, t0));
    }
    EXPECT_EQ(limiter.take("a", limit, t0), 20);
    EXPECT_EQ(limiter.take("a", limit, t0 + seconds(15)), 5);
    EXPECT_FALSE(limiter.take("a", limit, t0 + seconds(20)));
    EXPECT_TRUE(limiter.take("a", limit, t0 + seconds(21)));
    // Another name has its own bucket; a long pause refills only up to the limit.
    EXPECT_FALSE(limiter.take("b", limit, t0));
    const auto later = t0 + seconds(3600);
    for (int i = 0; i < 3; ++i) {
        EXPECT_FALSE(limiter.take("a", limit, later));
    }
    EXPECT_TRUE(limiter.take("a", limit, later));
}

TEST(RateLimiter, RefusalsDoNotSpendTokens) {
    RateLimiter limiter;
    const RateLimit limit{1, 10};
    const auto t0 = RateLimiter::Clock::time_point{} + seconds(50);
    EXPECT_FALSE(limiter.take("k", limit, t0));
    for (int i = 1; i < 10; ++i) {
        EXPECT_TRUE(limiter.take("k", limit, t0 + seconds(i)));
    }
    EXPECT_FALSE(limiter.take("k", limit, t0 + seconds(10)));
}

} // namespace
} // namespace wardmap::services
