#include "server/services/features/tile_documents.hpp"

#include "server/services/features/ogc_documents.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

namespace wardmap::services {

using nlohmann::json;

namespace {

constexpr const char* json_media = "application/json";
constexpr const char* mvt_type = "application/vnd.mapbox-vector-tile";
constexpr const char* tms_uri = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";
constexpr const char* tiling_scheme_rel = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme";
constexpr double half_world = 20037508.342789244;
/// Metres per pixel of a 256-pixel tile at zoom 0.
constexpr double cell_size_0 = 2 * half_world / 256;

json link(std::string href, const char* rel, const char* type, std::string title = {}) {
    json l = {{"href", std::move(href)}, {"rel", rel}, {"type", type}};
    if (!title.empty()) {
        l["title"] = std::move(title);
    }
    return l;
}

int dimension(GeometryKind kind) {
    switch (kind) {
    case GeometryKind::point:
        return 0;
    case GeometryKind::linestring:
        return 1;
    default:
        return 2;
    }
}

} // namespace

std::string TileDocuments::tile_matrix_sets(const std::string& base) {
    const json doc = {
        {"links", json::array({link(base + "/tileMatrixSets", "self", json_media)})},
        {"tileMatrixSets",
         json::array({{{"id", "WebMercatorQuad"},
                       {"title", "Google Maps Compatible for the World"},
                       {"uri", tms_uri},
                       {"links", json::array({link(base + "/tileMatrixSets/WebMercatorQuad", "self",
                                                   json_media)})}}})}};
    return doc.dump();
}

std::string TileDocuments::web_mercator_quad(const std::string& base) {
    json matrices = json::array();
    for (int z = 0; z <= geo::web_mercator_max_zoom; ++z) {
        const double cell = cell_size_0 / std::ldexp(1.0, z);
        const auto n = static_cast<std::int64_t>(1) << z;
        matrices.push_back({{"id", std::to_string(z)},
                            {"scaleDenominator", cell / 0.00028},
                            {"cellSize", cell},
                            {"cornerOfOrigin", "topLeft"},
                            {"pointOfOrigin", json::array({-half_world, half_world})},
                            {"tileWidth", 256},
                            {"tileHeight", 256},
                            {"matrixWidth", n},
                            {"matrixHeight", n}});
    }
    const json doc = {
        {"id", "WebMercatorQuad"},
        {"title", "Google Maps Compatible for the World"},
        {"uri", tms_uri},
        {"crs", "http://www.opengis.net/def/crs/EPSG/0/3857"},
        {"orderedAxes", json::array({"E", "N"})},
        {"wellKnownScaleSet", "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible"},
        {"tileMatrices", std::move(matrices)},
        {"links",
         json::array({link(base + "/tileMatrixSets/WebMercatorQuad", "self", json_media)})}};
    return doc.dump();
}

std::string TileDocuments::tilesets(const std::string& base,
                                    const std::string& root,
                                    const Tileset& tileset) const {
    const std::string self = root + "/tiles/WebMercatorQuad";
    const json doc = {
        {"links", json::array({link(root + "/tiles", "self", json_media)})},
        {"tilesets",
         json::array({{{"title", tileset.title},
                       {"dataType", "vector"},
                       {"crs", "http://www.opengis.net/def/crs/EPSG/0/3857"},
                       {"tileMatrixSetURI", tms_uri},
                       {"links", json::array({
                                     link(self, "self", json_media, tileset.title + " tileset"),
                                     link(base + "/tileMatrixSets/WebMercatorQuad",
                                          tiling_scheme_rel, json_media, "WebMercatorQuad"),
                                 })}}})}};
    (void)m_tiles;
    return doc.dump();
}

std::string TileDocuments::tileset(const std::string& base,
                                   const std::string& root,
                                   const Tileset& tileset) const {
    const std::string self = root + "/tiles/WebMercatorQuad";
    const std::string item = self + "/{tileMatrix}/{tileRow}/{tileCol}";
    json layers = json::array();
    json vector_layers = json::array();
    geo::BBox bounds;
    for (const auto& info : m_tiles.layers(tileset)) {
        json properties = json::object();
        json fields = json::object();
        for (const auto* p : info.properties) {
            properties[p->name] = {{"title", p->title}, {"type", services::json_type(p->type)}};
            fields[p->name] = p->title;
        }
        if (info.spec->cluster_below > 0) {
            properties["count"] = {{"title", "Features in the cluster (below zoom " +
                                                 std::to_string(info.spec->cluster_below) +
                                                 ", instead of the other properties)"},
                                   {"type", "integer"}};
            fields["count"] = "Features in the cluster (clustered zooms only)";
        }
        const int min_zoom = std::max(info.spec->min_zoom, tileset.min_zoom);
        layers.push_back({{"id", info.spec->name},
                          {"title", info.layer->title},
                          {"description", info.layer->description},
                          {"dataType", "vector"},
                          {"geometryDimension", dimension(info.layer->geometry)},
                          {"minTileMatrix", std::to_string(min_zoom)},
                          {"maxTileMatrix", std::to_string(tileset.max_zoom)},
                          {"propertiesSchema", {{"type", "object"}, {"properties", properties}}},
                          {"links", json::array({link(base + "/collections/" + info.layer->id,
                                                      "collection", json_media)})}});
        vector_layers.push_back({{"id", info.spec->name},
                                 {"description", info.layer->title},
                                 {"minzoom", min_zoom},
                                 {"maxzoom", tileset.max_zoom},
                                 {"fields", fields}});
        const auto extent = m_tiles.features().extent(*info.layer);
        if (!extent.bbox.empty()) {
            bounds.extend(extent.bbox.min_x, extent.bbox.min_y);
            bounds.extend(extent.bbox.max_x, extent.bbox.max_y);
        }
    }
    json doc = {
        {"title", tileset.title},
        {"description", tileset.description},
        {"dataType", "vector"},
        {"crs", "http://www.opengis.net/def/crs/EPSG/0/3857"},
        {"tileMatrixSetURI", tms_uri},
        {"layers", layers},
        {"links", json::array({
                      link(self, "self", json_media, tileset.title + " tileset"),
                      link(base + "/tileMatrixSets/WebMercatorQuad", tiling_scheme_rel, json_media,
                           "WebMercatorQuad"),
                      {{"href", item},
                       {"rel", "item"},
                       {"type", mvt_type},
                       {"templated", true},
                       {"title", "Mapbox vector tiles"}},
                  })},
        // TileJSON 3.0.0 beside the OGC fields, for MapLibre and other TileJSON clients.
        {"tilejson", "3.0.0"},
        {"name", tileset.title},
        {"scheme", "xyz"},
        {"tiles", json::array({self + "/{z}/{y}/{x}"})},
        {"minzoom", tileset.min_zoom},
        {"maxzoom", tileset.max_zoom},
        {"vector_layers", vector_layers},
    };
    if (!bounds.empty()) {
        doc["boundingBox"] = {{"lowerLeft", json::array({bounds.min_x, bounds.min_y})},
                              {"upperRight", json::array({bounds.max_x, bounds.max_y})},
                              {"crs", crs_uri(FeatureCrs::crs84)}};
        doc["bounds"] = json::array({bounds.min_x, bounds.min_y, bounds.max_x, bounds.max_y});
        doc["center"] =
            json::array({(bounds.min_x + bounds.max_x) / 2, (bounds.min_y + bounds.max_y) / 2, 14});
    }
    return doc.dump();
}

} // namespace wardmap::services
