#include "core/working_days.hpp"

#include "geo/errors.hpp"
#include "geo/store/spatialite_point.hpp"
#include "server/services/requests/photo_store.hpp"
#include "server/services/requests/request_internals.hpp"
#include "server/services/requests/request_service.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace wardmap::services {

using namespace request_detail;

void RequestService::scan(const std::string& where,
                          const std::vector<std::string>& binds,
                          const QueryOptions& options,
                          const RowCallback& each) const {
    const bool include_private = options.include_private;
    const auto catalogue = this->catalogue();
    // Only services the catalogue lists as public; never a request marked private.
    std::string codes;
    std::vector<std::string> all = binds;
    for (const auto& s : catalogue->services()) {
        if (!s.is_private && !include_private) {
            all.push_back(s.code);
            codes += (codes.empty() ? "?" : ", ?") + std::to_string(all.size());
        }
    }
    auto db = m_pool.acquire();
    // The unary + keeps SQLite from driving the query by the category index (one range scan
    // per public service, then a sort): the privacy filter checks rows, the date or id index
    // finds them (bench/open311.sh: 10-30 ms -> 1-8 ms at 1,000,000 requests).
    const std::string privacy = include_private
                                    ? std::string("1")
                                    : "r.private = 0 AND +r.category_code IN (" + codes + ")";
    const std::string sql = std::string("SELECT ") + public_columns +
                            "FROM service_requests r WHERE " + privacy + " AND " + where +
                            " ORDER BY r.created_at DESC, r.id DESC LIMIT " +
                            std::to_string(options.limit);
    auto st = options.fixed_text ? db->prepare_cached(sql) : db->prepare(sql);
    for (std::size_t i = 0; i < all.size(); ++i) {
        st.bind(static_cast<int>(i + 1), all[i]);
    }
    const core::UnixSeconds current_time = now();
    // One row object for the whole walk: assigning into its strings reuses their buffers, so
    // a 1,000-request list does not allocate per field.
    PublicRequest r;
    while (st.step()) {
        r.id = st.int64(0);
        r.service_code.assign(st.text(1));
        const ServiceDefinition* service = catalogue->find(r.service_code);
        r.service_name.assign(service ? service->name : r.service_code);
        assign_optional(r.agency_responsible,
                        service && service->agency_responsible
                            ? std::optional<std::string_view>(*service->agency_responsible)
                            : std::optional<std::string_view>(catalogue->council()));
        assign_optional(r.service_notice,
                        service && service->service_notice
                            ? std::optional<std::string_view>(*service->service_notice)
                            : std::nullopt);
        r.status.assign(st.text(2));
        const auto* info = status_info(r.status);
        r.open = info == nullptr || info->open;
        r.description.assign(st.text(3));
        assign_optional(r.address, st.optional_text_view(4));
        r.uprn = optional_int(st, 5);
        assign_optional(r.postcode, st.optional_text_view(6));
        r.requested = parse_stored(st.optional_text_view(7)).value_or(0);
        r.updated = parse_stored(st.optional_text_view(8)).value_or(r.requested);
        if (const auto closed = parse_stored(st.optional_text_view(9)); closed && !r.open) {
            r.updated = *closed;
        }
        r.expected = parse_stored(st.optional_text_view(10));
        assign_optional(r.media_url, st.optional_text_view(11));
        r.channel.assign(st.text(12));
        assign_optional(r.ward_code, st.optional_text_view(13));
        r.usrn = optional_int(st, 14);
        assign_optional(r.priority, st.optional_text_view(15));
        r.duplicate_of = optional_int(st, 16);
        if (const auto lon_lat = store::spatialite_point_xy(st.blob(17))) {
            std::tie(r.lon, r.lat) = *lon_lat;
        } else {
            r.lon = r.lat = 0;
        }
        assign_optional(r.status_notes, st.optional_text_view(18));
        if (const auto at = store::spatialite_point_xy(st.blob(19))) {
            r.at = geo::EastNorth{at->first, at->second};
        } else {
            r.at = {};
        }
        assign_optional(r.photo_id, st.optional_text_view(20));
        r.overdue = r.open && r.expected && *r.expected < current_time;
        each(r);
    }
}

std::vector<PublicRequest> RequestService::query(const std::string& where,
                                                 const std::vector<std::string>& binds,
                                                 const QueryOptions& options) const {
    std::vector<PublicRequest> out;
    scan(where, binds, options, [&out](const PublicRequest& r) { out.push_back(r); });
    return out;
}

void RequestService::list(const RequestQuery& q, const RowCallback& each) const {
    if (!q.ids.empty()) {
        std::string ids;
        for (const auto id : q.ids) {
            ids += (ids.empty() ? "" : ", ") + std::to_string(id);
        }
        scan("r.id IN (" + ids + ")", {}, {.limit = max_requests}, each);
        return;
    }
    const core::UnixSeconds window = static_cast<core::UnixSeconds>(default_window_days) * 86400;
    core::UnixSeconds end = q.end.value_or(q.start ? *q.start + window : now());
    core::UnixSeconds start = q.start.value_or(end - window);
    if (start > end) {
        invalid_parameter("start_date", "is after end_date");
    }
    if (end - start > window) {
        invalid_parameter("end_date", "is more than 90 days after start_date (the most one "
                                      "query may span)");
    }
    std::vector<std::string> binds{core::format_utc(start), core::format_utc(end)};
    std::string where = "r.created_at >= ?1 AND r.created_at <= ?2";
    if (!q.service_codes.empty()) {
        where += " AND r.category_code IN (";
        for (std::size_t i = 0; i < q.service_codes.size(); ++i) {
            binds.push_back(q.service_codes[i]);
            where += (i == 0 ? "?" : ", ?") + std::to_string(binds.size());
        }
        where += ")";
    }
    if (q.include_open != q.include_closed) {
        // is_open (0012) is indexed with created_at: the walk meets only rows that match.
        where += q.include_open ? " AND r.is_open = 1" : " AND r.is_open = 0";
    } else if (!q.include_open) {
        where += " AND 0";
    }
    scan(where, binds, {.limit = max_requests, .fixed_text = true}, each);
}

PublicRequest RequestService::get(std::int64_t id) const {
    auto found = query("r.id = ?1", {std::to_string(id)}, {.fixed_text = true});
    if (found.empty()) {
        throw DomainError(ErrorCode::not_found,
                          "service_request_id " + std::to_string(id) + " not found");
    }
    return std::move(found.front());
}

std::int64_t RequestService::id_for_token(const std::string& token) const {
    auto db = m_pool.acquire();
    auto st = db->prepare_cached("SELECT id FROM service_requests WHERE token_sha256 = ?1");
    st.bind(1, sha256_hex(token));
    if (!st.step()) {
        throw DomainError(ErrorCode::not_found, "token not found");
    }
    return st.int64(0);
}

std::vector<PublicUpdate> RequestService::updates(std::optional<core::UnixSeconds> start,
                                                  std::optional<core::UnixSeconds> end) const {
    const auto catalogue = this->catalogue();
    if (start.has_value() != end.has_value()) {
        invalid_parameter(start ? "end_date" : "start_date",
                          "is required with " + std::string(start ? "start_date" : "end_date") +
                              " (give both or neither)");
    }
    const core::UnixSeconds to = end.value_or(now());
    const core::UnixSeconds from =
        start.value_or(to - static_cast<core::UnixSeconds>(default_window_days) * 86400);
    if (from > to) {
        invalid_parameter("start_date", "is after end_date");
    }
    std::vector<std::string> binds{core::format_utc(from), core::format_utc(to),
                                   reporter_reopened_note};
    std::string codes;
    for (const auto& s : catalogue->services()) {
        if (!s.is_private) {
            binds.push_back(s.code);
            codes += (codes.empty() ? "?" : ", ?") + std::to_string(binds.size());
        }
    }
    auto db = m_pool.acquire();
    // A reporter's own entries are private notes, but a status change they make (reopening)
    // is public fact: pollers see it with a fixed description and never the reporter's words.
    auto st = db->prepare(
        "SELECT h.id, h.request_id, h.to_status, h.at, CASE WHEN h.public = 1 THEN h.note "
        "ELSE ?3 END, CASE WHEN h.public = 1 THEN h.media_url END, CASE WHEN h.public = 1 THEN "
        "(SELECT p.id FROM photos p WHERE p.history_id = h.id ORDER BY p.position LIMIT 1) END "
        "FROM "
        "service_request_history h JOIN service_requests r ON r.id = h.request_id WHERE "
        "h.from_status IS NOT NULL AND (h.public = 1 OR (h.actor = 'reporter' AND "
        "h.to_status <> h.from_status)) AND r.private = 0 AND h.at >= ?1 AND "
        "h.at <= ?2 AND r.category_code IN (" +
        codes + ") ORDER BY h.at, h.id LIMIT " + std::to_string(max_requests));
    for (std::size_t i = 0; i < binds.size(); ++i) {
        st.bind(static_cast<int>(i + 1), binds[i]);
    }
    std::vector<PublicUpdate> out;
    while (st.step()) {
        out.push_back(PublicUpdate{st.int64(0), st.int64(1), std::string(st.text(2)),
                                   core::parse_w3c_datetime(st.text(3)).value_or(0),
                                   std::string(st.text(4)), st.optional_text(5),
                                   st.optional_text(6)});
    }
    return out;
}

std::vector<NearbyRequest> RequestService::duplicates(const std::string& service_code,
                                                      const PointInput& point) const {
    const auto catalogue = this->catalogue();
    const geo::EastNorth at = point_to_bng(point, *m_transform);
    const ServiceDefinition* service = catalogue->find(service_code);
    if (service == nullptr || service->is_private || service->retired) {
        throw DomainError(ErrorCode::not_found, "no public service '" + service_code + "'",
                          {{"service_code", "is not a public service"}});
    }
    const double r = service->duplicate_radius_m;
    std::vector<NearbyRequest> out;
    if (r <= 0) {
        return out;
    }
    char box[160];
    std::snprintf(box, sizeof box,
                  "xmin <= %.3f AND xmax >= %.3f AND ymin <= %.3f AND ymax >= %.3f", at.easting + r,
                  at.easting - r, at.northing + r, at.northing - r);
    const auto rows =
        query(std::string("r.id IN (SELECT pkid FROM idx_service_requests_geom WHERE ") + box +
                  ") AND r.category_code = ?1 AND r.is_open = 1",
              {service_code}, {.limit = max_requests});
    for (const auto& row : rows) {
        const double d = std::hypot(row.at.easting - at.easting, row.at.northing - at.northing);
        if (d <= r) {
            out.push_back(NearbyRequest{row, d});
        }
    }
    std::sort(out.begin(), out.end(), [](const NearbyRequest& a, const NearbyRequest& b) {
        return a.distance_m != b.distance_m ? a.distance_m < b.distance_m
                                            : a.request.id < b.request.id;
    });
    if (out.size() > 20) {
        out.resize(20);
    }
    return out;
}

} // namespace wardmap::services
