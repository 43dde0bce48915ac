// The planning register as a collection.
// Only public data: what a member of the public may see on the council's map.

#include "server/services/features/layer.hpp"

namespace wardmap::services {

using namespace layer_dsl;

void add_planning_layers(LayerRegistry& registry) {
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
}

} // namespace wardmap::services
