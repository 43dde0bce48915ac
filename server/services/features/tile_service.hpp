#pragma once

#include "geo/point_cluster_index.hpp"
#include "geo/tile_matrix.hpp"
#include "server/services/features/feature_service.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace wardmap::services {

/// One layer of a tileset: the features of one OGC collection (its rows, its row filter, a
/// subset of its public properties), from a zoom on.
struct TileLayerSpec {
    std::string collection; ///< the Layer (OGC collection) id it reads
    std::string name;       ///< the vector tile layer's name
    int min_zoom = 0;
    /// Property names, a subset of the collection's public ones; empty takes all of them.
    std::vector<std::string> properties;
    /// Below this zoom points are clustered (one point per cell with a `count`); 0: never.
    int cluster_below = 0;
    /// Only features in force today (for a collection with validity dates, e.g. wards).
    bool current_only = false;
};

/// A set of tiles in WebMercatorQuad: one per collection, and the combined `basemap`.
struct Tileset {
    std::string id;
    std::string title;
    std::string description;
    int min_zoom = 0;
    int max_zoom = 0;
    std::vector<TileLayerSpec> layers;
};

/// What a tileset's metadata says about one of its layers.
struct TileLayerInfo {
    const TileLayerSpec* spec = nullptr;
    const Layer* layer = nullptr;
    std::vector<const LayerProperty*> properties;
};

/// The one tile matrix set served.
inline constexpr std::string_view web_mercator_quad = "WebMercatorQuad";

/// A tile's address from the path as a tile route gets it ({tileMatrixSetId}/{tileMatrix}/
/// {tileRow}/{tileCol}, percent-decoded): DomainError not_found for a tile matrix set other
/// than WebMercatorQuad, invalid_parameter (naming tileMatrix, tileRow or tileCol) for an
/// index that is not a whole number (digits only, no sign or leading zero) or lies outside
/// the set (zoom 0 to 24, row and column 0 to 2^zoom - 1). A pure function of its text.
[[nodiscard]] geo::TileId parse_tile_address(std::string_view tile_matrix_set,
                                             std::string_view tile_matrix,
                                             std::string_view tile_row,
                                             std::string_view tile_col);

/// DomainError invalid_parameter (as parse_tile_address) unless the tile lies in
/// WebMercatorQuad.
void check_in_matrix(const geo::TileId& tile);

/// Mapbox vector tiles made from the store on request, through FeatureService (so exactly the
/// rows and public properties the OGC collections serve). Thread-safe.
class TileService {
  public:
    /// Every collection's tileset covers these zooms; the basemap too.
    static constexpr int min_zoom = 8;
    static constexpr int max_zoom = 18;
    /// Point layers are clustered below this zoom in a collection's tileset, unless the layer
    /// says otherwise (Layer::tile_cluster_below).
    static constexpr int cluster_below = 15;
    /// At most this many rows of one layer go into one tile (the demo borough's densest tile
    /// holds far fewer; a bigger store would need a wider cluster cell instead).
    static constexpr std::int64_t max_rows_per_layer = 200'000;

    explicit TileService(const FeatureService& features);

    /// The combined tileset: ward boundaries, streets, address points, cemeteries.
    [[nodiscard]] const Tileset& basemap() const { return m_basemap; }
    /// The tileset of a public collection; DomainError not_found otherwise.
    [[nodiscard]] const Tileset& collection(const std::string& id) const;
    [[nodiscard]] const std::vector<Tileset>& collections() const { return m_collections; }
    [[nodiscard]] std::vector<TileLayerInfo> layers(const Tileset& tileset) const;

    /// The tile's bytes (application/vnd.mapbox-vector-tile; empty when nothing is there).
    /// DomainError invalid_parameter for indices outside WebMercatorQuad, not_found for a zoom
    /// outside the tileset's range.
    [[nodiscard]] std::string tile(const Tileset& tileset, const geo::TileId& tile) const;

    [[nodiscard]] std::int64_t data_version() const { return m_features.data_version(); }
    [[nodiscard]] const FeatureService& features() const { return m_features; }

    /// The clustering index of a point collection at the store's current version, or nullptr
    /// when there is none to use: the layer is not a point collection, has a feature that is
    /// not a plain point, or its index is being rebuilt (its tiles read the rows meanwhile).
    /// The first clustered tile of a layer builds it (requests for that layer wait for that
    /// one build; others do not); after a change of the store version the old index is
    /// rebuilt in the background, so no request waits for a rebuild.
    [[nodiscard]] std::shared_ptr<const geo::PointClusterIndex>
    cluster_index(const Layer& layer) const;

    TileService(const TileService&) = delete;
    TileService& operator=(const TileService&) = delete;
    ~TileService();

  private:
    struct ClusterIndexSlot {
        std::mutex build; ///< held while the first index is built
        std::shared_ptr<const geo::PointClusterIndex> index;
        std::int64_t version = 0;
        bool built = false;
        bool rebuilding = false;
        std::jthread rebuild; ///< the last background rebuild
    };

    [[nodiscard]] std::shared_ptr<const geo::PointClusterIndex>
    build_cluster_index(const Layer& layer) const;

    const FeatureService& m_features;
    Tileset m_basemap;
    std::vector<Tileset> m_collections;
    /// One slot per point collection, made by the constructor (the map itself never changes).
    mutable std::mutex m_cluster_mutex; ///< guards the slots' fields but `build`
    std::map<std::string, std::unique_ptr<ClusterIndexSlot>> m_cluster_indexes;
};

} // namespace wardmap::services
