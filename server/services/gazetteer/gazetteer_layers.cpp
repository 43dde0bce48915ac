// The gazetteer's collections: addresses, streets, postcodes.
// Only public data: what a member of the public may see on the council's map.

#include "server/services/features/layer.hpp"

namespace wardmap::services {

using namespace layer_dsl;

void add_gazetteer_layers(LayerRegistry& registry) {
    Layer addresses;
    addresses.id = "addresses";
    addresses.title = "Addresses";
    addresses.description = "Properties (LLPG BLPUs) by UPRN with their main address.";
    addresses.table = "properties";
    addresses.id_column = "t.uprn";
    addresses.geometry = GeometryKind::point;
    // Properties are the million-row table: its WGS84 geometry has no R*Tree (0004_gazetteer).
    addresses.wgs84_index = false;
    // A town's zoom-15 tile holds 1,000-2,500 properties, a blot of overlapping markers
    // (100-170 KB with their addresses): they are counted in clusters until zoom 16, where
    // the basemap starts drawing house numbers (as Mapbox Streets' house numbers do).
    addresses.tile_cluster_below = 16;
    // The main address: approved before others, English before Welsh, then the first loaded
    // (in the order of the addresses_main index, 0010_main_address: one seek, no sort).
    addresses.lookups = "LEFT JOIN addresses m ON m.id = (SELECT a.id FROM addresses a "
                        "WHERE a.uprn = t.uprn ORDER BY a.logical_status <> 1, "
                        "a.language <> 'ENG', a.id LIMIT 1)";
    addresses.properties = {
        prop("uprn", "t.uprn", integer, "Unique Property Reference Number"),
        prop("address", "m.single_line", string, "Main address", false),
        prop("postcode", "m.postcode", string, "Postcode of the main address", false),
        // The basemap labels address points with it (vector tiles).
        prop("house", "m.paon", string, "House number or name of the main address", false),
        prop("classification", "t.classification", string, "AddressBase classification"),
        prop("logical_status", "t.logical_status", integer,
             "1 approved, 3 alternative, 6 provisional, 8 historical"),
        prop("parent_uprn", "t.parent_uprn", integer, "Parent property"),
    };
    registry.add(std::move(addresses));

    Layer streets;
    streets.id = "streets";
    streets.title = "Streets";
    streets.description = "LLPG streets (USRN) and their centrelines.";
    streets.table = "streets";
    streets.id_column = "t.usrn";
    streets.geometry = GeometryKind::linestring;
    streets.properties = {
        prop("usrn", "t.usrn", integer, "Unique Street Reference Number"),
        prop("descriptor", "t.descriptor", string, "Street name or description"),
        prop("locality", "t.locality", string, "Locality"),
        prop("town", "t.town", string, "Town"),
        prop("street_type", "t.street_type", integer, "BS 7666 street type"),
        prop("state", "t.state", integer, "LLPG street state"),
    };
    registry.add(std::move(streets));

    Layer postcodes;
    postcodes.id = "postcodes";
    postcodes.title = "Postcodes";
    postcodes.description = "Postcode centroids (Code-Point Open). The feature id is the row id; "
                            "the postcode is a property.";
    postcodes.table = "postcodes";
    postcodes.id_column = "t.rowid";
    postcodes.geometry = GeometryKind::point;
    postcodes.properties = {
        prop("postcode", "t.postcode", string, "Postcode"),
    };
    registry.add(std::move(postcodes));
}

} // namespace wardmap::services
