#pragma once

// The street-asset types of the register (data/schema/0015_street_assets.sql): their codes,
// the geometry each has, the OGC collection that publishes it and the type-specific attributes
// it carries (in street_assets.attributes). One table read by the importers (which attributes
// a file may map), the streetscene collections (which properties are published) and the demo.
// A test keeps it and the street_asset_types rows the same.

#include <span>
#include <string_view>

namespace wardmap::core {

enum class AssetGeometry { point, line, polygon };

/// The JSON type an attribute is stored as (and parsed to on import).
enum class AttributeType { integer, number, text, date };

/// One type-specific attribute. All are public facts about street furniture: nothing here
/// may name or contact a person.
struct AssetAttribute {
    std::string_view name; ///< member of street_assets.attributes, property on the wire
    AttributeType type;
    std::string_view title;
};

struct StreetAssetType {
    std::string_view code; ///< street_assets.asset_type
    std::string_view title;
    std::string_view collection; ///< OGC collection id
    std::string_view plural;     ///< collection title
    AssetGeometry geometry;
    std::span<const AssetAttribute> attributes;
};

inline constexpr AssetAttribute litter_bin_attributes[] = {
    {"bin_type", AttributeType::text, "Bin type"},
    {"capacity_l", AttributeType::integer, "Capacity (litres)"},
    {"empty_per_week", AttributeType::integer, "Emptied per week"},
};
inline constexpr AssetAttribute dog_bin_attributes[] = {
    {"capacity_l", AttributeType::integer, "Capacity (litres)"},
    {"empty_per_week", AttributeType::integer, "Emptied per week"},
};
inline constexpr AssetAttribute bench_attributes[] = {
    {"material", AttributeType::text, "Material"},
    {"seats", AttributeType::integer, "Seats"},
};
inline constexpr AssetAttribute street_tree_attributes[] = {
    {"species", AttributeType::text, "Species"},
    {"height_m", AttributeType::number, "Height (m)"},
    {"girth_cm", AttributeType::integer, "Girth (cm)"},
    {"tpo", AttributeType::text, "Tree preservation order"},
};
inline constexpr AssetAttribute grit_bin_attributes[] = {
    {"capacity_l", AttributeType::integer, "Capacity (litres)"},
    {"filled_on", AttributeType::date, "Last filled"},
};
inline constexpr AssetAttribute nameplate_attributes[] = {
    {"street_name", AttributeType::text, "Street name"},
    {"mounting", AttributeType::text, "Mounting"},
};
inline constexpr AssetAttribute grass_attributes[] = {
    {"cut_type", AttributeType::text, "Cut (mow, flail, ...)"},
};
inline constexpr AssetAttribute shrub_bed_attributes[] = {
    {"planting", AttributeType::text, "Planting"},
};
inline constexpr AssetAttribute play_area_attributes[] = {
    {"name", AttributeType::text, "Name"},
    {"equipment_count", AttributeType::integer, "Items of equipment"},
    {"surface", AttributeType::text, "Surface"},
};
inline constexpr AssetAttribute street_segment_attributes[] = {
    {"street_name", AttributeType::text, "Street name"},
    {"cleansing_zone", AttributeType::text, "Cleansing zone (COPLAR)"},
};

inline constexpr StreetAssetType street_asset_types[] = {
    {"litter_bin", "Litter bin", "litter_bins", "Litter bins", AssetGeometry::point,
     litter_bin_attributes},
    {"dog_bin", "Dog waste bin", "dog_bins", "Dog waste bins", AssetGeometry::point,
     dog_bin_attributes},
    {"bench", "Bench", "benches", "Benches", AssetGeometry::point, bench_attributes},
    {"street_tree", "Street tree", "street_trees", "Street trees", AssetGeometry::point,
     street_tree_attributes},
    {"grit_bin", "Grit bin", "grit_bins", "Grit bins", AssetGeometry::point, grit_bin_attributes},
    {"nameplate", "Street nameplate", "nameplates", "Street nameplates", AssetGeometry::point,
     nameplate_attributes},
    {"verge", "Verge", "verges", "Verges", AssetGeometry::polygon, grass_attributes},
    {"amenity_grass", "Amenity grass", "amenity_grass", "Amenity grass", AssetGeometry::polygon,
     grass_attributes},
    {"shrub_bed", "Shrub bed", "shrub_beds", "Shrub beds", AssetGeometry::polygon,
     shrub_bed_attributes},
    {"play_area", "Play area", "play_areas", "Play areas", AssetGeometry::polygon,
     play_area_attributes},
    {"street_segment", "Street segment", "street_segments", "Street segments (by USRN)",
     AssetGeometry::line, street_segment_attributes},
};

/// The type with this code, or nullptr.
constexpr const StreetAssetType* find_street_asset_type(std::string_view code) {
    for (const auto& t : street_asset_types) {
        if (t.code == code) {
            return &t;
        }
    }
    return nullptr;
}

/// The attribute of `type` with this name, or nullptr.
constexpr const AssetAttribute* find_attribute(const StreetAssetType& type, std::string_view name) {
    for (const auto& a : type.attributes) {
        if (a.name == name) {
            return &a;
        }
    }
    return nullptr;
}

/// "point", "line" or "polygon" (street_asset_types.geometry).
constexpr std::string_view to_string(AssetGeometry g) {
    return g == AssetGeometry::point ? "point" : g == AssetGeometry::line ? "line" : "polygon";
}

} // namespace wardmap::core
