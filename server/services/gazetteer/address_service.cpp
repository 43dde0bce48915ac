#include "server/services/gazetteer/address_service.hpp"

#include "geo/geojson_writer.hpp"
#include "geo/postcode.hpp"
#include "geo/store/address_search_text.hpp"
#include "server/services/shared/errors.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_map>
#include <vector>

namespace wardmap::services {

namespace {

// Every address query selects these columns, in this order (see AddressRow).
constexpr const char* address_columns =
    "a.id, a.uprn, a.single_line, a.saon, a.paon, a.street, a.locality, a.town, a.postcode, "
    "a.usrn, a.logical_status, p.classification, p.easting, p.northing, p.lon, p.lat, "
    "a.pao_start_number, a.pao_start_suffix, a.pao_end_number, a.sao_start_number, "
    "a.sao_start_suffix, a.lpi_key, a.language, a.pao_text, a.sao_text ";

// Addresses a resident may pick: approved, alternative, provisional (not historical).
constexpr const char* searchable = "a.logical_status IN (1, 3, 6)";

// House-number order within a street.
constexpr const char* address_order =
    "a.street, a.pao_start_number, a.pao_start_suffix, a.pao_text, a.sao_start_number, "
    "a.sao_start_suffix, a.sao_text, a.id";

struct AddressRow {
    std::int64_t id = 0;
    std::int64_t uprn = 0;
    std::string single_line;
    std::optional<std::string> saon, paon, street, locality, town, postcode;
    std::optional<std::int64_t> usrn;
    int logical_status = 1;
    std::string classification;
    geo::EastNorth bng;
    geo::LonLat wgs84;
    std::string pao_number; ///< "12A", "2-4" or empty
    std::string sao_number;
    std::string lpi_key;
    std::string language;
    // search ranking
    int score = 0;
    double distance = 0;
};

std::optional<std::int64_t> optional_int(const store::Statement& st, int col) {
    return st.is_null(col) ? std::nullopt : std::optional<std::int64_t>(st.int64(col));
}

std::string number_range(const store::Statement& st, int start, int suffix, int end) {
    if (st.is_null(start)) {
        return {};
    }
    std::string s =
        std::to_string(st.int64(start)) + std::string(st.optional_text(suffix).value_or(""));
    if (end >= 0 && !st.is_null(end)) {
        s += "-" + std::to_string(st.int64(end));
    }
    for (char& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

AddressRow read_row(const store::Statement& st) {
    AddressRow r;
    r.id = st.int64(0);
    r.uprn = st.int64(1);
    r.single_line = st.text(2);
    r.saon = st.optional_text(3);
    r.paon = st.optional_text(4);
    r.street = st.optional_text(5);
    r.locality = st.optional_text(6);
    r.town = st.optional_text(7);
    r.postcode = st.optional_text(8);
    r.usrn = optional_int(st, 9);
    r.logical_status = static_cast<int>(st.int64(10));
    r.classification = st.text(11);
    r.bng = {st.real(12), st.real(13)};
    r.wgs84 = {st.real(14), st.real(15)};
    r.pao_number = number_range(st, 16, 17, 18);
    r.sao_number = number_range(st, 19, 20, -1);
    r.lpi_key = st.optional_text(21).value_or("");
    r.language = st.text(22);
    return r;
}

void append_position(std::string& out, const AddressRow& r, Crs crs) {
    out += '[';
    if (crs == Crs::bng) {
        geo::append_number(out, r.bng.easting, geo::metre_decimals);
        out += ',';
        geo::append_number(out, r.bng.northing, geo::metre_decimals);
    } else {
        geo::append_number(out, r.wgs84.lon, geo::wgs84_decimals);
        out += ',';
        geo::append_number(out, r.wgs84.lat, geo::wgs84_decimals);
    }
    out += ']';
}

void append_point(std::string& out, const AddressRow& r, Crs crs) {
    out += R"({"type":"Point","coordinates":)";
    append_position(out, r, crs);
    out += '}';
}

void write_address_fields(geo::JsonObjectWriter& obj, const AddressRow& r) {
    obj.field("uprn", r.uprn)
        .field("address", r.single_line)
        .field("saon", r.saon)
        .field("paon", r.paon)
        .field("street", r.street)
        .field("locality", r.locality)
        .field("town", r.town)
        .field("postcode", r.postcode);
    if (r.usrn) {
        obj.field("usrn", *r.usrn);
    } else {
        obj.null_field("usrn");
    }
    obj.field("logical_status", r.logical_status).field("classification", r.classification);
}

/// One feature per address; `extra` adds members to its properties.
template <typename Extra>
void append_address_feature(std::string& out, const AddressRow& r, Crs crs, Extra&& extra) {
    out += R"({"type":"Feature","id":)";
    geo::append_integer(out, r.uprn);
    out += R"(,"geometry":)";
    append_point(out, r, crs);
    out += R"(,"properties":)";
    geo::JsonObjectWriter obj(out);
    write_address_fields(obj, r);
    extra(obj);
    obj.close();
    out += '}';
}

void finish_collection(std::string& out,
                       std::size_t count,
                       Crs crs,
                       const std::string& extra_members) {
    out += R"(],"numberReturned":)";
    geo::append_integer(out, static_cast<std::int64_t>(count));
    if (crs == Crs::bng) {
        out += R"(,"crs":"EPSG:27700")";
    }
    out += extra_members;
    out += '}';
}

// Abbreviations people type for the words the gazetteer spells out.
/// Approved before provisional before alternative addresses (as the search ranks them).
int status_rank(const AddressRow& r) {
    return r.logical_status == 1 ? 10 : r.logical_status == 6 ? 5 : 2;
}

int clamp_limit(int limit) {
    if (limit < 1 || limit > AddressService::max_limit) {
        invalid_parameter("limit",
                          "must be from 1 to " + std::to_string(AddressService::max_limit));
    }
    return limit;
}

/// "ward": the ward of the current boundary set holding `at`, or null.
void write_current_ward(geo::JsonObjectWriter& obj, const WardIndex& wards, geo::EastNorth at) {
    const auto* ward = wards.find(at, core::today_utc());
    if (ward == nullptr) {
        obj.null_field("ward");
        return;
    }
    std::string w;
    geo::JsonObjectWriter wobj(w);
    wobj.field("code", ward->code)
        .field("name", ward->name)
        .field("boundary_set", ward->boundary_set);
    wobj.close();
    obj.raw_field("ward", w);
}

/// Ends a feature's properties (naming the CRS when it is not WGS84) and the feature.
void close_feature(std::string& out, geo::JsonObjectWriter& properties, Crs crs) {
    if (crs == Crs::bng) {
        properties.field("crs", "EPSG:27700");
    }
    properties.close();
    out += '}';
}

/// Addresses matching a typed query, best first, one per property (see search()).
std::vector<AddressRow>
search_rows(store::ConnectionPool& pool, LiveAddressIndex& index, const std::string& q, int limit) {
    if (q.size() > 200) {
        invalid_parameter("q", "is longer than 200 characters");
    }
    const auto tokens = store::search_tokens(q);
    if (tokens.empty()) {
        invalid_parameter("q", "is required: some words of an address, or a postcode");
    }
    if (tokens.size() > 12) {
        invalid_parameter("q", "has more than 12 words");
    }
    std::vector<AddressRow> rows;
    auto db = pool.acquire();
    // A whole postcode: its addresses in street and house-number order.
    if (const auto postcode = geo::normalise_postcode(q)) {
        auto st = db->prepare(std::string("SELECT ") + address_columns +
                              "FROM addresses a JOIN properties p ON p.uprn = a.uprn "
                              "WHERE a.postcode = ?1 AND " +
                              searchable + " ORDER BY " + address_order + " LIMIT ?2");
        st.bind(1, *postcode).bind(2, limit);
        while (st.step()) {
            rows.push_back(read_row(st));
        }
    }
    if (rows.empty()) {
        // Every word typed, the last one perhaps half typed (a finished word ends with a space).
        const bool last_is_prefix = !q.empty() && q.back() != ' ';
        const auto ids =
            index.current(*db)->search(tokens, last_is_prefix, static_cast<std::size_t>(limit));
        auto st = db->prepare(std::string("SELECT ") + address_columns +
                              "FROM addresses a JOIN properties p ON p.uprn = a.uprn "
                              "WHERE a.id = ?1");
        for (const auto id : ids) {
            st.bind(1, id);
            if (st.step()) { // gone when deleted since the index was built
                rows.push_back(read_row(st));
            }
            st.reset();
        }
    }
    return rows;
}

/// Addresses within `r` metres of a point, nearest first, one per property.
std::vector<AddressRow>
nearest_rows(store::ConnectionPool& pool, geo::EastNorth at, double r, int limit) {
    auto db = pool.acquire();
    // The grid index finds the candidates; the exact distance decides.
    auto st = db->prepare_cached(std::string("SELECT ") + address_columns +
                                 "FROM properties p JOIN addresses a ON a.uprn = p.uprn WHERE " +
                                 searchable +
                                 " AND p.uprn IN (SELECT pkid FROM idx_properties_geom WHERE "
                                 "xmin <= ?3 AND xmax >= ?1 AND ymin <= ?4 AND ymax >= ?2)");
    st.bind(1, at.easting - r).bind(2, at.northing - r).bind(3, at.easting + r);
    st.bind(4, at.northing + r);
    std::vector<AddressRow> rows;
    while (st.step()) {
        auto row = read_row(st);
        row.distance = std::hypot(row.bng.easting - at.easting, row.bng.northing - at.northing);
        if (row.distance <= r) {
            row.score = status_rank(row);
            rows.push_back(std::move(row));
        }
    }
    std::sort(rows.begin(), rows.end(), [](const AddressRow& a, const AddressRow& b) {
        if (a.distance != b.distance) {
            return a.distance < b.distance;
        }
        if (a.score != b.score) {
            return a.score > b.score;
        }
        return a.id < b.id;
    });
    std::unordered_map<std::int64_t, bool> seen;
    std::erase_if(rows,
                  [&seen](const AddressRow& a) { return !seen.emplace(a.uprn, true).second; });
    if (rows.size() > static_cast<std::size_t>(limit)) {
        rows.resize(static_cast<std::size_t>(limit));
    }
    return rows;
}

AddressHit to_hit(const AddressRow& r) {
    return AddressHit{r.uprn, r.single_line, r.postcode, r.usrn, r.bng, r.distance};
}

} // namespace

AddressService::AddressService(store::ConnectionPool& pool,
                               std::shared_ptr<const geo::BngTransform> transform,
                               const WardService& wards,
                               SearchIndex build)
    : m_pool(pool), m_transform(std::move(transform)), m_wards(wards) {
    if (build == SearchIndex::at_start) {
        (void)search_index();
    }
}

LiveAddressIndex& AddressService::search_index() const {
    std::call_once(m_index_built, [this] { m_index = std::make_unique<LiveAddressIndex>(m_pool); });
    return *m_index;
}

std::string AddressService::search(const AddressSearch& query) const {
    const int limit = clamp_limit(query.limit);
    const auto rows = search_rows(m_pool, search_index(), query.q, limit);
    std::string out = R"({"type":"FeatureCollection","features":[)";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        append_address_feature(out, rows[i], query.crs, [](geo::JsonObjectWriter&) {});
    }
    std::string extra = R"(,"query":)";
    geo::append_json_string(extra, query.q);
    finish_collection(out, rows.size(), query.crs, extra);
    return out;
}

std::string AddressService::property(std::int64_t uprn, Crs crs) const {
    auto db = m_pool.acquire();
    auto blpu = db->prepare("SELECT logical_status, blpu_state, classification, parent_uprn, "
                            "easting, northing FROM properties WHERE uprn = ?1");
    blpu.bind(1, uprn);
    if (!blpu.step()) {
        throw DomainError(ErrorCode::not_found, "no property with UPRN " + std::to_string(uprn));
    }
    auto lpis = db->prepare(std::string("SELECT ") + address_columns +
                            "FROM addresses a JOIN properties p ON p.uprn = a.uprn WHERE "
                            "a.uprn = ?1 ORDER BY a.logical_status = 1 DESC, a.language = 'ENG' "
                            "DESC, a.logical_status, a.id");
    lpis.bind(1, uprn);
    std::vector<AddressRow> addresses;
    while (lpis.step()) {
        addresses.push_back(read_row(lpis));
    }
    const geo::EastNorth at{blpu.real(4), blpu.real(5)};
    AddressRow where;
    where.uprn = uprn;
    where.bng = at;
    where.wgs84 = m_transform->to_wgs84(at);

    std::string out = R"({"type":"Feature","id":)";
    geo::append_integer(out, uprn);
    out += R"(,"geometry":)";
    append_point(out, where, crs);
    out += R"(,"properties":)";
    geo::JsonObjectWriter obj(out);
    obj.field("uprn", uprn)
        .field("address", addresses.empty() ? std::optional<std::string>()
                                            : std::optional<std::string>(addresses[0].single_line))
        .field("logical_status", blpu.int64(0));
    if (blpu.is_null(1)) {
        obj.null_field("blpu_state");
    } else {
        obj.field("blpu_state", blpu.int64(1));
    }
    obj.field("classification", blpu.text(2));
    if (blpu.is_null(3)) {
        obj.null_field("parent_uprn");
    } else {
        obj.field("parent_uprn", blpu.int64(3));
    }
    write_current_ward(obj, *m_wards.index(), at);
    std::string list = "[";
    for (std::size_t i = 0; i < addresses.size(); ++i) {
        if (i > 0) {
            list += ',';
        }
        geo::JsonObjectWriter a(list);
        a.field("lpi_key", addresses[i].lpi_key)
            .field("language", addresses[i].language)
            .field("logical_status", addresses[i].logical_status)
            .field("address", addresses[i].single_line)
            .field("saon", addresses[i].saon)
            .field("paon", addresses[i].paon)
            .field("street", addresses[i].street)
            .field("locality", addresses[i].locality)
            .field("town", addresses[i].town)
            .field("postcode", addresses[i].postcode);
        if (addresses[i].usrn) {
            a.field("usrn", *addresses[i].usrn);
        } else {
            a.null_field("usrn");
        }
        a.close();
    }
    list += ']';
    obj.raw_field("addresses", list);
    close_feature(out, obj, crs);
    return out;
}

std::string AddressService::nearest(const NearestQuery& query) const {
    const int limit = clamp_limit(query.limit);
    if (!(query.radius_m > 0 && query.radius_m <= max_radius_m)) {
        invalid_parameter("radius", "must be more than 0 and at most 1000 metres");
    }
    const auto at = point_to_bng(query.point, *m_transform);
    const double r = query.radius_m;
    const auto rows = nearest_rows(m_pool, at, r, limit);
    const Crs crs = query.point.crs;
    std::string out = R"({"type":"FeatureCollection","features":[)";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        append_address_feature(out, rows[i], crs, [&rows, i](geo::JsonObjectWriter& obj) {
            obj.field("distance_m", rows[i].distance, geo::metre_decimals);
        });
    }
    std::string extra = R"(,"radius_m":)";
    geo::append_number(extra, r, geo::metre_decimals);
    finish_collection(out, rows.size(), crs, extra);
    return out;
}

std::string AddressService::postcode(const std::string& text, Crs crs) const {
    const auto pc = geo::normalise_postcode(text);
    if (!pc) {
        invalid_parameter("postcode", "'" + text + "' is not a UK postcode (e.g. PR7 1DP)");
    }
    auto db = m_pool.acquire();
    auto centroid = db->prepare("SELECT easting, northing FROM postcodes WHERE postcode = ?1");
    centroid.bind(1, *pc);
    std::optional<geo::EastNorth> at;
    std::string source = "postcodes";
    if (centroid.step()) {
        at = geo::EastNorth{centroid.real(0), centroid.real(1)};
    }
    auto st = db->prepare(std::string("SELECT ") + address_columns +
                          "FROM addresses a JOIN properties p ON p.uprn = a.uprn WHERE "
                          "a.postcode = ?1 AND " +
                          searchable + " ORDER BY " + address_order);
    st.bind(1, *pc);
    std::vector<AddressRow> rows;
    double sum_e = 0;
    double sum_n = 0;
    while (st.step()) {
        rows.push_back(read_row(st));
        sum_e += rows.back().bng.easting;
        sum_n += rows.back().bng.northing;
    }
    if (!at && rows.empty()) {
        throw DomainError(ErrorCode::not_found, "no postcode " + *pc + " in the gazetteer");
    }
    if (!at) {
        at = geo::EastNorth{sum_e / static_cast<double>(rows.size()),
                            sum_n / static_cast<double>(rows.size())};
        source = "addresses";
    }
    AddressRow where;
    where.bng = *at;
    where.wgs84 = m_transform->to_wgs84(*at);

    std::string out = R"({"type":"Feature","id":)";
    geo::append_json_string(out, *pc);
    out += R"(,"geometry":)";
    append_point(out, where, crs);
    out += R"(,"properties":)";
    geo::JsonObjectWriter obj(out);
    obj.field("postcode", *pc).field("centroid_from", source);
    write_current_ward(obj, *m_wards.index(), *at);
    obj.field("address_count", static_cast<std::int64_t>(rows.size()));
    std::string list = "[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i > 0) {
            list += ',';
        }
        geo::JsonObjectWriter a(list);
        write_address_fields(a, rows[i]);
        std::string position;
        append_position(position, rows[i], crs);
        a.raw_field("coordinates", position);
        a.close();
    }
    list += ']';
    obj.raw_field("addresses", list);
    close_feature(out, obj, crs);
    return out;
}

std::vector<AddressHit> AddressService::find(const std::string& text, int limit) const {
    std::vector<AddressHit> out;
    for (const auto& r : search_rows(m_pool, search_index(), text, clamp_limit(limit))) {
        out.push_back(to_hit(r));
    }
    return out;
}

std::optional<AddressHit> AddressService::nearest_address(geo::EastNorth at,
                                                          double radius_m) const {
    const auto rows = nearest_rows(m_pool, at, radius_m, 1);
    return rows.empty() ? std::nullopt : std::optional<AddressHit>(to_hit(rows.front()));
}

std::optional<AddressHit> AddressService::address_of(std::int64_t uprn) const {
    auto db = m_pool.acquire();
    auto st = db->prepare(std::string("SELECT ") + address_columns +
                          "FROM addresses a JOIN properties p ON p.uprn = a.uprn WHERE "
                          "a.uprn = ?1 ORDER BY a.logical_status = 1 DESC, a.language = 'ENG' "
                          "DESC, a.logical_status, a.id LIMIT 1");
    st.bind(1, uprn);
    if (st.step()) {
        return to_hit(read_row(st));
    }
    // A property with no address (rare in an LLPG) still has a place.
    auto blpu = db->prepare("SELECT easting, northing FROM properties WHERE uprn = ?1");
    blpu.bind(1, uprn);
    if (!blpu.step()) {
        return std::nullopt;
    }
    return AddressHit{uprn, "", std::nullopt, std::nullopt, {blpu.real(0), blpu.real(1)}, 0};
}

} // namespace wardmap::services
