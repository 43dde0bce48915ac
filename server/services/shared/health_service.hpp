#pragma once

#include "geo/bng_transform.hpp"
#include "geo/store/connection_pool.hpp"

#include <memory>
#include <optional>
#include <string>

namespace wardmap::services {

struct HealthReport {
    bool database_ok = false;
    int schema_version = 0;
    int schema_expected = 0;
    geo::TransformInfo transform;
    std::optional<std::string> dataset; // wardmap_meta 'dataset', e.g. "demo"
    bool synthetic = false;             // wardmap_meta 'synthetic' = 'true'
    [[nodiscard]] bool healthy() const { return database_ok && schema_version == schema_expected; }
};

/// What /healthz reports: database reachable and current, and which coordinate
/// transformation is active (it is never chosen silently). Thread-safe.
class HealthService {
  public:
    HealthService(store::ConnectionPool& pool, std::shared_ptr<const geo::BngTransform> transform);
    [[nodiscard]] HealthReport check() const;
    [[nodiscard]] static const char* version();

  private:
    store::ConnectionPool& m_pool;
    std::shared_ptr<const geo::BngTransform> m_transform;
};

} // namespace wardmap::services
