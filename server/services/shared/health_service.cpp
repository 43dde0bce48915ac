#include "server/services/shared/health_service.hpp"

#include "geo/store/migrations.hpp"

#include <spdlog/spdlog.h>

namespace wardmap::services {

HealthService::HealthService(store::ConnectionPool& pool,
                             std::shared_ptr<const geo::BngTransform> transform)
    : m_pool(pool), m_transform(std::move(transform)) {}

const char* HealthService::version() {
    return WARDMAP_VERSION;
}

HealthReport HealthService::check() const {
    HealthReport report;
    report.transform = m_transform->info();
    report.schema_expected = store::latest_schema_version();
    try {
        auto db = m_pool.acquire();
        report.schema_version = store::schema_version(*db);
        auto stmt = db->prepare("SELECT key, value FROM wardmap_meta "
                                "WHERE key IN ('dataset', 'synthetic')");
        while (stmt.step()) {
            if (stmt.text(0) == "dataset") {
                report.dataset = std::string(stmt.text(1));
            } else {
                report.synthetic = stmt.text(1) == "true";
            }
        }
        report.database_ok = true;
    } catch (const std::exception& e) {
        spdlog::error("health check: database unavailable: {}", e.what());
    }
    return report;
}

} // namespace wardmap::services
