#pragma once

// A small Mapbox Vector Tile 2.1 reader for tests, written from the specification with
// protozero's pbf_reader and sharing no code with the encoder (geo/vector_tile.cpp): what it
// decodes is what any client would see.

#include <cstdint>
#include <map>
#include <protozero/pbf_reader.hpp>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace wardmap::testing {

using MvtValue =
    std::variant<std::monostate, std::string, double, std::int64_t, std::uint64_t, bool>;

struct MvtPoint {
    std::int64_t x = 0;
    std::int64_t y = 0;
    friend bool operator==(const MvtPoint&, const MvtPoint&) = default;
};

/// One MoveTo ... [LineTo ...] [ClosePath] run of a feature's geometry.
struct MvtPart {
    std::vector<MvtPoint> points;
    bool closed = false;
};

struct MvtFeature {
    std::uint64_t id = 0;
    bool has_id = false;
    int type = 0; ///< 1 point, 2 linestring, 3 polygon
    std::vector<std::uint32_t> tags;
    std::vector<std::uint32_t> geometry; ///< the raw command integers
    std::vector<MvtPart> parts;          ///< points: one part per point
    std::map<std::string, MvtValue> properties;
};

struct MvtLayer {
    std::string name;
    std::uint32_t version = 1;
    std::uint32_t extent = 4096;
    std::vector<std::string> keys;
    std::vector<MvtValue> values;
    std::vector<MvtFeature> features;
};

/// Twice the signed area of a closed part (surveyor's formula, tile coordinates, y down):
/// positive for an exterior ring (clockwise on screen), negative for a hole.
inline double doubled_area(const MvtPart& part) {
    double sum = 0;
    const auto& p = part.points;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const auto& a = p[i];
        const auto& b = p[(i + 1) % p.size()];
        sum += static_cast<double>(a.x * b.y - b.x * a.y);
    }
    return sum;
}

inline std::int64_t unzigzag(std::uint32_t v) {
    return static_cast<std::int64_t>(v >> 1U) ^ -static_cast<std::int64_t>(v & 1U);
}

inline std::vector<MvtPart> decode_geometry(int type, const std::vector<std::uint32_t>& g) {
    std::vector<MvtPart> parts;
    std::int64_t x = 0;
    std::int64_t y = 0;
    std::size_t i = 0;
    while (i < g.size()) {
        const std::uint32_t id = g[i] & 0x7U;
        const std::uint32_t count = g[i] >> 3U;
        ++i;
        if (id == 7) {
            if (count != 1 || parts.empty()) {
                throw std::runtime_error("bad ClosePath");
            }
            parts.back().closed = true;
            continue;
        }
        if (id != 1 && id != 2) {
            throw std::runtime_error("unknown command " + std::to_string(id));
        }
        if (i + 2 * count > g.size() || count == 0) {
            throw std::runtime_error("truncated command");
        }
        for (std::uint32_t k = 0; k < count; ++k) {
            x += unzigzag(g[i++]);
            y += unzigzag(g[i++]);
            if (id == 1 && (type == 1 || k == 0)) {
                parts.push_back({});
            }
            if (parts.empty()) {
                throw std::runtime_error("LineTo before MoveTo");
            }
            parts.back().points.push_back({x, y});
        }
    }
    return parts;
}

inline MvtValue decode_value(protozero::pbf_reader value) {
    MvtValue out;
    while (value.next()) {
        switch (value.tag()) {
        case 1:
            out = value.get_string();
            break;
        case 2:
            out = static_cast<double>(value.get_float());
            break;
        case 3:
            out = value.get_double();
            break;
        case 4:
            out = value.get_int64();
            break;
        case 5:
            out = value.get_uint64();
            break;
        case 6:
            out = value.get_sint64();
            break;
        case 7:
            out = value.get_bool();
            break;
        default:
            value.skip();
        }
    }
    return out;
}

/// Decodes a whole tile; throws on malformed protobuf or geometry, or a tag out of range.
inline std::vector<MvtLayer> decode_tile(const std::string& bytes) {
    std::vector<MvtLayer> layers;
    protozero::pbf_reader tile(bytes);
    while (tile.next(3)) {
        MvtLayer layer;
        protozero::pbf_reader l = tile.get_message();
        std::vector<protozero::pbf_reader> features;
        while (l.next()) {
            switch (l.tag()) {
            case 15:
                layer.version = l.get_uint32();
                break;
            case 1:
                layer.name = l.get_string();
                break;
            case 2:
                features.push_back(l.get_message());
                break;
            case 3:
                layer.keys.push_back(l.get_string());
                break;
            case 4:
                layer.values.push_back(decode_value(l.get_message()));
                break;
            case 5:
                layer.extent = l.get_uint32();
                break;
            default:
                l.skip();
            }
        }
        for (auto& f : features) {
            MvtFeature feature;
            while (f.next()) {
                switch (f.tag()) {
                case 1:
                    feature.id = f.get_uint64();
                    feature.has_id = true;
                    break;
                case 2: {
                    auto r = f.get_packed_uint32();
                    feature.tags.assign(r.begin(), r.end());
                    break;
                }
                case 3:
                    feature.type = f.get_enum();
                    break;
                case 4: {
                    auto r = f.get_packed_uint32();
                    feature.geometry.assign(r.begin(), r.end());
                    break;
                }
                default:
                    f.skip();
                }
            }
            if (feature.tags.size() % 2 != 0) {
                throw std::runtime_error("odd number of tags");
            }
            for (std::size_t i = 0; i < feature.tags.size(); i += 2) {
                if (feature.tags[i] >= layer.keys.size() ||
                    feature.tags[i + 1] >= layer.values.size()) {
                    throw std::runtime_error("tag out of range");
                }
                feature.properties[layer.keys[feature.tags[i]]] = layer.values[feature.tags[i + 1]];
            }
            feature.parts = decode_geometry(feature.type, feature.geometry);
            layer.features.push_back(std::move(feature));
        }
        layers.push_back(std::move(layer));
    }
    return layers;
}

inline const MvtLayer* find_layer(const std::vector<MvtLayer>& layers, const std::string& name) {
    for (const auto& l : layers) {
        if (l.name == name) {
            return &l;
        }
    }
    return nullptr;
}

} // namespace wardmap::testing
