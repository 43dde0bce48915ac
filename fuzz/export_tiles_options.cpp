// `wardmap export tiles`'s options from the command line: --zooms (services::parse_zoom_range)
// and --bbox (services::parse_lonlat_bbox), then the package's checks
// (services::check_mbtiles_options) for a tileset of zooms 8-18, as run_tiles_export does.
// The input is "ZOOMS BBOX" (split at the first space); each parser also reads the whole
// input. Properties: what parse_zoom_range accepts prints back as its text; what
// parse_lonlat_bbox accepts is finite; options that pass the checks make at least one tile
// and at most max_package_tiles. A refusal of the checks is a DomainError (exit 1).

#include "fuzz/fuzz_support.hpp"

#include "server/services/features/mbtiles_export.hpp"
#include "server/services/shared/errors.hpp"

#include <cmath>
#include <string>

using namespace wardmap;

namespace {

void zooms_property(std::string_view text) {
    const auto z = services::parse_zoom_range(text);
    if (!z) {
        return;
    }
    fuzz::check(z->first >= 0 && z->first <= z->second && z->second <= 24, "zooms out of 0-24");
    const std::string back = text.find('-') == std::string_view::npos
                                 ? std::to_string(z->first)
                                 : std::to_string(z->first) + "-" + std::to_string(z->second);
    fuzz::check(back == text, "accepted zooms are not the text they were read from");
}

void bbox_property(std::string_view text) {
    const auto b = services::parse_lonlat_bbox(text);
    if (b) {
        fuzz::check(std::isfinite(b->min_x) && std::isfinite(b->min_y) && std::isfinite(b->max_x) &&
                        std::isfinite(b->max_y),
                    "an accepted bbox is not finite");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fuzz::text(data, size);
    zooms_property(in);
    bbox_property(in);
    const auto space = in.find(' ');
    if (space == std::string_view::npos) {
        return 0;
    }
    const auto zooms_text = in.substr(0, space);
    const auto bbox_text = in.substr(space + 1);
    zooms_property(zooms_text);
    bbox_property(bbox_text);
    const auto zooms = services::parse_zoom_range(zooms_text);
    const auto bbox = services::parse_lonlat_bbox(bbox_text);
    if (!zooms || !bbox) {
        return 0;
    }
    services::Tileset tileset;
    tileset.id = "basemap";
    tileset.min_zoom = 8;
    tileset.max_zoom = 18;
    services::MbtilesOptions options;
    options.bbox = *bbox;
    std::tie(options.min_zoom, options.max_zoom) = *zooms;
    fuzz::expect_only<services::DomainError>([&] {
        services::check_mbtiles_options(tileset, options);
        const auto n = services::count_package_tiles(options);
        fuzz::check(n >= 1 && n <= services::max_package_tiles,
                    "accepted options make no tile or too many");
    });
    return 0;
}
