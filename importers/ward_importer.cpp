// `wardmap import wards`: polygons -> one boundary set. Importing into an existing set label
// replaces that set's wards atomically; a new set must not overlap another in time unless
// --supersede closes the open-ended set it follows (docs/data-sources.md).

#include "geo/errors.hpp"
#include "geo/store/generations.hpp"
#include "importers/import_geometry.hpp"
#include "importers/import_kinds.hpp"

#include <cctype>
#include <map>
#include <regex>
#include <set>

namespace wardmap::importers {

namespace {

bool is_iso_date(const std::string& s) {
    static const std::regex date(R"(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))");
    return std::regex_match(s, date);
}

/// ONS names its columns by vintage (WD13CD, WD20CD, WD25CD...), others use plain names.
std::optional<std::string> find_ons_field(const GdalSource& source,
                                          const char* suffix,
                                          const std::vector<std::string>& plain) {
    const std::regex ons(std::string("WD\\d\\d") + suffix, std::regex::icase);
    for (const auto& f : source.field_names()) {
        if (std::regex_match(f, ons)) {
            return f;
        }
    }
    return source.find_field(plain);
}

struct WardRow {
    std::string code;
    std::string name;
    std::vector<unsigned char> bng;
    std::vector<unsigned char> wgs84;
};

struct SetRow {
    std::int64_t id;
    std::string label;
    std::string from;
    std::optional<std::string> to;
};

/// Finds or creates the boundary set; applies --supersede. Returns its id and the codes it held.
std::int64_t prepare_set(ImportContext& ctx, std::set<std::string>& old_codes) {
    const auto& o = ctx.options;
    std::vector<SetRow> sets;
    auto st = ctx.db.prepare("SELECT id, label, valid_from, valid_to FROM boundary_sets");
    while (st.step()) {
        sets.push_back(
            {st.int64(0), std::string(st.text(1)), std::string(st.text(2)), st.optional_text(3)});
    }
    const SourcePlace place{ctx.source.path().string(), 0, false, {}};
    for (const auto& s : sets) {
        if (s.label != o.set_label) {
            continue;
        }
        auto codes = ctx.db.prepare("SELECT code FROM wards WHERE boundary_set_id = ?");
        codes.bind(1, s.id);
        while (codes.step()) {
            old_codes.emplace(codes.text(0));
        }
        auto update = ctx.db.prepare(
            "UPDATE boundary_sets SET valid_from = coalesce(?1, valid_from), "
            "valid_to = CASE WHEN ?2 IS NULL THEN valid_to ELSE ?2 END, source = ?3 WHERE id = ?4");
        update.bind(1, o.valid_from.empty() ? std::optional<std::string>() : o.valid_from);
        update.bind(2, o.valid_to.empty() ? std::optional<std::string>() : o.valid_to);
        update.bind(3, ctx.source.path().filename().string()).bind(4, s.id);
        update.run();
        ctx.report.notes.push_back("replaced the wards of boundary set '" + s.label + "'");
        return s.id;
    }
    if (o.valid_from.empty()) {
        throw ImportError(place, "boundary set '" + o.set_label +
                                     "' is new: --valid-from DATE is required");
    }
    const std::string new_to = o.valid_to.empty() ? "9999-12-31" : o.valid_to;
    for (const auto& s : sets) {
        const std::string s_to = s.to.value_or("9999-12-31");
        if (!(s.from < new_to && o.valid_from < s_to)) {
            continue;
        }
        if (o.supersede && !s.to && s.from < o.valid_from) {
            auto close = ctx.db.prepare("UPDATE boundary_sets SET valid_to = ? WHERE id = ?");
            close.bind(1, o.valid_from).bind(2, s.id);
            close.run();
            ctx.report.notes.push_back("boundary set '" + s.label + "' now ends on " +
                                       o.valid_from + " (--supersede)");
            continue;
        }
        throw ImportError(place, "boundary set '" + o.set_label + "' (" + o.valid_from + " to " +
                                     (o.valid_to.empty() ? "open" : o.valid_to) +
                                     ") overlaps boundary set '" + s.label + "' (" + s.from +
                                     " to " + s.to.value_or("open") +
                                     "); pass --supersede to end an open set where the new one "
                                     "starts, or give --valid-to");
    }
    auto insert = ctx.db.prepare(
        "INSERT INTO boundary_sets (label, valid_from, valid_to, source) VALUES (?, ?, ?, ?)");
    insert.bind(1, o.set_label).bind(2, o.valid_from);
    insert.bind(3, o.valid_to.empty() ? std::optional<std::string>() : o.valid_to);
    insert.bind(4, ctx.source.path().filename().string());
    insert.run();
    return ctx.db.last_insert_rowid();
}

} // namespace

std::string check_ward_options(const ImportOptions& o) {
    if (o.set_label.empty()) {
        return "wards need --set LABEL (the boundary set, e.g. 2020)";
    }
    if (!o.valid_from.empty() && !is_iso_date(o.valid_from)) {
        return "--valid-from '" + o.valid_from + "' is not a date (YYYY-MM-DD)";
    }
    if (!o.valid_to.empty() && !is_iso_date(o.valid_to)) {
        return "--valid-to '" + o.valid_to + "' is not a date (YYYY-MM-DD)";
    }
    if (!o.valid_to.empty() && !o.valid_from.empty() && o.valid_to <= o.valid_from) {
        return "--valid-to must be after --valid-from";
    }
    return {};
}

void import_wards(ImportContext& ctx) {
    auto& source = ctx.source;
    auto& report = ctx.report;
    const auto& o = ctx.options;
    if (!source.has_geometry()) {
        throw ImportError(source.place(0), "the file has no geometry: wards need polygons");
    }
    const SourceCrs crs = source.crs();
    const std::string code_name =
        !o.code_field.empty()
            ? o.code_field
            : find_ons_field(source, "CD", {"ons_code", "code", "ward_code", "gss_code"})
                  .value_or("WDnnCD");
    const std::string name_name =
        !o.name_field.empty()
            ? o.name_field
            : find_ons_field(source, "NM", {"name", "ward_name", "ward"}).value_or("WDnnNM");
    const int code_field = source.require_field(code_name, "--code-field");
    const int name_field = source.require_field(name_name, "--name-field");

    CouncilExtent extent(ctx.db, o.bbox);
    auto& geos = geo::this_thread_geos();
    std::vector<WardRow> rows;
    std::map<std::string, std::int64_t> seen; // code -> first line
    SourceRow row;
    while (source.next(row)) {
        ++report.read;
        ctx.progress.update(report.read);
        try {
            WardRow w{source.text(row, code_field), source.text(row, name_field), {}, {}};
            if (w.code.empty()) {
                report.reject(source.place(row, code_field), "empty ward code");
                continue;
            }
            if (w.name.empty()) {
                report.reject(source.place(row, name_field), "empty ward name");
                continue;
            }
            if (auto [it, fresh] = seen.emplace(w.code, row.line); !fresh) {
                report.reject(source.place(row, code_field), "duplicate ward code " + w.code +
                                                                 " (first at " +
                                                                 std::to_string(it->second) + ")");
                continue;
            }
            const OGRGeometry* g = row.feature->GetGeometryRef();
            if (g == nullptr || g->IsEmpty()) {
                report.reject(source.place(row.line, "geometry"), "no geometry");
                continue;
            }
            auto bng = to_bng_geos(*g, crs, ctx.transform);
            bool repaired = false;
            if (!geos.is_valid(bng.get())) {
                const auto why = geos.validity_reason(bng.get());
                if (o.invalid == InvalidGeometry::reject) {
                    report.reject(source.place(row.line, "geometry"), "invalid geometry: " + why);
                    continue;
                }
                bng = geos.own(GEOSMakeValid_r(geos.handle(), bng.get()));
                repaired = true;
                report.notes.push_back(describe(source.place(row.line, "geometry")) +
                                       "repaired with MakeValid (" + why + ")");
            }
            bng = as_multipolygon(std::move(bng));
            if (!bng) {
                report.reject(source.place(row.line, "geometry"),
                              "not a polygon (wards need Polygon or MultiPolygon)");
                continue;
            }
            if (!extent.intersects(bng.get())) {
                report.reject(source.place(row.line, "geometry"),
                              "outside the council's extent (" + extent.description() + ")");
                continue;
            }
            w.bng = geos.to_wkb(bng.get());
            w.wgs84 = to_wgs84_wkb(bng.get(), ctx.transform);
            report.repaired += repaired ? 1 : 0;
            rows.push_back(std::move(w));
        } catch (const ImportError& e) {
            report.reject(e.place(), e.reason());
        } catch (const geo::GeoError& e) {
            report.reject(source.place(row.line, "geometry"), e.what());
        }
    }
    if (rows.empty()) {
        return;
    }
    std::set<std::string> old_codes;
    const std::int64_t set_id = prepare_set(ctx, old_codes);
    report.detail = "boundary set " + o.set_label;
    auto remove = ctx.db.prepare("DELETE FROM wards WHERE boundary_set_id = ?");
    remove.bind(1, set_id);
    remove.run();
    auto insert =
        ctx.db.prepare("INSERT INTO wards (boundary_set_id, code, name, geom, geom_wgs84) "
                       "VALUES (?, ?, ?, CastToMultiPolygon(GeomFromWKB(?, 27700)), "
                       "CastToMultiPolygon(GeomFromWKB(?, 4326)))");
    for (const auto& w : rows) {
        insert.bind(1, set_id).bind(2, w.code).bind(3, w.name);
        insert.bind(4, std::span<const unsigned char>(w.bng));
        insert.bind(5, std::span<const unsigned char>(w.wgs84));
        insert.run();
        if (old_codes.erase(w.code) > 0) {
            ++report.updated;
        } else {
            ++report.inserted;
        }
    }
    report.deleted = std::ssize(old_codes);
    store::mark_changed(ctx.db, "wards"); // running servers reload their point-in-ward index
}

} // namespace wardmap::importers
