#include "importers/gazetteer_writer.hpp"

#include "geo/store/generations.hpp"

namespace wardmap::importers {

namespace {

constexpr const char* gazetteer_tables[] = {"streets", "properties"};

void bind_text_or_null(store::Statement& st, int index, const std::string& v) {
    if (v.empty()) {
        st.bind_null(index);
    } else {
        st.bind(index, v);
    }
}

constexpr const char* street_line = "MakeLine(MakePoint(?2, ?3, 27700), MakePoint(?4, ?5, 27700))";
constexpr const char* street_line_wgs84 =
    "MakeLine(MakePoint(?6, ?7, 4326), MakePoint(?8, ?9, 4326))";

} // namespace

namespace {

/// Drops the addresses table's secondary indexes, returning the statements that rebuild them.
std::vector<std::string> drop_address_indexes(store::Database& db) {
    std::vector<std::string> create;
    auto st = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                         "tbl_name = 'addresses' AND sql IS NOT NULL");
    std::vector<std::string> names;
    while (st.step()) {
        names.emplace_back(st.text(0));
        create.emplace_back(st.text(1));
    }
    for (const auto& name : names) {
        db.exec("DROP INDEX \"" + name + "\"");
    }
    return create;
}

} // namespace

GazetteerWriter::ChecksDeferred::ChecksDeferred(store::Database& database) : db(database) {
    db.exec("PRAGMA ignore_check_constraints = ON");
}

GazetteerWriter::ChecksDeferred::~ChecksDeferred() {
    try {
        db.exec("PRAGMA ignore_check_constraints = OFF");
    } catch (...) { // a closing connection forgets the setting anyway
    }
}

GazetteerWriter::GazetteerWriter(store::Database& db, const geo::BngTransform& transform, bool bulk)
    : m_db(db), m_checks_deferred(db), m_transform(transform), m_deferred(db, gazetteer_tables),
      m_street_get(db.prepare("SELECT descriptor, locality, town FROM streets WHERE usrn = ?")),
      m_street_insert(db.prepare(
          std::string("INSERT INTO streets (usrn, descriptor, town, street_type, state, geom, "
                      "geom_wgs84) VALUES (?1, '', '', ?10, ?11, ") +
          street_line + ", " + street_line_wgs84 + ")")),
      // A centreline loaded by `import streets` is worth more than the LLPG's two end points.
      m_street_update(db.prepare(
          std::string("UPDATE streets SET street_type = ?10, state = ?11, "
                      "geom = CASE WHEN NumPoints(geom) <= 2 THEN ") +
          street_line + " ELSE geom END, geom_wgs84 = CASE WHEN NumPoints(geom_wgs84) <= 2 THEN " +
          street_line_wgs84 +
          " ELSE geom_wgs84 END WHERE usrn = ?1 AND (street_type IS NOT ?10 OR state IS NOT ?11 "
          "OR (NumPoints(geom) <= 2 AND NOT (X(StartPoint(geom)) = ?2 AND "
          "Y(StartPoint(geom)) = ?3 AND X(EndPoint(geom)) = ?4 AND Y(EndPoint(geom)) = ?5)))")),
      m_street_delete(db.prepare("DELETE FROM streets WHERE usrn = ?")),
      m_street_users(db.prepare("SELECT COUNT(*) FROM addresses WHERE usrn = ?")),
      m_descriptor_update(db.prepare("UPDATE streets SET descriptor = ?2, locality = ?3, "
                                     "town = ?4, admin_area = ?5 WHERE usrn = ?1")),
      m_property_exists(db.prepare("SELECT 1 FROM properties WHERE uprn = ?")),
      m_property_insert(db.prepare(
          "INSERT INTO properties (uprn, logical_status, blpu_state, classification, parent_uprn, "
          "easting, northing, lon, lat, geom, geom_wgs84) VALUES (?1, ?2, ?3, COALESCE(?4, 'U'), "
          "?5, ?6, ?7, ?8, ?9, MakePoint(?6, ?7, 27700), MakePoint(?8, ?9, 4326)) "
          "ON CONFLICT (uprn) DO NOTHING")),
      m_property_update(db.prepare(
          "UPDATE properties SET logical_status = ?2, blpu_state = ?3, "
          "classification = COALESCE(?4, classification), parent_uprn = ?5, easting = ?6, "
          "northing = ?7, lon = ?8, lat = ?9, geom = MakePoint(?6, ?7, 27700), "
          "geom_wgs84 = MakePoint(?8, ?9, 4326) WHERE uprn = ?1 AND (logical_status IS NOT ?2 "
          "OR blpu_state IS NOT ?3 OR (?4 IS NOT NULL AND classification IS NOT ?4) OR "
          "parent_uprn IS NOT ?5 OR easting IS NOT ?6 OR northing IS NOT ?7)")),
      m_property_delete(db.prepare("DELETE FROM properties WHERE uprn = ?")),
      m_property_class(db.prepare("SELECT classification FROM properties WHERE uprn = ?")),
      m_property_reclass(db.prepare("UPDATE properties SET classification = ?2 WHERE uprn = ?1")),
      m_address_find(db.prepare("SELECT id FROM addresses WHERE lpi_key = ?")),
      m_address_insert(db.prepare(
          "INSERT INTO addresses (uprn, lpi_key, language, logical_status, saon, paon, usrn, "
          "street, locality, town, postcode, single_line, sao_start_number, sao_start_suffix, "
          "sao_end_number, sao_end_suffix, sao_text, pao_start_number, pao_start_suffix, "
          "pao_end_number, pao_end_suffix, pao_text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
          "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22) "
          "ON CONFLICT (lpi_key) DO NOTHING")),
      m_address_update(db.prepare(
          "UPDATE addresses SET uprn = ?1, language = ?3, logical_status = ?4, saon = ?5, "
          "paon = ?6, usrn = ?7, street = ?8, locality = ?9, town = ?10, postcode = ?11, "
          "single_line = ?12, sao_start_number = ?13, sao_start_suffix = ?14, "
          "sao_end_number = ?15, sao_end_suffix = ?16, sao_text = ?17, pao_start_number = ?18, "
          "pao_start_suffix = ?19, pao_end_number = ?20, pao_end_suffix = ?21, pao_text = ?22 "
          "WHERE id = ?23 AND (uprn IS NOT ?1 OR language IS NOT ?3 OR logical_status IS NOT ?4 "
          "OR saon IS NOT ?5 OR paon IS NOT ?6 OR usrn IS NOT ?7 OR street IS NOT ?8 OR "
          "locality IS NOT ?9 OR town IS NOT ?10 OR postcode IS NOT ?11 OR single_line IS NOT "
          "?12 OR sao_start_number IS NOT ?13 OR sao_start_suffix IS NOT ?14 OR sao_end_number "
          "IS NOT ?15 OR sao_end_suffix IS NOT ?16 OR sao_text IS NOT ?17 OR pao_start_number IS "
          "NOT ?18 OR pao_start_suffix IS NOT ?19 OR pao_end_number IS NOT ?20 OR pao_end_suffix "
          "IS NOT ?21 OR pao_text IS NOT ?22)")),
      m_address_delete(db.prepare("DELETE FROM addresses WHERE id = ?")) {
    // put_property makes both points with MakePoint(x, y, srid).
    m_deferred.trusted("properties", "geom");
    m_deferred.trusted("properties", "geom_wgs84");
    if (bulk) {
        m_dropped_indexes = drop_address_indexes(db);
        if (db.query_int("SELECT EXISTS (SELECT 1 FROM properties)").value_or(1) == 0) {
            m_property_rtree = std::make_unique<store::PackedRTree>();
            m_deferred.provided_elsewhere("properties", "geom");
        }
    }
}

const GazetteerWriter::StreetNames& GazetteerWriter::street_names(std::int64_t usrn) {
    auto it = m_streets.find(usrn);
    if (it != m_streets.end()) {
        return it->second;
    }
    StreetNames names;
    m_street_get.bind(1, usrn);
    if (m_street_get.step()) {
        names.exists = true;
        names.descriptor = m_street_get.text(0);
        names.locality = m_street_get.optional_text(1).value_or("");
        names.town = m_street_get.text(2);
    }
    m_street_get.reset();
    return m_streets.emplace(usrn, std::move(names)).first->second;
}

bool GazetteerWriter::has_street(std::int64_t usrn) {
    return street_names(usrn).exists;
}

bool GazetteerWriter::has_property(std::int64_t uprn) {
    if (uprn == m_last_property) {
        return true; // an LPI right after its BLPU, as transfer files order them
    }
    m_property_exists.bind(1, uprn);
    const bool found = m_property_exists.step();
    m_property_exists.reset();
    return found;
}

Change GazetteerWriter::put_street(const StreetData& s) {
    const bool known = has_street(s.usrn);
    const auto a = m_transform.to_wgs84(s.start);
    const auto b = m_transform.to_wgs84(s.end);
    auto& st = known ? m_street_update : m_street_insert;
    st.bind(1, s.usrn).bind(2, s.start.easting).bind(3, s.start.northing);
    st.bind(4, s.end.easting).bind(5, s.end.northing).bind(6, a.lon).bind(7, a.lat);
    st.bind(8, b.lon).bind(9, b.lat).bind(10, s.record_type).bind(11, s.state);
    st.run();
    if (known && m_db.changes() == 0) {
        return Change::none; // the same street again: replaying a file changes nothing
    }
    m_deferred.touched("streets", s.usrn);
    if (!known) {
        auto& names = m_streets[s.usrn];
        names.exists = true;
    }
    return known ? Change::updated : Change::inserted;
}

Change GazetteerWriter::put_descriptor(const DescriptorData& d) {
    if (!has_street(d.usrn)) {
        return Change::none;
    }
    auto& names = m_streets[d.usrn];
    // One name per street: English unless the street only has another language's.
    if (d.language != "ENG" && !names.language.empty() && names.language == "ENG" &&
        !names.descriptor.empty()) {
        return Change::none;
    }
    const bool first_name = names.descriptor.empty(); // completes a street just inserted
    const bool renamed = !first_name && (names.descriptor != d.descriptor ||
                                         names.locality != d.locality || names.town != d.town);
    if (!first_name && !renamed) {
        return Change::none;
    }
    m_descriptor_update.bind(1, d.usrn).bind(2, d.descriptor);
    bind_text_or_null(m_descriptor_update, 3, d.locality);
    m_descriptor_update.bind(4, d.town);
    bind_text_or_null(m_descriptor_update, 5, d.admin_area);
    m_descriptor_update.run();
    const std::string old_town = names.town;
    names.descriptor = d.descriptor;
    names.locality = d.locality;
    names.town = d.town;
    names.language = d.language;
    if (renamed) {
        rewrite_street_addresses(d.usrn, old_town);
    }
    return first_name ? Change::none : Change::updated;
}

void GazetteerWriter::rewrite_street_addresses(std::int64_t usrn, const std::string& old_town) {
    const auto& names = m_streets[usrn];
    auto rows = m_db.prepare(
        "SELECT id, logical_status, sao_start_number, sao_start_suffix, sao_end_number, "
        "sao_end_suffix, sao_text, pao_start_number, pao_start_suffix, pao_end_number, "
        "pao_end_suffix, pao_text, postcode, town FROM addresses WHERE usrn = ?");
    auto update = m_db.prepare("UPDATE addresses SET street = ?2, locality = ?3, town = ?4, "
                               "single_line = ?5 WHERE id = ?1");
    rows.bind(1, usrn);
    const auto object = [&rows](int first) {
        AddressableObject o;
        if (!rows.is_null(first)) {
            o.start_number = static_cast<int>(rows.int64(first));
        }
        o.start_suffix = rows.optional_text(first + 1).value_or("");
        if (!rows.is_null(first + 2)) {
            o.end_number = static_cast<int>(rows.int64(first + 2));
        }
        o.end_suffix = rows.optional_text(first + 3).value_or("");
        o.text = rows.optional_text(first + 4).value_or("");
        return o;
    };
    while (rows.step()) {
        // An address keeps its own post town (LPI POST_TOWN); one that had the street's town
        // follows the street.
        const std::string stored_town = rows.optional_text(13).value_or("");
        const std::string town =
            stored_town.empty() || stored_town == old_town ? names.town : stored_town;
        AddressParts parts{object(2),      object(7), names.descriptor,
                           names.locality, town,      rows.optional_text(12).value_or("")};
        const std::string line = single_line(parts);
        update.bind(1, rows.int64(0)).bind(2, names.descriptor);
        bind_text_or_null(update, 3, names.locality);
        update.bind(4, town).bind(5, line).run();
        m_addresses_changed = true;
    }
}

Change GazetteerWriter::put_property(const PropertyData& p) {
    const auto ll = m_transform.to_wgs84(p.at);
    // Insert first: in a full supply nearly every UPRN is new, and a failed insert costs
    // no more than the lookup it saves.
    const auto bind = [&](store::Statement& st) {
        st.bind(1, p.uprn).bind(2, p.logical_status);
        st.bind(3, p.blpu_state);
        bind_text_or_null(st, 4, p.classification);
        st.bind(5, p.parent_uprn);
        st.bind(6, p.at.easting).bind(7, p.at.northing).bind(8, ll.lon).bind(9, ll.lat);
        st.run();
    };
    bind(m_property_insert);
    m_last_property = p.uprn; // inserted now, or there already
    const bool inserted = m_db.changes() > 0;
    if (!inserted) {
        bind(m_property_update);
        if (m_db.changes() == 0) {
            return Change::none;
        }
    }
    m_deferred.touched("properties", p.uprn);
    if (m_property_rtree) {
        m_property_rtree->add(p.uprn, p.at.easting, p.at.easting, p.at.northing, p.at.northing);
    }
    return inserted ? Change::inserted : Change::updated;
}

Change GazetteerWriter::put_address(const AddressData& a) {
    std::int64_t usrn = a.usrn.value_or(0); // 0: no street
    const StreetNames* names = nullptr;
    if (usrn != 0) {
        names = &street_names(usrn);
        if (!names->exists) {
            ++m_streets_missing;
            usrn = 0;
            names = nullptr;
        }
    }
    static const StreetNames none;
    const StreetNames& street = names != nullptr ? *names : none;
    AddressParts parts{a.sao,
                       a.pao,
                       names != nullptr ? street.descriptor : a.street,
                       names != nullptr ? street.locality : a.locality,
                       a.post_town.empty() ? street.town : a.post_town,
                       a.postcode};
    const std::string line = single_line(parts);

    const std::string saon = a.sao.display();
    const std::string paon = a.pao.display();
    const auto bind = [&](store::Statement& st) {
        st.bind(1, a.uprn).bind(2, a.lpi_key).bind(3, a.language).bind(4, a.logical_status);
        bind_text_or_null(st, 5, saon);
        st.bind(6, paon);
        if (usrn != 0) {
            st.bind(7, usrn);
        } else {
            st.bind_null(7);
        }
        bind_text_or_null(st, 8, parts.street);
        bind_text_or_null(st, 9, parts.locality);
        bind_text_or_null(st, 10, parts.town);
        bind_text_or_null(st, 11, parts.postcode);
        st.bind(12, line);
        st.bind(13, a.sao.start_number);
        bind_text_or_null(st, 14, a.sao.start_suffix);
        st.bind(15, a.sao.end_number);
        bind_text_or_null(st, 16, a.sao.end_suffix);
        bind_text_or_null(st, 17, a.sao.text);
        st.bind(18, a.pao.start_number);
        bind_text_or_null(st, 19, a.pao.start_suffix);
        st.bind(20, a.pao.end_number);
        bind_text_or_null(st, 21, a.pao.end_suffix);
        bind_text_or_null(st, 22, a.pao.text);
    };
    // Insert first (an LPI key is new in a full supply); an existing LPI is updated in place
    // when anything differs.
    bind(m_address_insert);
    m_address_insert.run();
    if (m_db.changes() == 0) {
        m_address_find.bind(1, a.lpi_key);
        const bool found = m_address_find.step();
        const std::int64_t id = found ? m_address_find.int64(0) : 0;
        m_address_find.reset();
        if (!found) {
            return Change::none;
        }
        bind(m_address_update);
        m_address_update.bind(23, id).run();
        if (m_db.changes() == 0) {
            return Change::none;
        }
        m_addresses_changed = true;
        return Change::updated;
    }
    m_addresses_changed = true;
    return Change::inserted;
}

Change GazetteerWriter::set_classification(std::int64_t uprn, const std::string& code) {
    m_property_class.bind(1, uprn);
    const std::string before = m_property_class.step() ? std::string(m_property_class.text(0)) : "";
    m_property_class.reset();
    if (before == code) {
        return Change::none;
    }
    m_property_reclass.bind(1, uprn).bind(2, code).run();
    const bool changed = before != "U";
    // Classifying a property this supply just inserted (as 'U') completes it; it is no update.
    return changed ? Change::updated : Change::none;
}

std::optional<Change> GazetteerWriter::remove_street(std::int64_t usrn) {
    if (!has_street(usrn)) {
        return Change::none;
    }
    m_street_users.bind(1, usrn);
    m_street_users.step();
    const auto users = m_street_users.int64(0);
    m_street_users.reset();
    if (users > 0) {
        return std::nullopt;
    }
    m_street_delete.bind(1, usrn).run();
    m_deferred.touched("streets", usrn);
    m_streets.erase(usrn);
    return Change::deleted;
}

Change GazetteerWriter::remove_property(std::int64_t uprn) {
    if (!has_property(uprn)) {
        return Change::none;
    }
    m_addresses_changed = true;
    if (uprn == m_last_property) {
        m_last_property = 0;
    }
    m_property_delete.bind(1, uprn).run(); // its addresses go with it (ON DELETE CASCADE)
    if (m_property_rtree) {
        m_property_rtree->remove(uprn);
    }
    m_deferred.touched("properties", uprn);
    return Change::deleted;
}

Change GazetteerWriter::remove_address(const std::string& lpi_key) {
    m_address_find.bind(1, lpi_key);
    std::optional<std::int64_t> id;
    if (m_address_find.step()) {
        id = m_address_find.int64(0);
    }
    m_address_find.reset();
    if (!id) {
        return Change::none;
    }
    m_address_delete.bind(1, *id).run();
    m_addresses_changed = true;
    return Change::deleted;
}

std::int64_t GazetteerWriter::unnamed_streets() {
    return m_db.query_int("SELECT COUNT(*) FROM streets WHERE descriptor = ''").value_or(0);
}

void GazetteerWriter::finish() {
    // The CHECK constraints the writer's statements skipped, once over each table.
    for (const auto& [table, rule] :
         {std::pair<const char*, const char*>{"properties", "uprn BETWEEN 1 AND 999999999999 AND "
                                                            "logical_status IN (1, 3, 6, 8)"},
          std::pair<const char*, const char*>{"streets", "street_type IN (1, 2, 3, 4, 9)"}}) {
        if (m_db.query_int(std::string("SELECT count(*) FROM ") + table + " WHERE NOT (" + rule +
                           ")")
                .value_or(0) > 0) {
            throw store::StoreError(std::string("CHECK constraint failed: ") + table + ": " + rule,
                                    SQLITE_CONSTRAINT_CHECK);
        }
    }
    for (const auto& create : m_dropped_indexes) {
        m_db.exec(create);
    }
    m_dropped_indexes.clear();
    m_deferred.restore();
    if (m_addresses_changed) {
        store::mark_changed(m_db, "addresses"); // running servers rebuild their search index
        m_addresses_changed = false;
    }
    if (m_property_rtree) {
        m_property_rtree->finish_into(m_db, "idx_properties_geom");
        m_property_rtree.reset();
    }
}

} // namespace wardmap::importers
