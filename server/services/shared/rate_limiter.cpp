#include "server/services/shared/rate_limiter.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace wardmap::services {

namespace {

struct Unit {
    const char* name;
    int seconds;
};
constexpr Unit units[] = {{"s", 1},       {"sec", 1},  {"second", 1},  {"min", 60},
                          {"minute", 60}, {"h", 3600}, {"hour", 3600}, {"day", 86400}};

double refilled(double tokens, RateLimit limit, RateLimiter::Clock::duration elapsed) {
    const double per_second = static_cast<double>(limit.count) / limit.period_seconds;
    const double seconds = std::chrono::duration<double>(elapsed).count();
    return std::min(static_cast<double>(limit.count), tokens + std::max(0.0, seconds) * per_second);
}

} // namespace

std::optional<RateLimit> RateLimit::parse(const std::string& text) {
    const auto slash = text.find('/');
    if (slash == std::string::npos) {
        return std::nullopt;
    }
    int count = 0;
    const char* end = text.data() + slash;
    const auto [ptr, ec] = std::from_chars(text.data(), end, count);
    if (slash == 0 || ec != std::errc() || ptr != end || count < 1 || count > 1000000) {
        return std::nullopt;
    }
    const std::string unit = text.substr(slash + 1);
    for (const auto& u : units) {
        if (unit == u.name) {
            return RateLimit{count, u.seconds};
        }
    }
    return std::nullopt;
}

std::string RateLimit::to_string() const {
    const char* unit = period_seconds == 1      ? "s"
                       : period_seconds == 60   ? "min"
                       : period_seconds == 3600 ? "hour"
                                                : "day";
    return std::to_string(count) + "/" + unit;
}

std::optional<int> RateLimiter::take(const std::string& name, const RateLimit& limit) {
    return take(name, limit, Clock::now());
}

std::optional<int>
RateLimiter::take(const std::string& name, const RateLimit& limit, Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    auto it = m_buckets.find(name);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= max_buckets) {
            prune(now);
        }
        it = m_buckets.emplace(name, Bucket{static_cast<double>(limit.count), now, limit}).first;
    }
    Bucket& b = it->second;
    if (b.limit.count != limit.count || b.limit.period_seconds != limit.period_seconds) {
        b = Bucket{static_cast<double>(limit.count), now, limit}; // the key's limit changed
    }
    b.tokens = refilled(b.tokens, limit, now - b.at);
    b.at = now;
    // The slack absorbs rounding in the refill sums (ten 0.1 s are not quite 1.0).
    constexpr double slack = 1e-9;
    if (b.tokens >= 1.0 - slack) {
        b.tokens = std::max(0.0, b.tokens - 1.0);
        return std::nullopt;
    }
    const double per_second = static_cast<double>(limit.count) / limit.period_seconds;
    return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / per_second - slack)));
}

void RateLimiter::prune(Clock::time_point now) {
    std::erase_if(m_buckets, [now](const auto& entry) {
        const Bucket& b = entry.second;
        return refilled(b.tokens, b.limit, now - b.at) >= b.limit.count;
    });
}

} // namespace wardmap::services
