#include "server/http/access/audit_routes.hpp"

#include "core/dates.hpp"
#include "core/w3c_time.hpp"

#include "geo/geojson_writer.hpp"
#include "server/http/csv.hpp"

#include <algorithm>
#include <charconv>

namespace wardmap::http {

using services::invalid_parameter;

namespace {

std::optional<std::int64_t>
whole_number(const Request& request, const std::string& name, const char* meaning) {
    const auto text = request.query_param(name);
    if (!text) {
        return std::nullopt;
    }
    std::int64_t value = 0;
    const char* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, value);
    if (ec != std::errc() || ptr != end || value < 1) {
        invalid_parameter(name, std::string("must be ") + meaning + ", not '" + *text + "'");
    }
    return value;
}

/// A date means its whole UTC day: `from` its start, `to` the start of the next.
std::optional<std::int64_t> instant(const Request& request, const std::string& name, bool end) {
    const auto text = request.query_param(name);
    if (!text) {
        return std::nullopt;
    }
    if (const auto date = core::parse_iso_date(*text)) {
        const auto midnight = core::parse_w3c_datetime(date->iso() + "T00:00:00Z");
        return *midnight + (end ? 86400 : 0);
    }
    if (const auto t = core::parse_w3c_datetime(*text)) {
        return *t;
    }
    invalid_parameter(name, "must be a date (YYYY-MM-DD) or a W3C date-time with a zone, not '" +
                                *text + "'");
}

services::AuditQuery audit_query(const Request& request, int default_limit) {
    services::AuditQuery query;
    query.person = whole_number(request, "person", "a person's id");
    query.record_kind = request.query_param("record_kind");
    query.record_id = request.query_param("record_id");
    query.from = instant(request, "from", false);
    query.to = instant(request, "to", true);
    const auto limit = whole_number(request, "limit", "a whole number from 1 to 10000");
    query.limit =
        limit ? static_cast<int>(std::min<std::int64_t>(*limit, 1'000'000'000)) : default_limit;
    return query;
}

Response audit_json(const Request& request, const services::AuditService& audit) {
    std::string entries = "[";
    audit.list(audit_query(request, 100), [&entries](const services::AuditEntry& e) {
        entries += entries.size() > 1 ? "," : "";
        geo::JsonObjectWriter obj(entries);
        obj.field("id", e.id)
            .field("at", e.at)
            .field("actor_kind", e.actor_kind)
            .field("actor_id", e.actor_id)
            .field("actor_name", e.actor_name)
            .field("action", e.action)
            .field("record_kind", e.record_kind)
            .field("record_id", e.record_id)
            .field("route", e.route)
            .field("client_address", e.client_address);
        obj.close();
    });
    entries += ']';
    std::string out;
    geo::JsonObjectWriter obj(out);
    obj.raw_field("entries", entries);
    obj.close();
    Response response = Response::json(std::move(out));
    response.header("Cache-Control", "no-store");
    return response;
}

Response audit_csv(const Request& request, const services::AuditService& audit) {
    std::string out;
    append_csv_row(out, {"id", "at", "actor_kind", "actor_id", "actor_name", "action",
                         "record_kind", "record_id", "route", "client_address"});
    audit.list(audit_query(request, services::AuditQuery::max_limit),
               [&out](const services::AuditEntry& e) {
                   append_csv_row(out, {std::to_string(e.id), e.at, e.actor_kind,
                                        std::to_string(e.actor_id), e.actor_name, e.action,
                                        e.record_kind, e.record_id, e.route, e.client_address});
               });
    Response response = Response::text(std::move(out), "text/csv; charset=utf-8; header=present");
    response.header("Content-Disposition", "attachment; filename=\"audit.csv\"");
    response.header("Cache-Control", "no-store");
    return response;
}

} // namespace

void add_audit_routes(Router& router, const services::AuditService& audit) {
    const RouteOptions auditors{.access =
                                    services::RouteAccess::needs(services::Permission::audit_read)};
    router.get(
        "/api/audit", [&audit](Request& request) { return audit_json(request, audit); }, auditors);
    router.get(
        "/api/audit.csv", [&audit](Request& request) { return audit_csv(request, audit); },
        auditors);
}

} // namespace wardmap::http
