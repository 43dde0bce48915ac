#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace wardmap::http {

/// Request counters and latency histograms by route pattern (bounded label set), rendered
/// in the Prometheus text format. Thread-safe.
class Metrics {
  public:
    static constexpr std::array<double, 13> buckets = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0};

    Metrics();
    void observe(std::string_view method, std::string_view route, int status, double seconds);
    /// Adds lines produced at scrape time (gauges owned elsewhere: DB pool, in-flight, ...).
    void add_collector(std::function<void(std::string&)> collector);
    [[nodiscard]] std::string render() const;

  private:
    struct RouteStats {
        std::map<int, std::uint64_t> by_status;
        std::array<std::uint64_t, buckets.size()> bucket_counts{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex m_mutex;
    std::map<std::pair<std::string, std::string>, RouteStats> m_routes;
    std::vector<std::function<void(std::string&)>> m_collectors;
    std::chrono::steady_clock::time_point m_started;
};

/// Escapes a Prometheus label value.
std::string prometheus_label(std::string_view value);

} // namespace wardmap::http
