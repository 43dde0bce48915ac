#include "geo/errors.hpp"
#include "geo/geojson_writer.hpp"
#include "geo/geos_context.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <clocale>

namespace wardmap::geo {
namespace {

std::string number(double v, int decimals) {
    std::string out;
    append_number(out, v, decimals);
    return out;
}

TEST(GeoJsonNumbers, FixedPrecisionWithTrailingZerosTrimmed) {
    EXPECT_EQ(number(-2.6068241234567, wgs84_decimals), "-2.6068241");
    EXPECT_EQ(number(53.65, wgs84_decimals), "53.65");
    EXPECT_EQ(number(356000.004, metre_decimals), "356000");
    EXPECT_EQ(number(356000.016, metre_decimals), "356000.02");
    EXPECT_EQ(number(-0.0000000001, wgs84_decimals), "0");
    EXPECT_EQ(number(std::nan(""), 2), "null");
}

TEST(GeoJsonNumbers, IgnoreTheProcessLocale) {
    // A decimal comma must never reach GeoJSON, whatever locale the server runs in.
    const char* old = std::setlocale(LC_NUMERIC, nullptr);
    const std::string saved = old ? old : "C";
    if (std::setlocale(LC_NUMERIC, "de_DE.UTF-8") == nullptr) {
        GTEST_SKIP() << "de_DE.UTF-8 locale not installed";
    }
    EXPECT_EQ(number(1.5, 2), "1.5");
    std::setlocale(LC_NUMERIC, saved.c_str());
}

TEST(GeoJsonStrings, EscapeControlsAndRepairInvalidUtf8) {
    std::string out;
    append_json_string(out, "a\"b\\c\n\x01 Caf\xC3\xA9 \xE9t\xE9");
    EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001 Caf\xC3\xA9 \xEF\xBF\xBDt\xEF\xBF\xBD\"");
    EXPECT_FALSE(nlohmann::json::parse(out, nullptr, false).is_discarded());
}

TEST(GeoJsonWkb, EveryGeometryTypeRoundTripsThroughGeos) {
    auto& geos = this_thread_geos();
    for (const char* wkt : {"POINT (-2.6 53.6)", "LINESTRING (0 0, 1 1, 2 0)",
                            "POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 2 1, 2 2, 1 1))",
                            "MULTIPOINT ((0 0), (1 1))", "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))",
                            "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))",
                            "GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1))"}) {
        auto g = geos.from_wkt(wkt);
        const auto wkb = geos.to_wkb(g.get());
        std::string json;
        append_wkb_as_geojson(json, wkb, wgs84_decimals);
        // Parse our GeoJSON back with GEOS's reader and compare geometrically.
        GEOSGeoJSONReader* reader = GEOSGeoJSONReader_create_r(geos.handle());
        auto back = geos.own(GEOSGeoJSONReader_readGeometry_r(geos.handle(), reader, json.c_str()));
        GEOSGeoJSONReader_destroy_r(geos.handle(), reader);
        EXPECT_EQ(GEOSEqualsExact_r(geos.handle(), g.get(), back.get(), 1e-9), 1)
            << wkt << " -> " << json;
    }
}

TEST(GeoJsonWkb, TruncatedOrUnknownWkbThrows) {
    auto& geos = this_thread_geos();
    auto wkb = geos.to_wkb(geos.from_wkt("LINESTRING (0 0, 1 1)").get());
    std::string out;
    EXPECT_THROW(append_wkb_as_geojson(out, std::span(wkb).first(wkb.size() - 3), 7), GeoError);
    wkb[1] = 99;
    EXPECT_THROW(append_wkb_as_geojson(out, wkb, 7), GeoError);
}

TEST(GeoJsonWkb, CoordinateOutputSwapsAxesOrProjectsToWebMercator) {
    auto& geos = this_thread_geos();
    const auto wkb = geos.to_wkb(geos.from_wkt("LINESTRING (-2.63 53.65, 0 0)").get());
    std::string swapped;
    append_wkb_as_geojson(swapped, wkb, wgs84_decimals, CoordinateOutput::swap_xy);
    EXPECT_EQ(swapped, R"({"type":"LineString","coordinates":[[53.65,-2.63],[0,0]]})");
    std::string mercator;
    append_wkb_as_geojson(mercator, wkb, metre_decimals, CoordinateOutput::web_mercator);
    // PROJ's answer: `echo 53.65 -2.63 | cs2cs -f %.3f EPSG:4326 EPSG:3857` (lat/lon input).
    const auto coords = nlohmann::json::parse(mercator)["coordinates"];
    EXPECT_NEAR(coords[0][0].get<double>(), -292770.261, 0.01);
    EXPECT_NEAR(coords[0][1].get<double>(), 7104147.184, 0.01);
    EXPECT_EQ(coords[1], nlohmann::json::parse("[0,0]"));
    double lon = 0, lat = 0;
    web_mercator_to_lonlat(coords[0][0].get<double>(), coords[0][1].get<double>(), lon, lat);
    EXPECT_NEAR(lon, -2.63, 1e-7);
    EXPECT_NEAR(lat, 53.65, 1e-7);
}

TEST(FeatureCollectionWriter, ProducesValidRfc7946) {
    auto& geos = this_thread_geos();
    const auto wkb = geos.to_wkb(geos.from_wkt("POINT (-2.63 53.65)").get());
    std::string out;
    FeatureCollectionWriter writer(out, wgs84_decimals);
    std::string props;
    JsonObjectWriter(props).field("name", "Chorley East").field("n", 3).close();
    writer.add(1, wkb, props);
    writer.add(2, {}, "");
    writer.finish(R"("numberReturned":2)");
    const auto doc = nlohmann::json::parse(out);
    EXPECT_EQ(doc["type"], "FeatureCollection");
    EXPECT_EQ(doc["features"].size(), 2U);
    EXPECT_EQ(doc["features"][0]["geometry"]["coordinates"][0], -2.63);
    EXPECT_EQ(doc["features"][0]["properties"]["name"], "Chorley East");
    EXPECT_TRUE(doc["features"][1]["geometry"].is_null());
    EXPECT_EQ(doc["numberReturned"], 2);
}

} // namespace
} // namespace wardmap::geo
