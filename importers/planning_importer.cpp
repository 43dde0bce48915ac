// `wardmap import planning FILE [--format planit|national] [--map NAME=FIELD]...`: the planning
// register from planning.data.gov.uk's planning-application dataset (CSV or GeoJSON, its
// hyphenated field names) or a PlanIt file (CSV, or PlanIt's JSON with an `applications` or
// `records` array), the format told by the header unless --format says. docs/planning.md.
//
// Applications are matched by reference: a new one is inserted, a known one updated when the
// file says something else of it (else counted unchanged). The status log
// (planning_application_log) gets a row when an application is first seen and whenever its
// status or decision changes; it is never rewritten. The UPRN is the file's, else the one
// gazetteer address with the same text and postcode, else none. A row with an unknown status
// or decision code, a date that does not parse, or no location is rejected with file, line and
// field (--skip-bad keeps the others). The ward is never stored (derived at the date received).

#include "geo/errors.hpp"
#include "geo/store/database.hpp"
#include "importers/import_geometry.hpp"
#include "importers/import_kinds.hpp"
#include "importers/planning_rows.hpp"

#include <nlohmann/json.hpp>
#include <ogr_geometry.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <sstream>

namespace wardmap::importers {

namespace {

using PlaceOf = std::function<SourcePlace(const std::string& field)>;

std::vector<std::string> planning_field_names() {
    std::vector<std::string> out;
    for (const auto& c : planning_columns()) {
        out.emplace_back(c.name);
    }
    return out;
}

/// "5 Plantation Close, Buckshaw Village" -> "5 PLANTATION CLOSE BUCKSHAW VILLAGE".
std::string address_key(std::string_view text) {
    std::string out;
    bool space = false;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c)) {
            if (space && !out.empty()) {
                out += ' ';
            }
            space = false;
            out += static_cast<char>(std::toupper(c));
        } else {
            space = true;
        }
    }
    return out;
}

/// The store side of a planning import: matching by reference, the log, the UPRN by address.
class PlanningWriter {
  public:
    PlanningWriter(store::Database& db,
                   ImportReport& report,
                   const geo::BngTransform& transform,
                   const std::optional<geo::BBox>& bbox,
                   std::string source)
        : m_db(db), m_report(report), m_transform(transform), m_extent(db, bbox),
          m_source(std::move(source)) {}

    /// The row's representative point (27700): the file's point, else the site's, else its
    /// UPRN's in the gazetteer. Polygon: the site boundary (27700, valid), or null.
    void write(const PlanningRow& row,
               std::optional<geo::EastNorth> point,
               geo::GeosGeometry site,
               const PlaceOf& place_of) {
        auto& geos = geo::this_thread_geos();
        const auto h = geos.handle();
        std::optional<std::int64_t> uprn = row.uprn;
        if (!uprn) {
            uprn = uprn_by_address(row);
        }
        if (!point && site) {
            auto p = geos.own(GEOSPointOnSurface_r(h, site.get()));
            double x = 0, y = 0;
            GEOSGeomGetX_r(h, p.get(), &x);
            GEOSGeomGetY_r(h, p.get(), &y);
            point = geo::EastNorth{x, y};
        }
        if (!point && uprn) {
            auto st =
                m_db.prepare_cached("SELECT easting, northing FROM properties WHERE uprn = ?1 "
                                    "AND easting IS NOT NULL");
            st.bind(1, *uprn);
            if (st.step()) {
                point = geo::EastNorth{st.real(0), st.real(1)};
            }
        }
        if (!point) {
            throw ImportError(place_of("point"),
                              "no location: no point, geometry or lat/lng, and no UPRN the "
                              "gazetteer places");
        }
        auto p = geos.point(point->easting, point->northing);
        if (!m_extent.intersects(p.get())) {
            throw ImportError(place_of("point"),
                              "outside the council's area (" + m_extent.description() + ")");
        }
        const auto wgs = m_transform.to_wgs84(*point);
        std::optional<std::vector<unsigned char>> site_wkb, site_wgs84;
        if (site) {
            site_wkb = geos.to_wkb(site.get());
            site_wgs84 = to_wgs84_wkb(site.get(), m_transform);
        }

        auto find = m_db.prepare_cached(
            "SELECT id, status, decision FROM planning_applications WHERE reference = ?1");
        find.bind(1, row.reference);
        std::optional<std::int64_t> id;
        std::string old_status;
        std::optional<std::string> old_decision;
        if (find.step()) {
            id = find.int64(0);
            old_status = std::string(find.text(1));
            old_decision = find.optional_text(2);
        }
        find.reset();

        // ?1..?14 the facts, ?15..?18 the point, ?19/?20 the site, ?21 source, ?22 now.
        const auto bind_all = [&](store::Statement& st) {
            st.bind(1, row.reference).bind(2, row.app_type).bind(3, row.description);
            st.bind(4, row.address).bind(5, uprn).bind(6, row.outcome.status);
            st.bind(7, row.outcome.decision).bind(8, row.received_date);
            st.bind(9, row.decided_date).bind(10, row.validated_date).bind(11, row.decision_type);
            st.bind(12, row.documentation_url).bind(13, row.postcode);
            st.bind(15, point->easting).bind(16, point->northing).bind(17, wgs.lon);
            st.bind(18, wgs.lat);
            if (site_wkb) {
                st.bind(19, std::span<const unsigned char>(*site_wkb));
                st.bind(20, std::span<const unsigned char>(*site_wgs84));
            } else {
                st.bind_null(19).bind_null(20);
            }
            st.bind(21, m_source).bind(22, m_report.started_at);
        };
        if (!id) {
            auto insert = m_db.prepare_cached(
                "INSERT INTO planning_applications (reference, app_type, description, address, "
                "uprn, status, decision, received_date, decided_date, validated_date, "
                "decision_type, documentation_url, postcode, geom, geom_wgs84, site_geom, "
                "site_geom_wgs84, source, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                "?10, ?11, ?12, ?13, MakePoint(?15, ?16, 27700), MakePoint(?17, ?18, 4326), "
                "CastToMultiPolygon(GeomFromWKB(?19, 27700)), CastToMultiPolygon(GeomFromWKB(?20, "
                "4326)), ?21, ?22)");
            bind_all(insert);
            insert.bind_null(14);
            insert.run();
            log(m_db.last_insert_rowid(), row);
            ++m_report.inserted;
            return;
        }
        // Only a row that differs is written (and counted updated).
        auto update = m_db.prepare_cached(
            "UPDATE planning_applications SET app_type = ?2, description = ?3, address = ?4, uprn "
            "= ?5, status = ?6, decision = ?7, received_date = ?8, decided_date = ?9, "
            "validated_date = ?10, decision_type = ?11, documentation_url = ?12, postcode = ?13, "
            "geom = MakePoint(?15, ?16, 27700), geom_wgs84 = MakePoint(?17, ?18, 4326), site_geom "
            "= CastToMultiPolygon(GeomFromWKB(?19, 27700)), site_geom_wgs84 = "
            "CastToMultiPolygon(GeomFromWKB(?20, 4326)), source = ?21, updated_at = ?22 WHERE id "
            "= ?14 AND (app_type IS NOT ?2 OR description IS NOT ?3 OR address IS NOT ?4 OR uprn "
            "IS NOT ?5 OR status IS NOT ?6 OR decision IS NOT ?7 OR received_date IS NOT ?8 OR "
            "decided_date IS NOT ?9 OR validated_date IS NOT ?10 OR decision_type IS NOT ?11 OR "
            "documentation_url IS NOT ?12 OR postcode IS NOT ?13 OR ST_X(geom) IS NOT ?15 OR "
            "ST_Y(geom) IS NOT ?16 OR AsBinary(site_geom) IS NOT "
            "AsBinary(CastToMultiPolygon(GeomFromWKB(?19, 27700))))");
        bind_all(update);
        update.bind(14, *id);
        update.run();
        if (m_db.changes() == 0) {
            ++m_report.unchanged;
            return;
        }
        ++m_report.updated;
        if (old_status != row.outcome.status || old_decision != row.outcome.decision) {
            log(*id, row);
        }
    }

  private:
    /// The one gazetteer address with this text and postcode (cheap: by the postcode's index).
    std::optional<std::int64_t> uprn_by_address(const PlanningRow& row) {
        if (!row.postcode || row.address.empty()) {
            return std::nullopt;
        }
        auto st = m_db.prepare_cached(
            "SELECT DISTINCT uprn, single_line FROM addresses WHERE postcode = ?1 COLLATE NOCASE");
        st.bind(1, *row.postcode);
        const auto want = address_key(row.address);
        std::optional<std::int64_t> found;
        bool several = false;
        while (st.step()) {
            if (address_key(st.text(1)) == want) {
                several = several || (found && *found != st.int64(0));
                found = st.int64(0);
            }
        }
        st.reset();
        return several ? std::nullopt : found;
    }

    void log(std::int64_t id, const PlanningRow& row) {
        // The date of the change when the file has it (a decision's), else the day it was seen.
        std::string event = m_report.started_at.substr(0, 10);
        if (row.outcome.status == "pending") {
            event = row.received_date;
        } else if (row.decided_date) {
            event = *row.decided_date;
        }
        auto st = m_db.prepare_cached(
            "INSERT INTO planning_application_log (application_id, reference, status, decision, "
            "event_date, seen_at, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        st.bind(1, id).bind(2, row.reference).bind(3, row.outcome.status);
        st.bind(4, row.outcome.decision).bind(5, event).bind(6, m_report.started_at);
        st.bind(7, m_source);
        st.run();
    }

    store::Database& m_db;
    ImportReport& m_report;
    const geo::BngTransform& m_transform;
    CouncilExtent m_extent;
    std::string m_source;
};

/// A parsed row, or an ImportError naming the first problem (the rest as notes).
PlanningRow parse_or_throw(const PlanningFields& fields,
                           PlanningFormat format,
                           ImportReport& report,
                           const PlaceOf& place_of) {
    std::vector<PlanningProblem> problems;
    auto row = parse_planning_row(fields, format, problems);
    if (!row) {
        for (std::size_t k = 1; k < problems.size() && report.notes.size() < 50; ++k) {
            report.notes.push_back(describe(place_of(problems[k].field)) + problems[k].reason);
        }
        throw ImportError(place_of(problems.front().field), problems.front().reason);
    }
    return *row;
}

/// WKT in the file's CRS (planning.data.gov.uk: EPSG:4326) -> 27700.
geo::GeosGeometry from_wkt(const std::string& wkt,
                           SourceCrs crs,
                           const geo::BngTransform& t,
                           const SourcePlace& where) {
    OGRGeometry* g = nullptr;
    if (OGRGeometryFactory::createFromWkt(wkt.c_str(), nullptr, &g) != OGRERR_NONE || !g) {
        throw ImportError(where, "not WKT ('" + wkt.substr(0, 30) + "')");
    }
    std::unique_ptr<OGRGeometry> owned(g);
    if (owned->IsEmpty()) {
        throw ImportError(where, "an empty geometry");
    }
    return to_bng_geos(*owned, crs, t);
}

/// A polygonal site as a valid MultiPolygon (repaired or rejected by --invalid).
geo::GeosGeometry site_polygon(geo::GeosGeometry g,
                               const ImportOptions& o,
                               const SourcePlace& where,
                               bool& repaired) {
    auto& geos = geo::this_thread_geos();
    const auto h = geos.handle();
    const int type = GEOSGeomTypeId_r(h, g.get());
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) {
        throw ImportError(where, "not a polygon (the site boundary is a Polygon or MultiPolygon)");
    }
    if (!geos.is_valid(g.get())) {
        if (o.invalid == InvalidGeometry::reject) {
            throw ImportError(where, "invalid geometry: " + geos.validity_reason(g.get()));
        }
        g = geos.own(GEOSMakeValid_r(h, g.get()));
        repaired = true;
    }
    auto multi = as_multipolygon(std::move(g));
    if (!multi) {
        throw ImportError(where, "no polygon left once valid");
    }
    return multi;
}

geo::EastNorth point_of(const GEOSGeometry* g, const SourcePlace& where) {
    const auto h = geo::this_thread_geos().handle();
    if (GEOSGeomTypeId_r(h, g) != GEOS_POINT) {
        throw ImportError(where, "not a point");
    }
    double x = 0, y = 0;
    GEOSGeomGetX_r(h, g, &x);
    GEOSGeomGetY_r(h, g, &y);
    return {x, y};
}

/// The row's location from its parsed text (WKT, lon/lat) and, for GeoJSON, the feature's own
/// geometry. WKT and lon/lat are EPSG:4326 unless --crs says otherwise.
void locate(const PlanningRow& row,
            const OGRGeometry* feature_geometry,
            SourceCrs feature_crs,
            const ImportContext* ctx,
            const ImportOptions& o,
            const geo::BngTransform& t,
            const PlaceOf& place_of,
            ImportReport& report,
            std::optional<geo::EastNorth>& point,
            geo::GeosGeometry& site) {
    const SourceCrs text_crs = o.source.crs.value_or(SourceCrs::wgs84);
    bool repaired = false;
    if (feature_geometry != nullptr && !feature_geometry->IsEmpty()) {
        auto g = to_bng_geos(*feature_geometry, feature_crs, t);
        const auto type = GEOSGeomTypeId_r(geo::this_thread_geos().handle(), g.get());
        if (type == GEOS_POINT) {
            point = point_of(g.get(), place_of("geometry"));
        } else {
            site = site_polygon(std::move(g), o, place_of("geometry"), repaired);
        }
    }
    if (!site && row.geometry_wkt) {
        site = site_polygon(from_wkt(*row.geometry_wkt, text_crs, t, place_of("geometry")), o,
                            place_of("geometry"), repaired);
    }
    if (row.point_wkt) {
        auto g = from_wkt(*row.point_wkt, text_crs, t, place_of("point"));
        point = point_of(g.get(), place_of("point"));
    } else if (!point && row.lon && row.lat) {
        if (text_crs == SourceCrs::bng) {
            point = geo::EastNorth{*row.lon, *row.lat};
        } else {
            point = t.to_bng({*row.lon, *row.lat});
        }
    }
    report.repaired += repaired ? 1 : 0;
    (void)ctx;
}

std::string source_label(const std::filesystem::path& path) {
    return "import planning " + path.filename().string();
}

/// --map NAME=FIELD, else the format's names for the field; -1 when absent.
int column_for(const GdalSource& source,
               const ImportOptions& o,
               const PlanningColumn& c,
               PlanningFormat format) {
    for (const auto& m : o.field_map) {
        const auto eq = m.find('=');
        if (eq != std::string::npos && m.substr(0, eq) == c.name) {
            return source.require_field(m.substr(eq + 1), "--map " + std::string(c.name));
        }
    }
    for (const auto& a : format == PlanningFormat::national ? c.national : c.planit) {
        if (const int i = source.field_index(a); i >= 0) {
            return i;
        }
    }
    return -1;
}

PlanningFormat format_of(const ImportOptions& o,
                         const std::vector<std::string>& columns,
                         const SourcePlace& where) {
    if (!o.planning_format.empty()) {
        return *parse_planning_format(o.planning_format); // checked by check_planning_options
    }
    if (const auto f = detect_planning_format(columns)) {
        return *f;
    }
    throw ImportError(where, "neither a planning.data.gov.uk planning-application file "
                             "(planning-application-status, start-date, ...) nor a PlanIt one "
                             "(uid, state, ...); say which with --format national|planit");
}

} // namespace

std::string check_planning_options(const ImportOptions& o) {
    if (!o.planning_format.empty() && !parse_planning_format(o.planning_format)) {
        return "--format must be national or planit, not '" + o.planning_format + "'";
    }
    const auto known = planning_field_names();
    for (const auto& m : o.field_map) {
        const auto eq = m.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
            return "--map takes NAME=FIELD, not '" + m + "'";
        }
        if (std::find(known.begin(), known.end(), m.substr(0, eq)) == known.end()) {
            std::string list;
            for (const auto& k : known) {
                list += (list.empty() ? "" : ", ") + k;
            }
            return "--map " + m.substr(0, eq) + ": not a field of planning (" + list + ")";
        }
    }
    return {};
}

void import_planning(ImportContext& ctx) {
    auto& source = ctx.source;
    const auto& o = ctx.options;
    const auto format = format_of(o, source.field_names(), source.place(0));
    std::vector<std::pair<const PlanningColumn*, int>> columns;
    for (const auto& c : planning_columns()) {
        columns.emplace_back(&c, column_for(source, o, c, format));
    }
    if (columns.front().second < 0) {
        throw ImportError(source.place(0),
                          std::string("no reference column (") +
                              (format == PlanningFormat::national ? "reference" : "uid") +
                              "); name it with --map reference=FIELD");
    }
    const bool has_geometry = source.has_geometry();
    const SourceCrs feature_crs = has_geometry ? source.crs() : SourceCrs::wgs84;
    PlanningWriter writer(ctx.db, ctx.report, ctx.transform, o.bbox, source_label(source.path()));
    ctx.report.counts_changes = true;
    ctx.report.detail = std::string("planning applications (") + to_string(format) + " format)";
    SourceRow row;
    while (source.next(row)) {
        ++ctx.report.read;
        ctx.progress.update(ctx.report.read);
        const PlaceOf place_of = [&](const std::string& field) {
            for (const auto& [c, i] : columns) {
                if (field == c->name && i >= 0) {
                    return source.place(row, i);
                }
            }
            return source.place(row.line, field);
        };
        try {
            PlanningFields fields;
            for (const auto& [c, i] : columns) {
                if (i >= 0) {
                    fields.emplace(c->name, source.text(row, i));
                }
            }
            const auto r = parse_or_throw(fields, format, ctx.report, place_of);
            std::optional<geo::EastNorth> point;
            geo::GeosGeometry site;
            locate(r, has_geometry ? row.feature->GetGeometryRef() : nullptr, feature_crs, &ctx, o,
                   ctx.transform, place_of, ctx.report, point, site);
            writer.write(r, point, std::move(site), place_of);
        } catch (const ImportError& e) {
            ctx.report.reject(e.place(), e.reason());
        } catch (const geo::GeoError& e) {
            ctx.report.reject(source.place(row.line, "geometry"), e.what());
        }
    }
}

bool is_planit_json(const ImportOptions& o) {
    auto ext = o.source.path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext != ".json") {
        return false;
    }
    // A GeoJSON FeatureCollection goes through GDAL; PlanIt's JSON (an object with an
    // `applications` or `records` array) is read here.
    std::ifstream in(o.source.path, std::ios::binary);
    std::string head(4096, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    return head.find("\"FeatureCollection\"") == std::string::npos &&
           head.find("\"Feature\"") == std::string::npos;
}

void import_planning_json(FileImportContext& ctx) {
    const auto& o = ctx.options;
    const std::string file = o.source.path.string();
    nlohmann::json doc;
    {
        std::ifstream in(o.source.path, std::ios::binary);
        doc = nlohmann::json::parse(in, nullptr, false);
    }
    if (doc.is_discarded()) {
        throw ImportError({file, 0, false, {}}, "not JSON");
    }
    const nlohmann::json* list = nullptr;
    if (doc.is_array()) {
        list = &doc;
    } else if (doc.is_object()) {
        for (const char* key : {"applications", "records"}) {
            if (const auto it = doc.find(key); it != doc.end() && it->is_array()) {
                list = &*it;
                break;
            }
        }
    }
    if (list == nullptr) {
        throw ImportError({file, 0, false, {}},
                          "no applications: a PlanIt JSON file is an array of applications or "
                          "an object with an `applications` or `records` array");
    }
    // The columns a JSON file has: every key of its records (for --format detection).
    std::vector<std::string> keys;
    for (const auto& a : *list) {
        if (a.is_object()) {
            for (const auto& [k, v] : a.items()) {
                if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
                    keys.push_back(k);
                }
            }
        }
    }
    const auto format = format_of(o, keys, {file, 0, false, {}});
    // --map NAME=KEY, else the format's names.
    std::vector<std::pair<const PlanningColumn*, std::string>> columns;
    for (const auto& c : planning_columns()) {
        std::string key;
        for (const auto& m : o.field_map) {
            const auto eq = m.find('=');
            if (eq != std::string::npos && m.substr(0, eq) == c.name) {
                key = m.substr(eq + 1);
            }
        }
        if (key.empty()) {
            for (const auto& a : format == PlanningFormat::national ? c.national : c.planit) {
                if (std::find(keys.begin(), keys.end(), a) != keys.end()) {
                    key = a;
                    break;
                }
            }
        }
        columns.emplace_back(&c, key);
    }
    PlanningWriter writer(ctx.db, ctx.report, ctx.transform, o.bbox, source_label(o.source.path));
    ctx.report.counts_changes = true;
    ctx.report.detail =
        std::string("planning applications (") + to_string(format) + " format, JSON)";
    std::int64_t index = 0;
    for (const auto& a : *list) {
        ++index;
        ++ctx.report.read;
        ctx.progress.update(ctx.report.read);
        const PlaceOf place_of = [&](const std::string& field) {
            return SourcePlace{file, index, false, field};
        };
        try {
            if (!a.is_object()) {
                throw ImportError(place_of(""), "not an object");
            }
            PlanningFields fields;
            for (const auto& [c, key] : columns) {
                if (key.empty()) {
                    continue;
                }
                const auto it = a.find(key);
                if (it == a.end() || it->is_null()) {
                    continue;
                }
                fields.emplace(c->name, it->is_string() ? it->get<std::string>() : it->dump());
            }
            const auto r = parse_or_throw(fields, format, ctx.report, place_of);
            std::optional<geo::EastNorth> point;
            geo::GeosGeometry site;
            locate(r, nullptr, SourceCrs::wgs84, nullptr, o, ctx.transform, place_of, ctx.report,
                   point, site);
            writer.write(r, point, std::move(site), place_of);
        } catch (const ImportError& e) {
            ctx.report.reject(e.place(), e.reason());
        } catch (const geo::GeoError& e) {
            ctx.report.reject(place_of("geometry"), e.what());
        }
    }
}

} // namespace wardmap::importers
