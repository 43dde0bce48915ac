// The service requests collection (public requests, no personal data).
// Only public data: what a member of the public may see on the council's map.

#include "server/services/features/layer.hpp"

namespace wardmap::services {

using namespace layer_dsl;

void add_request_layers(LayerRegistry& registry) {
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
}

} // namespace wardmap::services
