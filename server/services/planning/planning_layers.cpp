// The planning register, the constraint layers and the local land charges register as
// collections. Only public data: each is a public register (docs/planning.md).

#include "server/services/features/layer.hpp"

namespace wardmap::services {

using namespace layer_dsl;

namespace {

struct ConstraintKind {
    const char* kind;
    const char* collection;
    const char* title;
    const char* description;
};

constexpr ConstraintKind constraint_kinds[] = {
    {"conservation_area", "conservation_areas", "Conservation areas",
     "Conservation areas designated by the council (Planning (Listed Buildings and Conservation "
     "Areas) Act 1990, s.69)."},
    {"tree_preservation_order", "tree_preservation_orders", "Tree preservation orders",
     "Areas and groups of trees protected by a tree preservation order."},
    {"listed_building", "listed_buildings", "Listed building outlines",
     "Outlines of listed buildings and their grade."},
    {"article_4", "article_4_areas", "Article 4 direction areas",
     "Areas where an article 4 direction withdraws permitted development rights."},
};

} // namespace

void add_planning_layers(LayerRegistry& registry) {
    Layer planning;
    planning.id = "planning_applications";
    planning.title = "Planning applications";
    planning.description =
        "The planning register: applications, their status and decisions. ward_code is the ward "
        "the site lay in on the date the application was received, derived from the versioned "
        "boundaries, never stored.";
    planning.table = "planning_applications";
    planning.id_column = "t.id";
    planning.geometry = GeometryKind::point;
    planning.properties = {
        prop("reference", "t.reference", string, "Application reference"),
        prop("app_type", "t.app_type", string, "Application type"),
        prop("description", "t.description", string, "Proposal", false),
        prop("address", "t.address", string, "Site address", false),
        prop("uprn", "t.uprn", integer, "Site UPRN"),
        prop("ward_code", "ward_code_at(ST_X(t.geom), ST_Y(t.geom), t.received_date)", string,
             "Ward when received (ONS code; derived, not stored)"),
        prop("status", "t.status", string, "Status: pending, decided, withdrawn or appeal"),
        prop("decision", "t.decision", string, "Decision"),
        prop("decision_type", "t.decision_type", string, "How decided (delegated, committee)"),
        prop("received_date", "t.received_date", date, "Received"),
        prop("validated_date", "t.validated_date", date, "Validated"),
        prop("decided_date", "t.decided_date", date, "Decided"),
        prop("documentation_url", "t.documentation_url", string, "The case in the register", false),
        prop("has_site_boundary", "t.site_geom IS NOT NULL", integer,
             "1 when the site boundary is known (not served here), 0 when only the point"),
    };
    planning.temporal = TemporalProperty{"t.received_date", std::nullopt, date};
    registry.add(std::move(planning));

    for (const auto& k : constraint_kinds) {
        Layer layer;
        layer.id = k.collection;
        layer.title = k.title;
        layer.description = k.description;
        layer.table = "planning_constraints";
        // The SQL is ours: kinds come from the table above.
        layer.where = std::string("t.kind = '") + k.kind + "'";
        layer.where_indexed = true; // planning_constraints_kind (kind, id)
        layer.id_column = "t.id";
        layer.geometry = GeometryKind::multipolygon;
        layer.properties = {
            prop("reference", "t.reference", string, "Reference"),
            prop("name", "t.name", string, "Name"),
            prop("designation_date", "t.designation_date", date, "Designated (or made)"),
            prop("description", "t.description", string, "Description", false),
            prop("documentation_url", "t.documentation_url", string, "Documentation", false),
        };
        if (std::string_view(k.kind) == "listed_building") {
            layer.properties.push_back(prop("grade", "t.grade", string, "Grade: I, II* or II"));
        }
        layer.temporal = TemporalProperty{"t.designation_date", std::nullopt, date};
        registry.add(std::move(layer));
    }

    Layer charges;
    charges.id = "local_land_charges";
    charges.title = "Local land charges";
    charges.description = "The local land charges register (LLC1): each charge's register part, "
                          "type, description, registration date and extent.";
    charges.table = "local_land_charges";
    charges.id_column = "t.id";
    charges.geometry = GeometryKind::multipolygon;
    charges.properties = {
        prop("reference", "t.reference", string, "Charge reference"),
        prop("register_part", "t.register_part", integer, "Register part (1-12)"),
        prop("charge_type", "t.charge_type", string, "Charge type"),
        prop("description", "t.description", string, "Description", false),
        prop("registered_date", "t.registered_date", date, "Registered"),
        prop("originating_authority", "t.originating_authority", string, "Originating authority"),
        prop("instrument_reference", "t.instrument_reference", string, "Instrument", false),
        prop("status", "t.status", string, "registered, varied or cancelled"),
    };
    charges.temporal = TemporalProperty{"t.registered_date", std::nullopt, date};
    registry.add(std::move(charges));
}

} // namespace wardmap::services
