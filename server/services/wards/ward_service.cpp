#include "server/services/wards/ward_service.hpp"

#include "geo/errors.hpp"
#include "geo/geojson_writer.hpp"
#include "server/services/shared/errors.hpp"
#include "server/services/shared/point_input.hpp"

namespace wardmap::services {

namespace {

// Both ward queries select these columns, in this order.
constexpr const char* ward_columns =
    "SELECT w.id, w.code, w.name, b.label, b.valid_from, b.valid_to, AsBinary(w.geom_wgs84) "
    "FROM wards w JOIN boundary_sets b ON b.id = w.boundary_set_id ";

// Properties of a ward feature from columns 1-5 of `ward_columns`, plus any extra members
// (`councillors_json`, a JSON array, when given).
void write_ward_properties(std::string& out,
                           const store::Statement& row,
                           const std::string& councillors_json = {}) {
    geo::JsonObjectWriter obj(out);
    obj.field("code", row.text(1))
        .field("name", row.text(2))
        .field("boundary_set", row.text(3))
        .field("valid_from", row.text(4))
        .field("valid_to", row.optional_text(5));
    if (!councillors_json.empty()) {
        obj.raw_field("councillors", councillors_json);
    }
    obj.close();
}

// The ward's councillors (table `councillors`, by the ward row's set and code) as a JSON array
// of {name, party, id, email}, in the order the imported file gave them.
std::string councillors_of(store::Database& db, std::int64_t ward_id) {
    auto stmt =
        db.prepare("SELECT c.name, c.party, c.councillor_ref, c.email FROM councillors c "
                   "JOIN wards w ON w.boundary_set_id = c.boundary_set_id AND w.code = c.ward_code "
                   "WHERE w.id = ?1 ORDER BY c.sort_order");
    stmt.bind(1, ward_id);
    std::string out = "[";
    while (stmt.step()) {
        if (out.size() > 1) {
            out += ',';
        }
        geo::JsonObjectWriter c(out);
        c.field("name", stmt.text(0))
            .field("party", stmt.optional_text(1))
            .field("id", stmt.optional_text(2))
            .field("email", stmt.optional_text(3));
        c.close();
    }
    out += ']';
    return out;
}

} // namespace

WardService::WardService(store::ConnectionPool& pool,
                         std::shared_ptr<const geo::BngTransform> transform,
                         std::shared_ptr<const WardIndex> index)
    : m_pool(pool), m_transform(std::move(transform)), m_index(std::move(index)) {}

WardCollection WardService::wards_on(const core::Date& date) const {
    auto db = m_pool.acquire();
    auto stmt = db->prepare(std::string(ward_columns) +
                            "WHERE b.valid_from <= ?1 AND (b.valid_to IS NULL OR b.valid_to > ?1) "
                            "ORDER BY w.code");
    stmt.bind(1, date.iso());
    WardCollection result;
    geo::FeatureCollectionWriter writer(result.geojson, geo::wgs84_decimals);
    std::string properties;
    while (stmt.step()) {
        properties.clear();
        write_ward_properties(properties, stmt);
        writer.add(stmt.int64(0), stmt.blob(6), properties);
    }
    result.count = writer.count();
    std::string extra = R"("date":)";
    geo::append_json_string(extra, date.iso());
    writer.finish(extra);
    return result;
}

std::string WardService::ward(const std::string& code,
                              const std::optional<core::Date>& date) const {
    auto db = m_pool.acquire();
    const std::string select = std::string(ward_columns) + "WHERE w.code = ?1 ";
    // Without a date: the newest set already in force today, else the earliest future one.
    auto stmt = db->prepare(
        date ? select + "AND b.valid_from <= ?2 AND (b.valid_to IS NULL OR b.valid_to > ?2) "
                        "ORDER BY b.valid_from DESC LIMIT 1"
             : select + "ORDER BY b.valid_from <= ?2 DESC, "
                        "CASE WHEN b.valid_from <= ?2 THEN b.valid_from END DESC, b.valid_from "
                        "LIMIT 1");
    stmt.bind(1, code);
    stmt.bind(2, (date ? *date : core::today_utc()).iso());
    if (!stmt.step()) {
        throw DomainError(ErrorCode::not_found, "no ward with code '" + code + "'" +
                                                    (date ? " on " + date->iso() : std::string()));
    }
    std::string properties;
    write_ward_properties(properties, stmt, councillors_of(*db, stmt.int64(0)));
    std::string out;
    geo::append_feature(out, stmt.int64(0), stmt.blob(6), properties, geo::wgs84_decimals);
    return out;
}

WardLocation WardService::ward_at(const WardAtQuery& query) const {
    const PointInput input{query.crs, query.x, query.y};
    const auto point = point_to_bng(input, *m_transform);
    const auto current = index(); // keeps this index alive for the whole lookup
    const WardRecord* ward = current->find(point, query.date);
    if (!ward) {
        throw DomainError(ErrorCode::not_found, "the point " + describe_point(input) +
                                                    " is in no ward of this council on " +
                                                    query.date.iso());
    }
    WardLocation out{.code = ward->code,
                     .name = ward->name,
                     .boundary_set = ward->boundary_set,
                     .valid_from = ward->valid_from,
                     .valid_to = ward->valid_to,
                     .point = point,
                     .geometry = std::nullopt};
    if (query.with_geometry) {
        auto db = m_pool.acquire();
        auto stmt = db->prepare("SELECT AsBinary(geom_wgs84) FROM wards WHERE id = ?1");
        stmt.bind(1, ward->id);
        if (stmt.step() && !stmt.is_null(0)) {
            out.geometry.emplace();
            geo::append_wkb_as_geojson(*out.geometry, stmt.blob(0), geo::wgs84_decimals);
        }
    }
    return out;
}

void WardService::reload_index() {
    auto fresh = WardIndex::load(m_pool);
    std::lock_guard lock(m_index_mutex);
    m_index = std::move(fresh);
}

std::shared_ptr<const WardIndex> WardService::index() const {
    std::lock_guard lock(m_index_mutex);
    return m_index;
}

} // namespace wardmap::services
