#include "server/services/myarea/my_area_service.hpp"

#include "core/working_days.hpp"
#include "core/xml_text.hpp"

#include "geo/postcode.hpp"
#include "server/services/shared/errors.hpp"
#include "server/services/shared/point_input.hpp"
#include "server/services/streetscene/recurrence.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

namespace wardmap::services {

using nlohmann::ordered_json;

namespace {

/// Where the answer is about, in both systems.
struct Place {
    std::string kind; ///< property, postcode or point
    std::optional<std::int64_t> uprn;
    std::optional<std::string> address;
    std::optional<std::string> postcode;
    geo::EastNorth bng;
    geo::LonLat wgs84;
};

double rounded(double v, double unit) {
    return std::round(v / unit) * unit;
}

/// The spatial index's box around (?1, ?2) with half-size ?3, for `table`'s geom.
std::string box_of(const std::string& table, const std::string& alias) {
    return alias + ".ROWID IN (SELECT pkid FROM idx_" + table +
           "_geom WHERE xmin <= ?1 + ?3 AND xmax >= ?1 - ?3 AND ymin <= ?2 + ?3 AND ymax >= ?2 - "
           "?3)";
}

bool table_exists(store::Database& db, const char* name) {
    auto q =
        db.prepare("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?1");
    q.bind(1, name);
    return q.step();
}

Place property_place(store::Database& db, std::int64_t uprn) {
    auto q = db.prepare_cached(
        "SELECT p.easting, p.northing, p.lon, p.lat, a.single_line, a.postcode FROM properties p "
        "LEFT JOIN addresses a ON a.uprn = p.uprn WHERE p.uprn = ?1 ORDER BY a.logical_status = 1 "
        "DESC, a.language = 'ENG' DESC, a.logical_status, a.id LIMIT 1");
    q.bind(1, uprn);
    if (!q.step()) {
        throw DomainError(ErrorCode::not_found, "no property has UPRN " + std::to_string(uprn));
    }
    Place place;
    place.kind = "property";
    place.uprn = uprn;
    place.bng = {q.real(0), q.real(1)};
    place.wgs84 = {q.real(2), q.real(3)};
    place.address = q.optional_text(4);
    place.postcode = q.optional_text(5);
    return place;
}

Place postcode_place(store::Database& db,
                     const geo::BngTransform& transform,
                     const std::string& text) {
    const auto pc = geo::normalise_postcode(text);
    if (!pc) {
        invalid_parameter("postcode",
                          "'" + text.substr(0, 40) + "' is not a UK postcode (e.g. PR7 1DP)");
    }
    Place place;
    place.kind = "postcode";
    place.postcode = *pc;
    auto centroid =
        db.prepare_cached("SELECT easting, northing, lon, lat FROM postcodes WHERE postcode = ?1");
    centroid.bind(1, *pc);
    if (centroid.step()) {
        place.bng = {centroid.real(0), centroid.real(1)};
        place.wgs84 = {centroid.real(2), centroid.real(3)};
        return place;
    }
    // Not in Code-Point: the mean of its addresses, as /api/postcodes does.
    auto mean =
        db.prepare_cached("SELECT avg(p.easting), avg(p.northing), count(*) FROM addresses a "
                          "JOIN properties p ON p.uprn = a.uprn WHERE a.postcode = ?1");
    mean.bind(1, *pc);
    if (!mean.step() || mean.int64(2) == 0) {
        throw DomainError(ErrorCode::not_found, "no postcode " + *pc + " in the gazetteer");
    }
    place.bng = {mean.real(0), mean.real(1)};
    place.wgs84 = transform.to_wgs84(place.bng);
    return place;
}

ordered_json point_json(double lon, double lat) {
    return ordered_json{{"lon", rounded(lon, 1e-6)}, {"lat", rounded(lat, 1e-6)}};
}

ordered_json councillors(store::Database& db, std::int64_t ward_id) {
    // Public contact only: the name, party and the council's published address for them.
    auto q = db.prepare_cached(
        "SELECT c.name, c.party, c.email FROM councillors c JOIN wards w ON w.boundary_set_id = "
        "c.boundary_set_id AND w.code = c.ward_code WHERE w.id = ?1 ORDER BY c.sort_order");
    q.bind(1, ward_id);
    ordered_json out = ordered_json::array();
    while (q.step()) {
        out.push_back(
            {{"name", q.text(0)},
             {"party", q.optional_text(1) ? ordered_json(*q.optional_text(1)) : nullptr},
             {"email", q.optional_text(2) ? ordered_json(*q.optional_text(2)) : nullptr}});
    }
    return out;
}

ordered_json opt(const std::optional<std::string>& v) {
    return v ? ordered_json(*v) : ordered_json(nullptr);
}

ordered_json planning_row(const store::Statement& q, bool with_distance) {
    ordered_json row{{"reference", q.text(0)},
                     {"app_type", q.text(1)},
                     {"description", q.text(2)},
                     {"address", q.text(3)},
                     {"status", q.text(4)},
                     {"decision", opt(q.optional_text(5))},
                     {"received_date", q.text(6)},
                     {"decided_date", opt(q.optional_text(7))},
                     {"at", point_json(q.real(8), q.real(9))}};
    if (with_distance) {
        row["distance_m"] = rounded(q.real(10), 1);
    }
    return row;
}

constexpr const char* planning_columns =
    "t.reference, t.app_type, t.description, t.address, t.status, t.decision, t.received_date, "
    "t.decided_date, X(t.geom_wgs84), Y(t.geom_wgs84)";

ordered_json planning(store::Database& db,
                      const Place& place,
                      const MyAreaQuery& query,
                      const MyAreaLimits& limits) {
    ordered_json on_property = ordered_json::array();
    if (place.uprn) {
        auto q = db.prepare_cached(std::string("SELECT ") + planning_columns +
                                   " FROM planning_applications t WHERE t.uprn = ?1 ORDER BY "
                                   "t.received_date DESC, t.reference LIMIT 100");
        q.bind(1, *place.uprn);
        while (q.step()) {
            on_property.push_back(planning_row(q, false));
        }
    }
    auto q = db.prepare_cached(
        std::string("SELECT ") + planning_columns +
        ", ST_Distance(t.geom, MakePoint(?1, ?2, 27700)) AS d FROM planning_applications t WHERE " +
        box_of("planning_applications", "t") +
        " AND d <= ?3 AND t.received_date >= date(?4, '-' || ?5 || ' months') ORDER BY d, "
        "t.received_date DESC LIMIT ?6");
    q.bind(1, place.bng.easting)
        .bind(2, place.bng.northing)
        .bind(3, limits.planning_radius_m)
        .bind(4, query.today.iso())
        .bind(5, limits.planning_months)
        .bind(6, limits.nearby_limit);
    ordered_json nearby = ordered_json::array();
    while (q.step()) {
        nearby.push_back(planning_row(q, true));
    }
    return ordered_json{{"on_property", std::move(on_property)},
                        {"nearby",
                         {{"radius_m", limits.planning_radius_m},
                          {"months", limits.planning_months},
                          {"applications", std::move(nearby)}}}};
}

ordered_json reports(store::Database& db, const Place& place, const MyAreaLimits& limits) {
    // The public view of a report (as the service_requests collection): category, status and
    // dates; never the reporter's words, address or contact details; private services never.
    auto q = db.prepare_cached(
        "SELECT t.id, t.category_code, c.name, t.status, t.created_at, t.updated_at, "
        "X(t.geom_wgs84), Y(t.geom_wgs84), ST_Distance(t.geom, MakePoint(?1, ?2, 27700)) AS d "
        "FROM service_requests t LEFT JOIN service_categories c ON c.code = t.category_code "
        "WHERE " +
        box_of("service_requests", "t") +
        " AND t.is_open = 1 AND t.private = 0 AND d <= ?3 ORDER BY d, t.id");
    q.bind(1, place.bng.easting).bind(2, place.bng.northing).bind(3, limits.reports_radius_m);
    ordered_json list = ordered_json::array();
    std::int64_t total = 0;
    while (q.step()) {
        ++total;
        if (static_cast<int>(list.size()) < limits.nearby_limit) {
            list.push_back({{"id", q.int64(0)},
                            {"category_code", q.text(1)},
                            {"category", opt(q.optional_text(2))},
                            {"status", q.text(3)},
                            {"created_at", q.text(4)},
                            {"updated_at", q.text(5)},
                            {"distance_m", rounded(q.real(8), 1)},
                            {"at", point_json(q.real(6), q.real(7))}});
        }
    }
    return ordered_json{
        {"radius_m", limits.reports_radius_m}, {"open_count", total}, {"reports", std::move(list)}};
}

ordered_json bins(store::Database& db, const Place& place, const MyAreaLimits& limits) {
    auto q = db.prepare_cached(
        "SELECT t.id, t.reference, json_extract(t.attributes, '$.bin_type'), "
        "json_extract(t.attributes, '$.capacity_l'), X(t.geom_wgs84), Y(t.geom_wgs84), "
        "ST_Distance(t.geom, MakePoint(?1, ?2, 27700)) AS d FROM street_assets t WHERE " +
        box_of("street_assets", "t") +
        " AND t.asset_type = 'litter_bin' AND t.status = 'active' AND d <= ?3 ORDER BY d, t.id "
        "LIMIT ?4");
    // Widen the search until enough bins are found (most addresses stop at the first).
    ordered_json list = ordered_json::array();
    for (const double radius : {300.0, 1200.0, 5000.0}) {
        q.bind(1, place.bng.easting)
            .bind(2, place.bng.northing)
            .bind(3, radius)
            .bind(4, limits.bins);
        list = ordered_json::array();
        while (q.step()) {
            list.push_back(
                {{"id", q.int64(0)},
                 {"reference", q.text(1)},
                 {"bin_type", opt(q.optional_text(2))},
                 {"capacity_l", q.is_null(3) ? ordered_json(nullptr) : ordered_json(q.int64(3))},
                 {"distance_m", rounded(q.real(6), 1)},
                 {"at", point_json(q.real(4), q.real(5))}});
        }
        q.reset();
        if (static_cast<int>(list.size()) >= limits.bins) {
            break;
        }
    }
    return list;
}

struct FeedEntry {
    std::string updated; ///< W3C UTC
    std::string id;
    std::string title;
    std::string summary;
};

/// A W3C UTC time from a stored time or date: "2026-12-01" -> "2026-12-01T00:00:00Z".
std::string w3c(std::string_view stored) {
    if (stored.size() == 10) {
        return std::string(stored) + "T00:00:00Z";
    }
    return std::string(stored);
}

/// The constraint areas (conservation areas, tree preservation orders, listed buildings,
/// article 4 directions) the place lies in: their public register entries.
ordered_json constraints_at(store::Database& db, geo::EastNorth at) {
    auto q = db.prepare_cached(
        "SELECT t.kind, t.reference, t.name, t.designation_date, t.grade, t.description, "
        "t.documentation_url FROM planning_constraints t WHERE t.ROWID IN (SELECT pkid FROM "
        "idx_planning_constraints_geom WHERE xmin <= ?1 AND xmax >= ?1 AND ymin <= ?2 AND ymax "
        ">= ?2) AND ST_Intersects(t.geom, MakePoint(?1, ?2, 27700)) ORDER BY t.kind, t.reference");
    q.bind(1, at.easting).bind(2, at.northing);
    ordered_json out = ordered_json::array();
    while (q.step()) {
        out.push_back({{"kind", q.text(0)},
                       {"reference", q.text(1)},
                       {"name", opt(q.optional_text(2))},
                       {"designation_date", opt(q.optional_text(3))},
                       {"grade", opt(q.optional_text(4))},
                       {"description", opt(q.optional_text(5))},
                       {"documentation_url", opt(q.optional_text(6))}});
    }
    return out;
}

/// The local land charges (LLC1 register parts) whose extent holds the place; cancelled ones
/// are not charges any more.
ordered_json land_charges_at(store::Database& db, geo::EastNorth at) {
    auto q = db.prepare_cached(
        "SELECT t.reference, t.register_part, t.charge_type, t.description, t.registered_date, "
        "t.originating_authority, t.status FROM local_land_charges t WHERE t.ROWID IN (SELECT "
        "pkid FROM idx_local_land_charges_geom WHERE xmin <= ?1 AND xmax >= ?1 AND ymin <= ?2 "
        "AND ymax >= ?2) AND t.status <> 'cancelled' AND ST_Intersects(t.geom, MakePoint(?1, ?2, "
        "27700)) ORDER BY t.register_part, t.reference");
    q.bind(1, at.easting).bind(2, at.northing);
    ordered_json out = ordered_json::array();
    while (q.step()) {
        out.push_back(
            {{"reference", q.text(0)},
             {"register_part", q.is_null(1) ? ordered_json(nullptr) : ordered_json(q.int64(1))},
             {"charge_type", q.text(2)},
             {"description", opt(q.optional_text(3))},
             {"registered_date", q.text(4)},
             {"originating_authority", opt(q.optional_text(5))},
             {"status", q.text(6)}});
    }
    return out;
}

} // namespace

MyAreaService::MyAreaService(store::ConnectionPool& pool,
                             std::shared_ptr<const geo::BngTransform> transform,
                             const WardService& wards,
                             const ScheduleService& schedules,
                             MyAreaLimits limits)
    : m_pool(pool), m_transform(std::move(transform)), m_wards(wards), m_schedules(schedules),
      m_limits(limits) {
    auto db = m_pool.acquire();
    // The planning register's layers (migration 0024, docs/planning.md).
    m_constraints = table_exists(*db, "planning_constraints");
    m_land_charges = table_exists(*db, "local_land_charges");
}

std::string MyAreaService::area(const MyAreaQuery& query) const {
    Place place;
    ordered_json doc;
    bool rounds_in_use = false;
    {
        auto db = m_pool.acquire();
        if (query.uprn) {
            place = property_place(*db, *query.uprn);
        } else if (query.postcode) {
            place = postcode_place(*db, *m_transform, *query.postcode);
        } else {
            place.kind = "point";
            place.wgs84 = *query.point;
            place.bng = point_to_bng(PointInput{Crs::wgs84, query.point->lon, query.point->lat},
                                     *m_transform);
        }
        // The index stays alive while its record is read (a reload may swap it meanwhile).
        const auto index = m_wards.index();
        const auto* ward = index->find(place.bng, query.today);
        if (!ward && place.kind == "point") {
            throw DomainError(ErrorCode::not_found,
                              "the point is in no ward of the council on " + query.today.iso());
        }
        ordered_json where{{"kind", place.kind}};
        if (place.uprn) {
            where["uprn"] = *place.uprn;
        }
        if (place.kind == "property") {
            where["address"] = opt(place.address);
        }
        where["postcode"] = opt(place.postcode);
        where["at"] = point_json(place.wgs84.lon, place.wgs84.lat);
        where["easting"] = rounded(place.bng.easting, 0.01);
        where["northing"] = rounded(place.bng.northing, 0.01);
        doc["date"] = query.today.iso();
        doc["place"] = std::move(where);
        if (ward) {
            doc["ward"] = {{"code", ward->code},
                           {"name", ward->name},
                           {"boundary_set", ward->boundary_set},
                           {"councillors", councillors(*db, ward->id)}};
        } else {
            doc["ward"] = nullptr;
        }
        auto any_round = db->prepare_cached("SELECT 1 FROM schedule_rounds LIMIT 1");
        rounds_in_use = any_round.step();
    }
    // Bin and sweeping days: for a property, when rounds exist and cover it.
    ordered_json days{{"in_use", false}};
    if (!rounds_in_use) {
        days["message"] = "not in use here";
    } else if (!place.uprn) {
        days["message"] = "choose an address for its bin and sweeping days";
    } else {
        // One read of the 13-week horizon, as /api/schedules: its cost is most of this
        // answer's (docs/my-area.md, "Performance").
        const auto s = m_schedules.for_property(*place.uprn, query.today,
                                                add_days(query.today, default_horizon_days - 1));
        ordered_json activities = ordered_json::array();
        for (const auto& a : s.activities) {
            static constexpr const char* weekdays[] = {"Mon", "Tue", "Wed", "Thu",
                                                       "Fri", "Sat", "Sun"};
            ordered_json coming = ordered_json::array();
            for (std::size_t i = 0; i < a.dates.size() && i < 4; ++i) {
                const auto& d = a.dates[i];
                ordered_json one{{"date", d.date.iso()},
                                 {"weekday", weekdays[core::weekday(d.date)]},
                                 {"status", d.status}};
                if (d.moved_from) {
                    one["moved_from"] = d.moved_from->iso();
                }
                coming.push_back(std::move(one));
            }
            activities.push_back(
                {{"activity", a.activity},
                 {"name", a.name},
                 {"kind", a.kind},
                 {"next", a.dates.empty() ? ordered_json(nullptr)
                                          : ordered_json(a.dates.front().date.iso())},
                 {"coming", std::move(coming)}});
        }
        if (activities.empty()) {
            days["message"] = "not in use here";
        } else {
            days["in_use"] = true;
            days["activities"] = std::move(activities);
        }
    }
    doc["bin_and_sweeping_days"] = std::move(days);

    auto db = m_pool.acquire();
    doc["planning"] = planning(*db, place, query, m_limits);
    ordered_json constraints{{"in_use", m_constraints}};
    if (!m_constraints) {
        constraints["message"] = "not in use here";
    } else {
        constraints["items"] = constraints_at(*db, place.bng);
    }
    doc["constraints"] = std::move(constraints);
    ordered_json charges{{"in_use", m_land_charges}};
    if (!m_land_charges) {
        charges["message"] = "not in use here";
    } else {
        charges["items"] = land_charges_at(*db, place.bng);
    }
    doc["land_charges"] = std::move(charges);
    doc["reports_nearby"] = reports(*db, place, m_limits);
    doc["litter_bins"] = bins(*db, place, m_limits);
    return doc.dump();
}

std::string MyAreaService::feed(const AreaFeedQuery& query) const {
    auto db = m_pool.acquire();
    // The area as a box for the spatial indexes (?1..?4) and an exact test on t.geom.
    double box[4] = {0, 0, 0, 0};
    std::string inside;
    std::string title;
    std::string link;
    std::int64_t ward_id = 0;
    geo::EastNorth centre{};
    if (query.uprn) {
        const auto place = property_place(*db, *query.uprn);
        centre = place.bng;
        const double d = query.distance_m;
        box[0] = centre.easting - d;
        box[1] = centre.northing - d;
        box[2] = centre.easting + d;
        box[3] = centre.northing + d;
        inside = "ST_Distance(t.geom, MakePoint(?5, ?6, 27700)) <= ?7";
        title = "Within " + std::to_string(static_cast<int>(query.distance_m)) + " m of " +
                place.address.value_or("UPRN " + std::to_string(*query.uprn));
        link = query.base_url + "/area.html?uprn=" + std::to_string(*query.uprn);
    } else {
        const WardRecord* ward = nullptr;
        const auto index = m_wards.index(); // alive while `ward` points into it
        for (const auto& w : index->wards()) {
            const auto today = query.today.iso();
            if (w.code == *query.ward_code && w.valid_from <= today &&
                (!w.valid_to || today < *w.valid_to)) {
                ward = &w;
            }
        }
        if (!ward) {
            throw DomainError(ErrorCode::not_found, "no ward " + query.ward_code->substr(0, 40) +
                                                        " on " + query.today.iso());
        }
        ward_id = ward->id;
        auto mbr = db->prepare_cached("SELECT MbrMinX(geom), MbrMinY(geom), MbrMaxX(geom), "
                                      "MbrMaxY(geom) FROM wards WHERE id = ?1");
        mbr.bind(1, ward_id);
        if (!mbr.step()) {
            throw DomainError(ErrorCode::not_found, "no ward " + *query.ward_code);
        }
        for (int i = 0; i < 4; ++i) {
            box[i] = mbr.real(i);
        }
        inside = "ST_Contains((SELECT geom FROM wards WHERE id = ?5), t.geom)";
        title = ward->name + " ward";
        link = query.base_url + "/ward.html?code=" + ward->code;
    }
    const auto bind_area = [&](store::Statement& q) {
        for (int i = 0; i < 4; ++i) {
            q.bind(i + 1, box[i]);
        }
        if (query.uprn) {
            q.bind(5, centre.easting).bind(6, centre.northing).bind(7, query.distance_m);
        } else {
            q.bind(5, ward_id);
        }
    };
    const auto in_box = [](const char* table) {
        return std::string("t.ROWID IN (SELECT pkid FROM idx_") + table +
               "_geom WHERE xmin <= ?3 AND xmax >= ?1 AND ymin <= ?4 AND ymax >= ?2)";
    };
    std::vector<FeedEntry> entries;
    {
        // Public reports: category, status and the time reported; nothing of the reporter.
        auto q = db->prepare_cached(
            "SELECT t.id, coalesce(c.name, t.category_code), t.status, t.created_at FROM "
            "service_requests t LEFT JOIN service_categories c ON c.code = t.category_code "
            "WHERE " +
            in_box("service_requests") + " AND t.private = 0 AND " + inside +
            " ORDER BY t.created_at DESC, t.id DESC LIMIT 50");
        bind_area(q);
        while (q.step()) {
            entries.push_back(
                {w3c(q.text(3)), "urn:wardmap:report:" + std::to_string(q.int64(0)),
                 "Report " + std::to_string(q.int64(0)) + ": " + std::string(q.text(1)),
                 "Status: " + std::string(q.text(2))});
        }
    }
    {
        auto q = db->prepare_cached(
            "SELECT t.reference, t.description, t.address, t.status, t.received_date FROM "
            "planning_applications t WHERE " +
            in_box("planning_applications") + " AND " + inside +
            " ORDER BY t.received_date DESC, t.id DESC LIMIT 50");
        bind_area(q);
        while (q.step()) {
            entries.push_back(
                {w3c(q.text(4)), "urn:wardmap:planning:" + std::string(q.text(0)),
                 "Planning application " + std::string(q.text(0)) + ": " + std::string(q.text(1)),
                 std::string(q.text(2)) + " (" + std::string(q.text(3)) + ")"});
        }
    }
    std::sort(entries.begin(), entries.end(), [](const FeedEntry& a, const FeedEntry& b) {
        return a.updated != b.updated ? a.updated > b.updated : a.id < b.id;
    });
    if (entries.size() > 50) {
        entries.resize(50);
    }
    std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                      "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
    out += "<id>" + core::xml_text(link) + "</id>\n";
    out += "<title>New reports and planning applications: " + core::xml_text(title) + "</title>\n";
    out += "<updated>" + core::xml_text(entries.empty() ? query.now : entries.front().updated) +
           "</updated>\n";
    out += "<link rel=\"alternate\" href=\"" + core::xml_text(link) + "\"/>\n";
    out += "<author><name>wardmap</name></author>\n";
    for (const auto& e : entries) {
        out += "<entry><id>" + core::xml_text(e.id) + "</id><title>" + core::xml_text(e.title) +
               "</title><updated>" + core::xml_text(e.updated) + "</updated><link href=\"" +
               core::xml_text(link) + "\"/><summary>" + core::xml_text(e.summary) +
               "</summary></entry>\n";
    }
    out += "</feed>\n";
    return out;
}

} // namespace wardmap::services
