// `wardmap import postcodes`: postcode centroids (Code-Point Open CSV, or any point file with a
// postcode field) -> postcodes, upserted by normalised postcode.

#include "geo/errors.hpp"
#include "geo/postcode.hpp"
#include "importers/import_geometry.hpp"
#include "importers/import_kinds.hpp"

#include <cctype>
#include <map>

namespace wardmap::importers {

std::string check_postcode_options(const ImportOptions& o) {
    if (o.x_field.empty() != o.y_field.empty()) {
        return "give both --x-field and --y-field, or neither";
    }
    return {};
}

void import_postcodes(ImportContext& ctx) {
    auto& source = ctx.source;
    auto& report = ctx.report;
    const auto& o = ctx.options;
    const std::string pc_name =
        !o.postcode_field.empty()
            ? o.postcode_field
            : source.find_field({"Postcode", "pcds", "pcd", "pcd7", "pcd8", "PC"})
                  .value_or("Postcode");
    const int pc_field = source.require_field(pc_name, "--postcode-field");
    // A CSV carries its position in two columns; other formats in their geometry.
    int x_field = -1;
    int y_field = -1;
    if (source.is_csv() || !o.x_field.empty()) {
        const std::string x_name =
            !o.x_field.empty()
                ? o.x_field
                : source.find_field({"Eastings", "easting", "x", "EA", "lon", "longitude", "lng"})
                      .value_or("Eastings");
        const std::string y_name =
            !o.y_field.empty()
                ? o.y_field
                : source.find_field({"Northings", "northing", "y", "NO", "lat", "latitude"})
                      .value_or("Northings");
        x_field = source.require_field(x_name, "--x-field");
        y_field = source.require_field(y_name, "--y-field");
    } else if (!source.has_geometry()) {
        throw ImportError(source.place(0), "the file has no geometry and no --x-field/--y-field");
    }
    const SourceCrs crs = source.crs();

    CouncilExtent extent(ctx.db, o.bbox);
    auto& geos = geo::this_thread_geos();
    auto exists = ctx.db.prepare("SELECT 1 FROM postcodes WHERE postcode = ?");
    auto insert = ctx.db.prepare(
        "INSERT INTO postcodes (postcode, easting, northing, lon, lat, geom, geom_wgs84) "
        "VALUES (?1, ?2, ?3, ?4, ?5, MakePoint(?2, ?3, 27700), MakePoint(?4, ?5, 4326))");
    auto update =
        ctx.db.prepare("UPDATE postcodes SET easting = ?2, northing = ?3, lon = ?4, lat = ?5, "
                       "geom = MakePoint(?2, ?3, 27700), geom_wgs84 = MakePoint(?4, ?5, 4326) "
                       "WHERE postcode = ?1");
    std::map<std::string, std::int64_t> seen; // postcode -> first line
    SourceRow row;
    while (source.next(row)) {
        ++report.read;
        ctx.progress.update(report.read);
        try {
            const std::string raw = source.text(row, pc_field);
            const auto postcode = geo::normalise_postcode(raw);
            if (!postcode) {
                report.reject(source.place(row, pc_field), "'" + raw + "' is not a UK postcode");
                continue;
            }
            if (auto [it, fresh] = seen.emplace(*postcode, row.line); !fresh) {
                report.reject(source.place(row, pc_field), "duplicate postcode " + *postcode +
                                                               " (first at " +
                                                               std::to_string(it->second) + ")");
                continue;
            }
            double x = 0;
            double y = 0;
            if (x_field >= 0) {
                x = source.number(row, x_field);
                y = source.number(row, y_field);
            } else {
                const OGRGeometry* g = row.feature->GetGeometryRef();
                if (g == nullptr || wkbFlatten(g->getGeometryType()) != wkbPoint || g->IsEmpty()) {
                    report.reject(source.place(row.line, "geometry"), "not a point");
                    continue;
                }
                x = g->toPoint()->getX();
                y = g->toPoint()->getY();
            }
            geo::EastNorth en;
            geo::LonLat ll;
            if (crs == SourceCrs::bng) {
                en = {x, y};
                ll = ctx.transform.to_wgs84(en);
            } else {
                ll = {x, y};
                en = ctx.transform.to_bng(ll);
            }
            auto point = geos.point(en.easting, en.northing);
            if (!extent.intersects(point.get())) {
                report.reject(source.place(row, x_field >= 0 ? x_field : -1),
                              "outside the council's extent (" + extent.description() + ")");
                continue;
            }
            exists.bind(1, *postcode);
            const bool known = exists.step();
            exists.reset();
            auto& st = known ? update : insert;
            st.bind(1, *postcode).bind(2, en.easting).bind(3, en.northing);
            st.bind(4, ll.lon).bind(5, ll.lat);
            st.run();
            ++(known ? report.updated : report.inserted);
        } catch (const ImportError& e) {
            report.reject(e.place(), e.reason());
        } catch (const geo::GeoError& e) {
            report.reject(source.place(row, x_field), e.what());
        }
    }
}

} // namespace wardmap::importers
