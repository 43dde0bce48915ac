#include "server/http/metrics.hpp"

#include "geo/geojson_writer.hpp"

namespace wardmap::http {

Metrics::Metrics() : m_started(std::chrono::steady_clock::now()) {}

std::string prometheus_label(std::string_view value) {
    std::string out;
    for (const char c : value) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

void Metrics::observe(std::string_view method, std::string_view route, int status, double seconds) {
    std::lock_guard lock(m_mutex);
    auto& stats = m_routes[{std::string(route), std::string(method)}];
    ++stats.by_status[status];
    ++stats.count;
    stats.sum += seconds;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        if (seconds <= buckets[i]) {
            ++stats.bucket_counts[i];
        }
    }
}

void Metrics::add_collector(std::function<void(std::string&)> collector) {
    std::lock_guard lock(m_mutex);
    m_collectors.push_back(std::move(collector));
}

std::string Metrics::render() const {
    std::string out;
    std::lock_guard lock(m_mutex);
    out += "# HELP wardmap_http_requests_total HTTP requests by route pattern, method and status.\n"
           "# TYPE wardmap_http_requests_total counter\n";
    for (const auto& [key, stats] : m_routes) {
        const std::string labels = "route=\"" + prometheus_label(key.first) + "\",method=\"" +
                                   prometheus_label(key.second) + "\"";
        for (const auto& [status, n] : stats.by_status) {
            out += "wardmap_http_requests_total{" + labels + ",status=\"" + std::to_string(status) +
                   "\"} " + std::to_string(n) + "\n";
        }
    }
    out += "# HELP wardmap_http_request_duration_seconds Time from request to response, by route.\n"
           "# TYPE wardmap_http_request_duration_seconds histogram\n";
    for (const auto& [key, stats] : m_routes) {
        const std::string labels = "route=\"" + prometheus_label(key.first) + "\",method=\"" +
                                   prometheus_label(key.second) + "\"";
        for (std::size_t i = 0; i < buckets.size(); ++i) {
            out += "wardmap_http_request_duration_seconds_bucket{" + labels + ",le=\"";
            geo::append_number(out, buckets[i], 4);
            out += "\"} " + std::to_string(stats.bucket_counts[i]) + "\n";
        }
        out += "wardmap_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
               std::to_string(stats.count) + "\n";
        out += "wardmap_http_request_duration_seconds_sum{" + labels + "} ";
        geo::append_number(out, stats.sum, 6);
        out += "\nwardmap_http_request_duration_seconds_count{" + labels + "} " +
               std::to_string(stats.count) + "\n";
    }
    const double uptime =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count();
    out += "# HELP wardmap_uptime_seconds Seconds since the server started.\n"
           "# TYPE wardmap_uptime_seconds gauge\nwardmap_uptime_seconds ";
    geo::append_number(out, uptime, 3);
    out += "\n";
    for (const auto& collect : m_collectors) {
        collect(out);
    }
    return out;
}

} // namespace wardmap::http
