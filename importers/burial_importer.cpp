// `wardmap import cemeteries|sections|graves FILE` (any polygon file GDAL reads, with field
// mappings: `--map NAME=FIELD`, else the usual column names) and `wardmap import
// burial-register FILE` (a CSV register, one interment a row). docs/burials.md.
//
// cemeteries are matched by name, sections by (cemetery, name), graves by (cemetery, grave
// number): a known one is updated, a new one inserted. A register row that names an unknown
// grave, buries before the death, gives an age that does not parse, or would put a grave over
// its capacity is rejected with file, line and field (--skip-bad keeps the others).

#include "geo/errors.hpp"
#include "geo/store/burial_name_keys.hpp"
#include "geo/store/database.hpp"
#include "importers/asset_fields.hpp"
#include "importers/burial_register_rows.hpp"
#include "importers/import_geometry.hpp"
#include "importers/import_kinds.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace wardmap::importers {

namespace {

/// The column a canonical field comes from: --map NAME=FIELD, else the first alias present;
/// -1 when none (ImportError when `required`).
int column_for(const GdalSource& source,
               const ImportOptions& o,
               const std::string& name,
               const std::vector<std::string>& aliases,
               bool required) {
    for (const auto& m : o.field_map) {
        const auto eq = m.find('=');
        if (eq != std::string::npos && m.substr(0, eq) == name) {
            return source.require_field(m.substr(eq + 1), "--map " + name);
        }
    }
    for (const auto& a : aliases) {
        if (const int i = source.field_index(a); i >= 0) {
            return i;
        }
    }
    if (required) {
        std::string list;
        for (const auto& a : aliases) {
            list += (list.empty() ? "" : ", ") + a;
        }
        throw ImportError(source.place(0), "no " + name + " column (" + list +
                                               "); name it with --map " + name + "=FIELD");
    }
    return -1;
}

std::string check_map(const ImportOptions& o, const std::vector<std::string>& known) {
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
            return "--map " + m.substr(0, eq) + ": not a field of this kind (" + list + ")";
        }
    }
    return {};
}

std::string cell(const GdalSource& source, const SourceRow& row, int column) {
    return column < 0 ? std::string() : source.text(row, column);
}

std::string lower(std::string s) {
    for (auto& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

std::optional<std::string> or_null(std::string s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(std::move(s));
}

/// The row's polygon(s) in EPSG:27700, valid (repaired or rejected by --invalid).
geo::GeosGeometry polygonal(const GdalSource& source,
                            const SourceRow& row,
                            const ImportContext& ctx,
                            SourceCrs crs,
                            bool& repaired) {
    auto& geos = geo::this_thread_geos();
    const auto h = geos.handle();
    const auto where = source.place(row.line, "geometry");
    const OGRGeometry* g = row.feature->GetGeometryRef();
    if (g == nullptr || g->IsEmpty()) {
        throw ImportError(where, "no geometry");
    }
    auto bng = to_bng_geos(*g, crs, ctx.transform);
    const int id = GEOSGeomTypeId_r(h, bng.get());
    if (id != GEOS_POLYGON && id != GEOS_MULTIPOLYGON) {
        throw ImportError(where, "not a polygon (Polygon or MultiPolygon needed)");
    }
    if (!geos.is_valid(bng.get())) {
        const auto why = geos.validity_reason(bng.get());
        if (ctx.options.invalid == InvalidGeometry::reject) {
            throw ImportError(where, "invalid geometry: " + why);
        }
        bng = geos.own(GEOSMakeValid_r(h, bng.get()));
        repaired = true;
    }
    bng = as_multipolygon(std::move(bng));
    if (!bng) {
        throw ImportError(where, "no polygon left once valid");
    }
    return bng;
}

/// A single polygon (sections, graves): the MultiPolygon's only part.
geo::GeosGeometry single_polygon(geo::GeosGeometry multi, const SourcePlace& where) {
    auto& geos = geo::this_thread_geos();
    const auto h = geos.handle();
    if (GEOSGetNumGeometries_r(h, multi.get()) != 1) {
        throw ImportError(where, "a MultiPolygon of several parts (one polygon needed)");
    }
    return geos.own(GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, multi.get(), 0)));
}

std::optional<std::int64_t> cemetery_id(store::Database& db, const std::string& name) {
    auto st = db.prepare_cached("SELECT id FROM cemeteries WHERE name = ?1 COLLATE NOCASE");
    st.bind(1, name);
    if (!st.step()) {
        return std::nullopt;
    }
    return st.int64(0);
}

/// The row's cemetery: its column, else --cemetery.
std::int64_t row_cemetery(const ImportContext& ctx, const SourceRow& row, int column) {
    const std::string name = column >= 0 ? ctx.source.text(row, column) : ctx.options.cemetery;
    const auto where =
        column >= 0 ? ctx.source.place(row, column) : ctx.source.place(row.line, "cemetery");
    if (name.empty()) {
        throw ImportError(where, "no cemetery (a cemetery column or --cemetery NAME)");
    }
    const auto id = cemetery_id(ctx.db, name);
    if (!id) {
        throw ImportError(where, "unknown cemetery '" + name.substr(0, 60) + "'");
    }
    return *id;
}

template <typename Body> void each_row(ImportContext& ctx, Body body) {
    SourceRow row;
    while (ctx.source.next(row)) {
        ++ctx.report.read;
        ctx.progress.update(ctx.report.read);
        try {
            body(row);
        } catch (const ImportError& e) {
            ctx.report.reject(e.place(), e.reason());
        } catch (const geo::GeoError& e) {
            ctx.report.reject(ctx.source.place(row.line, "geometry"), e.what());
        }
    }
}

const std::vector<std::string> cemetery_fields = {"name", "address", "opened"};
const std::vector<std::string> section_fields = {"cemetery", "name",         "code",
                                                 "kind",     "denomination", "consecrated"};
const std::vector<std::string> grave_fields = {"cemetery",
                                               "section",
                                               "row",
                                               "grave_number",
                                               "grave_type",
                                               "max_coffins",
                                               "max_cremated_remains",
                                               "depth_used_m",
                                               "ground_notes",
                                               "unavailable_reason"};

const char* const section_kinds[] = {
    "traditional",           "lawn",         "baby",   "child",    "cremated_remains",
    "garden_of_remembrance", "family_ashes", "muslim", "woodland", "common"};
const char* const grave_types[] = {"private",          "public", "vault",
                                   "cremated_remains", "child",  "baby"};

template <std::size_t N>
std::string one_of(const std::string& text, const char* const (&values)[N], const SourcePlace& at) {
    std::string v = lower(text);
    std::replace(v.begin(), v.end(), ' ', '_');
    for (const char* x : values) {
        if (v == x) {
            return v;
        }
    }
    std::string list;
    for (const char* x : values) {
        list += (list.empty() ? "" : ", ") + std::string(x);
    }
    throw ImportError(at, "'" + text.substr(0, 40) + "' is not one of " + list);
}

int whole(const GdalSource& source, const SourceRow& row, int column, int fallback, int max) {
    const std::string t = cell(source, row, column);
    if (t.empty()) {
        return fallback;
    }
    const auto v = parse_whole_number(t);
    if (!v || *v < 0 || *v > max) {
        throw ImportError(source.place(row, column), "'" + t.substr(0, 40) +
                                                         "' is not a whole number from 0 to " +
                                                         std::to_string(max));
    }
    return static_cast<int>(*v);
}

} // namespace

std::string check_cemetery_options(const ImportOptions& o) {
    return check_map(o, cemetery_fields);
}
std::string check_section_options(const ImportOptions& o) {
    return check_map(o, section_fields);
}
std::string check_grave_options(const ImportOptions& o) {
    return check_map(o, grave_fields);
}
std::string check_register_options(const ImportOptions& o) {
    std::vector<std::string> names;
    for (const auto& c : register_columns()) {
        names.emplace_back(c.name);
    }
    return check_map(o, names);
}

void import_cemeteries(ImportContext& ctx) {
    auto& source = ctx.source;
    const auto& o = ctx.options;
    const int name = column_for(source, o, "name", {"name", "cemetery", "cemetery_name"}, true);
    const int address = column_for(source, o, "address", {"address", "location"}, false);
    const int opened = column_for(source, o, "opened", {"opened", "year_opened"}, false);
    const SourceCrs crs = source.crs();
    auto& geos = geo::this_thread_geos();
    auto upsert = ctx.db.prepare(
        "INSERT INTO cemeteries (name, address, opened, geom, geom_wgs84) VALUES (?1, ?2, ?3, "
        "GeomFromWKB(?4, 27700), GeomFromWKB(?5, 4326)) ON CONFLICT (name) DO UPDATE SET "
        "address = excluded.address, opened = coalesce(excluded.opened, opened), geom = "
        "excluded.geom, geom_wgs84 = excluded.geom_wgs84");
    ctx.report.detail = "cemeteries matched by name";
    each_row(ctx, [&](const SourceRow& row) {
        const std::string n = cell(source, row, name);
        if (n.empty()) {
            throw ImportError(source.place(row, name), "no cemetery name");
        }
        bool repaired = false;
        auto bng = polygonal(source, row, ctx, crs, repaired);
        const bool known = cemetery_id(ctx.db, n).has_value();
        upsert.bind(1, n).bind(2, cell(source, row, address));
        const int year = whole(source, row, opened, -1, 2100);
        if (year < 0) {
            upsert.bind_null(3);
        } else {
            upsert.bind(3, year);
        }
        upsert.bind(4, geos.to_wkb(bng.get())).bind(5, to_wgs84_wkb(bng.get(), ctx.transform));
        upsert.run();
        ++(known ? ctx.report.updated : ctx.report.inserted);
        ctx.report.repaired += repaired ? 1 : 0;
    });
    ctx.db.exec("INSERT INTO burial_registers (cemetery_id, name) SELECT id, 'Register of "
                "burials' FROM cemeteries c WHERE NOT EXISTS (SELECT 1 FROM burial_registers b "
                "WHERE b.cemetery_id = c.id)");
}

void import_sections(ImportContext& ctx) {
    auto& source = ctx.source;
    const auto& o = ctx.options;
    const int cemetery = column_for(source, o, "cemetery", {"cemetery", "cemetery_name"}, false);
    const int name = column_for(source, o, "name", {"name", "section", "section_name"}, true);
    const int code = column_for(source, o, "code", {"code", "section_code"}, false);
    const int kind = column_for(source, o, "kind", {"kind", "section_kind", "type"}, false);
    const int denomination =
        column_for(source, o, "denomination", {"denomination", "religion"}, false);
    const int consecrated = column_for(source, o, "consecrated", {"consecrated"}, false);
    const SourceCrs crs = source.crs();
    auto& geos = geo::this_thread_geos();
    auto find = ctx.db.prepare("SELECT id FROM cemetery_sections WHERE cemetery_id = ?1 AND name "
                               "= ?2");
    auto insert = ctx.db.prepare(
        "INSERT INTO cemetery_sections (cemetery_id, name, code, kind, denomination, consecrated, "
        "geom, geom_wgs84) VALUES (?1, ?2, ?3, ?4, ?5, ?6, GeomFromWKB(?7, 27700), "
        "GeomFromWKB(?8, 4326))");
    auto update = ctx.db.prepare(
        "UPDATE cemetery_sections SET code = ?3, kind = ?4, denomination = ?5, consecrated = ?6, "
        "geom = GeomFromWKB(?7, 27700), geom_wgs84 = GeomFromWKB(?8, 4326) WHERE cemetery_id = "
        "?1 AND name = ?2");
    ctx.report.detail = "sections matched by cemetery and name";
    each_row(ctx, [&](const SourceRow& row) {
        const std::int64_t c = row_cemetery(ctx, row, cemetery);
        const std::string n = cell(source, row, name);
        if (n.empty()) {
            throw ImportError(source.place(row, name), "no section name");
        }
        const std::string k = cell(source, row, kind);
        const std::string sk =
            k.empty() ? "traditional" : one_of(k, section_kinds, source.place(row, kind));
        const std::string cons = lower(cell(source, row, consecrated));
        int consecrated_flag = 0;
        if (cons == "1" || cons == "y" || cons == "yes" || cons == "true") {
            consecrated_flag = 1;
        } else if (!(cons.empty() || cons == "0" || cons == "n" || cons == "no" ||
                     cons == "false")) {
            throw ImportError(source.place(row, consecrated), "must be yes or no");
        }
        bool repaired = false;
        auto bng = single_polygon(polygonal(source, row, ctx, crs, repaired),
                                  source.place(row.line, "geometry"));
        find.bind(1, c).bind(2, n);
        const bool known = find.step();
        find.reset();
        auto& st = known ? update : insert;
        st.bind(1, c).bind(2, n).bind(3, or_null(cell(source, row, code))).bind(4, sk);
        st.bind(5, or_null(cell(source, row, denomination))).bind(6, consecrated_flag);
        st.bind(7, geos.to_wkb(bng.get())).bind(8, to_wgs84_wkb(bng.get(), ctx.transform));
        st.run();
        ++(known ? ctx.report.updated : ctx.report.inserted);
        ctx.report.repaired += repaired ? 1 : 0;
    });
}

void import_graves(ImportContext& ctx) {
    auto& source = ctx.source;
    const auto& o = ctx.options;
    const int cemetery = column_for(source, o, "cemetery", {"cemetery", "cemetery_name"}, false);
    const int section =
        column_for(source, o, "section", {"section", "section_name", "section_code"}, true);
    const int row_col = column_for(source, o, "row", {"row", "row_no", "row_code"}, false);
    const int number = column_for(
        source, o, "grave_number",
        {"grave_number", "grave_no", "grave", "grave_ref", "plot_ref", "plot_no", "plot"}, true);
    const int type = column_for(source, o, "grave_type", {"grave_type", "type"}, false);
    const int coffins =
        column_for(source, o, "max_coffins", {"max_coffins", "capacity", "coffins"}, false);
    const int ashes = column_for(source, o, "max_cremated_remains",
                                 {"max_cremated_remains", "max_ashes", "ashes"}, false);
    const int depth = column_for(source, o, "depth_used_m", {"depth_used_m", "depth"}, false);
    const int notes = column_for(source, o, "ground_notes", {"ground_notes", "notes"}, false);
    const int unavailable =
        column_for(source, o, "unavailable_reason", {"unavailable_reason", "unavailable"}, false);
    const SourceCrs crs = source.crs();
    auto& geos = geo::this_thread_geos();
    auto find_section = ctx.db.prepare(
        "SELECT id, kind FROM cemetery_sections WHERE cemetery_id = ?1 AND (name = ?2 COLLATE "
        "NOCASE OR code = ?2 COLLATE NOCASE) ORDER BY name = ?2 DESC LIMIT 1");
    auto find_grave =
        ctx.db.prepare("SELECT id FROM grave_spaces WHERE cemetery_id = ?1 AND grave_number = ?2");
    auto ensure_row = ctx.db.prepare(
        "INSERT INTO cemetery_rows (section_id, code) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
    auto row_id =
        ctx.db.prepare("SELECT id FROM cemetery_rows WHERE section_id = ?1 AND code = ?2");
    auto insert = ctx.db.prepare(
        "INSERT INTO grave_spaces (cemetery_id, section_id, row_id, grave_number, grave_type, "
        "max_coffins, max_cremated_remains, depth_used_m, ground_notes, unavailable_reason, "
        "geom, geom_wgs84) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, GeomFromWKB(?11, "
        "27700), GeomFromWKB(?12, 4326))");
    auto update = ctx.db.prepare(
        "UPDATE grave_spaces SET section_id = ?2, row_id = ?3, grave_type = ?5, max_coffins = ?6, "
        "max_cremated_remains = ?7, depth_used_m = ?8, ground_notes = ?9, unavailable_reason = "
        "?10, geom = GeomFromWKB(?11, 27700), geom_wgs84 = GeomFromWKB(?12, 4326) WHERE "
        "cemetery_id = ?1 AND grave_number = ?4");
    std::map<std::pair<std::int64_t, std::string>, std::int64_t> seen;
    ctx.report.detail = "graves matched by cemetery and grave number";
    each_row(ctx, [&](const SourceRow& row) {
        const std::int64_t c = row_cemetery(ctx, row, cemetery);
        const std::string n = cell(source, row, number);
        if (n.empty() || n.size() > 40) {
            throw ImportError(source.place(row, number),
                              "no grave number (or longer than 40 characters)");
        }
        if (const auto [it, fresh] = seen.emplace(std::pair{c, n}, row.line); !fresh) {
            throw ImportError(source.place(row, number), "duplicate grave number " + n +
                                                             " (first at " +
                                                             std::to_string(it->second) + ")");
        }
        const std::string s = cell(source, row, section);
        find_section.bind(1, c).bind(2, s);
        if (!find_section.step()) {
            find_section.reset();
            throw ImportError(source.place(row, section),
                              "unknown section '" + s.substr(0, 60) + "' in this cemetery");
        }
        const std::int64_t section_id = find_section.int64(0);
        const std::string section_kind(find_section.text(1));
        find_section.reset();
        std::optional<std::int64_t> rid;
        if (const auto r = cell(source, row, row_col); !r.empty()) {
            ensure_row.bind(1, section_id).bind(2, r).run();
            row_id.bind(1, section_id).bind(2, r).step();
            rid = row_id.int64(0);
            row_id.reset();
        }
        // The type defaults from the section: cremated remains, baby, child, else private.
        std::string gt = cell(source, row, type);
        if (gt.empty()) {
            gt = section_kind == "cremated_remains" || section_kind == "family_ashes" ||
                         section_kind == "garden_of_remembrance"
                     ? "cremated_remains"
                 : section_kind == "baby"  ? "baby"
                 : section_kind == "child" ? "child"
                                           : "private";
        } else {
            gt = one_of(gt == "common" ? "public" : gt, grave_types, source.place(row, type));
        }
        const bool ashes_only = gt == "cremated_remains";
        const int max_c = whole(source, row, coffins, ashes_only ? 0 : (gt == "baby" ? 1 : 2), 8);
        const int max_a = whole(source, row, ashes, ashes_only ? 4 : 2, 24);
        if (max_c + max_a == 0) {
            throw ImportError(source.place(row, coffins), "a grave needs some capacity");
        }
        std::optional<double> depth_m;
        if (const auto d = cell(source, row, depth); !d.empty()) {
            char* end = nullptr;
            const double v = std::strtod(d.c_str(), &end);
            if (end != d.c_str() + d.size() || !(v >= 0 && v <= 5)) {
                throw ImportError(source.place(row, depth), "must be metres from 0 to 5");
            }
            depth_m = v;
        }
        std::optional<std::string> reason;
        if (const auto u = lower(cell(source, row, unavailable)); !u.empty()) {
            if (u != "ground" && u != "path" && u != "tree") {
                throw ImportError(source.place(row, unavailable), "must be ground, path or tree");
            }
            reason = u;
        }
        bool repaired = false;
        auto bng = single_polygon(polygonal(source, row, ctx, crs, repaired),
                                  source.place(row.line, "geometry"));
        find_grave.bind(1, c).bind(2, n);
        const bool known = find_grave.step();
        find_grave.reset();
        auto& st = known ? update : insert;
        st.bind(1, c).bind(2, section_id).bind(3, rid).bind(4, n).bind(5, gt).bind(6, max_c);
        st.bind(7, max_a);
        if (depth_m) {
            st.bind(8, *depth_m);
        } else {
            st.bind_null(8);
        }
        st.bind(9, or_null(cell(source, row, notes))).bind(10, reason);
        st.bind(11, geos.to_wkb(bng.get())).bind(12, to_wgs84_wkb(bng.get(), ctx.transform));
        st.run();
        ++(known ? ctx.report.updated : ctx.report.inserted);
        ctx.report.repaired += repaired ? 1 : 0;
    });
}

void import_burial_register(ImportContext& ctx) {
    auto& source = ctx.source;
    const auto& o = ctx.options;
    std::vector<std::pair<const RegisterColumn*, int>> columns;
    for (const auto& c : register_columns()) {
        columns.emplace_back(&c, column_for(source, o, c.name, c.aliases, c.required));
    }
    const auto column_of = [&](const std::string& field) {
        for (const auto& [c, i] : columns) {
            if (field == c->name) {
                return i;
            }
        }
        return -1;
    };
    const auto place_of = [&](const SourceRow& row, const std::string& field) {
        const int i = column_of(field);
        return i >= 0 ? source.place(row, i) : source.place(row.line, field);
    };
    auto find_grave = ctx.db.prepare_cached(
        "SELECT g.id, g.max_coffins, g.max_cremated_remains, g.prior_coffins + (SELECT count(*) "
        "FROM interments i WHERE i.grave_id = g.id AND i.kind = 'coffin' AND NOT EXISTS (SELECT "
        "1 FROM disinterments d WHERE d.interment_id = i.id)), g.prior_cremated_remains + "
        "(SELECT count(*) FROM interments i WHERE i.grave_id = g.id AND i.kind = "
        "'cremated_remains' AND NOT EXISTS (SELECT 1 FROM disinterments d WHERE d.interment_id = "
        "i.id)) FROM grave_spaces g WHERE g.cemetery_id = ?1 AND g.grave_number = ?2");
    auto find_register = ctx.db.prepare_cached(
        "SELECT b.id, (SELECT max(register_number) FROM interments WHERE register_id = b.id) "
        "FROM burial_registers b WHERE b.cemetery_id = ?1 ORDER BY b.id LIMIT 1");
    auto insert = ctx.db.prepare_cached(
        "INSERT INTO interments (register_id, register_number, grave_id, buried_on, burial_time, "
        "forenames, surname, age_years, age_months, age_weeks, age_days, stillborn, "
        "parents_names, died_on, last_address, last_address_uprn, kind, position, "
        "officiating_minister, funeral_director, entered_at, entered_by) VALUES (?1, ?2, ?3, ?4, "
        "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)");
    const std::string entered_by = "import burial-register " + source.path().filename().string();
    ctx.report.detail = "interments appended to each cemetery's register";
    each_row(ctx, [&](const SourceRow& row) {
        RegisterFields fields;
        for (const auto& [c, i] : columns) {
            if (i >= 0) {
                fields.emplace(c->name, source.text(row, i));
            }
        }
        std::vector<RowProblem> problems;
        const auto r = parse_register_row(fields, problems);
        if (!r) {
            // Every problem is reported; the first is the row's rejection, the rest notes.
            for (std::size_t k = 1; k < problems.size() && ctx.report.notes.size() < 50; ++k) {
                ctx.report.notes.push_back(describe(place_of(row, problems[k].field)) +
                                           problems[k].reason);
            }
            throw ImportError(place_of(row, problems.front().field), problems.front().reason);
        }
        const std::int64_t c = row_cemetery(ctx, row, column_of("cemetery"));
        find_grave.bind(1, c).bind(2, r->grave_number);
        if (!find_grave.step()) {
            find_grave.reset();
            throw ImportError(place_of(row, "grave"),
                              "unknown grave '" + r->grave_number.substr(0, 40) +
                                  "' in this cemetery (import the graves first)");
        }
        const std::int64_t grave = find_grave.int64(0);
        const std::int64_t max_c = find_grave.int64(1), max_a = find_grave.int64(2);
        const std::int64_t used_c = find_grave.int64(3), used_a = find_grave.int64(4);
        find_grave.reset();
        if (r->kind == "coffin" ? used_c >= max_c : used_a >= max_a) {
            throw ImportError(place_of(row, "grave"),
                              "grave " + r->grave_number + " is over capacity: " +
                                  (r->kind == "coffin"
                                       ? std::to_string(used_c) + " of " + std::to_string(max_c) +
                                             " coffin spaces already used"
                                       : std::to_string(used_a) + " of " + std::to_string(max_a) +
                                             " cremated-remains spaces already used"));
        }
        find_register.bind(1, c);
        if (!find_register.step()) {
            find_register.reset();
            throw ImportError(place_of(row, "cemetery"), "the cemetery has no register");
        }
        const std::int64_t reg = find_register.int64(0);
        const std::optional<std::int64_t> last =
            find_register.is_null(1) ? std::nullopt
                                     : std::optional<std::int64_t>(find_register.int64(1));
        find_register.reset();
        if (last && r->register_number <= *last) {
            throw ImportError(place_of(row, "register_number"),
                              "register number " + std::to_string(r->register_number) +
                                  " does not come after the register's last entry, " +
                                  std::to_string(*last));
        }
        insert.bind(1, reg).bind(2, r->register_number).bind(3, grave).bind(4, r->buried_on);
        insert.bind(5, r->burial_time).bind(6, r->forenames).bind(7, r->surname);
        insert.bind(8, r->age.years).bind(9, r->age.months).bind(10, r->age.weeks);
        insert.bind(11, r->age.days).bind(12, r->stillborn ? 1 : 0).bind(13, r->parents_names);
        insert.bind(14, r->died_on).bind(15, r->last_address).bind(16, r->last_address_uprn);
        insert.bind(17, r->kind).bind(18, r->position).bind(19, r->officiating_minister);
        insert.bind(20, r->funeral_director).bind(21, ctx.report.started_at).bind(22, entered_by);
        insert.run();
        // The public search's name keys (0021), in the import's transaction.
        store::index_interment_name(ctx.db, ctx.db.last_insert_rowid(), r->forenames, r->surname);
        ++ctx.report.inserted;
    });
}

} // namespace wardmap::importers
