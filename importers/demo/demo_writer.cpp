// Writes the in-memory demo borough to the database: each INSERT prepared once, geometry bound
// as WKB (or as two numbers for points) in EPSG:27700 with its WGS84 copy made by BngTransform.

#include "geo/store/burial_name_keys.hpp"
#include "geo/store/deferred_spatial_index.hpp"
#include "geo/store/generations.hpp"
#include "importers/address_text.hpp"
#include "importers/demo/demo_model.hpp"

#include <bit>
#include <cstdio>
#include <cstring>

namespace wardmap::importers::demo {

namespace {

/// Little WKB encoder into a reused buffer. Coordinates are x,y (easting,northing or lon,lat).
class Wkb {
  public:
    std::span<const unsigned char> line(const Line& xy) {
        begin(2);
        put_points(xy);
        return m_bytes;
    }
    std::span<const unsigned char> polygon(const Polygon& rings) {
        begin(3);
        put_rings(rings);
        return m_bytes;
    }
    std::span<const unsigned char> multipolygon(const MultiPolygon& parts) {
        begin(6);
        put_u32(static_cast<std::uint32_t>(parts.size()));
        for (const Polygon& p : parts) {
            header(3);
            put_rings(p);
        }
        return m_bytes;
    }

  private:
    void begin(std::uint32_t type) {
        m_bytes.clear();
        header(type);
    }
    void header(std::uint32_t type) {
        m_bytes.push_back(std::endian::native == std::endian::little ? 1 : 0);
        put_u32(type);
    }
    void put_rings(const Polygon& rings) {
        put_u32(static_cast<std::uint32_t>(rings.size()));
        for (const Ring& r : rings) {
            put_points(r);
        }
    }
    void put_points(const Line& xy) {
        put_u32(static_cast<std::uint32_t>(xy.size()));
        for (const auto& p : xy) {
            put_f64(p.easting);
            put_f64(p.northing);
        }
    }
    void put_u32(std::uint32_t v) { append(&v, sizeof v); }
    void put_f64(double v) { append(&v, sizeof v); }
    void append(const void* data, std::size_t size) {
        const auto old = m_bytes.size();
        m_bytes.resize(old + size);
        std::memcpy(m_bytes.data() + old, data, size);
    }
    std::vector<unsigned char> m_bytes;
};

/// Binds a geometry's 27700 and 4326 forms from parameter `index` on: a point as four numbers
/// (E, N, lon, lat) for MakePoint, anything else as two WKB blobs for GeomFromWKB.
class GeometryBinder {
  public:
    explicit GeometryBinder(const geo::BngTransform& transform) : m_transform(transform) {}

    void point(store::Statement& st, int index, EastNorth p) {
        const geo::LonLat ll = m_transform.to_wgs84(p);
        st.bind(index, p.easting).bind(index + 1, p.northing);
        st.bind(index + 2, ll.lon).bind(index + 3, ll.lat);
    }
    void line(store::Statement& st, int index, const Line& line) {
        st.bind(index, m_wkb.line(line));
        st.bind(index + 1, m_wkb.line(to_wgs84(line)));
    }
    void polygon(store::Statement& st, int index, const Polygon& polygon) {
        st.bind(index, m_wkb.polygon(polygon));
        st.bind(index + 1, m_wkb.polygon(to_wgs84(polygon)));
    }
    void multipolygon(store::Statement& st, int index, const MultiPolygon& shape) {
        st.bind(index, m_wkb.multipolygon(shape));
        MultiPolygon wgs84;
        for (const Polygon& p : shape) {
            wgs84.push_back(to_wgs84(p));
        }
        st.bind(index + 1, m_wkb.multipolygon(wgs84));
    }

  private:
    Line to_wgs84(const Line& line) {
        m_lonlat.resize(line.size());
        m_transform.to_wgs84(line, m_lonlat);
        Line out(line.size());
        for (std::size_t i = 0; i < line.size(); ++i) {
            out[i] = {m_lonlat[i].lon, m_lonlat[i].lat};
        }
        return out;
    }
    Polygon to_wgs84(const Polygon& polygon) {
        Polygon out;
        for (const Ring& r : polygon) {
            out.push_back(to_wgs84(r));
        }
        return out;
    }

    const geo::BngTransform& m_transform;
    Wkb m_wkb;
    std::vector<geo::LonLat> m_lonlat;
};

void write_boundaries(store::Database& db, GeometryBinder& geom, const Boundaries& b) {
    auto council = db.prepare("INSERT INTO council_area (ons_code, name, geom, geom_wgs84) "
                              "VALUES ('E07000118', 'Chorley', GeomFromWKB(?1, 27700), "
                              "GeomFromWKB(?2, 4326))");
    geom.multipolygon(council, 1, b.council);
    council.run();

    auto set = db.prepare("INSERT INTO boundary_sets (id, label, valid_from, valid_to, source) "
                          "VALUES (?, ?, ?, ?, ?)");
    auto ward = db.prepare("INSERT INTO wards (boundary_set_id, code, name, geom, geom_wgs84) "
                           "VALUES (?, ?, ?, GeomFromWKB(?, 27700), GeomFromWKB(?, 4326))");
    std::int64_t id = 0;
    for (const BoundarySet* s : {&b.previous, &b.current}) {
        ++id;
        set.bind(1, id).bind(2, s->label).bind(3, s->valid_from).bind(4, s->valid_to);
        set.bind(5, s->source).run();
        for (const Ward& w : s->wards) {
            ward.bind(1, id).bind(2, w.code).bind(3, w.name);
            geom.multipolygon(ward, 4, w.shape);
            ward.run();
        }
    }
}

void write_gazetteer(store::Database& db, GeometryBinder& geom, const Gazetteer& g) {
    auto street = db.prepare(
        "INSERT INTO streets (usrn, descriptor, locality, town, street_type, state, geom, "
        "geom_wgs84) VALUES (?, ?, ?, ?, ?, 2, GeomFromWKB(?, 27700), GeomFromWKB(?, 4326))");
    for (const Street& s : g.streets) {
        street.bind(1, s.usrn).bind(2, s.descriptor).bind(3, s.locality).bind(4, s.town);
        street.bind(5, s.street_type);
        geom.line(street, 6, s.line);
        street.run();
    }

    auto property = db.prepare(
        "INSERT INTO properties (uprn, logical_status, classification, easting, northing, lon, "
        "lat, geom, geom_wgs84) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, MakePoint(?4, ?5, 27700), "
        "MakePoint(?6, ?7, 4326))");
    auto address = db.prepare(
        "INSERT INTO addresses (id, uprn, lpi_key, logical_status, saon, paon, usrn, street, "
        "locality, town, postcode, single_line, sao_start_number, sao_start_suffix, sao_text, "
        "pao_start_number, pao_start_suffix, pao_end_number, pao_end_suffix, pao_text) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    std::int64_t id = 0;
    for (const Property& p : g.properties) {
        property.bind(1, p.uprn).bind(2, p.logical_status).bind(3, p.classification);
        geom.point(property, 4, p.at);
        property.run();

        const Street& s = g.streets[p.street];
        ++id;
        char lpi_key[32];
        std::snprintf(lpi_key, sizeof lpi_key, "2320L%09lld", static_cast<long long>(id));
        address.bind(1, id).bind(2, p.uprn).bind(3, lpi_key).bind(4, p.logical_status);
        address.bind(5, p.saon).bind(6, p.paon).bind(7, s.usrn).bind(8, s.descriptor);
        address.bind(9, s.locality).bind(10, s.town).bind(11, p.postcode).bind(12, p.single_line);
        // The structured SAO/PAO an LLPG holds, so the demo exports and sorts like a real one.
        const auto sao = parse_addressable_object(p.saon.value_or(""));
        const auto pao = parse_addressable_object(p.paon);
        address.bind(13, sao.start_number);
        address.bind(14, sao.start_suffix).bind(15, sao.text);
        address.bind(16, pao.start_number);
        address.bind(17, pao.start_suffix);
        address.bind(18, pao.end_number);
        address.bind(19, pao.end_suffix).bind(20, pao.text);
        address.run();
    }

    auto postcode = db.prepare(
        "INSERT INTO postcodes (postcode, easting, northing, lon, lat, geom, geom_wgs84) "
        "VALUES (?1, ?2, ?3, ?4, ?5, MakePoint(?2, ?3, 27700), MakePoint(?4, ?5, 4326))");
    for (const Postcode& p : g.postcodes) {
        postcode.bind(1, p.code);
        geom.point(postcode, 2, p.at);
        postcode.run();
    }
}

void write_cemeteries(store::Database& db, GeometryBinder& geom, const Cemeteries& c) {
    auto cemetery =
        db.prepare("INSERT INTO cemeteries (id, name, address, opened, geom, geom_wgs84) "
                   "VALUES (?, ?, ?, ?, GeomFromWKB(?, 27700), GeomFromWKB(?, 4326))");
    for (std::size_t i = 0; i < c.cemeteries.size(); ++i) {
        const Cemetery& x = c.cemeteries[i];
        cemetery.bind(1, static_cast<std::int64_t>(i + 1)).bind(2, x.name).bind(3, x.address);
        cemetery.bind(4, x.opened);
        geom.multipolygon(cemetery, 5, x.shape);
        cemetery.run();
    }
    auto section = db.prepare(
        "INSERT INTO cemetery_sections (id, cemetery_id, name, code, kind, denomination, "
        "consecrated, geom, geom_wgs84) VALUES (?, ?, ?, ?, ?, ?, ?, GeomFromWKB(?, 27700), "
        "GeomFromWKB(?, 4326))");
    for (std::size_t i = 0; i < c.sections.size(); ++i) {
        const CemeterySection& s = c.sections[i];
        section.bind(1, static_cast<std::int64_t>(i + 1));
        section.bind(2, static_cast<std::int64_t>(s.cemetery + 1)).bind(3, s.name);
        section.bind(4, s.code).bind(5, s.kind).bind(6, s.denomination);
        section.bind(7, s.consecrated ? 1 : 0);
        geom.polygon(section, 8, {s.outline});
        section.run();
    }
    auto grave = db.prepare(
        "INSERT INTO grave_spaces (id, cemetery_id, section_id, grave_number, grave_type, "
        "max_coffins, max_cremated_remains, unavailable_reason, ground_notes, geom, geom_wgs84) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, GeomFromWKB(?, 27700), GeomFromWKB(?, 4326))");
    for (std::size_t i = 0; i < c.graves.size(); ++i) {
        const GraveSpace& g = c.graves[i];
        grave.bind(1, static_cast<std::int64_t>(i + 1));
        grave.bind(2, static_cast<std::int64_t>(c.sections[g.section].cemetery + 1));
        grave.bind(3, static_cast<std::int64_t>(g.section + 1)).bind(4, g.number);
        grave.bind(5, g.type).bind(6, g.max_coffins).bind(7, g.max_cremated_remains);
        grave.bind(8, g.unavailable_reason);
        std::optional<std::string> notes;
        if (g.unavailable_reason) {
            notes = *g.unavailable_reason == "tree"   ? "roots of a mature lime tree"
                    : *g.unavailable_reason == "path" ? "crossed by a service path"
                                                      : "waterlogged ground; not to be dug";
        }
        grave.bind(9, notes);
        geom.polygon(grave, 10, {g.outline});
        grave.run();
    }
    db.exec("INSERT INTO burial_registers (id, cemetery_id, name) SELECT id, id, 'Register of "
            "burials' FROM cemeteries ORDER BY id");
}

void write_burials(store::Database& db,
                   const Cemeteries& c,
                   const BurialRecords& b,
                   const std::string& entered_at) {
    auto grant = db.prepare("INSERT INTO burial_grants (id, grave_id, deed_number, granted_on, "
                            "term_years) VALUES (?, ?, ?, ?, ?)");
    for (std::size_t i = 0; i < b.grants.size(); ++i) {
        const DemoGrant& g = b.grants[i];
        grant.bind(1, static_cast<std::int64_t>(i + 1))
            .bind(2, static_cast<std::int64_t>(g.grave + 1));
        grant.bind(3, g.deed_number).bind(4, g.granted_on).bind(5, g.term_years).run();
    }
    auto holder = db.prepare("INSERT INTO burial_grant_holders (id, grant_id, full_name, address, "
                             "held_from, held_to) VALUES (?, ?, ?, ?, ?, ?)");
    for (std::size_t i = 0; i < b.holders.size(); ++i) {
        const DemoHolder& h = b.holders[i];
        holder.bind(1, static_cast<std::int64_t>(i + 1))
            .bind(2, static_cast<std::int64_t>(h.grant + 1));
        holder.bind(3, h.full_name).bind(4, h.address).bind(5, h.held_from).bind(6, h.held_to);
        holder.run();
    }
    auto event = db.prepare("INSERT INTO burial_grant_events (grant_id, kind, effective_on, "
                            "extend_years, evidence, recorded_at, recorded_by) VALUES (?, ?, ?, ?, "
                            "?, ?, 'demo-data')");
    for (const DemoGrantEvent& e : b.events) {
        event.bind(1, static_cast<std::int64_t>(e.grant + 1))
            .bind(2, e.kind)
            .bind(3, e.effective_on);
        event.bind(4, e.extend_years).bind(5, e.evidence).bind(6, entered_at).run();
    }
    auto interment = db.prepare(
        "INSERT INTO interments (register_id, register_number, grave_id, buried_on, burial_time, "
        "forenames, surname, age_years, age_months, age_weeks, age_days, stillborn, "
        "parents_names, died_on, last_address, last_address_uprn, kind, position, "
        "officiating_minister, funeral_director, grant_id, consent_holder_id, consent_on, "
        "entered_at, entered_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
        "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, 'demo-data')");
    std::vector<std::int64_t> next(c.cemeteries.size(), 1);
    for (const DemoInterment& i : b.interments) {
        const std::size_t cemetery = c.sections[c.graves[i.grave].section].cemetery;
        interment.bind(1, static_cast<std::int64_t>(cemetery + 1)).bind(2, next[cemetery]++);
        interment.bind(3, static_cast<std::int64_t>(i.grave + 1)).bind(4, i.buried_on);
        interment.bind(5, i.burial_time);
        interment.bind(6, i.forenames.empty() ? std::optional<std::string>() : i.forenames);
        interment.bind(7, i.surname).bind(8, i.age_years).bind(9, i.age_months);
        interment.bind(10, i.age_weeks).bind(11, i.age_days).bind(12, i.stillborn ? 1 : 0);
        interment.bind(13, i.parents_names).bind(14, i.died_on).bind(15, i.last_address);
        interment.bind(16, i.last_address_uprn).bind(17, i.kind).bind(18, i.position);
        interment.bind(19, i.minister).bind(20, i.funeral_director);
        if (i.grant) {
            interment.bind(21, static_cast<std::int64_t>(*i.grant + 1));
            interment.bind(22, static_cast<std::int64_t>(*i.consent_holder + 1));
            // Written consent a few days before the funeral (the date is the burial's here).
            interment.bind(23, i.buried_on);
        } else {
            interment.bind_null(21).bind_null(22).bind_null(23);
        }
        interment.bind(24, entered_at);
        interment.run();
    }
    // The public search's name keys (0021).
    store::index_missing_interment_names(db);
}

void write_memorials(store::Database& db, const MemorialRecords& m, const std::string& at) {
    auto memorial = db.prepare(
        "INSERT INTO memorials (id, grave_id, permit_number, mason, memorial_type, inscription, "
        "erected_on, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'demo-data')");
    for (std::size_t i = 0; i < m.memorials.size(); ++i) {
        const DemoMemorial& x = m.memorials[i];
        memorial.bind(1, static_cast<std::int64_t>(i + 1))
            .bind(2, static_cast<std::int64_t>(x.grave + 1));
        memorial.bind(3, x.permit_number).bind(4, x.mason).bind(5, x.memorial_type);
        memorial.bind(6, x.inscription).bind(7, x.erected_on).bind(8, at).run();
    }
    auto inspection = db.prepare(
        "INSERT INTO memorial_inspections (memorial_id, inspected_on, inspector, result, "
        "risk_category, action, notes, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
        "'demo-data')");
    for (const DemoMemorialInspection& x : m.inspections) {
        inspection.bind(1, static_cast<std::int64_t>(x.memorial + 1)).bind(2, x.inspected_on);
        inspection.bind(3, x.inspector).bind(4, x.result).bind(5, x.risk_category);
        inspection.bind(6, x.action).bind(7, x.notes).bind(8, at).run();
    }
}

void write_casework(store::Database& db,
                    GeometryBinder& geom,
                    const Casework& c,
                    const std::string& changed_at) {
    // The street-asset register (0015): litter bins first, under the ids they always had.
    const auto text_or_null = [](const std::string& s) {
        return s.empty() ? std::optional<std::string>() : std::optional<std::string>(s);
    };
    auto bin = db.prepare(
        "INSERT INTO street_assets (asset_type, reference, usrn, installed_on, condition, owner, "
        "attributes, anchor_e, anchor_n, changed_at, changed_by, geom, geom_wgs84) "
        "VALUES ('litter_bin', ?1, ?2, ?3, ?4, 'council', "
        "json_object('bin_type', ?5, 'capacity_l', ?6, 'empty_per_week', ?7), ?8, ?9, ?12, "
        "'demo-data', MakePoint(?8, ?9, 27700), MakePoint(?10, ?11, 4326))");
    for (const LitterBin& b : c.litter_bins) {
        bin.bind(1, b.asset_ref).bind(2, b.usrn).bind(3, b.installed_on).bind(4, b.condition);
        bin.bind(5, b.bin_type).bind(6, b.capacity_l).bind(7, b.empty_per_week);
        geom.point(bin, 8, b.at);
        bin.bind(12, changed_at);
        bin.run();
    }
    auto point = db.prepare(
        "INSERT INTO street_assets (asset_type, reference, usrn, installed_on, condition, owner, "
        "attributes, anchor_e, anchor_n, changed_at, changed_by, geom, geom_wgs84) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?12, 'demo-data', MakePoint(?8, ?9, 27700), "
        "MakePoint(?10, ?11, 4326))");
    auto shape = db.prepare(
        "INSERT INTO street_assets (asset_type, reference, usrn, installed_on, condition, owner, "
        "attributes, anchor_e, anchor_n, changed_at, changed_by, geom, geom_wgs84) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?12, 'demo-data', GeomFromWKB(?10, 27700), "
        "GeomFromWKB(?11, 4326))");
    for (const StreetAsset& a : c.street_assets) {
        auto& st = a.outline.empty() && a.line.empty() ? point : shape;
        st.bind(1, a.type).bind(2, a.reference).bind(3, a.usrn);
        st.bind(4, text_or_null(a.installed_on)).bind(5, text_or_null(a.condition));
        st.bind(6, a.owner).bind(7, a.attributes);
        if (!a.outline.empty()) {
            st.bind(8, a.at.easting).bind(9, a.at.northing);
            geom.multipolygon(st, 10, {a.outline});
        } else if (!a.line.empty()) {
            st.bind(8, a.at.easting).bind(9, a.at.northing);
            geom.line(st, 10, a.line);
        } else {
            geom.point(st, 8, a.at);
        }
        st.bind(12, changed_at);
        st.run();
    }

    // The ward is never stored: it is derived at the date received (0024). Each application's
    // log starts with the status the demo gives it, dated when it was received or decided.
    auto app = db.prepare(
        "INSERT INTO planning_applications (reference, app_type, description, address, uprn, "
        "status, decision, received_date, decided_date, source, updated_at, geom, geom_wgs84) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'demo-data', ?10, MakePoint(?11, ?12, "
        "27700), MakePoint(?13, ?14, 4326))");
    auto log = db.prepare(
        "INSERT INTO planning_application_log (application_id, reference, status, decision, "
        "event_date, seen_at, source) VALUES (last_insert_rowid(), ?1, ?2, ?3, ?4, ?5, "
        "'demo-data')");
    for (const PlanningApplication& a : c.planning) {
        app.bind(1, a.reference).bind(2, a.app_type).bind(3, a.description).bind(4, a.address);
        app.bind(5, a.uprn).bind(6, a.status).bind(7, a.decision);
        app.bind(8, a.received_date).bind(9, a.decided_date).bind(10, changed_at);
        geom.point(app, 11, a.at);
        app.run();
        log.bind(1, a.reference).bind(2, a.status).bind(3, a.decision);
        log.bind(4, a.decided_date.value_or(a.received_date)).bind(5, changed_at);
        log.run();
    }

    auto constraint = db.prepare(
        "INSERT INTO planning_constraints (kind, reference, name, designation_date, grade, "
        "description, source, updated_at, geom, geom_wgs84) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
        "'demo-data', ?7, GeomFromWKB(?8, 27700), GeomFromWKB(?9, 4326))");
    for (const PlanningConstraint& k : c.constraints) {
        constraint.bind(1, k.kind).bind(2, k.reference).bind(3, k.name);
        constraint.bind(4, k.designation_date).bind(5, k.grade).bind(6, k.description);
        constraint.bind(7, changed_at);
        geom.multipolygon(constraint, 8, {{k.outline}});
        constraint.run();
    }
    auto charge = db.prepare(
        "INSERT INTO local_land_charges (reference, register_part, charge_type, description, "
        "registered_date, originating_authority, source, updated_at, geom, geom_wgs84) VALUES "
        "(?1, ?2, ?3, ?4, ?5, 'Chorley Council (synthetic)', 'demo-data', ?6, GeomFromWKB(?7, "
        "27700), GeomFromWKB(?8, 4326))");
    for (const LandCharge& l : c.land_charges) {
        charge.bind(1, l.reference).bind(2, l.register_part).bind(3, l.charge_type);
        charge.bind(4, l.description).bind(5, l.registered_date).bind(6, changed_at);
        geom.multipolygon(charge, 7, {{l.outline}});
        charge.run();
    }
}

} // namespace

void write_borough(store::Database& db,
                   const geo::BngTransform& transform,
                   const Borough& borough,
                   const std::vector<std::pair<std::string, std::string>>& meta) {
    static constexpr const char* spatial_tables[] = {"council_area",
                                                     "wards",
                                                     "streets",
                                                     "properties",
                                                     "postcodes",
                                                     "cemeteries",
                                                     "cemetery_sections",
                                                     "grave_spaces",
                                                     "street_assets",
                                                     "planning_applications",
                                                     "planning_constraints",
                                                     "local_land_charges"};
    store::DeferredSpatialIndex deferred(db, spatial_tables);
    deferred.rebuild_all();
    auto row = db.prepare("INSERT INTO wardmap_meta (key, value) VALUES (?, ?)");
    for (const auto& [key, value] : meta) {
        row.bind(1, key).bind(2, value).run();
    }
    GeometryBinder geom(transform);
    write_boundaries(db, geom, borough.boundaries);
    write_gazetteer(db, geom, borough.gazetteer);
    write_cemeteries(db, geom, borough.cemeteries);
    std::string changed_at;
    for (const auto& [key, value] : meta) {
        if (key == "reference_date") {
            changed_at = value.size() == 10 ? value + "T00:00:00Z" : value;
        }
    }
    write_casework(db, geom, borough.casework, changed_at);
    write_burials(db, borough.cemeteries, borough.burials, changed_at);
    write_memorials(db, borough.memorials, changed_at);
    deferred.restore();
    store::mark_changed(db, "addresses");
    store::mark_changed(db, "wards");
}

} // namespace wardmap::importers::demo
