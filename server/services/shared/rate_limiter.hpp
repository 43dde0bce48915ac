#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace wardmap::services {

/// "10/min": at most `count` in `period_seconds`, refilled steadily (a token bucket).
struct RateLimit {
    int count = 0;
    int period_seconds = 0;

    /// "N/s", "N/sec", "N/second", "N/min", "N/minute", "N/h", "N/hour", "N/day" (N 1 to
    /// 1,000,000). nullopt when it is none of these.
    static std::optional<RateLimit> parse(const std::string& text);
    /// The canonical form, e.g. "10/min".
    [[nodiscard]] std::string to_string() const;
};

/// In-memory token buckets, one per name (e.g. "key 3 from 192.0.2.1"). Thread-safe. State is
/// per process: a restart refills every bucket, and several server processes would each
/// allow the full rate (docs/http-api.md, "Rate limits").
class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t max_buckets = 100000;

    /// Takes one token from `name`'s bucket. nullopt when allowed; otherwise the whole seconds
    /// (at least 1) until a token is back, for Retry-After.
    std::optional<int> take(const std::string& name, const RateLimit& limit);
    /// The same with an explicit time (tests).
    std::optional<int> take(const std::string& name, const RateLimit& limit, Clock::time_point now);

  private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point at;
        RateLimit limit;
    };
    /// Drops buckets that have refilled completely (they hold no information).
    void prune(Clock::time_point now);

    std::mutex m_mutex;
    std::map<std::string, Bucket> m_buckets;
};

} // namespace wardmap::services
