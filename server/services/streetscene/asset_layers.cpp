// Street assets as collections (litter bins so far).
// Only public data: what a member of the public may see on the council's map.

#include "server/services/features/layer.hpp"

namespace wardmap::services {

using namespace layer_dsl;

void add_street_asset_layers(LayerRegistry& registry) {
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

} // namespace wardmap::services
