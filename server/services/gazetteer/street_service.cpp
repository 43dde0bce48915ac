#include "server/services/gazetteer/street_service.hpp"

#include "core/dates.hpp"

#include "geo/geojson_writer.hpp"
#include "server/services/shared/errors.hpp"

#include <charconv>

namespace wardmap::services {

namespace {

constexpr std::int64_t max_usrn = 99999999;

std::int64_t parse_usrn(const std::string& text) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || text.front() == '-' || ec != std::errc() ||
        end != text.data() + text.size() || v < 1 || v > max_usrn) {
        invalid_parameter("usrn",
                          "must be a USRN, a whole number from 1 to 99999999, not '" + text + "'");
    }
    return v;
}

/// Empty text (a street loaded without a name) is reported as null, not "".
std::optional<std::string> non_empty(const store::Statement& row, int col) {
    auto text = row.optional_text(col);
    return text && !text->empty() ? text : std::nullopt;
}

/// The wards of the boundary set in force today that the street runs through (touching a
/// boundary at an end does not count), through the wards' R*Tree.
std::string crossed_wards(store::Database& db, std::int64_t usrn) {
    // The street's line is an uncorrelated subquery, which SQLite evaluates once.
    auto stmt = db.prepare(
        "SELECT w.code, w.name FROM wards w JOIN boundary_sets b ON b.id = w.boundary_set_id "
        "WHERE b.valid_from <= ?2 AND (b.valid_to IS NULL OR b.valid_to > ?2) "
        "AND w.ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'wards' "
        "AND f_geometry_column = 'geom' "
        "AND search_frame = (SELECT geom FROM streets WHERE usrn = ?1)) "
        "AND ST_Intersects(w.geom, (SELECT geom FROM streets WHERE usrn = ?1)) = 1 "
        "AND ST_Touches(w.geom, (SELECT geom FROM streets WHERE usrn = ?1)) = 0 "
        "ORDER BY w.code");
    stmt.bind(1, usrn).bind(2, core::today_utc().iso());
    std::string out = "[";
    while (stmt.step()) {
        if (out.size() > 1) {
            out += ',';
        }
        geo::JsonObjectWriter ward(out);
        ward.field("code", stmt.text(0)).field("name", stmt.text(1));
        ward.close();
    }
    out += ']';
    return out;
}

} // namespace

const char* street_type_label(int street_type) {
    switch (street_type) {
    case 1:
        return "Designated street name";
    case 2:
        return "Street description";
    case 3:
        return "Numbered street";
    case 4:
        return "Unofficial street name";
    case 9:
        return "Description for LLPG access";
    default:
        return "";
    }
}

std::string StreetService::street(const std::string& usrn_text, Crs crs) const {
    const std::int64_t usrn = parse_usrn(usrn_text);
    auto db = m_pool.acquire();
    auto stmt = db->prepare(
        std::string("SELECT descriptor, locality, town, street_type, state, AsBinary(") +
        (crs == Crs::bng ? "geom" : "geom_wgs84") +
        "), "
        "(SELECT count(*) FROM addresses WHERE usrn = ?1) FROM streets WHERE usrn = ?1");
    stmt.bind(1, usrn);
    if (!stmt.step()) {
        throw DomainError(ErrorCode::not_found, "no street with USRN " + std::to_string(usrn));
    }
    const int type = static_cast<int>(stmt.int64(3));
    std::string properties;
    geo::JsonObjectWriter obj(properties);
    obj.field("usrn", usrn)
        .field("descriptor", non_empty(stmt, 0))
        .field("locality", non_empty(stmt, 1))
        .field("town", non_empty(stmt, 2))
        .field("street_type", type)
        .field("street_type_label", street_type_label(type))
        .field("state", stmt.int64(4))
        .field("address_count", stmt.int64(6))
        .raw_field("wards", crossed_wards(*db, usrn));
    obj.close();
    std::string out;
    geo::append_feature(out, usrn, stmt.blob(5), properties,
                        crs == Crs::bng ? geo::metre_decimals : geo::wgs84_decimals);
    if (crs == Crs::bng) {
        // RFC 7946 GeoJSON is WGS84 only; for British National Grid, the 2008 "crs" member
        // GDAL and QGIS still read. The feature's closing brace is replaced to add it.
        out.pop_back();
        out += R"(,"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}}})";
    }
    return out;
}

std::optional<std::int64_t> StreetService::nearest_usrn(geo::EastNorth at, double radius_m) const {
    auto db = m_pool.acquire();
    // The R*Tree finds the lines whose boxes come within the radius; the distance decides.
    auto st = db->prepare_cached(
        "SELECT s.usrn, ST_Distance(s.geom, MakePoint(?1, ?2, 27700)) AS d FROM streets s "
        "WHERE s.usrn IN (SELECT pkid FROM idx_streets_geom WHERE xmin <= ?1 + ?3 AND "
        "xmax >= ?1 - ?3 AND ymin <= ?2 + ?3 AND ymax >= ?2 - ?3) "
        "AND d <= ?3 ORDER BY d, s.usrn LIMIT 1");
    st.bind(1, at.easting).bind(2, at.northing).bind(3, radius_m);
    if (!st.step()) {
        return std::nullopt;
    }
    return st.int64(0);
}

} // namespace wardmap::services
