// Writes the in-memory demo borough to the database: each INSERT prepared once, geometry bound
// as WKB (or as two numbers for points) in EPSG:27700 with its WGS84 copy made by BngTransform.

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
        "INSERT INTO cemetery_sections (id, cemetery_id, name, denomination, geom, geom_wgs84) "
        "VALUES (?, ?, ?, ?, GeomFromWKB(?, 27700), GeomFromWKB(?, 4326))");
    for (std::size_t i = 0; i < c.sections.size(); ++i) {
        const CemeterySection& s = c.sections[i];
        section.bind(1, static_cast<std::int64_t>(i + 1));
        section.bind(2, static_cast<std::int64_t>(s.cemetery + 1)).bind(3, s.name);
        section.bind(4, s.denomination);
        geom.polygon(section, 5, {s.outline});
        section.run();
    }
    auto plot =
        db.prepare("INSERT INTO burial_plots (section_id, plot_ref, plot_type, status, capacity, "
                   "interments, geom, geom_wgs84) "
                   "VALUES (?, ?, ?, ?, ?, ?, GeomFromWKB(?, 27700), GeomFromWKB(?, 4326))");
    for (const BurialPlot& p : c.plots) {
        plot.bind(1, static_cast<std::int64_t>(p.section + 1)).bind(2, p.ref).bind(3, p.type);
        plot.bind(4, p.status).bind(5, p.capacity).bind(6, p.interments);
        geom.polygon(plot, 7, {p.outline});
        plot.run();
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

    auto app = db.prepare(
        "INSERT INTO planning_applications (reference, app_type, description, address, uprn, "
        "ward_code, status, decision, received_date, decided_date, geom, geom_wgs84) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, MakePoint(?11, ?12, 27700), "
        "MakePoint(?13, ?14, 4326))");
    for (const PlanningApplication& a : c.planning) {
        app.bind(1, a.reference).bind(2, a.app_type).bind(3, a.description).bind(4, a.address);
        app.bind(5, a.uprn).bind(6, a.ward_code).bind(7, a.status).bind(8, a.decision);
        app.bind(9, a.received_date).bind(10, a.decided_date);
        geom.point(app, 11, a.at);
        app.run();
    }
}

} // namespace

void write_borough(store::Database& db,
                   const geo::BngTransform& transform,
                   const Borough& borough,
                   const std::vector<std::pair<std::string, std::string>>& meta) {
    static constexpr const char* spatial_tables[] = {"council_area",      "wards",
                                                     "streets",           "properties",
                                                     "postcodes",         "cemeteries",
                                                     "cemetery_sections", "burial_plots",
                                                     "street_assets",     "planning_applications"};
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
    deferred.restore();
    store::mark_changed(db, "addresses");
    store::mark_changed(db, "wards");
}

} // namespace wardmap::importers::demo
