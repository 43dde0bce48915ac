// The collections each domain publishes through the OGC API (server/services/features).
// Only public data: what a member of the public may see on the council's map.

#include "server/services/features/layer.hpp"

#include <stdexcept>

namespace wardmap::services {

namespace {

LayerProperty prop(std::string name,
                   std::string sql,
                   PropertyType type,
                   std::string title,
                   bool queryable = true) {
    return {std::move(name), std::move(sql), type, std::move(title), queryable};
}

constexpr auto integer = PropertyType::integer;
constexpr auto string = PropertyType::string;
constexpr auto date = PropertyType::date;
constexpr auto datetime = PropertyType::datetime;

} // namespace

const char* json_type(PropertyType type) {
    switch (type) {
    case PropertyType::integer:
        return "integer";
    case PropertyType::number:
        return "number";
    default:
        return "string";
    }
}

const char* to_string(GeometryKind kind) {
    switch (kind) {
    case GeometryKind::point:
        return "point";
    case GeometryKind::linestring:
        return "linestring";
    case GeometryKind::polygon:
        return "polygon";
    case GeometryKind::multipolygon:
        return "multipolygon";
    }
    return "any";
}

const LayerProperty* Layer::property(std::string_view name) const {
    for (const auto& p : properties) {
        if (p.name == name) {
            return &p;
        }
    }
    return nullptr;
}

bool Layer::visible_to(std::string_view role) const {
    for (const auto& r : roles) {
        if (r == role) {
            return true;
        }
    }
    return false;
}

void LayerRegistry::add(Layer layer) {
    if (layer.id.empty() ||
        layer.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
        throw std::invalid_argument("layer id '" + layer.id + "' must be [a-z0-9_]+");
    }
    if (find(layer.id)) {
        throw std::invalid_argument("layer '" + layer.id + "' is registered twice");
    }
    m_layers.push_back(std::move(layer));
}

const Layer* LayerRegistry::find(std::string_view id) const {
    for (const auto& layer : m_layers) {
        if (layer.id == id) {
            return &layer;
        }
    }
    return nullptr;
}

void add_ward_layers(LayerRegistry& registry) {
    Layer wards;
    wards.id = "wards";
    wards.title = "Wards";
    wards.description = "Electoral wards of every boundary set, each valid from valid_from until "
                        "valid_to (exclusive; null while current). Use datetime to pick a date.";
    wards.table = "wards";
    wards.joins = "JOIN boundary_sets b ON b.id = t.boundary_set_id";
    wards.id_column = "t.id";
    wards.geometry = GeometryKind::multipolygon;
    wards.properties = {
        prop("code", "t.code", string, "ONS GSS code"),
        prop("name", "t.name", string, "Ward name"),
        prop("boundary_set", "b.label", string, "Boundary set"),
        prop("valid_from", "b.valid_from", date, "First day in force"),
        prop("valid_to", "b.valid_to", date, "First day no longer in force"),
    };
    wards.temporal = TemporalProperty{"b.valid_from", "b.valid_to", date};
    registry.add(std::move(wards));
}

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
    // The main address: approved before others, English before Welsh, then the first loaded
    // (in the order of the addresses_main index, 0010_main_address: one seek, no sort).
    addresses.lookups = "LEFT JOIN addresses m ON m.id = (SELECT a.id FROM addresses a "
                        "WHERE a.uprn = t.uprn ORDER BY a.logical_status <> 1, "
                        "a.language <> 'ENG', a.id LIMIT 1)";
    addresses.properties = {
        prop("uprn", "t.uprn", integer, "Unique Property Reference Number"),
        prop("address", "m.single_line", string, "Main address", false),
        prop("postcode", "m.postcode", string, "Postcode of the main address", false),
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

void add_casework_layers(LayerRegistry& registry) {
    Layer requests;
    requests.id = "service_requests";
    requests.title = "Service requests";
    requests.description = "Reports from the public (public view: category, status and dates; "
                           "never the reporter's words, address or contact details).";
    requests.table = "service_requests";
    requests.joins = "LEFT JOIN service_categories c ON c.code = t.category_code";
    requests.where = "t.private = 0"; // private services (e.g. noise) are never public
    requests.id_column = "t.id";
    requests.geometry = GeometryKind::point;
    requests.properties = {
        prop("category_code", "t.category_code", string, "Service category"),
        prop("category", "c.name", string, "Category name", false),
        prop("group", "c.group_name", string, "Service group", false),
        prop("status", "t.status", string, "Status"),
        prop("ward_code", "t.ward_code", string, "Ward (ONS code)"),
        prop("usrn", "t.usrn", integer, "Street (USRN)"),
        prop("created_at", "t.created_at", datetime, "Reported at (UTC)"),
        prop("updated_at", "t.updated_at", datetime, "Last updated (UTC)"),
        prop("closed_at", "t.closed_at", datetime, "Closed at (UTC)"),
    };
    requests.temporal = TemporalProperty{"t.created_at", std::nullopt, datetime};
    registry.add(std::move(requests));

    Layer planning;
    planning.id = "planning_applications";
    planning.title = "Planning applications";
    planning.description = "The planning register: applications, their status and decisions.";
    planning.table = "planning_applications";
    planning.id_column = "t.id";
    planning.geometry = GeometryKind::point;
    planning.properties = {
        prop("reference", "t.reference", string, "Application reference"),
        prop("app_type", "t.app_type", string, "Application type"),
        prop("description", "t.description", string, "Proposal", false),
        prop("address", "t.address", string, "Site address", false),
        prop("uprn", "t.uprn", integer, "Site UPRN"),
        prop("ward_code", "t.ward_code", string, "Ward (ONS code)"),
        prop("status", "t.status", string, "Status"),
        prop("decision", "t.decision", string, "Decision"),
        prop("received_date", "t.received_date", date, "Received"),
        prop("decided_date", "t.decided_date", date, "Decided"),
    };
    planning.temporal = TemporalProperty{"t.received_date", std::nullopt, date};
    registry.add(std::move(planning));

    Layer bins;
    bins.id = "litter_bins";
    bins.title = "Litter bins";
    bins.description = "Council litter and dog bins.";
    bins.table = "litter_bins";
    bins.id_column = "t.id";
    bins.geometry = GeometryKind::point;
    bins.properties = {
        prop("asset_ref", "t.asset_ref", string, "Asset reference"),
        prop("bin_type", "t.bin_type", string, "Bin type"),
        prop("capacity_l", "t.capacity_l", integer, "Capacity (litres)"),
        prop("usrn", "t.usrn", integer, "Street (USRN)"),
        prop("ward_code", "t.ward_code", string, "Ward (ONS code)"),
        prop("installed_on", "t.installed_on", date, "Installed"),
        prop("empty_per_week", "t.empty_per_week", integer, "Emptied per week"),
    };
    bins.temporal = TemporalProperty{"t.installed_on", std::nullopt, date};
    registry.add(std::move(bins));
}

void add_cemetery_layers(LayerRegistry& registry) {
    Layer cemeteries;
    cemeteries.id = "cemeteries";
    cemeteries.title = "Cemeteries";
    cemeteries.description = "Council cemeteries.";
    cemeteries.table = "cemeteries";
    cemeteries.id_column = "t.id";
    cemeteries.geometry = GeometryKind::multipolygon;
    cemeteries.properties = {
        prop("name", "t.name", string, "Name"),
        prop("address", "t.address", string, "Address"),
        prop("opened", "t.opened", integer, "Year opened"),
    };
    registry.add(std::move(cemeteries));

    Layer sections;
    sections.id = "cemetery_sections";
    sections.title = "Cemetery sections";
    sections.description = "Sections of each cemetery.";
    sections.table = "cemetery_sections";
    sections.joins = "JOIN cemeteries c ON c.id = t.cemetery_id";
    sections.id_column = "t.id";
    sections.geometry = GeometryKind::polygon;
    sections.properties = {
        prop("cemetery_id", "t.cemetery_id", integer, "Cemetery"),
        prop("cemetery", "c.name", string, "Cemetery name"),
        prop("name", "t.name", string, "Section"),
        prop("denomination", "t.denomination", string, "Denomination"),
    };
    registry.add(std::move(sections));

    // Public view: where plots are and whether one can be bought; nothing about who lies there.
    Layer plots;
    plots.id = "burial_plots";
    plots.title = "Burial plots";
    plots.description = "Burial plots (public view: reference, type and availability).";
    plots.table = "burial_plots";
    plots.joins = "JOIN cemetery_sections s ON s.id = t.section_id "
                  "JOIN cemeteries c ON c.id = s.cemetery_id";
    plots.id_column = "t.id";
    plots.geometry = GeometryKind::polygon;
    plots.properties = {
        prop("plot_ref", "t.plot_ref", string, "Plot reference"),
        prop("section_id", "t.section_id", integer, "Cemetery section"),
        prop("section", "s.name", string, "Section name"),
        prop("cemetery", "c.name", string, "Cemetery name"),
        prop("plot_type", "t.plot_type", string, "Plot type"),
        prop("status", "t.status", string, "Availability"),
    };
    registry.add(std::move(plots));
}

LayerRegistry default_layers() {
    LayerRegistry registry;
    add_ward_layers(registry);
    add_gazetteer_layers(registry);
    add_casework_layers(registry);
    add_cemetery_layers(registry);
    return registry;
}

} // namespace wardmap::services
