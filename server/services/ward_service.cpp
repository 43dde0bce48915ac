#include "server/services/ward_service.hpp"

#include "geo/geojson_writer.hpp"

namespace wardmap::services {

WardService::WardService(store::ConnectionPool& pool) : m_pool(pool) {}

WardCollection WardService::wards_on(const Date& date) const {
    auto db = m_pool.acquire();
    auto stmt = db->prepare(
        "SELECT w.id, w.code, w.name, b.label, b.valid_from, b.valid_to, AsBinary(w.geom_wgs84) "
        "FROM wards w JOIN boundary_sets b ON b.id = w.boundary_set_id "
        "WHERE b.valid_from <= ?1 AND (b.valid_to IS NULL OR b.valid_to > ?1) "
        "ORDER BY w.code");
    stmt.bind(1, date.iso());
    WardCollection result;
    geo::FeatureCollectionWriter writer(result.geojson, geo::wgs84_decimals);
    std::string properties;
    while (stmt.step()) {
        properties.clear();
        geo::JsonObjectWriter obj(properties);
        obj.field("code", stmt.text(1))
            .field("name", stmt.text(2))
            .field("boundary_set", stmt.text(3))
            .field("valid_from", stmt.text(4))
            .field("valid_to", stmt.optional_text(5));
        obj.close();
        writer.add(stmt.int64(0), stmt.blob(6), properties);
    }
    result.count = writer.count();
    std::string extra = R"("date":)";
    geo::append_json_string(extra, date.iso());
    writer.finish(extra);
    return result;
}

} // namespace wardmap::services
