#include "server/http/features/tile_routes.hpp"

#include "server/http/features/ogc_routes.hpp"
#include "server/services/shared/errors.hpp"

namespace wardmap::http {

using services::DomainError;
using services::ErrorCode;
using services::invalid_parameter;

namespace {

constexpr const char* mvt_type = "application/vnd.mapbox-vector-tile";

void check_matrix_set(const Request& request) {
    const auto& id = request.param("tileMatrixSetId");
    if (id != services::web_mercator_quad) {
        throw DomainError(ErrorCode::not_found, "there is no tile matrix set '" + id +
                                                    "'; tile matrix sets: WebMercatorQuad");
    }
}

geo::TileId tile_id(const Request& request) {
    return services::parse_tile_address(request.param("tileMatrixSetId"),
                                        request.param("tileMatrix"), request.param("tileRow"),
                                        request.param("tileCol"));
}

/// A tile request's own checks, before the cache: the Accept header allows a vector tile, the
/// only parameter is f=mvt, the matrix set exists and the indices are whole numbers within it.
void accept_tile(const Request& request) {
    check_ogc_parameters(request, {"f"});
    if (const auto f = request.query_param("f"); f && *f != "mvt") {
        invalid_parameter("f", "must be mvt (Mapbox vector tiles), not '" + *f + "'");
    }
    if (const auto accept = request.header("Accept"); accept && !accept->empty()) {
        if (accept->find(mvt_type) == std::string::npos &&
            accept->find("*/*") == std::string::npos &&
            accept->find("application/*") == std::string::npos &&
            accept->find("application/x-protobuf") == std::string::npos) {
            throw DomainError(ErrorCode::not_acceptable, std::string("tiles are ") + mvt_type +
                                                             " only; the Accept header '" +
                                                             *accept + "' does not allow it");
        }
    }
    (void)tile_id(request);
}

Response tile_response(std::string bytes) {
    Response response = Response::text(std::move(bytes), mvt_type);
    return response;
}

} // namespace

void add_tile_routes(Router& router,
                     const services::TileService& tiles,
                     const services::TileDocuments& documents,
                     PageCache& pages) {
    const std::string root = ogc_prefix;
    const std::vector<std::string> f_only = {"f"};
    add_ogc_route(router, root + "/tileMatrixSets", [f_only](Request& request) {
        check_ogc_parameters(request, f_only);
        return Response::json(services::TileDocuments::tile_matrix_sets(ogc_base_url(request)));
    });
    add_ogc_route(router, root + "/tileMatrixSets/:tileMatrixSetId", [f_only](Request& request) {
        check_ogc_parameters(request, f_only);
        check_matrix_set(request);
        return Response::json(services::TileDocuments::web_mercator_quad(ogc_base_url(request)));
    });

    // The dataset's tileset: the basemap.
    add_ogc_route(router, root + "/tiles", [&tiles, &documents, f_only](Request& request) {
        check_ogc_parameters(request, f_only);
        const std::string base = ogc_base_url(request);
        return Response::json(documents.tilesets(base, base, tiles.basemap()));
    });
    add_ogc_route(router, root + "/tiles/:tileMatrixSetId",
                  [&tiles, &documents, f_only](Request& request) {
                      check_ogc_parameters(request, f_only);
                      check_matrix_set(request);
                      const std::string base = ogc_base_url(request);
                      return Response::json(documents.tileset(base, base, tiles.basemap()));
                  });
    const auto version = [&tiles] { return tiles.data_version(); };
    add_ogc_data_route(router, root + "/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol",
                       cached_data_handler(
                           [&tiles](Request& request) {
                               return tile_response(tiles.tile(tiles.basemap(), tile_id(request)));
                           },
                           version, pages, accept_tile));

    // Each collection's tileset.
    add_ogc_route(router, root + "/collections/:collectionId/tiles",
                  [&tiles, &documents, f_only](Request& request) {
                      const auto& tileset = tiles.collection(request.param("collectionId"));
                      check_ogc_parameters(request, f_only);
                      const std::string base = ogc_base_url(request);
                      return Response::json(
                          documents.tilesets(base, base + "/collections/" + tileset.id, tileset));
                  });
    add_ogc_route(router, root + "/collections/:collectionId/tiles/:tileMatrixSetId",
                  [&tiles, &documents, f_only](Request& request) {
                      const auto& tileset = tiles.collection(request.param("collectionId"));
                      check_ogc_parameters(request, f_only);
                      check_matrix_set(request);
                      const std::string base = ogc_base_url(request);
                      return Response::json(
                          documents.tileset(base, base + "/collections/" + tileset.id, tileset));
                  });
    add_ogc_data_route(
        router,
        root + "/collections/:collectionId/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol",
        cached_data_handler(
            [&tiles](Request& request) {
                const auto& tileset = tiles.collection(request.param("collectionId"));
                return tile_response(tiles.tile(tileset, tile_id(request)));
            },
            version, pages, accept_tile));
}

} // namespace wardmap::http
