// `wardmap import streets`: street centrelines -> streets, upserted by USRN. A street already
// known (e.g. from the LLPG) keeps its descriptor, town and locality unless the file gives
// them; its geometry is replaced. The schema stores one LineString per USRN, so a
// MultiLineString is merged (GEOS LineMerge) and, when its parts do not join into one line,
// the longest part is kept and the report says so.

#include "geo/errors.hpp"
#include "importers/gazetteer_keys.hpp"
#include "importers/import_geometry.hpp"
#include "importers/import_kinds.hpp"

#include <charconv>
#include <map>

namespace wardmap::importers {

namespace {

constexpr std::int64_t max_part_notes = 20; // then only counted

struct LineResult {
    geo::GeosGeometry line;
    std::string note; ///< non-empty when parts were dropped
};

/// A (Multi)LineString as one LineString; null when the geometry is not linear.
LineResult as_linestring(geo::GeosGeometry g) {
    auto& geos = geo::this_thread_geos();
    const auto h = geos.handle();
    const int type = GEOSGeomTypeId_r(h, g.get());
    if (type == GEOS_LINESTRING) {
        return {std::move(g), {}};
    }
    if (type != GEOS_MULTILINESTRING) {
        return {};
    }
    auto merged = geos.own(GEOSLineMerge_r(h, g.get()));
    if (GEOSGeomTypeId_r(h, merged.get()) == GEOS_LINESTRING) {
        return {std::move(merged), {}};
    }
    const int parts = GEOSGetNumGeometries_r(h, merged.get());
    int longest = 0;
    double best = -1;
    double total = 0;
    for (int i = 0; i < parts; ++i) {
        double length = 0;
        GEOSLength_r(h, GEOSGetGeometryN_r(h, merged.get(), i), &length);
        total += length;
        if (length > best) {
            best = length;
            longest = i;
        }
    }
    auto line = geos.own(GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, merged.get(), longest)));
    return {std::move(line), std::to_string(parts) +
                                 " parts that do not join into one line; "
                                 "kept the longest (" +
                                 std::to_string(static_cast<long long>(best)) + " m of " +
                                 std::to_string(static_cast<long long>(total)) + " m)"};
}

} // namespace

std::string check_street_options(const ImportOptions&) {
    return {};
}

void import_streets(ImportContext& ctx) {
    auto& source = ctx.source;
    auto& report = ctx.report;
    const auto& o = ctx.options;
    if (!source.has_geometry()) {
        throw ImportError(source.place(0), "the file has no geometry: streets need lines");
    }
    const SourceCrs crs = source.crs();
    const int usrn_field = source.require_field(
        !o.usrn_field.empty() ? o.usrn_field : source.find_field({"USRN"}).value_or("USRN"),
        "--usrn-field");
    const int name_field = source.optional_field(
        o.name_field, "--name-field",
        {"name", "street", "descriptor", "street_desc", "street_descriptor", "street_name"});
    const int town_field =
        source.optional_field(o.town_field, "--town-field", {"town", "town_name", "post_town"});
    const int locality_field =
        source.optional_field(o.locality_field, "--locality-field", {"locality", "locality_name"});
    if (name_field < 0) {
        report.notes.push_back("no street name column (name, street, descriptor, street_desc; "
                               "or --name-field): known streets keep their descriptors, new "
                               "ones have none until the LLPG is loaded");
    }

    CouncilExtent extent(ctx.db, o.bbox);
    auto& geos = geo::this_thread_geos();
    auto exists = ctx.db.prepare("SELECT 1 FROM streets WHERE usrn = ?");
    auto insert = ctx.db.prepare(
        "INSERT INTO streets (usrn, descriptor, locality, town, geom, geom_wgs84) "
        "VALUES (?1, coalesce(?2, ''), ?3, coalesce(?4, ''), GeomFromWKB(?5, 27700), "
        "GeomFromWKB(?6, 4326))");
    // An empty value in the file leaves what the store has (e.g. the LLPG's descriptor).
    auto update = ctx.db.prepare(
        "UPDATE streets SET descriptor = coalesce(?2, descriptor), "
        "locality = coalesce(?3, locality), town = coalesce(?4, town), "
        "geom = GeomFromWKB(?5, 27700), geom_wgs84 = GeomFromWKB(?6, 4326) WHERE usrn = ?1");
    auto value = [&](const SourceRow& row, int field) -> std::optional<std::string> {
        if (field < 0) {
            return std::nullopt;
        }
        auto s = source.text(row, field);
        return s.empty() ? std::nullopt : std::optional(std::move(s));
    };
    std::map<std::int64_t, std::int64_t> seen; // usrn -> first line
    std::int64_t partial = 0;
    SourceRow row;
    while (source.next(row)) {
        ++report.read;
        ctx.progress.update(report.read);
        try {
            const std::string raw = source.text(row, usrn_field);
            const auto usrn = parse_key(raw, max_usrn);
            if (!usrn) {
                report.reject(source.place(row, usrn_field),
                              "'" + raw + "' is not a USRN (a whole number from 1 to 99999999)");
                continue;
            }
            if (auto [it, fresh] = seen.emplace(*usrn, row.line); !fresh) {
                report.reject(source.place(row, usrn_field),
                              "duplicate USRN " + std::to_string(*usrn) + " (first at " +
                                  std::to_string(it->second) + ")");
                continue;
            }
            const auto name = value(row, name_field);
            const auto town = value(row, town_field);
            const auto locality = value(row, locality_field);
            const OGRGeometry* g = row.feature->GetGeometryRef();
            if (g == nullptr || g->IsEmpty()) {
                report.reject(source.place(row.line, "geometry"), "no geometry");
                continue;
            }
            auto line = as_linestring(to_bng_geos(*g, crs, ctx.transform));
            if (!line.line) {
                report.reject(source.place(row.line, "geometry"),
                              std::string("a ") + g->getGeometryName() +
                                  ", not a line (streets need LineString or MultiLineString)");
                continue;
            }
            if (!geos.is_valid(line.line.get())) {
                report.reject(source.place(row.line, "geometry"),
                              "invalid line: " + geos.validity_reason(line.line.get()));
                continue;
            }
            if (!extent.intersects(line.line.get())) {
                report.reject(source.place(row.line, "geometry"),
                              "outside the council's extent (" + extent.description() + ")");
                continue;
            }
            if (!line.note.empty() && ++partial <= max_part_notes) {
                report.notes.push_back(describe(source.place(row.line, "geometry")) + "USRN " +
                                       std::to_string(*usrn) + ": " + line.note);
            }
            const auto bng = geos.to_wkb(line.line.get());
            const auto wgs84 = to_wgs84_wkb(line.line.get(), ctx.transform);
            exists.bind(1, *usrn);
            const bool known = exists.step();
            exists.reset();
            auto& st = known ? update : insert;
            st.bind(1, *usrn).bind(2, name).bind(3, locality).bind(4, town);
            st.bind(5, std::span<const unsigned char>(bng));
            st.bind(6, std::span<const unsigned char>(wgs84));
            st.run();
            ++(known ? report.updated : report.inserted);
        } catch (const ImportError& e) {
            report.reject(e.place(), e.reason());
        } catch (const geo::GeoError& e) {
            report.reject(source.place(row.line, "geometry"), e.what());
        }
    }
    if (partial > max_part_notes) {
        report.notes.push_back(std::to_string(partial) +
                               " streets in all were MultiLineStrings kept as their longest part");
    }
}

} // namespace wardmap::importers
