// Street assets as collections: one per asset type of the register (core/street_asset_types.hpp),
// each a public view of street_assets (active assets of that type). `litter_bins` keeps its id
// and its properties from before the register.
// Only public data: what a member of the public may see on the council's map. The register
// holds no personal data; an owner is an organisation kind (council, parish, ...), never a
// contact.

#include "core/street_asset_types.hpp"

#include "server/services/features/layer.hpp"
#include "server/services/streetscene/asset_sql.hpp"

namespace wardmap::services {

using namespace layer_dsl;

namespace {

PropertyType property_type(core::AttributeType type) {
    switch (type) {
    case core::AttributeType::integer:
        return PropertyType::integer;
    case core::AttributeType::number:
        return PropertyType::number;
    case core::AttributeType::date:
        return PropertyType::date;
    default:
        return PropertyType::string;
    }
}

GeometryKind geometry_kind(core::AssetGeometry g) {
    switch (g) {
    case core::AssetGeometry::point:
        return GeometryKind::point;
    case core::AssetGeometry::line:
        return GeometryKind::linestring;
    default:
        return GeometryKind::multipolygon;
    }
}

Layer street_asset_layer(const core::StreetAssetType& type) {
    Layer layer;
    layer.id = std::string(type.collection);
    layer.title = std::string(type.plural);
    layer.description =
        std::string(type.plural) +
        " in the council's street-asset register (active ones). ward_code is the ward the asset "
        "lies in today, derived from the boundaries in force, never stored.";
    layer.table = "street_assets";
    layer.where = "t.asset_type = '" + std::string(type.code) + "' AND t.status = 'active'";
    layer.where_indexed = true; // street_assets_type (asset_type, status)
    layer.id_column = "t.id";
    layer.geometry = geometry_kind(type.geometry);
    layer.properties = {
        prop("asset_ref", "t.reference", string, "Asset reference (as printed on it)"),
    };
    for (const auto& a : type.attributes) {
        // The SQL is ours: attribute names come from the compiled-in catalogue.
        layer.properties.push_back(
            prop(std::string(a.name), "json_extract(t.attributes, '$." + std::string(a.name) + "')",
                 property_type(a.type), std::string(a.title)));
    }
    layer.properties.push_back(prop("usrn", "t.usrn", integer, "Street (USRN)"));
    if (type.geometry == core::AssetGeometry::point) {
        layer.properties.push_back(prop("uprn", "t.uprn", integer, "Property (UPRN)"));
    }
    layer.properties.push_back(prop("ward_code", ward_code_sql("t", "date('now')"), string,
                                    "Ward today (ONS code; derived, not stored)"));
    layer.properties.push_back(prop("installed_on", "t.installed_on", date, "Installed"));
    layer.properties.push_back(prop("condition", "t.condition", string, "Condition"));
    layer.properties.push_back(prop("owner", "t.owner", string, "Owner (council, parish, ...)"));
    if (type.geometry == core::AssetGeometry::polygon) {
        layer.properties.push_back(
            prop("area_m2", "round(ST_Area(t.geom), 1)", PropertyType::number, "Area (m²)", false));
    } else if (type.geometry == core::AssetGeometry::line) {
        layer.properties.push_back(prop("length_m", "round(GLength(t.geom), 1)",
                                        PropertyType::number, "Length (m)", false));
    }
    layer.temporal = TemporalProperty{"t.installed_on", std::nullopt, date};
    // Every change of the asset (street_asset_history), public like the register.
    layer.item_links.push_back({"/api/assets/{id}/history", "version-history"});
    return layer;
}

} // namespace

void add_street_asset_layers(LayerRegistry& registry) {
    for (const auto& type : core::street_asset_types) {
        registry.add(street_asset_layer(type));
    }
}

} // namespace wardmap::services
