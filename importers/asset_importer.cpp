// `wardmap import assets FILE --type TYPE`: any point, line or polygon file of street assets
// with a reference column -> street_assets, matched by (type, reference): a new reference is
// inserted, a known one updated when anything it maps differs (unchanged otherwise, a retired
// one reinstated), and, unless --partial, the type's active assets missing from the file are
// retired (status 'removed'; never deleted). Every change reaches street_asset_history through
// the table's triggers (data/schema/0015_street_assets.sql). Columns the file does not map keep
// what the register holds.

#include "core/dates.hpp"
#include "core/street_asset_types.hpp"

#include "geo/errors.hpp"
#include "importers/asset_fields.hpp"
#include "importers/import_geometry.hpp"
#include "importers/import_kinds.hpp"

#include <nlohmann/json.hpp>

#include <map>

namespace wardmap::importers {

namespace {

std::string type_list() {
    std::string s;
    for (const auto& t : core::street_asset_types) {
        s += s.empty() ? "" : ", ";
        s += t.code;
    }
    return s;
}

/// Where each part of an asset is in the file (-1: not in it).
struct AssetColumns {
    int ref = -1;
    int x = -1;
    int y = -1;
    int uprn = -1;
    int usrn = -1;
    int installed = -1;
    int condition = -1;
    int owner = -1;
    std::vector<std::pair<const core::AssetAttribute*, int>> attributes;
};

AssetColumns
map_columns(const GdalSource& source, const ImportOptions& o, const core::StreetAssetType& type) {
    AssetColumns c;
    c.ref = source.optional_field(o.ref_field, "--ref-field",
                                  {"reference", "asset_ref", "asset_reference", "asset_id",
                                   "assetid", "asset_no", "asset_number", "ref", "OBJECTID"});
    if (c.ref < 0) {
        throw ImportError(source.place(0),
                          "no reference column (reference, asset_ref, asset_id, ref, OBJECTID); "
                          "name it with --ref-field");
    }
    if (type.geometry == core::AssetGeometry::point && (source.is_csv() || !o.x_field.empty())) {
        c.x = source.optional_field(o.x_field, "--x-field",
                                    {"easting", "eastings", "x", "lon", "longitude", "lng"});
        c.y = source.optional_field(o.y_field, "--y-field",
                                    {"northing", "northings", "y", "lat", "latitude"});
        if (c.x < 0 || c.y < 0) {
            throw ImportError(source.place(0), "no position columns (easting/northing, x/y or "
                                               "longitude/latitude); name them with --x-field "
                                               "and --y-field");
        }
    } else if (!source.has_geometry()) {
        throw ImportError(source.place(0), "the file has no geometry and no --x-field/--y-field");
    }
    c.uprn = source.optional_field(o.uprn_field, "--uprn-field", {"UPRN"});
    c.usrn = source.optional_field(o.usrn_field, "--usrn-field", {"USRN"});
    c.installed = source.optional_field(
        o.installed_field, "--installed-field",
        {"installed_on", "installed", "install_date", "installation_date", "date_installed"});
    c.condition = source.optional_field(o.condition_field, "--condition-field", {"condition"});
    c.owner = source.optional_field(o.owner_field, "--owner-field", {"owner", "ownership"});
    std::vector<AttributeMapping> mappings;
    if (auto why = parse_attribute_mappings(o.attribute_fields, type, mappings); !why.empty()) {
        throw ImportError(source.place(0), why);
    }
    for (const auto& a : type.attributes) {
        int field = -1;
        for (const auto& m : mappings) {
            if (m.attribute == a.name) {
                field = source.require_field(m.field, "--attr " + m.attribute);
            }
        }
        if (field < 0) {
            // A column named as the attribute (capacity_l, species, ...) maps itself.
            field = source.field_index(std::string(a.name));
        }
        if (field >= 0) {
            c.attributes.emplace_back(&a, field);
        }
    }
    return c;
}

std::optional<std::int64_t>
optional_id(const GdalSource& source, const SourceRow& row, int field, const char* what) {
    if (field < 0) {
        return std::nullopt;
    }
    const std::string text = source.text(row, field);
    if (text.empty()) {
        return std::nullopt;
    }
    const auto v = parse_whole_number(text);
    if (!v || *v <= 0) {
        throw ImportError(source.place(row, field), "'" + text + "' is not a " + what);
    }
    return *v;
}

/// The asset's geometry in EPSG:27700 in the class its type needs (a point; a line or lines;
/// a MultiPolygon), or an ImportError naming the geometry.
geo::GeosGeometry read_geometry(const GdalSource& source,
                                const SourceRow& row,
                                const AssetColumns& c,
                                const core::StreetAssetType& type,
                                SourceCrs crs,
                                const ImportContext& ctx) {
    auto& geos = geo::this_thread_geos();
    const auto h = geos.handle();
    const auto where = source.place(row.line, "geometry");
    if (c.x >= 0) {
        const double x = source.number(row, c.x);
        const double y = source.number(row, c.y);
        const geo::EastNorth en =
            crs == SourceCrs::bng ? geo::EastNorth{x, y} : ctx.transform.to_bng({x, y});
        return geos.point(en.easting, en.northing);
    }
    const OGRGeometry* g = row.feature->GetGeometryRef();
    if (g == nullptr || g->IsEmpty()) {
        throw ImportError(where, "no geometry");
    }
    auto bng = to_bng_geos(*g, crs, ctx.transform);
    const int id = GEOSGeomTypeId_r(h, bng.get());
    switch (type.geometry) {
    case core::AssetGeometry::point:
        if (id == GEOS_MULTIPOINT && GEOSGetNumGeometries_r(h, bng.get()) == 1) {
            return geos.own(GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, bng.get(), 0)));
        }
        if (id != GEOS_POINT) {
            throw ImportError(where, "not a point (" + std::string(type.code) + " is a point)");
        }
        return bng;
    case core::AssetGeometry::line:
        if (id != GEOS_LINESTRING && id != GEOS_MULTILINESTRING) {
            throw ImportError(where, "not a line (" + std::string(type.code) +
                                         " needs LineString or MultiLineString)");
        }
        if (!geos.is_valid(bng.get())) {
            throw ImportError(where, "invalid line: " + geos.validity_reason(bng.get()));
        }
        return bng;
    default:
        if (id != GEOS_POLYGON && id != GEOS_MULTIPOLYGON) {
            throw ImportError(where, "not a polygon (" + std::string(type.code) +
                                         " needs Polygon or MultiPolygon)");
        }
        return bng;
    }
}

/// What the register holds for a (type, reference).
struct Stored {
    std::int64_t id = 0;
    bool active = true;
    std::optional<std::int64_t> uprn;
    std::optional<std::int64_t> usrn;
    std::optional<std::string> installed_on;
    std::optional<std::string> condition;
    std::string owner;
    nlohmann::json attributes;
    geo::GeosGeometry geom;
};

std::optional<std::int64_t> optional_int(const store::Statement& st, int col) {
    return st.is_null(col) ? std::nullopt : std::optional<std::int64_t>(st.int64(col));
}

} // namespace

std::string check_asset_options(const ImportOptions& o) {
    if (o.asset_type.empty()) {
        return "give the asset type with --type (" + type_list() + ")";
    }
    const auto* type = core::find_street_asset_type(o.asset_type);
    if (type == nullptr) {
        return "unknown asset type '" + o.asset_type + "' (--type is one of " + type_list() + ")";
    }
    if (o.x_field.empty() != o.y_field.empty()) {
        return "give both --x-field and --y-field, or neither";
    }
    if (!o.x_field.empty() && type->geometry != core::AssetGeometry::point) {
        return "--x-field/--y-field give points; " + o.asset_type + " assets need the file's " +
               std::string(core::to_string(type->geometry)) + " geometry";
    }
    std::vector<AttributeMapping> mappings;
    return parse_attribute_mappings(o.attribute_fields, *type, mappings);
}

void import_assets(ImportContext& ctx) {
    auto& source = ctx.source;
    auto& report = ctx.report;
    const auto& o = ctx.options;
    const core::StreetAssetType& type = *core::find_street_asset_type(o.asset_type);
    const AssetColumns c = map_columns(source, o, type);
    const SourceCrs crs = source.crs();
    report.counts_changes = true;
    report.detail = "asset type " + std::string(type.code) +
                    (o.partial ? " (partial file: nothing retired)" : " (full file)");

    CouncilExtent extent(ctx.db, o.bbox);
    auto& geos = geo::this_thread_geos();
    const auto h = geos.handle();
    const std::string changed_at = report.started_at;
    const std::string changed_by = "import assets " + source.path().filename().string();
    const std::string type_code(type.code);

    auto find =
        ctx.db.prepare("SELECT id, status, uprn, usrn, installed_on, condition, owner, attributes, "
                       "AsBinary(geom) FROM street_assets WHERE asset_type = ? AND reference = ?");
    auto insert = ctx.db.prepare(
        "INSERT INTO street_assets (asset_type, reference, uprn, usrn, installed_on, condition, "
        "owner, attributes, anchor_e, anchor_n, changed_at, changed_by, geom, geom_wgs84) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, GeomFromWKB(?, 27700), "
        "GeomFromWKB(?, 4326))");
    auto update = ctx.db.prepare(
        "UPDATE street_assets SET uprn = ?, usrn = ?, installed_on = ?, condition = ?, owner = ?, "
        "status = 'active', removed_on = NULL, attributes = ?, anchor_e = ?, anchor_n = ?, "
        "changed_at = ?, changed_by = ?, geom = GeomFromWKB(?, 27700), "
        "geom_wgs84 = GeomFromWKB(?, 4326) WHERE id = ?");
    ctx.db.exec("CREATE TEMP TABLE IF NOT EXISTS asset_import_refs (reference TEXT PRIMARY KEY); "
                "DELETE FROM temp.asset_import_refs;");
    auto remember = ctx.db.prepare("INSERT OR IGNORE INTO temp.asset_import_refs VALUES (?)");

    std::map<std::string, std::int64_t> seen; // reference -> first line
    SourceRow row;
    while (source.next(row)) {
        ++report.read;
        ctx.progress.update(report.read);
        try {
            const std::string reference = source.text(row, c.ref);
            if (reference.empty()) {
                report.reject(source.place(row, c.ref), "no asset reference");
                continue;
            }
            // In the file, so never retired by it, even when the row is refused.
            remember.bind(1, reference).run();
            if (auto [it, fresh] = seen.emplace(reference, row.line); !fresh) {
                report.reject(source.place(row, c.ref), "duplicate asset reference " + reference +
                                                            " (first at " +
                                                            std::to_string(it->second) + ")");
                continue;
            }
            auto bng = read_geometry(source, row, c, type, crs, ctx);
            bool repaired = false;
            if (type.geometry == core::AssetGeometry::polygon) {
                if (!geos.is_valid(bng.get())) {
                    const auto why = geos.validity_reason(bng.get());
                    if (o.invalid == InvalidGeometry::reject) {
                        report.reject(source.place(row.line, "geometry"),
                                      "invalid geometry: " + why);
                        continue;
                    }
                    bng = geos.own(GEOSMakeValid_r(h, bng.get()));
                    repaired = true;
                }
                bng = as_multipolygon(std::move(bng));
                if (!bng) {
                    report.reject(source.place(row.line, "geometry"), "no polygon left once valid");
                    continue;
                }
            }
            if (!extent.intersects(bng.get())) {
                report.reject(c.x >= 0 ? source.place(row, c.x)
                                       : source.place(row.line, "geometry"),
                              "outside the council's area (" + extent.description() + ")");
                continue;
            }

            const auto uprn = optional_id(source, row, c.uprn, "UPRN");
            const auto usrn = optional_id(source, row, c.usrn, "USRN");
            std::optional<std::string> installed;
            if (c.installed >= 0) {
                const auto text = source.text(row, c.installed);
                if (!text.empty()) {
                    installed = parse_asset_date(text);
                    if (!installed) {
                        throw ImportError(source.place(row, c.installed),
                                          "'" + text +
                                              "' is not a date (YYYY-MM-DD or "
                                              "DD/MM/YYYY)");
                    }
                }
            }
            std::optional<std::string> condition;
            if (c.condition >= 0) {
                if (auto v = fold_value(source.text(row, c.condition)); !v.empty()) {
                    condition = std::move(v);
                }
            }
            std::optional<std::string> owner;
            if (c.owner >= 0) {
                if (auto v = fold_value(source.text(row, c.owner)); !v.empty()) {
                    owner = std::move(v);
                }
            }
            if (!owner && !o.owner.empty()) {
                owner = fold_value(o.owner);
            }
            // The mapped attributes: a value sets one, an empty cell clears it.
            std::vector<std::pair<std::string, std::optional<nlohmann::json>>> attrs;
            for (const auto& [attribute, field] : c.attributes) {
                const std::string text = source.text(row, field);
                if (text.empty()) {
                    attrs.emplace_back(std::string(attribute->name), std::nullopt);
                    continue;
                }
                std::string why;
                const auto json = attribute_json(*attribute, text, why);
                if (!json) {
                    throw ImportError(source.place(row, field), why);
                }
                attrs.emplace_back(std::string(attribute->name), nlohmann::json::parse(*json));
            }

            auto anchor = geos.own(GEOSPointOnSurface_r(h, bng.get()));
            double ae = 0;
            double an = 0;
            GEOSGeomGetX_r(h, anchor.get(), &ae);
            GEOSGeomGetY_r(h, anchor.get(), &an);
            const auto bng_wkb = geos.to_wkb(bng.get());
            const auto wgs84_wkb = to_wgs84_wkb(bng.get(), ctx.transform);

            find.bind(1, type_code).bind(2, reference);
            std::optional<Stored> stored;
            if (find.step()) {
                Stored s;
                s.id = find.int64(0);
                s.active = find.text(1) == "active";
                s.uprn = optional_int(find, 2);
                s.usrn = optional_int(find, 3);
                s.installed_on = find.optional_text(4);
                s.condition = find.optional_text(5);
                s.owner = std::string(find.text(6));
                s.attributes = nlohmann::json::parse(find.text(7));
                s.geom = geos.from_wkb(find.blob(8));
                stored = std::move(s);
            }
            find.reset();

            nlohmann::json attributes = stored ? stored->attributes : nlohmann::json::object();
            for (auto& [name, value] : attrs) {
                if (value) {
                    attributes[name] = *value;
                } else {
                    attributes.erase(name);
                }
            }
            // Columns the file does not map keep what the register holds.
            const auto keep = [&](int field, const auto& fresh, const auto& old) {
                return field >= 0 || !stored ? fresh : old;
            };
            const auto new_uprn = keep(c.uprn, uprn, stored ? stored->uprn : std::nullopt);
            const auto new_usrn = keep(c.usrn, usrn, stored ? stored->usrn : std::nullopt);
            const auto new_installed =
                keep(c.installed, installed, stored ? stored->installed_on : std::nullopt);
            const auto new_condition =
                keep(c.condition, condition, stored ? stored->condition : std::nullopt);
            const std::string new_owner = owner    ? *owner
                                          : stored ? stored->owner
                                                   : std::string("council");

            if (stored && stored->active && stored->uprn == new_uprn && stored->usrn == new_usrn &&
                stored->installed_on == new_installed && stored->condition == new_condition &&
                stored->owner == new_owner && stored->attributes == attributes &&
                GEOSEqualsExact_r(h, stored->geom.get(), bng.get(), 0.001) == 1) {
                ++report.unchanged;
                continue;
            }
            auto& st = stored ? update : insert;
            // INSERT binds the type and reference first; UPDATE binds the id last.
            const int k = stored ? 0 : 2;
            if (!stored) {
                st.bind(1, type_code).bind(2, reference);
            }
            st.bind(k + 1, new_uprn).bind(k + 2, new_usrn).bind(k + 3, new_installed);
            st.bind(k + 4, new_condition).bind(k + 5, new_owner).bind(k + 6, attributes.dump());
            st.bind(k + 7, ae).bind(k + 8, an).bind(k + 9, changed_at).bind(k + 10, changed_by);
            st.bind(k + 11, std::span<const unsigned char>(bng_wkb));
            st.bind(k + 12, std::span<const unsigned char>(wgs84_wkb));
            if (stored) {
                st.bind(13, stored->id);
            }
            st.run();
            ++(stored ? report.updated : report.inserted);
            report.repaired += repaired ? 1 : 0;
        } catch (const ImportError& e) {
            report.reject(e.place(), e.reason());
        } catch (const geo::GeoError& e) {
            report.reject(c.x >= 0 ? source.place(row, c.x) : source.place(row.line, "geometry"),
                          e.what());
        } catch (const nlohmann::json::exception& e) {
            report.reject(source.place(row.line), std::string("stored attributes: ") + e.what());
        }
    }
    if (!o.partial) {
        auto retire = ctx.db.prepare(
            "UPDATE street_assets SET status = 'removed', removed_on = ?, changed_at = ?, "
            "changed_by = ? WHERE asset_type = ? AND status = 'active' AND reference NOT IN "
            "(SELECT reference FROM temp.asset_import_refs)");
        retire.bind(1, core::today_utc().iso()).bind(2, changed_at).bind(3, changed_by);
        retire.bind(4, type_code);
        retire.run();
        report.retired = ctx.db.changes();
    }
    ctx.db.exec("DELETE FROM temp.asset_import_refs");
}

} // namespace wardmap::importers
