// The composition of every domain's OGC collections. It lives at the root of services/
// because the features domain reads layers without knowing the domains that declare them.

#include "server/services/features/layer.hpp"

namespace wardmap::services {

LayerRegistry default_layers() {
    LayerRegistry registry;
    add_ward_layers(registry);
    add_gazetteer_layers(registry);
    add_request_layers(registry);
    add_planning_layers(registry);
    add_street_asset_layers(registry);
    add_burial_layers(registry);
    return registry;
}

} // namespace wardmap::services
