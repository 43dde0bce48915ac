#pragma once

#include "geo/tile_matrix.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace wardmap::geo {

/// A feature attribute value in a vector tile (Mapbox Vector Tile 2.1 `Value`): text, a whole
/// number (sint_value), a real (double_value) or a boolean.
using TileValue = std::variant<std::string, std::int64_t, double, bool>;

/// How a layer's geometry is cut down for its tile.
struct TileLayerOptions {
    /// Units of the tile's square coordinate grid (the MVT 2.1 default).
    std::uint32_t extent = 4096;
    /// Geometry is kept this many units beyond each edge, so lines and outlines drawn across
    /// an edge meet their neighbours' without a seam.
    std::uint32_t buffer = 64;
    /// Douglas-Peucker tolerance in tile units: the same fraction of a tile at every zoom, so
    /// the ground distance doubles with each zoom out (a 256-pixel tile's pixel is 16 units).
    double simplify = 4;
    /// Polygon rings smaller than this (square tile units, after snapping to the grid) are
    /// dropped: a grave plot at zoom 10 is a fraction of a unit and would draw nothing.
    double min_ring_area = 4;
    /// When above 0, points are gathered into square cells of this many units: each cell
    /// becomes one point at the cells' members' mean position with a single `count` attribute
    /// (and the feature id of its first member). 0 keeps every point with its attributes.
    std::uint32_t cluster_cell = 0;
};

/// One named layer of a tile under construction: features with attributes, the key and value
/// tables shared (deduplicated) by all of them.
class TileLayerBuilder {
  public:
    TileLayerBuilder(std::string name, const TileId& tile, const TileLayerOptions& options);

    /// Adds a feature from its WKB geometry in WGS84 lon/lat (a SpatiaLite `AsBinary(geom_wgs84)`):
    /// projected to the tile's grid, clipped to the buffered tile, simplified, snapped, outer
    /// rings clockwise and holes anticlockwise on screen (MVT 2.1 §4.3.4.4). Returns false when
    /// nothing of it is left to draw (outside the tile, or smaller than the grid shows).
    /// Attributes with a null value are left out by the caller; order is kept.
    bool add(std::uint64_t id,
             std::span<const unsigned char> wkb_lonlat,
             const std::vector<std::pair<std::string, TileValue>>& attributes);

    /// Adds `count` points to the cluster of cell (cell_x, cell_y) of the tile proper (cells of
    /// TileLayerOptions::cluster_cell units from the tile's top left), their coordinates in
    /// tile units summing to sum_x, sum_y: what add() does point by point, for a caller that
    /// has the sums already (PointClusterIndex). The cluster's id is `id` when it is new.
    void add_cluster(std::uint64_t id,
                     std::int64_t cell_x,
                     std::int64_t cell_y,
                     double sum_x,
                     double sum_y,
                     std::int64_t count);

    [[nodiscard]] const std::string& name() const { return m_name; }
    /// Features written so far (clusters count once each, when the layer is finished).
    [[nodiscard]] std::size_t size() const;
    [[nodiscard]] bool empty() const { return size() == 0; }

    /// The encoded `Layer` message (without the tile's field tag and length).
    [[nodiscard]] std::string finish();

  private:
    struct Cluster {
        std::uint64_t id = 0;
        double sum_x = 0;
        double sum_y = 0;
        std::int64_t count = 0;
    };

    bool add_point(std::uint64_t id,
                   double lon,
                   double lat,
                   const std::vector<std::pair<std::string, TileValue>>& attributes);
    void write_tags(std::uint64_t id,
                    int type,
                    const std::vector<std::uint32_t>& geometry,
                    const std::vector<std::pair<std::string, TileValue>>& attributes);
    std::uint32_t key_index(const std::string& key);
    std::uint32_t value_index(const TileValue& value);
    void write_feature(std::uint64_t id,
                       int type,
                       const std::vector<std::uint32_t>& geometry,
                       const std::vector<std::uint32_t>& tags);

    std::string m_name;
    TileId m_tile;
    TileLayerOptions m_options;
    std::vector<std::string> m_features; ///< each an encoded Feature message
    std::vector<std::string> m_keys;
    std::unordered_map<std::string, std::uint32_t> m_key_index;
    std::vector<TileValue> m_values;
    std::map<TileValue, std::uint32_t> m_value_index;
    std::map<std::pair<std::int64_t, std::int64_t>, Cluster> m_clusters;
};

/// A whole vector tile: its layers in order, each written only when it has a feature (an
/// empty tile is zero bytes, a valid MVT).
class VectorTileBuilder {
  public:
    explicit VectorTileBuilder(const TileId& tile) : m_tile(tile) {}

    TileLayerBuilder& layer(std::string name, const TileLayerOptions& options = {});
    /// The encoded `Tile` message (application/vnd.mapbox-vector-tile).
    [[nodiscard]] std::string finish();

  private:
    TileId m_tile;
    std::vector<std::unique_ptr<TileLayerBuilder>> m_layers;
};

/// WGS84 lon/lat to the tile's grid (x right, y down; the tile spans 0..extent), unclamped.
void lonlat_to_tile(
    const TileId& tile, std::uint32_t extent, double lon, double lat, double& x, double& y);

} // namespace wardmap::geo
