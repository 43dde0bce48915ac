#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wardmap::services {

/// The JSON Schema type of a published property (and how a filter value is parsed for it).
enum class PropertyType { integer, number, string, date, datetime };

/// "integer", "number" or "string" (dates are strings with a format).
const char* json_type(PropertyType type);

/// One public property of a layer: its name on the wire and the SQL expression that gives it
/// (over the layer's FROM clause, the spatial table aliased `t`). The SQL is ours, never a
/// client's.
struct LayerProperty {
    std::string name;
    std::string sql;
    PropertyType type = PropertyType::string;
    std::string title;
    /// May be named in `name=value` parameters and CQL2 filters.
    bool queryable = true;
};

/// The property `datetime` filters on: an instant (`start_sql` only) or an interval whose
/// end may be NULL (open). Dates are ISO text (YYYY-MM-DD), date-times ISO UTC text.
struct TemporalProperty {
    std::string start_sql;
    std::optional<std::string> end_sql;
    PropertyType type = PropertyType::date;
};

enum class GeometryKind { point, linestring, polygon, multipolygon };

/// "point", "linestring", "polygon", "multipolygon" (JSON Schema format suffix for queryables).
const char* to_string(GeometryKind kind);

/// A link each feature of a layer carries besides self and collection: to a page of the site
/// about that feature (an asset's history).
struct ItemLink {
    std::string path; ///< on the site, "{id}" standing for the feature's id
    std::string rel;  ///< e.g. "version-history" (IANA)
    std::string type = "application/json";
};

/// One OGC API collection, declared by the domain that owns the table. Every spatial table has
/// an EPSG:27700 `geom` with an R*Tree `idx_<table>_geom` and a WGS84 copy `geom_wgs84`
/// (indexed unless `wgs84_index` is false). Features are ordered and paged by `id_column`,
/// which must be the table's integer rowid (alias).
struct Layer {
    std::string id;
    std::string title;
    std::string description;
    std::string table; ///< the spatial table, aliased `t`
    std::string joins; ///< extra FROM clause after `table t` (LEFT JOIN ...)
    /// LEFT JOINs to at most one row each, after `joins`: they add columns to a feature and
    /// never change which features exist or match, so counts leave them out. Properties
    /// read from them must not be queryable.
    std::string lookups;
    std::string id_column = "t.rowid"; ///< the integer feature id (the rowid or its alias)
    std::string where;                 ///< a fixed restriction (a public view), or empty
    /// An index answers `where` (street_assets' on type and status): an unfiltered first page
    /// counts the layer's rows exactly, as it counts a whole table's.
    bool where_indexed = false;
    GeometryKind geometry = GeometryKind::point;
    bool wgs84_index = true;
    /// A point layer's tiles draw clusters with counts below this zoom; 0 is TileService's
    /// default. The densest layers (a million addresses) cluster one zoom further.
    int tile_cluster_below = 0;
    std::vector<LayerProperty> properties;
    std::optional<TemporalProperty> temporal;
    /// Links a single feature's page carries (GET .../items/{featureId}).
    std::vector<ItemLink> item_links;
    /// Who may read it; only "public" layers are served today.
    std::vector<std::string> roles = {"public"};
    /// Paging is keyset on the id, so the id is the one stable order.
    std::string default_sort = "id";

    [[nodiscard]] const LayerProperty* property(std::string_view name) const;
    [[nodiscard]] bool visible_to(std::string_view role) const;
};

/// The collections the OGC API serves, in the order they are listed. Immutable after
/// start-up; read from any thread.
class LayerRegistry {
  public:
    /// Throws std::invalid_argument for a duplicate or malformed id.
    void add(Layer layer);
    [[nodiscard]] const Layer* find(std::string_view id) const;
    [[nodiscard]] const std::vector<Layer>& layers() const { return m_layers; }

  private:
    std::vector<Layer> m_layers;
};

/// Each domain's collections (layers.cpp): wards, addresses, streets, postcodes, service
/// requests (public view), planning applications, litter bins, cemeteries, cemetery sections
/// and burial plots (public view).
/// Each domain adds its collections (defined in its own folder; composed by all_layers.cpp).
void add_ward_layers(LayerRegistry& registry);
void add_gazetteer_layers(LayerRegistry& registry);
void add_request_layers(LayerRegistry& registry);
void add_planning_layers(LayerRegistry& registry);
void add_street_asset_layers(LayerRegistry& registry);
void add_burial_layers(LayerRegistry& registry);

/// Shorthands for declaring a layer's properties.
namespace layer_dsl {
inline LayerProperty prop(std::string name,
                          std::string sql,
                          PropertyType type,
                          std::string title,
                          bool queryable = true) {
    return {std::move(name), std::move(sql), type, std::move(title), queryable};
}
inline constexpr auto integer = PropertyType::integer;
inline constexpr auto string = PropertyType::string;
inline constexpr auto date = PropertyType::date;
inline constexpr auto datetime = PropertyType::datetime;
} // namespace layer_dsl
/// All of the above.
/// Every domain's collections, in the order /ogc/collections lists them.
LayerRegistry default_layers();

} // namespace wardmap::services
