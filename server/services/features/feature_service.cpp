#include "server/services/features/feature_service.hpp"

#include "core/dates.hpp"

#include "geo/errors.hpp"
#include "geo/geojson_writer.hpp"
#include "server/services/shared/errors.hpp"

#include <charconv>
#include <cmath>

namespace wardmap::services {

namespace {

constexpr auto extent_ttl = std::chrono::seconds(60);

void bind_all(store::Statement& stmt, const std::vector<SqlValue>& params, int first = 1) {
    int i = first;
    for (const auto& p : params) {
        std::visit([&](const auto& v) { stmt.bind(i, v); }, p);
        ++i;
    }
}

void add_condition(SqlFragment& where, const SqlFragment& condition) {
    where.sql += where.sql.empty() ? " WHERE " : " AND ";
    where.sql += condition.sql;
    where.params.insert(where.params.end(), condition.params.begin(), condition.params.end());
}

std::optional<std::int64_t> parse_id(const std::string& text) {
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || p != end) {
        return std::nullopt;
    }
    return v;
}

std::string select_list(const Layer& layer, FeatureCrs crs) {
    std::string sql = "SELECT " + layer.id_column + ", AsBinary(" +
                      (crs == FeatureCrs::epsg27700 ? "t.geom" : "t.geom_wgs84") + ")";
    for (const auto& p : layer.properties) {
        sql += ", " + p.sql;
    }
    return sql + " FROM \"" + layer.table + "\" t " + layer.joins + " " + layer.lookups;
}

int decimals_for(FeatureCrs crs) {
    return crs == FeatureCrs::epsg27700 || crs == FeatureCrs::epsg3857 ? geo::metre_decimals
                                                                       : geo::wgs84_decimals;
}

geo::CoordinateOutput output_for(FeatureCrs crs) {
    switch (crs) {
    case FeatureCrs::epsg4326:
        return geo::CoordinateOutput::swap_xy;
    case FeatureCrs::epsg3857:
        return geo::CoordinateOutput::web_mercator;
    default:
        return geo::CoordinateOutput::as_stored;
    }
}

/// One Feature from a row of select_list().
void append_row(std::string& out, const Layer& layer, const store::Statement& row, FeatureCrs crs) {
    std::string props;
    props.reserve(256);
    geo::JsonObjectWriter obj(props);
    for (std::size_t i = 0; i < layer.properties.size(); ++i) {
        const int col = static_cast<int>(i) + 2;
        const auto& name = layer.properties[i].name;
        switch (row.column_type(col)) {
        case SQLITE_NULL:
            obj.null_field(name);
            break;
        case SQLITE_INTEGER:
            obj.field(name, row.int64(col));
            break;
        case SQLITE_FLOAT:
            obj.field(name, row.real(col), 9);
            break;
        default:
            obj.field(name, row.text(col));
        }
    }
    obj.close();
    geo::append_feature(out, row.int64(0),
                        row.is_null(1) ? std::span<const unsigned char>{} : row.blob(1), props,
                        decimals_for(crs), output_for(crs));
}

/// A datetime bound for comparison with a column of `type`: dates compare as dates, date-times
/// as UTC text; a date bound on a date-time column covers the whole day.
std::string bound_for(const std::string& bound, PropertyType type, bool is_end) {
    const bool is_date = bound.size() == 10;
    if (type == PropertyType::date) {
        return bound.substr(0, 10);
    }
    return is_date ? bound + (is_end ? "T23:59:59Z" : "T00:00:00Z") : bound;
}

std::string rfc3339(const std::string& stored) {
    return stored.size() == 10 ? stored + "T00:00:00Z" : stored;
}

} // namespace

TimeInterval parse_datetime(const std::string& text) {
    auto bound = [&](std::string_view part) -> std::optional<std::string> {
        if (part.empty() || part == "..") {
            return std::nullopt;
        }
        if (core::parse_iso_date(part)) {
            return std::string(part);
        }
        if (auto t = normalize_timestamp(part)) {
            return t;
        }
        invalid_parameter("datetime", "must be an RFC 3339 date or date-time "
                                      "(2024-03-01 or 2024-03-01T10:00:00Z) or an interval "
                                      "a/b with '..' for an open end, not '" +
                                          text + "'");
    };
    TimeInterval out;
    const auto slash = text.find('/');
    if (slash == std::string::npos) {
        if (text == ".." || text.empty()) {
            invalid_parameter("datetime", "an instant may not be open ('..')");
        }
        out.start = bound(text);
        out.end = out.start;
        return out;
    }
    const std::string_view all(text);
    out.start = bound(all.substr(0, slash));
    out.end = bound(all.substr(slash + 1));
    if (out.start && out.end &&
        bound_for(*out.start, PropertyType::datetime, false) >
            bound_for(*out.end, PropertyType::datetime, true)) {
        invalid_parameter("datetime", "interval '" + text + "' ends before it starts");
    }
    return out;
}

FeatureService::FeatureService(store::ConnectionPool& pool,
                               std::shared_ptr<const geo::BngTransform> transform,
                               LayerRegistry registry)
    : m_pool(pool), m_transform(std::move(transform)), m_registry(std::move(registry)),
      m_data_version(std::make_unique<store::DataVersion>(pool.path())) {}

const Layer& FeatureService::layer(const std::string& id) const {
    const Layer* layer = m_registry.find(id);
    if (!layer || !layer->visible_to("public")) {
        std::string names;
        for (const auto& l : m_registry.layers()) {
            if (l.visible_to("public")) {
                names += names.empty() ? "" : ", ";
                names += l.id;
            }
        }
        throw DomainError(ErrorCode::not_found,
                          "there is no collection '" + id + "'; collections: " + names);
    }
    return *layer;
}

std::optional<geo::BBox> FeatureService::grid_box(const geo::BBox& wgs84) const {
    // A lon/lat box's edges are curves on the grid: take the envelope of points along them,
    // widened by a margin far larger than the curvature between neighbours.
    constexpr int steps = 16;
    constexpr double margin_m = 50;
    geo::BBox out;
    try {
        for (int i = 0; i <= steps; ++i) {
            const double f = static_cast<double>(i) / steps;
            const double lon = wgs84.min_x + f * (wgs84.max_x - wgs84.min_x);
            const double lat = wgs84.min_y + f * (wgs84.max_y - wgs84.min_y);
            for (const geo::LonLat p :
                 {geo::LonLat{lon, wgs84.min_y}, geo::LonLat{lon, wgs84.max_y},
                  geo::LonLat{wgs84.min_x, lat}, geo::LonLat{wgs84.max_x, lat}}) {
                const auto en = m_transform->to_bng(p);
                out.extend(en.easting, en.northing);
            }
        }
    } catch (const geo::GeoError&) {
        return std::nullopt; // partly outside Great Britain: no grid prefilter
    }
    out.min_x -= margin_m;
    out.min_y -= margin_m;
    out.max_x += margin_m;
    out.max_y += margin_m;
    return out;
}

SqlFragment FeatureService::intersects(const Layer& layer, const GeometryLiteral& literal) const {
    SqlFragment out;
    std::optional<geo::BBox> box = literal.envelope;
    std::string index = "idx_" + layer.table + (literal.bng ? "_geom" : "_geom_wgs84");
    if (!literal.bng && !layer.wgs84_index) {
        index = "idx_" + layer.table + "_geom";
        box = grid_box(literal.envelope);
    }
    out.sql = "(";
    if (box) {
        out.sql += "t.rowid IN (SELECT pkid FROM \"" + index +
                   "\" WHERE xmax >= ? AND xmin <= ? AND ymax >= ? AND ymin <= ?) AND ";
        out.params = {box->min_x, box->max_x, box->min_y, box->max_y};
    }
    const char* column = literal.bng ? "t.geom" : "t.geom_wgs84";
    if (layer.geometry == GeometryKind::point && literal.is_box) {
        // A point intersects a box exactly when it lies within the bounds, edges included (as
        // ST_Intersects says). The R*Tree (float32, rounded outwards) only narrows the
        // candidates; MbrMinX/MbrMinY read a point's own coordinates from the blob header as
        // doubles, with no geometry parsing and no GEOS.
        const std::string c = column;
        out.sql += "MbrMinX(" + c + ") BETWEEN ? AND ? AND MbrMinY(" + c + ") BETWEEN ? AND ?)";
        out.params.insert(out.params.end(), {literal.envelope.min_x, literal.envelope.max_x,
                                             literal.envelope.min_y, literal.envelope.max_y});
        return out;
    }
    out.sql += literal.bng ? "ST_Intersects(t.geom, GeomFromText(?, 27700)) = 1)"
                           : "ST_Intersects(t.geom_wgs84, GeomFromText(?, 4326)) = 1)";
    out.params.emplace_back(literal.wkt);
    return out;
}

SqlFragment FeatureService::where_clause(const Layer& layer, const ItemsQuery& query) const {
    SqlFragment where;
    if (!layer.where.empty()) {
        add_condition(where, {"(" + layer.where + ")", {}});
    }
    if (query.bbox) {
        auto [x1, y1, x2, y2] = *query.bbox;
        if (!to_storage_axes(query.bbox_crs, x1, y1) || !to_storage_axes(query.bbox_crs, x2, y2)) {
            invalid_parameter("bbox", "is out of range for bbox-crs");
        }
        GeometryLiteral box;
        box.bng = query.bbox_crs == FeatureCrs::epsg27700;
        box.envelope.extend(x1, y1);
        box.envelope.extend(x2, y2);
        box.is_box = true;
        box.wkt = "POLYGON((";
        const double xs[] = {x1, x2, x2, x1, x1};
        const double ys[] = {y1, y1, y2, y2, y1};
        for (int i = 0; i < 5; ++i) {
            box.wkt += i ? "," : "";
            geo::append_number(box.wkt, xs[i], 9);
            box.wkt += ' ';
            geo::append_number(box.wkt, ys[i], 9);
        }
        box.wkt += "))";
        add_condition(where, intersects(layer, box));
    }
    if (query.datetime && layer.temporal) {
        const auto& t = *layer.temporal;
        SqlFragment cond{"(" + t.start_sql + " IS NOT NULL", {}};
        if (query.datetime->end) {
            cond.sql += " AND " + t.start_sql + " <= ?";
            cond.params.emplace_back(bound_for(*query.datetime->end, t.type, true));
        }
        if (query.datetime->start) {
            if (t.end_sql) {
                // [start, end) intersects the query interval; a NULL end is still open.
                cond.sql += " AND (" + *t.end_sql + " IS NULL OR " + *t.end_sql + " > ?)";
            } else {
                cond.sql += " AND " + t.start_sql + " >= ?";
            }
            cond.params.emplace_back(bound_for(*query.datetime->start, t.type, false));
        }
        cond.sql += ")";
        add_condition(where, cond);
    }
    for (const auto& [name, value] : query.equals) {
        const LayerProperty* p = layer.property(name);
        if (!p || !p->queryable) {
            invalid_parameter(name, "is not a queryable of collection '" + layer.id + "'");
        }
        SqlFragment cond{"(" + p->sql + " = ?)", {}};
        if (p->type == PropertyType::integer) {
            const auto v = parse_id(value);
            if (!v) {
                invalid_parameter(name, "must be a whole number, not '" + value + "'");
            }
            cond.params.emplace_back(*v);
        } else if (p->type == PropertyType::number) {
            double d = 0;
            const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), d);
            if (ec != std::errc() || ptr != value.data() + value.size()) {
                invalid_parameter(name, "must be a number, not '" + value + "'");
            }
            cond.params.emplace_back(d);
        } else {
            cond.params.emplace_back(value);
        }
        add_condition(where, cond);
    }
    if (query.filter) {
        const auto spatial = [this, &layer](const GeometryLiteral& literal) {
            return intersects(layer, literal);
        };
        add_condition(where, compile_cql2(*query.filter, layer, query.filter_crs, spatial));
    }
    return where;
}

ItemsPage FeatureService::items(const Layer& layer, const ItemsQuery& query) const {
    SqlFragment where = where_clause(layer, query);
    if (query.after) {
        add_condition(where, {"(" + layer.id_column + " > ?)", {*query.after}});
    }
    auto db = m_pool.acquire();
    ItemsPage page;
    if (query.count && !query.after && query.offset == 0) {
        const bool unfiltered = !query.bbox && !query.datetime && query.equals.empty() &&
                                !query.filter && layer.joins.empty();
        if (where.sql.empty() && layer.joins.empty()) {
            // The whole table: SQLite counts b-tree cells without decoding a row.
            auto count = db->prepare_cached("SELECT count(*) FROM \"" + layer.table + "\"");
            if (count.step()) {
                page.matched = count.int64(0);
            }
        } else if (unfiltered && layer.where_indexed) {
            // The layer's own rows (one asset type of the register): counted in an index on
            // its restriction, as cheaply as a table, so exactly.
            auto count =
                db->prepare_cached("SELECT count(*) FROM \"" + layer.table + "\" t" + where.sql);
            if (count.step()) {
                page.matched = count.int64(0);
            }
        } else {
            // Filtered: count at most count_cap + 1 matches, so a first page never costs more
            // than count_cap row visits; above the cap numberMatched is omitted (the spec
            // allows it when the count is costly).
            // Without the lookups: they never change which features match (and their columns
            // are not queryable), and SQLite would still evaluate each one per row.
            auto count = db->prepare_cached("SELECT count(*) FROM (SELECT 1 FROM \"" + layer.table +
                                            "\" t " + layer.joins + where.sql + " LIMIT " +
                                            std::to_string(count_cap + 1) + ")");
            bind_all(count, where.params);
            if (count.step() && count.int64(0) <= count_cap) {
                page.matched = count.int64(0);
            }
        }
    }
    auto stmt = db->prepare_cached(select_list(layer, query.crs) + where.sql + " ORDER BY " +
                                   layer.id_column + " LIMIT ? OFFSET ?");
    bind_all(stmt, where.params);
    const int n = static_cast<int>(where.params.size());
    stmt.bind(n + 1, static_cast<std::int64_t>(query.limit) + 1);
    stmt.bind(n + 2, query.offset);
    page.features.reserve(static_cast<std::size_t>(query.limit) * 200);
    page.features += '[';
    std::int64_t last_id = 0;
    while (stmt.step()) {
        if (page.returned == query.limit) {
            page.next_after = last_id; // one more row exists
            break;
        }
        if (page.returned) {
            page.features += ',';
        }
        append_row(page.features, layer, stmt, query.crs);
        last_id = stmt.int64(0);
        ++page.returned;
    }
    page.features += ']';
    return page;
}

std::string FeatureService::item(const Layer& layer, const std::string& id, FeatureCrs crs) const {
    const auto value = parse_id(id);
    const DomainError missing(ErrorCode::not_found,
                              "collection '" + layer.id + "' has no feature with id '" + id + "'");
    if (!value) {
        throw missing;
    }
    auto db = m_pool.acquire();
    auto stmt = db->prepare_cached(select_list(layer, crs) + " WHERE " + layer.id_column + " = ?" +
                                   (layer.where.empty() ? "" : " AND (" + layer.where + ")"));
    stmt.bind(1, *value);
    if (!stmt.step()) {
        throw missing;
    }
    std::string out;
    append_row(out, layer, stmt, crs);
    return out;
}

std::int64_t
FeatureService::visit_box(const Layer& layer,
                          const geo::BBox& lonlat,
                          const std::optional<TimeInterval>& datetime,
                          bool with_properties,
                          std::int64_t limit,
                          const std::function<void(const store::Statement&)>& visit) const {
    ItemsQuery query;
    query.bbox = {lonlat.min_x, lonlat.min_y, lonlat.max_x, lonlat.max_y};
    query.datetime = datetime;
    const SqlFragment where = where_clause(layer, query);
    std::string sql = with_properties
                          ? select_list(layer, FeatureCrs::crs84)
                          : "SELECT " + layer.id_column + ", AsBinary(t.geom_wgs84) FROM \"" +
                                layer.table + "\" t " + layer.joins;
    sql += where.sql + " LIMIT ?";
    auto db = m_pool.acquire();
    auto stmt = db->prepare_cached(sql);
    bind_all(stmt, where.params);
    stmt.bind(static_cast<int>(where.params.size()) + 1, limit);
    std::int64_t n = 0;
    while (stmt.step()) {
        visit(stmt);
        ++n;
    }
    return n;
}

LayerExtent FeatureService::extent(const Layer& layer) const {
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(m_extent_mutex);
        if (auto it = m_extents.find(layer.id);
            it != m_extents.end() && now - it->second.first < extent_ttl) {
            return it->second.second;
        }
    }
    LayerExtent extent;
    auto db = m_pool.acquire();
    const bool grid = !layer.wgs84_index;
    // A layer that shows some of its table's rows (one asset type of street_assets) has the
    // extent of those rows; a whole table's is its R*Tree's root.
    const bool filtered = !grid && !layer.where.empty();
    auto box = filtered
                   ? db->prepare("SELECT min(MbrMinX(t.geom_wgs84)), min(MbrMinY(t.geom_wgs84)), "
                                 "max(MbrMaxX(t.geom_wgs84)), max(MbrMaxY(t.geom_wgs84)) FROM \"" +
                                 layer.table + "\" t " + layer.joins + " WHERE " + layer.where)
                   : db->prepare("SELECT min(xmin), min(ymin), max(xmax), max(ymax) FROM \"idx_" +
                                 layer.table + (grid ? "_geom\"" : "_geom_wgs84\""));
    if (box.step() && !box.is_null(0)) {
        if (grid) {
            // The grid box's corners and edges in WGS84 enclose the features.
            try {
                constexpr int steps = 8;
                for (int i = 0; i <= steps; ++i) {
                    const double f = static_cast<double>(i) / steps;
                    const double e = box.real(0) + f * (box.real(2) - box.real(0));
                    const double n = box.real(1) + f * (box.real(3) - box.real(1));
                    for (const geo::EastNorth p :
                         {geo::EastNorth{e, box.real(1)}, geo::EastNorth{e, box.real(3)},
                          geo::EastNorth{box.real(0), n}, geo::EastNorth{box.real(2), n}}) {
                        const auto ll = m_transform->to_wgs84(p);
                        extent.bbox.extend(ll.lon, ll.lat);
                    }
                }
            } catch (const geo::GeoError&) {
                extent.bbox = geo::BBox{};
            }
        } else {
            extent.bbox.extend(box.real(0), box.real(1));
            extent.bbox.extend(box.real(2), box.real(3));
        }
    }
    if (layer.temporal) {
        const auto& t = *layer.temporal;
        extent.has_temporal = true;
        std::string sql = "SELECT min(" + t.start_sql + "), max(" +
                          t.end_sql.value_or(t.start_sql) + ")" +
                          (t.end_sql ? ", count(*) - count(" + *t.end_sql + ")" : "") + " FROM \"" +
                          layer.table + "\" t " + layer.joins + " " + layer.lookups +
                          (layer.where.empty() ? "" : " WHERE " + layer.where);
        auto times = db->prepare(sql);
        if (times.step()) {
            if (!times.is_null(0)) {
                extent.first = rfc3339(std::string(times.text(0)));
            }
            const bool open_end = t.end_sql && times.int64(2) > 0;
            if (!times.is_null(1) && !open_end) {
                extent.last = rfc3339(std::string(times.text(1)));
            }
        }
    }
    std::lock_guard lock(m_extent_mutex);
    m_extents[layer.id] = {now, extent};
    return extent;
}

} // namespace wardmap::services
