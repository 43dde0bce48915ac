#pragma once

#include "server/services/features/feature_service.hpp"

#include <string>

namespace wardmap::services {

/// Largest and default page size, as /api declares them.
inline constexpr int ogc_max_limit = 10000;
inline constexpr int ogc_default_limit = 10;

/// The OGC URI of a CRS (http://www.opengis.net/def/crs/...).
const char* crs_uri(FeatureCrs crs);
/// Accepts the OGC URIs, `urn:ogc:def:crs:EPSG::N`, `EPSG:N`, `CRS84` and `OGC:CRS84` for the
/// four CRSs served; DomainError invalid_parameter naming `parameter` and listing them else.
FeatureCrs parse_feature_crs(const std::string& text, const std::string& parameter);

/// The OGC API - Features documents, as JSON text. `base` is the API's absolute root without a
/// trailing slash (e.g. `https://maps.example.gov.uk/ogc`); every link is built from it.
class OgcDocuments {
  public:
    explicit OgcDocuments(const FeatureService& features) : m_features(features) {}

    [[nodiscard]] std::string landing(const std::string& base) const;
    [[nodiscard]] static std::string conformance(const std::string& base);
    [[nodiscard]] std::string collections(const std::string& base) const;
    [[nodiscard]] std::string collection(const std::string& base, const Layer& layer) const;
    /// JSON Schema 2020-12 of the layer's queryables (application/schema+json).
    [[nodiscard]] static std::string queryables(const std::string& base, const Layer& layer);
    /// OpenAPI 3.0 for everything under `base`, with each collection's queryables declared as
    /// query parameters of its items path (GDAL 3.6 sends -where equalities only for those).
    [[nodiscard]] std::string openapi(const std::string& base) const;
    /// The query parameters `/items` accepts for `layer` besides its queryables.
    static const std::vector<std::string>& items_parameters();

  private:
    const FeatureService& m_features;
};

} // namespace wardmap::services
