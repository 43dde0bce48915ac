// Cemeteries, their sections and graves (grave number and derived status only).
// Only public data: what a member of the public may see on the council's map.

#include "server/services/burials/grave_status.hpp"
#include "server/services/features/layer.hpp"

namespace wardmap::services {

using namespace layer_dsl;

void add_burial_layers(LayerRegistry& registry) {
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
        prop("code", "t.code", string, "Section code"),
        prop("kind", "t.kind", string,
             "Kind: traditional, lawn, baby, child, cremated_remains, garden_of_remembrance, "
             "family_ashes, muslim, woodland or common"),
        prop("denomination", "t.denomination", string, "Denomination"),
        prop("consecrated", "t.consecrated", integer, "Consecrated ground (1) or not (0)"),
    };
    registry.add(std::move(sections));

    // Public view: where graves are and whether one can be had; nothing about who lies there
    // or who holds the right (docs/burials.md). The status is derived on every read, today.
    Layer graves;
    graves.id = "graves";
    graves.title = "Graves";
    graves.description = "Grave spaces (public view: grave number and status only; status "
                         "derived today from the register, grants and overrides).";
    graves.table = "grave_spaces";
    graves.id_column = "t.id";
    graves.geometry = GeometryKind::polygon;
    graves.properties = {
        prop("grave_number", "t.grave_number", string, "Grave number"),
        prop("status", grave_status_sql("t", "date('now')"), string,
             "Status: available, reserved, in_use, full, unavailable or right_expired"),
    };
    registry.add(std::move(graves));
}

} // namespace wardmap::services
