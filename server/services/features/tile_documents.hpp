#pragma once

#include "server/services/features/tile_service.hpp"

#include <string>

namespace wardmap::services {

/// The OGC API - Tiles documents as JSON text; `base` is the OGC root (e.g.
/// `https://maps.example.gov.uk/ogc`), every link is built from it.
class TileDocuments {
  public:
    explicit TileDocuments(const TileService& tiles) : m_tiles(tiles) {}

    /// `/tileMatrixSets`: the one set served, WebMercatorQuad.
    [[nodiscard]] static std::string tile_matrix_sets(const std::string& base);
    /// `/tileMatrixSets/WebMercatorQuad`: its definition (OGC 17-083r4, TMS 2.0 JSON).
    [[nodiscard]] static std::string web_mercator_quad(const std::string& base);
    /// `/tiles` or `/collections/{id}/tiles`: the tilesets list; `root` is the path before
    /// `/tiles` (base for the dataset, base + /collections/{id} for a collection).
    [[nodiscard]] std::string
    tilesets(const std::string& base, const std::string& root, const Tileset& tileset) const;
    /// `.../tiles/WebMercatorQuad`: the tileset's metadata, OGC 2DTileMatrixSetMetadata with
    /// TileJSON 3.0 fields beside (tiles, minzoom, maxzoom, bounds, vector_layers).
    [[nodiscard]] std::string
    tileset(const std::string& base, const std::string& root, const Tileset& tileset) const;

  private:
    const TileService& m_tiles;
};

} // namespace wardmap::services
