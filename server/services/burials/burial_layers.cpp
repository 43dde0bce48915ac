// Cemeteries, their sections and grave plots (status and number only).
// Only public data: what a member of the public may see on the council's map.

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

} // namespace wardmap::services
