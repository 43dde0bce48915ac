// `wardmap import constraints FILE --kind conservation_area|tree_preservation_order|
// listed_building|article_4` and `wardmap import land-charges FILE`: polygon files GDAL reads
// (GeoJSON, Shapefile, GeoPackage, ... ; planning.data.gov.uk's hyphenated names or --map
// NAME=FIELD). Constraints are matched by (kind, reference), land charges by reference: a known
// one is updated, a new one inserted. A row without a reference, with a date that does not
// parse, an unknown register part or status, or a geometry that is not a polygon is rejected
// with file, line and field. docs/planning.md.

#include "geo/errors.hpp"
#include "geo/store/database.hpp"
#include "importers/import_geometry.hpp"
#include "importers/import_kinds.hpp"
#include "importers/planning_rows.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace wardmap::importers {

namespace {

struct Field {
    const char* name;
    std::vector<std::string> aliases;
};

const std::vector<Field> constraint_fields = {
    {"reference", {"reference", "ref", "list-entry", "listed-building", "list_entry", "id"}},
    {"name", {"name", "title"}},
    {"designation_date",
     {"designation-date", "made-date", "start-date", "designation_date", "made_date", "date"}},
    {"grade", {"listed-building-grade", "grade"}},
    {"description", {"description", "notes"}},
    {"documentation_url", {"documentation-url", "document-url", "url", "documentation_url"}},
};

const std::vector<Field> charge_fields = {
    {"reference", {"reference", "charge-id", "charge_id", "ref"}},
    {"register_part", {"register-part", "register_part", "part"}},
    {"charge_type", {"charge-type", "charge_type", "type"}},
    {"description", {"description", "further-information", "notes"}},
    {"registered_date",
     {"registration-date", "registered-date", "registered_date", "registration_date",
      "start-date"}},
    {"originating_authority",
     {"originating-authority", "originating_authority", "organisation", "authority"}},
    {"instrument_reference", {"instrument", "instrument-reference", "instrument_reference"}},
    {"status", {"status"}},
};

const char* const constraint_kinds[] = {"conservation_area", "tree_preservation_order",
                                        "listed_building", "article_4"};

std::string check_map(const ImportOptions& o, const std::vector<Field>& fields, const char* kind) {
    for (const auto& m : o.field_map) {
        const auto eq = m.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
            return "--map takes NAME=FIELD, not '" + m + "'";
        }
        const auto name = m.substr(0, eq);
        if (std::none_of(fields.begin(), fields.end(),
                         [&](const Field& f) { return name == f.name; })) {
            std::string list;
            for (const auto& f : fields) {
                list += (list.empty() ? "" : ", ") + std::string(f.name);
            }
            return "--map " + name + ": not a field of " + kind + " (" + list + ")";
        }
    }
    return {};
}

/// Each field's column: --map NAME=FIELD, else the first alias present, else -1.
std::vector<int>
columns_of(const GdalSource& source, const ImportOptions& o, const std::vector<Field>& fields) {
    std::vector<int> out;
    for (const auto& f : fields) {
        int index = -1;
        for (const auto& m : o.field_map) {
            const auto eq = m.find('=');
            if (eq != std::string::npos && m.substr(0, eq) == f.name) {
                index = source.require_field(m.substr(eq + 1), "--map " + std::string(f.name));
            }
        }
        for (std::size_t a = 0; index < 0 && a < f.aliases.size(); ++a) {
            index = source.field_index(f.aliases[a]);
        }
        out.push_back(index);
    }
    return out;
}

std::optional<std::string> cell(const GdalSource& source, const SourceRow& row, int column) {
    if (column < 0) {
        return std::nullopt;
    }
    auto s = source.text(row, column);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.pop_back();
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.erase(s.begin());
    }
    return s.empty() ? std::nullopt : std::optional<std::string>(std::move(s));
}

std::optional<std::string> date_cell(const GdalSource& source, const SourceRow& row, int column) {
    const auto text = cell(source, row, column);
    if (!text) {
        return std::nullopt;
    }
    auto d = parse_planning_date(*text);
    if (!d) {
        throw ImportError(source.place(row, column),
                          "'" + text->substr(0, 30) +
                              "' is not a date (YYYY-MM-DD or DD/MM/YYYY) that exists");
    }
    return d;
}

/// The row's polygon(s) in EPSG:27700 as a valid MultiPolygon (repaired or rejected).
StoredGeometry polygon_of(const ImportContext& ctx, const SourceRow& row, SourceCrs crs) {
    auto& geos = geo::this_thread_geos();
    const auto h = geos.handle();
    const auto where = ctx.source.place(row.line, "geometry");
    const OGRGeometry* g = row.feature->GetGeometryRef();
    if (g == nullptr || g->IsEmpty()) {
        throw ImportError(where, "no geometry");
    }
    StoredGeometry out;
    auto bng = to_bng_geos(*g, crs, ctx.transform);
    const int id = GEOSGeomTypeId_r(h, bng.get());
    if (id != GEOS_POLYGON && id != GEOS_MULTIPOLYGON) {
        throw ImportError(where, "not a polygon (Polygon or MultiPolygon needed; a single tree "
                                 "or building given as a point needs its outline)");
    }
    if (!geos.is_valid(bng.get())) {
        if (ctx.options.invalid == InvalidGeometry::reject) {
            throw ImportError(where, "invalid geometry: " + geos.validity_reason(bng.get()));
        }
        bng = geos.own(GEOSMakeValid_r(h, bng.get()));
        out.repaired = true;
    }
    bng = as_multipolygon(std::move(bng));
    if (!bng) {
        throw ImportError(where, "no polygon left once valid");
    }
    out.bng_wkb = geos.to_wkb(bng.get());
    out.wgs84_wkb = to_wgs84_wkb(bng.get(), ctx.transform);
    out.bng = std::move(bng);
    return out;
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

std::string required(const GdalSource& source, const SourceRow& row, int column, const char* name) {
    auto v = cell(source, row, column);
    if (!v) {
        throw ImportError(column >= 0 ? source.place(row, column) : source.place(row.line, name),
                          std::string("no ") + name);
    }
    return *v;
}

} // namespace

std::string check_constraint_options(const ImportOptions& o) {
    if (std::find_if(std::begin(constraint_kinds), std::end(constraint_kinds), [&](const char* k) {
            return o.constraint_kind == k;
        }) == std::end(constraint_kinds)) {
        return "constraints need --kind conservation_area, tree_preservation_order, "
               "listed_building or article_4";
    }
    return check_map(o, constraint_fields, "constraints");
}

std::string check_land_charge_options(const ImportOptions& o) {
    return check_map(o, charge_fields, "land-charges");
}

void import_constraints(ImportContext& ctx) {
    auto& source = ctx.source;
    const auto& kind = ctx.options.constraint_kind;
    const auto col = columns_of(source, ctx.options, constraint_fields);
    if (col[0] < 0) {
        throw ImportError(source.place(0), "no reference column (reference, ref, list-entry, "
                                           "...); name it with --map reference=FIELD");
    }
    const SourceCrs crs = source.crs();
    auto find = ctx.db.prepare_cached(
        "SELECT id FROM planning_constraints WHERE kind = ?1 AND reference = ?2");
    auto upsert = ctx.db.prepare_cached(
        "INSERT INTO planning_constraints (kind, reference, name, designation_date, grade, "
        "description, documentation_url, source, updated_at, geom, geom_wgs84) VALUES (?1, ?2, "
        "?3, ?4, ?5, ?6, ?7, ?8, ?9, GeomFromWKB(?10, 27700), GeomFromWKB(?11, 4326)) ON "
        "CONFLICT (kind, reference) DO UPDATE SET name = excluded.name, designation_date = "
        "excluded.designation_date, grade = excluded.grade, description = excluded.description, "
        "documentation_url = excluded.documentation_url, source = excluded.source, updated_at = "
        "excluded.updated_at, geom = excluded.geom, geom_wgs84 = excluded.geom_wgs84");
    const std::string label = "import constraints " + source.path().filename().string();
    ctx.report.detail = "constraint layer " + kind;
    each_row(ctx, [&](const SourceRow& row) {
        const auto reference = required(source, row, col[0], "reference");
        const auto designated = date_cell(source, row, col[2]);
        auto grade = cell(source, row, col[3]);
        if (grade && kind == "listed_building") {
            std::string g = *grade;
            g.erase(std::remove(g.begin(), g.end(), ' '), g.end());
            std::transform(g.begin(), g.end(), g.begin(),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            if (g == "GRADEI" || g == "1") {
                g = "I";
            } else if (g == "GRADEII*" || g == "2*") {
                g = "II*";
            } else if (g == "GRADEII" || g == "2") {
                g = "II";
            }
            if (g != "I" && g != "II*" && g != "II") {
                throw ImportError(source.place(row, col[3]),
                                  "grade '" + grade->substr(0, 20) + "' is not I, II* or II");
            }
            grade = g;
        }
        const auto geometry = polygon_of(ctx, row, crs);
        find.bind(1, kind).bind(2, reference);
        const bool known = find.step();
        find.reset();
        upsert.bind(1, kind).bind(2, reference).bind(3, cell(source, row, col[1]));
        upsert.bind(4, designated).bind(5, grade).bind(6, cell(source, row, col[4]));
        upsert.bind(7, cell(source, row, col[5])).bind(8, label).bind(9, ctx.report.started_at);
        upsert.bind(10, std::span<const unsigned char>(geometry.bng_wkb));
        upsert.bind(11, std::span<const unsigned char>(geometry.wgs84_wkb));
        upsert.run();
        ++(known ? ctx.report.updated : ctx.report.inserted);
        ctx.report.repaired += geometry.repaired ? 1 : 0;
    });
}

void import_land_charges(ImportContext& ctx) {
    auto& source = ctx.source;
    const auto col = columns_of(source, ctx.options, charge_fields);
    if (col[0] < 0) {
        throw ImportError(source.place(0), "no reference column (reference, charge-id, ...); "
                                           "name it with --map reference=FIELD");
    }
    const SourceCrs crs = source.crs();
    auto find = ctx.db.prepare_cached("SELECT id FROM local_land_charges WHERE reference = ?1");
    auto upsert = ctx.db.prepare_cached(
        "INSERT INTO local_land_charges (reference, register_part, charge_type, description, "
        "registered_date, originating_authority, instrument_reference, status, source, "
        "updated_at, geom, geom_wgs84) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
        "GeomFromWKB(?11, 27700), GeomFromWKB(?12, 4326)) ON CONFLICT (reference) DO UPDATE SET "
        "register_part = excluded.register_part, charge_type = excluded.charge_type, description "
        "= excluded.description, registered_date = excluded.registered_date, "
        "originating_authority = excluded.originating_authority, instrument_reference = "
        "excluded.instrument_reference, status = excluded.status, source = excluded.source, "
        "updated_at = excluded.updated_at, geom = excluded.geom, geom_wgs84 = "
        "excluded.geom_wgs84");
    const std::string label = "import land-charges " + source.path().filename().string();
    ctx.report.detail = "local land charges";
    each_row(ctx, [&](const SourceRow& row) {
        const auto reference = required(source, row, col[0], "reference");
        std::optional<std::int64_t> part;
        if (const auto p = cell(source, row, col[1])) {
            int v = 0;
            const auto r = std::from_chars(p->data(), p->data() + p->size(), v);
            if (r.ec != std::errc() || r.ptr != p->data() + p->size() || v < 1 || v > 12) {
                throw ImportError(source.place(row, col[1]),
                                  "register part '" + p->substr(0, 10) + "' is not 1 to 12");
            }
            part = v;
        }
        const auto type = required(source, row, col[2], "charge_type");
        const auto registered = date_cell(source, row, col[4]);
        if (!registered) {
            throw ImportError(col[4] >= 0 ? source.place(row, col[4])
                                          : source.place(row.line, "registered_date"),
                              "no registration date");
        }
        std::string status = cell(source, row, col[7]).value_or("registered");
        std::transform(status.begin(), status.end(), status.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (status != "registered" && status != "varied" && status != "cancelled") {
            throw ImportError(source.place(row, col[7]),
                              "status '" + status.substr(0, 20) +
                                  "' is not registered, varied or cancelled");
        }
        const auto geometry = polygon_of(ctx, row, crs);
        find.bind(1, reference);
        const bool known = find.step();
        find.reset();
        upsert.bind(1, reference).bind(2, part).bind(3, type).bind(4, cell(source, row, col[3]));
        upsert.bind(5, registered).bind(6, cell(source, row, col[5]));
        upsert.bind(7, cell(source, row, col[6])).bind(8, status).bind(9, label);
        upsert.bind(10, ctx.report.started_at);
        upsert.bind(11, std::span<const unsigned char>(geometry.bng_wkb));
        upsert.bind(12, std::span<const unsigned char>(geometry.wgs84_wkb));
        upsert.run();
        ++(known ? ctx.report.updated : ctx.report.inserted);
        ctx.report.repaired += geometry.repaired ? 1 : 0;
    });
}

} // namespace wardmap::importers
