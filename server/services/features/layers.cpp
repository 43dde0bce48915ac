// The layer registry; each domain declares its own collections next to its service
// (wards/ward_layers.cpp, gazetteer/, requests/, planning/, streetscene/, burials/).

#include "server/services/features/layer.hpp"

#include <stdexcept>

namespace wardmap::services {

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

} // namespace wardmap::services
