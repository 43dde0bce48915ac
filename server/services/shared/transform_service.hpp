#pragma once

#include "geo/bng_transform.hpp"

#include <memory>
#include <string>
#include <vector>

namespace wardmap::services {

enum class Crs { wgs84, bng };

struct TransformRequest {
    Crs from = Crs::bng;
    std::vector<std::pair<double, double>> points; // x,y in `from` (lon,lat or E,N)
};

struct TransformResult {
    Crs to = Crs::wgs84;
    std::vector<std::pair<double, double>> points;
    const geo::TransformInfo* transform = nullptr;
};

/// Converts coordinates between British National Grid and WGS84 with the server's active
/// (OSTN15) transformation. Thread-safe.
class TransformService {
  public:
    static constexpr std::size_t max_points = 10000;

    explicit TransformService(std::shared_ptr<const geo::BngTransform> transform);
    /// Throws DomainError(invalid_parameter) naming the first bad point or the CRS.
    [[nodiscard]] TransformResult convert(const TransformRequest& request) const;
    /// Accepts "EPSG:27700", "EPSG:4326", "CRS84" and the OGC URIs for them.
    static Crs parse_crs(const std::string& text, const std::string& parameter);
    static const char* crs_name(Crs crs);

  private:
    std::shared_ptr<const geo::BngTransform> m_transform;
};

} // namespace wardmap::services
