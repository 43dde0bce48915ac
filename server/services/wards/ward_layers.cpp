// The wards collection (every boundary set, with its validity dates).
// Only public data: what a member of the public may see on the council's map.

#include "server/services/features/layer.hpp"

namespace wardmap::services {

using namespace layer_dsl;

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

} // namespace wardmap::services
