// Vector tiles of the OGC collections (OGC API - Tiles): each tile layer reads its collection
// through FeatureService::visit_box, so a tile holds exactly the rows and public properties
// /ogc/collections/{id}/items serves, never a column of its own.

#include "server/services/features/tile_service.hpp"

#include "core/w3c_time.hpp"

#include "geo/vector_tile.hpp"
#include "server/services/shared/errors.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

namespace wardmap::services {

namespace {

/// A cluster cell of 128 units: at most 32 x 32 clusters in a tile, each 8 pixels of a
/// 256-pixel tile apart.
constexpr std::uint32_t cluster_cell = 128;

Tileset make_basemap() {
    Tileset t;
    t.id = "basemap";
    t.title = "Basemap";
    t.description = "The council's own map: ward boundaries in force, streets with their names "
                    "and classification, cemeteries and their sections, and address points "
                    "with house numbers when zoomed in.";
    t.min_zoom = TileService::min_zoom;
    t.max_zoom = TileService::max_zoom;
    t.layers = {
        {"wards", "wards", TileService::min_zoom, {"code", "name"}, 0, true},
        {"cemeteries", "cemeteries", 12, {"name"}, 0, false},
        {"cemetery_sections", "cemetery_sections", 15, {"name", "cemetery"}, 0, false},
        {"streets", "streets", 10, {"usrn", "descriptor", "street_type", "locality"}, 0, false},
        {"addresses", "addresses", 16, {"uprn", "house"}, 0, false},
    };
    return t;
}

} // namespace

void check_in_matrix(const geo::TileId& id) {
    if (geo::in_matrix(id)) {
        return;
    }
    const std::int64_t n = std::int64_t{1} << std::clamp(id.z, 0, geo::web_mercator_max_zoom);
    const char* name = id.z < 0 || id.z > geo::web_mercator_max_zoom ? "tileMatrix"
                       : id.y >= n                                   ? "tileRow"
                                                                     : "tileCol";
    invalid_parameter(name, "tile " + std::to_string(id.z) + "/" + std::to_string(id.y) + "/" +
                                std::to_string(id.x) +
                                " is outside WebMercatorQuad (zoom 0 to 24, row and column 0 "
                                "to 2^zoom - 1)");
}

geo::TileId parse_tile_address(std::string_view tile_matrix_set,
                               std::string_view tile_matrix,
                               std::string_view tile_row,
                               std::string_view tile_col) {
    if (tile_matrix_set != web_mercator_quad) {
        throw DomainError(ErrorCode::not_found, "there is no tile matrix set '" +
                                                    std::string(tile_matrix_set) +
                                                    "'; tile matrix sets: WebMercatorQuad");
    }
    const auto index = [](const char* name, std::string_view text) {
        const auto v = geo::parse_tile_index(text);
        if (!v) {
            invalid_parameter(name, "must be a whole number (0 or more), not '" +
                                        std::string(text) + "'");
        }
        return *v;
    };
    const geo::TileId id{index("tileMatrix", tile_matrix), index("tileCol", tile_col),
                         index("tileRow", tile_row)};
    check_in_matrix(id);
    return id;
}

TileService::TileService(const FeatureService& features)
    : m_features(features), m_basemap(make_basemap()) {
    for (const auto& layer : features.registry().layers()) {
        if (!layer.visible_to("public")) {
            continue;
        }
        Tileset t;
        t.id = layer.id;
        t.title = layer.title;
        t.description = layer.description;
        t.min_zoom = min_zoom;
        t.max_zoom = max_zoom;
        TileLayerSpec spec;
        spec.collection = layer.id;
        spec.name = layer.id;
        spec.min_zoom = min_zoom;
        spec.cluster_below = layer.geometry != GeometryKind::point ? 0
                             : layer.tile_cluster_below > 0        ? layer.tile_cluster_below
                                                                   : cluster_below;
        if (spec.cluster_below > 0) {
            m_cluster_indexes.emplace(layer.id, std::make_unique<ClusterIndexSlot>());
        }
        t.layers.push_back(std::move(spec));
        m_collections.push_back(std::move(t));
    }
    // A basemap layer whose collection is not registered (or not public) is left out.
    std::erase_if(m_basemap.layers, [&features](const TileLayerSpec& spec) {
        const Layer* layer = features.registry().find(spec.collection);
        return !layer || !layer->visible_to("public");
    });
}

const Tileset& TileService::collection(const std::string& id) const {
    const Layer& layer = m_features.layer(id); // not_found naming the collections
    for (const auto& t : m_collections) {
        if (t.id == layer.id) {
            return t;
        }
    }
    throw DomainError(ErrorCode::not_found, "collection '" + id + "' has no tiles");
}

std::vector<TileLayerInfo> TileService::layers(const Tileset& tileset) const {
    std::vector<TileLayerInfo> out;
    for (const auto& spec : tileset.layers) {
        TileLayerInfo info;
        info.spec = &spec;
        info.layer = &m_features.layer(spec.collection);
        for (const auto& p : info.layer->properties) {
            if (spec.properties.empty() || std::find(spec.properties.begin(), spec.properties.end(),
                                                     p.name) != spec.properties.end()) {
                info.properties.push_back(&p);
            }
        }
        out.push_back(std::move(info));
    }
    return out;
}

std::string TileService::tile(const Tileset& tileset, const geo::TileId& id) const {
    check_in_matrix(id);
    if (id.z < tileset.min_zoom || id.z > tileset.max_zoom) {
        throw DomainError(ErrorCode::not_found, "tileset '" + tileset.id + "' has zooms " +
                                                    std::to_string(tileset.min_zoom) + " to " +
                                                    std::to_string(tileset.max_zoom) + ", not " +
                                                    std::to_string(id.z));
    }
    const geo::TileLayerOptions defaults;
    const geo::BBox box =
        geo::tile_bounds_lonlat(id, static_cast<double>(defaults.buffer) / defaults.extent);
    geo::VectorTileBuilder builder(id);
    for (const auto& info : layers(tileset)) {
        const auto& spec = *info.spec;
        if (id.z < spec.min_zoom) {
            continue;
        }
        const bool cluster = spec.cluster_below > 0 && id.z < spec.cluster_below &&
                             info.layer->geometry == GeometryKind::point;
        geo::TileLayerOptions options;
        if (cluster) {
            options.cluster_cell = cluster_cell;
        }
        // The columns of the chosen properties in the row visit_box gives.
        std::vector<std::pair<int, const LayerProperty*>> columns;
        for (std::size_t i = 0; i < info.layer->properties.size(); ++i) {
            const auto* p = &info.layer->properties[i];
            if (std::find(info.properties.begin(), info.properties.end(), p) !=
                info.properties.end()) {
                columns.emplace_back(static_cast<int>(i) + 2, p);
            }
        }
        std::optional<TimeInterval> datetime;
        if (spec.current_only && info.layer->temporal) {
            const std::string now = core::format_utc(core::now_seconds());
            datetime = TimeInterval{now, now};
        }
        auto& layer = builder.layer(spec.name, options);
        if (cluster && !datetime) {
            if (const auto index = cluster_index(*info.layer);
                index && index->cluster(id, options.extent, options.cluster_cell, layer)) {
                continue;
            }
        }
        std::vector<std::pair<std::string, geo::TileValue>> attributes;
        m_features.visit_box(
            *info.layer, box, datetime, !cluster, max_rows_per_layer,
            [&](const store::Statement& row) {
                attributes.clear();
                if (!cluster) {
                    for (const auto& [col, p] : columns) {
                        switch (row.column_type(col)) {
                        case SQLITE_NULL:
                            break;
                        case SQLITE_INTEGER:
                            attributes.emplace_back(p->name, row.int64(col));
                            break;
                        case SQLITE_FLOAT:
                            attributes.emplace_back(p->name, row.real(col));
                            break;
                        default:
                            attributes.emplace_back(p->name, std::string(row.text(col)));
                        }
                    }
                }
                const auto rowid = row.int64(0);
                layer.add(static_cast<std::uint64_t>(rowid),
                          row.is_null(1) ? std::span<const unsigned char>{} : row.blob(1),
                          attributes);
            });
    }
    return builder.finish();
}

TileService::~TileService() {
    for (auto& [id, slot] : m_cluster_indexes) {
        if (slot->rebuild.joinable()) {
            slot->rebuild.join();
        }
    }
}

std::shared_ptr<const geo::PointClusterIndex> TileService::cluster_index(const Layer& layer) const {
    const auto it = m_cluster_indexes.find(layer.id);
    if (it == m_cluster_indexes.end()) {
        return nullptr;
    }
    auto& slot = *it->second;
    // Taken before the rows are read: a commit during a build moves the version on, and the
    // next tile builds again.
    const std::int64_t version = m_features.data_version();
    {
        std::lock_guard lock(m_cluster_mutex);
        if (slot.built && slot.version == version) {
            return slot.index;
        }
        if (slot.built) {
            // Stale: rebuild in the background; this tile, and any until the new index is in,
            // reads the rows (as fast as before the index, and never waiting for a build).
            if (!slot.rebuilding) {
                slot.rebuilding = true;
                if (slot.rebuild.joinable()) {
                    slot.rebuild.join(); // finished: it cleared `rebuilding` as it ended
                }
                slot.rebuild = std::jthread([this, &slot, &layer, version] {
                    std::shared_ptr<const geo::PointClusterIndex> index;
                    bool ok = false;
                    try {
                        index = build_cluster_index(layer);
                        ok = true;
                    } catch (const std::exception& e) {
                        spdlog::warn("cluster index of {}: {}", layer.id, e.what());
                    }
                    std::lock_guard done(m_cluster_mutex);
                    if (ok) {
                        slot.index = std::move(index);
                        slot.version = version;
                    }
                    slot.rebuilding = false;
                });
            }
            return nullptr;
        }
    }
    // The layer's first clustered tile: build here; the layer's other requests wait for it.
    std::lock_guard build(slot.build);
    {
        std::lock_guard lock(m_cluster_mutex);
        if (slot.built) {
            return slot.version == version ? slot.index : nullptr;
        }
    }
    auto index = build_cluster_index(layer);
    std::lock_guard lock(m_cluster_mutex);
    slot.index = index;
    slot.version = version;
    slot.built = true;
    return index;
}

std::shared_ptr<const geo::PointClusterIndex>
TileService::build_cluster_index(const Layer& layer) const {
    const auto start = std::chrono::steady_clock::now();
    std::vector<geo::PointClusterIndex::Point> points;
    bool plain = true;
    // Every row a tile of the layer could read: the same query, over the whole world.
    m_features.visit_box(layer, geo::BBox{-180, -90, 180, 90}, std::nullopt, false,
                         std::numeric_limits<std::int64_t>::max(),
                         [&](const store::Statement& row) {
                             if (!plain || row.is_null(1)) {
                                 return; // a row without geometry draws nothing
                             }
                             const auto wkb = row.blob(1);
                             // A 2D point in little-endian WKB, as SpatiaLite's AsBinary writes it
                             // here.
                             std::uint32_t type = 0;
                             if (wkb.size() != 21 || wkb[0] != 1 ||
                                 (std::memcpy(&type, wkb.data() + 1, sizeof type), type != 1) ||
                                 std::endian::native != std::endian::little) {
                                 plain = false;
                                 return;
                             }
                             geo::PointClusterIndex::Point p;
                             p.id = static_cast<std::uint64_t>(row.int64(0));
                             std::memcpy(&p.lon, wkb.data() + 5, sizeof p.lon);
                             std::memcpy(&p.lat, wkb.data() + 13, sizeof p.lat);
                             if (!std::isnan(p.lon) && !std::isnan(p.lat)) {
                                 points.push_back(p);
                             }
                         });
    if (!plain) {
        spdlog::info("cluster index of {}: not every feature is a plain point; its clustered "
                     "tiles read the rows",
                     layer.id);
        return nullptr;
    }
    auto index = std::make_shared<const geo::PointClusterIndex>(std::move(points));
    spdlog::info("cluster index of {}: {} points, {:.1f} MB, built in {:.2f} s", layer.id,
                 index->size(), static_cast<double>(index->memory_bytes()) / 1e6,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return index;
}

} // namespace wardmap::services
