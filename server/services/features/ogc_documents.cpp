#include "server/services/features/ogc_documents.hpp"

#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

namespace wardmap::services {

using nlohmann::json;

namespace {

constexpr const char* geojson_type = "application/geo+json";
constexpr const char* json_type_name = "application/json";
constexpr const char* openapi_type = "application/vnd.oai.openapi+json;version=3.0";
constexpr const char* schema_type = "application/schema+json";
constexpr const char* mvt_type = "application/vnd.mapbox-vector-tile";
constexpr const char* queryables_rel = "http://www.opengis.net/def/rel/ogc/1.0/queryables";
constexpr const char* tilesets_vector_rel =
    "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector";
constexpr const char* tiling_schemes_rel = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes";

constexpr std::array all_crs = {FeatureCrs::crs84, FeatureCrs::epsg4326, FeatureCrs::epsg27700,
                                FeatureCrs::epsg3857};

json link(std::string href, const char* rel, const char* type, std::string title = {}) {
    json l = {{"href", std::move(href)}, {"rel", rel}, {"type", type}};
    if (!title.empty()) {
        l["title"] = std::move(title);
    }
    return l;
}

json crs_list() {
    json list = json::array();
    for (const auto c : all_crs) {
        list.push_back(crs_uri(c));
    }
    return list;
}

json collection_json(const std::string& base, const Layer& layer, const LayerExtent& extent) {
    const std::string self = base + "/collections/" + layer.id;
    json c = {{"id", layer.id},
              {"title", layer.title},
              {"description", layer.description},
              {"itemType", "feature"},
              {"crs", crs_list()},
              {"storageCrs", crs_uri(FeatureCrs::epsg27700)}};
    if (!extent.bbox.empty()) {
        c["extent"]["spatial"] = {
            {"bbox", json::array({json::array({extent.bbox.min_x, extent.bbox.min_y,
                                               extent.bbox.max_x, extent.bbox.max_y})})},
            {"crs", crs_uri(FeatureCrs::crs84)}};
    }
    if (extent.has_temporal && (extent.first || extent.last)) {
        c["extent"]["temporal"] = {
            {"interval", json::array({json::array({extent.first ? json(*extent.first) : json(),
                                                   extent.last ? json(*extent.last) : json()})})},
            {"trs", "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}};
    }
    c["links"] = json::array({
        link(self, "self", json_type_name, "This collection"),
        link(self + "/items", "items", geojson_type, layer.title + " as GeoJSON"),
        link(self + "/queryables", queryables_rel, schema_type, "Queryables"),
        link(self + "/queryables", "describedby", schema_type, "Queryables"),
        link(self + "/tiles", tilesets_vector_rel, json_type_name, "Vector tilesets"),
    });
    return c;
}

json property_schema(const LayerProperty& p) {
    json s = {{"title", p.title}, {"type", json_type(p.type)}};
    if (p.type == PropertyType::date) {
        s["format"] = "date";
    } else if (p.type == PropertyType::datetime) {
        s["format"] = "date-time";
    }
    return s;
}

json param_ref(const char* name) {
    return {{"$ref", std::string("#/components/parameters/") + name}};
}

json problem_responses(json responses) {
    const json problem = {
        {"description", "A problem: what to fix"},
        {"content",
         {{"application/problem+json", {{"schema", {{"$ref", "#/components/schemas/problem"}}}}}}}};
    responses["400"] = problem;
    responses["404"] = problem;
    responses["406"] = problem;
    responses["500"] = problem;
    return responses;
}

json json_ok(const char* description, const char* type = json_type_name) {
    return {{"description", description},
            {"content", {{type, {{"schema", {{"type", "object"}}}}}}}};
}

json get_op(std::string id, std::string summary, json params, json responses) {
    return {{"get",
             {{"operationId", std::move(id)},
              {"summary", std::move(summary)},
              {"parameters", std::move(params)},
              {"responses", problem_responses(std::move(responses))}}}};
}

json items_responses() {
    json ok = json_ok("A page of features", geojson_type);
    ok["content"][json_type_name] = ok["content"][geojson_type];
    ok["headers"] = {
        {"Content-Crs",
         {{"description", "The CRS of the geometries"}, {"schema", {{"type", "string"}}}}}};
    return {{"200", ok}, {"304", {{"description", "Not modified (If-None-Match)"}}}};
}

json items_parameter_refs() {
    json p = json::array();
    for (const char* name : {"limit", "bbox", "bbox-crs", "crs", "datetime", "offset", "cursor",
                             "filter", "filter-lang", "filter-crs", "f"}) {
        p.push_back(param_ref(name));
    }
    return p;
}

} // namespace

const char* crs_uri(FeatureCrs crs) {
    switch (crs) {
    case FeatureCrs::crs84:
        return "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
    case FeatureCrs::epsg4326:
        return "http://www.opengis.net/def/crs/EPSG/0/4326";
    case FeatureCrs::epsg27700:
        return "http://www.opengis.net/def/crs/EPSG/0/27700";
    case FeatureCrs::epsg3857:
        return "http://www.opengis.net/def/crs/EPSG/0/3857";
    }
    return "";
}

FeatureCrs parse_feature_crs(const std::string& text, const std::string& parameter) {
    std::string t = text;
    if (t.size() > 2 && t.front() == '[' && t.back() == ']') { // safe CURIE [EPSG:27700]
        t = t.substr(1, t.size() - 2);
    }
    for (const auto c : all_crs) {
        if (t == crs_uri(c)) {
            return c;
        }
    }
    if (t == "CRS84" || t == "OGC:CRS84" || t == "urn:ogc:def:crs:OGC:1.3:CRS84") {
        return FeatureCrs::crs84;
    }
    for (const auto& [code, crs] :
         {std::pair{"4326", FeatureCrs::epsg4326}, std::pair{"27700", FeatureCrs::epsg27700},
          std::pair{"3857", FeatureCrs::epsg3857}}) {
        if (t == std::string("EPSG:") + code || t == std::string("urn:ogc:def:crs:EPSG::") + code) {
            return crs;
        }
    }
    std::string list;
    for (const auto c : all_crs) {
        list += list.empty() ? "" : ", ";
        list += crs_uri(c);
    }
    invalid_parameter(parameter, "must be one of " + list + ", not '" + text + "'");
}

const std::vector<std::string>& OgcDocuments::items_parameters() {
    static const std::vector<std::string> names = {"f",      "limit",       "bbox",      "bbox-crs",
                                                   "crs",    "datetime",    "offset",    "cursor",
                                                   "filter", "filter-lang", "filter-crs"};
    return names;
}

std::string OgcDocuments::landing(const std::string& base) const {
    json doc = {
        {"title", "wardmap OGC API - Features"},
        {"description", "The council's public map layers: wards, addresses, streets, postcodes, "
                        "service requests, planning applications, litter bins and cemeteries."},
        {"links",
         json::array({
             link(base + "/", "self", json_type_name, "This document"),
             link(base + "/api", "service-desc", openapi_type, "The API definition"),
             link(base + "/conformance", "conformance", json_type_name, "Conformance classes"),
             link(base + "/collections", "data", json_type_name, "The collections"),
             link(base + "/tileMatrixSets", tiling_schemes_rel, json_type_name, "Tile matrix sets"),
             link(base + "/tiles", tilesets_vector_rel, json_type_name,
                  "Vector tilesets of the whole dataset (the basemap)"),
         })}};
    (void)m_features;
    return doc.dump();
}

std::string OgcDocuments::conformance(const std::string& /*base*/) {
    const json doc = {
        {"conformsTo",
         {
             "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
             "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
             "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
             "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
             "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
             "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
             "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
             "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
             "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
             "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
             "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
             "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
             "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
             "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
             "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
             "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
             "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
             "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
             "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
             "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
             "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
             "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
             "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
             "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
             "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
         }}};
    return doc.dump();
}

std::string OgcDocuments::collections(const std::string& base) const {
    json list = json::array();
    for (const auto& layer : m_features.registry().layers()) {
        if (layer.visible_to("public")) {
            list.push_back(collection_json(base, layer, m_features.extent(layer)));
        }
    }
    const json doc = {{"links", json::array({link(base + "/collections", "self", json_type_name,
                                                  "The collections")})},
                      {"crs", crs_list()},
                      {"collections", std::move(list)}};
    return doc.dump();
}

std::string OgcDocuments::collection(const std::string& base, const Layer& layer) const {
    return collection_json(base, layer, m_features.extent(layer)).dump();
}

std::string OgcDocuments::queryables(const std::string& base, const Layer& layer) {
    json props = json::object();
    for (const auto& p : layer.properties) {
        if (p.queryable) {
            props[p.name] = property_schema(p);
        }
    }
    props["geometry"] = {{"title", "Geometry"},
                         {"format", std::string("geometry-") + to_string(layer.geometry)}};
    const json doc = {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
                      {"$id", base + "/collections/" + layer.id + "/queryables"},
                      {"type", "object"},
                      {"title", layer.title},
                      {"properties", std::move(props)},
                      {"additionalProperties", false}};
    return doc.dump();
}

std::string OgcDocuments::openapi(const std::string& base) const {
    json params = {
        {"f",
         {{"name", "f"},
          {"in", "query"},
          {"description", "The response format (also chosen by Accept)"},
          {"required", false},
          {"schema", {{"type", "string"}, {"enum", {"json", "geojson"}}}}}},
        {"limit",
         {{"name", "limit"},
          {"in", "query"},
          {"description", "Features per page; larger values are clamped to the maximum"},
          {"required", false},
          {"style", "form"},
          {"explode", false},
          {"schema",
           {{"type", "integer"},
            {"minimum", 1},
            {"maximum", ogc_max_limit},
            {"default", ogc_default_limit}}}}},
        {"bbox",
         {{"name", "bbox"},
          {"in", "query"},
          {"description", "minx,miny,maxx,maxy in bbox-crs (CRS84 by default)"},
          {"required", false},
          {"style", "form"},
          {"explode", false},
          {"schema",
           {{"type", "array"},
            {"minItems", 4},
            {"maxItems", 6},
            {"items", {{"type", "number"}}}}}}},
        {"bbox-crs",
         {{"name", "bbox-crs"},
          {"in", "query"},
          {"required", false},
          {"schema", {{"type", "string"}, {"format", "uri"}, {"enum", crs_list()}}}}},
        {"crs",
         {{"name", "crs"},
          {"in", "query"},
          {"required", false},
          {"schema", {{"type", "string"}, {"format", "uri"}, {"enum", crs_list()}}}}},
        {"filter-crs",
         {{"name", "filter-crs"},
          {"in", "query"},
          {"required", false},
          {"schema", {{"type", "string"}, {"format", "uri"}, {"enum", crs_list()}}}}},
        {"datetime",
         {{"name", "datetime"},
          {"in", "query"},
          {"description", "An RFC 3339 instant or interval a/b ('..' for an open end)"},
          {"required", false},
          {"schema", {{"type", "string"}}}}},
        {"offset",
         {{"name", "offset"},
          {"in", "query"},
          {"description", "Features to skip (next links use cursor instead)"},
          {"required", false},
          {"schema", {{"type", "integer"}, {"minimum", 0}}}}},
        {"cursor",
         {{"name", "cursor"},
          {"in", "query"},
          {"description", "Opaque paging cursor from a next link"},
          {"required", false},
          {"schema", {{"type", "string"}}}}},
        {"filter",
         {{"name", "filter"},
          {"in", "query"},
          {"description", "A CQL2 text filter over the collection's queryables"},
          {"required", false},
          {"schema", {{"type", "string"}}}}},
        {"filter-lang",
         {{"name", "filter-lang"},
          {"in", "query"},
          {"required", false},
          {"schema", {{"type", "string"}, {"enum", {"cql2-text"}}, {"default", "cql2-text"}}}}},
        {"collectionId",
         {{"name", "collectionId"},
          {"in", "path"},
          {"required", true},
          {"schema", {{"type", "string"}}}}},
        {"featureId",
         {{"name", "featureId"},
          {"in", "path"},
          {"required", true},
          {"schema", {{"type", "integer"}}}}},
        {"tileMatrixSetId",
         {{"name", "tileMatrixSetId"},
          {"in", "path"},
          {"required", true},
          {"schema", {{"type", "string"}, {"enum", {"WebMercatorQuad"}}}}}},
        {"tileMatrix",
         {{"name", "tileMatrix"},
          {"in", "path"},
          {"description", "The zoom (tile matrix id), 0 to 24; tilesets serve 8 to 18"},
          {"required", true},
          {"schema", {{"type", "integer"}, {"minimum", 0}, {"maximum", 24}}}}},
        {"tileRow",
         {{"name", "tileRow"},
          {"in", "path"},
          {"description", "The row, 0 at the north edge"},
          {"required", true},
          {"schema", {{"type", "integer"}, {"minimum", 0}}}}},
        {"tileCol",
         {{"name", "tileCol"},
          {"in", "path"},
          {"required", true},
          {"schema", {{"type", "integer"}, {"minimum", 0}}}}},
    };
    json paths = {
        {"/", get_op("getLandingPage", "Landing page", json::array({param_ref("f")}),
                     {{"200", json_ok("The landing page")}})},
        {"/conformance",
         get_op("getConformance", "Conformance classes", json::array({param_ref("f")}),
                {{"200", json_ok("The conformance classes")}})},
        {"/api", get_op("getApi", "This OpenAPI document", json::array({param_ref("f")}),
                        {{"200", json_ok("The API definition", openapi_type)}})},
        {"/collections", get_op("getCollections", "The collections", json::array({param_ref("f")}),
                                {{"200", json_ok("The collections")}})},
        {"/collections/{collectionId}",
         get_op("getCollection", "One collection",
                json::array({param_ref("collectionId"), param_ref("f")}),
                {{"200", json_ok("The collection")}})},
        {"/collections/{collectionId}/queryables",
         get_op("getQueryables", "The collection's queryables",
                json::array({param_ref("collectionId"), param_ref("f")}),
                {{"200", json_ok("JSON Schema of the queryables", schema_type)}})},
        {"/collections/{collectionId}/items/{featureId}",
         get_op("getFeature", "One feature",
                json::array({param_ref("collectionId"), param_ref("featureId"), param_ref("crs"),
                             param_ref("f")}),
                {{"200", json_ok("The feature", geojson_type)}})},
    };
    // OGC API - Tiles (server/http/features/tile_routes.cpp).
    const json tile_ok = {
        {"200",
         {{"description", "A Mapbox vector tile (empty when nothing is there)"},
          {"content", {{mvt_type, {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}}},
        {"304", {{"description", "Not modified (If-None-Match)"}}}};
    const json tile_params = json::array({param_ref("tileMatrixSetId"), param_ref("tileMatrix"),
                                          param_ref("tileRow"), param_ref("tileCol")});
    json collection_tile_params = tile_params;
    collection_tile_params.insert(collection_tile_params.begin(), param_ref("collectionId"));
    paths["/tileMatrixSets"] = get_op("getTileMatrixSets", "The tile matrix sets", json::array(),
                                      {{"200", json_ok("The tile matrix sets")}});
    paths["/tileMatrixSets/{tileMatrixSetId}"] = get_op(
        "getTileMatrixSet", "A tile matrix set's definition",
        json::array({param_ref("tileMatrixSetId")}), {{"200", json_ok("The tile matrix set")}});
    paths["/tiles"] = get_op("getDatasetTilesets", "The dataset's vector tilesets (the basemap)",
                             json::array(), {{"200", json_ok("The tilesets")}});
    paths["/tiles/{tileMatrixSetId}"] =
        get_op("getDatasetTileset", "The basemap tileset's metadata (with TileJSON fields)",
               json::array({param_ref("tileMatrixSetId")}), {{"200", json_ok("The tileset")}});
    paths["/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}"] =
        get_op("getDatasetTile", "A basemap tile", tile_params, tile_ok);
    paths["/collections/{collectionId}/tiles"] =
        get_op("getCollectionTilesets", "A collection's vector tilesets",
               json::array({param_ref("collectionId")}), {{"200", json_ok("The tilesets")}});
    paths["/collections/{collectionId}/tiles/{tileMatrixSetId}"] =
        get_op("getCollectionTileset", "A collection's tileset metadata",
               json::array({param_ref("collectionId"), param_ref("tileMatrixSetId")}),
               {{"200", json_ok("The tileset")}});
    paths["/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}"] =
        get_op("getCollectionTile", "A tile of a collection", collection_tile_params, tile_ok);

    json templated = items_parameter_refs();
    templated.insert(templated.begin(), param_ref("collectionId"));
    paths["/collections/{collectionId}/items"] =
        get_op("getFeatures", "Features of a collection", templated, items_responses());
    for (const auto& layer : m_features.registry().layers()) {
        if (!layer.visible_to("public")) {
            continue;
        }
        json p = items_parameter_refs();
        for (const auto& prop : layer.properties) {
            if (prop.queryable) {
                json schema = property_schema(prop);
                schema.erase("title");
                p.push_back({{"name", prop.name},
                             {"in", "query"},
                             {"description", prop.title + " equals this value"},
                             {"required", false},
                             {"schema", schema}});
            }
        }
        paths["/collections/" + layer.id + "/items"] =
            get_op("getFeatures_" + layer.id, layer.title, p, items_responses());
    }
    const json doc = {
        {"openapi", "3.0.3"},
        {"info",
         {{"title", "wardmap OGC API - Features"},
          {"version", "1.0.0"},
          {"description", "Public map layers of the council (OGC API - Features Parts 1-3)."},
          {"license", {{"name", "Open Government Licence v3.0"}}}}},
        {"servers", json::array({{{"url", base}}})},
        {"paths", std::move(paths)},
        {"components",
         {{"parameters", std::move(params)},
          {"schemas",
           {{"problem",
             {{"type", "object"},
              {"properties",
               {{"type", {{"type", "string"}}},
                {"title", {{"type", "string"}}},
                {"status", {{"type", "integer"}}},
                {"detail", {{"type", "string"}}}}}}}}}}}};
    return doc.dump();
}

} // namespace wardmap::services
