#include "server/http/requests/open311_routes.hpp"

#include "geo/utf8.hpp"
#include "server/http/base_url.hpp"
#include "server/http/form_body.hpp"
#include "server/http/multipart.hpp"
#include "server/http/requests/open311_format.hpp"
#include "server/http/requests/photo_routes.hpp"

#include <charconv>
#include <map>

namespace wardmap::http {

using services::DomainError;
using services::ErrorCode;
using services::invalid_parameter;

namespace {

constexpr const char* prefix = "/open311/v2/";
/// When this API last changed (discovery's changeset).
constexpr const char* api_changeset = "2026-11-21T00:00:00Z";
constexpr std::size_t max_post_bytes = 64 * 1024;

using services::Permission;
using services::RouteAccess;

/// Every Open311 route answers its errors as Open311 error lists, access refusals included.
RouteOptions open311_options(RouteAccess access, std::size_t max_body_bytes = max_post_bytes) {
    return RouteOptions{
        .max_body_bytes = max_body_bytes, .render_error = open311_error, .access = access};
}
RouteOptions open311_public() {
    return open311_options(RouteAccess::public_route());
}

/// The format of a "{name}.{fmt}" path parameter, and the name. 404 without a suffix.
std::pair<std::string, Open311Format> named(const Request& request, const std::string& param) {
    auto split = split_format(request.param(param));
    if (!split) {
        throw DomainError(ErrorCode::not_found,
                          "Open311 resources end in .json or .xml: " + request.path);
    }
    return *split;
}

std::vector<std::string> comma_list(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(',', start);
        const auto end = comma == std::string::npos ? text.size() : comma;
        auto item = text.substr(start, end - start);
        const auto first = item.find_first_not_of(' ');
        const auto last = item.find_last_not_of(' ');
        if (first != std::string::npos) {
            out.push_back(item.substr(first, last - first + 1));
        }
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
    return out;
}

std::int64_t request_id(const std::string& text, const std::string& name) {
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || ptr != end || v < 1) {
        invalid_parameter(name,
                          "must be a service_request_id (a whole number), not '" + text + "'");
    }
    return v;
}

std::optional<core::UnixSeconds> date_param(const Request& request, const std::string& name) {
    const auto text = request.query_param(name);
    if (!text) {
        return std::nullopt;
    }
    const auto t = core::parse_w3c_datetime(*text);
    if (!t) {
        invalid_parameter(name, "must be a W3C date-time with a zone (e.g. "
                                "2026-11-01T00:00:00Z), not '" +
                                    *text + "'");
    }
    return t;
}

/// A jurisdiction_id, when given, must be ours (404 otherwise, as the spec says).
void check_jurisdiction(const std::optional<std::string>& given,
                        const services::ServiceCatalogue& catalogue) {
    if (given && *given != catalogue.jurisdiction_id()) {
        throw DomainError(ErrorCode::not_found,
                          "jurisdiction_id '" + *given + "' not found (this server is " +
                              catalogue.jurisdiction_id() + ")",
                          {{"jurisdiction_id", "is not served here"}});
    }
}

std::string join_keywords(const services::ServiceDefinition& s) {
    std::string out;
    for (const auto& k : s.keywords) {
        out += (out.empty() ? "" : ", ") + k;
    }
    if (s.is_private && out.find("private") == std::string::npos) {
        out += (out.empty() ? "" : ", ") + std::string("private");
    }
    return out;
}

void write_service(Open311Writer& w, const services::ServiceDefinition& s) {
    w.begin_object()
        .field("service_code", s.code)
        .field("service_name", s.name)
        .field("description", s.description)
        .field("metadata", !s.attributes.empty())
        .field("type", "realtime")
        .field("keywords", join_keywords(s))
        .field("group", s.group)
        .end();
}

void write_definition(Open311Writer& w, const services::ServiceDefinition& s) {
    w.begin_object().field("service_code", s.code).begin_list("attributes");
    for (const auto& a : s.attributes) {
        w.begin_object()
            .field("variable", a.variable)
            .field("code", a.code)
            .field("datatype", services::to_string(a.datatype))
            .field("required", a.required)
            .field("datatype_description", a.datatype_description)
            .field("order", a.order)
            .field("description", a.description);
        if (!a.values.empty()) {
            w.begin_list("values");
            for (const auto& v : a.values) {
                w.begin_object().field("key", v.key).field("name", v.name).end();
            }
            w.end();
        }
        w.end();
    }
    w.end().end();
}

std::optional<std::string> optional_id(const std::optional<std::int64_t>& id) {
    return id ? std::optional<std::string>(std::to_string(*id)) : std::nullopt;
}

/// A stored external media_url as Open311 shows it: only one that would pass the check on input
/// now (rows stored before it are not republished), and this server's own photo path made
/// absolute, as the spec's readers expect a URL.
std::optional<std::string> shown_media_url(const Request& request,
                                           const std::optional<std::string>& stored) {
    if (!stored || services::media_url_problem(*stored)) {
        return std::nullopt;
    }
    return stored->starts_with('/') ? public_base_url(request) + *stored : *stored;
}

/// One request as Open311 shows it (fields a request lacks are left out), plus wardmap's
/// extended_attributes when asked for.
void write_request(Open311Writer& w,
                   const Request& request,
                   const services::PublicRequest& r,
                   bool extensions) {
    w.begin_object()
        .field("service_request_id", std::to_string(r.id))
        .field("status", r.open ? "open" : "closed")
        .field_if("status_notes", r.status_notes)
        .field("service_name", r.service_name)
        .field("service_code", r.service_code)
        .field("description", r.description)
        .field_if("agency_responsible", r.agency_responsible)
        .field_if("service_notice", r.service_notice)
        .field("requested_datetime", core::format_w3c_uk(r.requested))
        .field("updated_datetime", core::format_w3c_uk(r.updated));
    if (r.expected) {
        w.field("expected_datetime", core::format_w3c_uk(*r.expected));
    }
    w.field_if("address", r.address).field_if("address_id", optional_id(r.uprn));
    w.field_if("zipcode", r.postcode);
    w.field("lat", r.lat, open311_coordinate_decimals)
        .field("long", r.lon, open311_coordinate_decimals);
    if (r.photo_id) {
        w.field("media_url", photo_url(request, *r.photo_id));
    } else if (const auto url = shown_media_url(request, r.media_url)) {
        w.field("media_url", *url);
    }
    if (extensions) {
        w.begin_object("extended_attributes")
            .field("status", r.status)
            .field("channel", r.channel)
            .field("ward", r.ward_code)
            .field("usrn", optional_id(r.usrn))
            .field("priority", r.priority)
            .field("duplicate", optional_id(r.duplicate_of))
            .field("overdue", r.overdue)
            .end();
    }
    w.end();
}

/// A list of one object with one or two text fields: what POSTs and tokens answer.
Response one_item(Open311Format format,
                  std::string_view root,
                  std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
    Open311Writer w(format, root);
    w.begin_list().begin_object();
    for (const auto& [name, value] : fields) {
        w.field(name, value);
    }
    w.end().end();
    return open311_response(w);
}

bool extensions_param(const Request& request) {
    const auto v = request.query_param("extensions");
    if (!v || *v == "false") {
        return false;
    }
    if (*v == "true") {
        return true;
    }
    invalid_parameter("extensions", "must be true or false, not '" + *v + "'");
}

services::RequestQuery requests_query(const Request& request) {
    services::RequestQuery q;
    if (const auto ids = request.query_param("service_request_id")) {
        for (const auto& id : comma_list(*ids)) {
            q.ids.push_back(request_id(id, "service_request_id"));
        }
        if (q.ids.size() > services::RequestService::max_requests) {
            invalid_parameter("service_request_id", "lists more than 1000 ids");
        }
        return q; // overrides every other argument
    }
    if (const auto codes = request.query_param("service_code")) {
        q.service_codes = comma_list(*codes);
    }
    q.start = date_param(request, "start_date");
    q.end = date_param(request, "end_date");
    if (const auto status = request.query_param("status")) {
        q.include_open = false;
        q.include_closed = false;
        for (const auto& s : comma_list(*status)) {
            if (s == "open") {
                q.include_open = true;
            } else if (s == "closed") {
                q.include_closed = true;
            } else {
                invalid_parameter("status", "must be open, closed or both (comma-separated), "
                                            "not '" +
                                                s + "'");
            }
        }
    }
    return q;
}

/// Fields of a form, url-encoded or multipart/form-data (whose `media` file fields are
/// kept as uploads): first value of a name; empty values are absent.
class Form {
  public:
    explicit Form(const Request& request) {
        // Some clients put api_key (and more) in the query string of a POST.
        for (const auto& [name, value] : request.query) {
            add(name, value);
        }
        const auto boundary = multipart_boundary(request.header("Content-Type").value_or(""));
        if (!boundary) {
            if (request.body.size() > max_post_bytes) {
                throw DomainError(ErrorCode::payload_too_large,
                                  "a form-encoded body may be at most " +
                                      std::to_string(max_post_bytes) +
                                      " bytes (send photos as multipart/form-data 'media')");
            }
            for (auto& [name, value] : parse_form_body(request)) {
                add(name, value);
            }
            return;
        }
        for (auto& part : parse_multipart(request.body, *boundary)) {
            if (part.name == "media" || part.name == "media[]") {
                if (!part.body.empty()) {
                    m_files.push_back(std::move(part.body));
                }
                continue;
            }
            if (part.filename) {
                invalid_parameter(part.name, "is a file; only 'media' takes files");
            }
            if (part.body.find('\0') != std::string::npos || !geo::is_valid_utf8(part.body)) {
                invalid_parameter(part.name, "is not UTF-8 text");
            }
            add(part.name, part.body);
        }
    }
    /// Files of the multipart `media` field, in order.
    [[nodiscard]] const std::vector<std::string>& files() const { return m_files; }
    [[nodiscard]] std::optional<std::string> get(const std::string& name) const {
        const auto it = m_fields.find(name);
        return it == m_fields.end() ? std::nullopt : std::optional<std::string>(it->second);
    }
    /// attribute[code]=v and attribute[code][]=v.
    [[nodiscard]] const std::map<std::string, std::vector<std::string>>& attributes() const {
        return m_attributes;
    }

  private:
    void add(const std::string& name, const std::string& value) {
        if (name.starts_with("attribute[") && name.size() > 11) {
            const auto close = name.find(']');
            if (close != std::string::npos && close > 10) {
                const std::string rest = name.substr(close + 1);
                if (rest.empty() || rest == "[]") {
                    m_attributes[name.substr(10, close - 10)].push_back(value);
                    return;
                }
            }
        }
        if (!value.empty()) {
            m_fields.emplace(name, value); // the first one wins
        }
    }
    std::map<std::string, std::string> m_fields;
    std::map<std::string, std::vector<std::string>> m_attributes;
    std::vector<std::string> m_files;
};

Response discovery(const Request& request,
                   const services::ServiceCatalogue& catalogue,
                   Open311Format format) {
    const std::string host = request.header("Host").value_or("localhost");
    const std::string scheme =
        request.header("X-Forwarded-Proto").value_or("http") == "https" ? "https" : "http";
    Open311Writer w(format, "discovery");
    w.begin_object()
        .field("changeset", api_changeset)
        .field("contact", catalogue.contact())
        .field("key_service", catalogue.key_service())
        .begin_list("endpoints")
        .begin_object()
        .field("specification", "http://wiki.open311.org/GeoReport_v2")
        .field("url", scheme + "://" + host + "/open311/v2")
        .field("changeset", api_changeset)
        .field("type", "production")
        .begin_list("formats")
        .item("text/xml")
        .item("application/json")
        .end()
        .end()
        .end()
        .end();
    return open311_response(w);
}

} // namespace

void add_open311_routes(Router& router,
                        const services::RequestService& requests,
                        const services::PhotoService& photos) {
    // A POST requests may carry up to three photos as multipart `media`.
    const std::size_t max_multipart_bytes =
        services::max_photos_per_item * photos.limits().max_bytes + max_post_bytes;
    // Jurisdiction, council and contact are the data file's and never change; services are
    // read from the live catalogue on each request.
    const auto catalogue = requests.catalogue();
    const std::string base = prefix;
    for (const auto format : {Open311Format::json, Open311Format::xml}) {
        const std::string ext = format == Open311Format::json ? ".json" : ".xml";
        router.get(
            base + "discovery" + ext,
            [catalogue, format](Request& request) {
                return discovery(request, *catalogue, format);
            },
            open311_public());
        router.get(
            base + "services" + ext,
            [&requests, catalogue, format](Request& request) {
                check_jurisdiction(request.query_param("jurisdiction_id"), *catalogue);
                Open311Writer w(format, "services");
                w.begin_list();
                const auto live = requests.catalogue();
                for (const auto& s : live->services()) {
                    if (!s.retired) {
                        write_service(w, s);
                    }
                }
                w.end();
                return open311_response(w);
            },
            open311_public());
        router.get(
            base + "requests" + ext,
            [&requests, catalogue, format](Request& request) {
                check_jurisdiction(request.query_param("jurisdiction_id"), *catalogue);
                const bool extensions = extensions_param(request);
                const auto query = requests_query(request);
                Open311Writer w(format, "service_requests");
                // About 600 bytes a request in JSON, 900 in XML, for up to 1,000 requests (or
                // the ids asked for); pages never written stay untouched.
                w.reserve(1024 * (query.ids.empty()
                                      ? std::size_t{services::RequestService::max_requests}
                                      : query.ids.size()));
                w.begin_list();
                requests.list(query, [&](const services::PublicRequest& r) {
                    write_request(w, request, r, extensions);
                });
                w.end();
                return open311_response(w);
            },
            open311_public());
        router.post(
            base + "requests" + ext,
            [&requests, catalogue, &photos, format](Request& request) {
                const Form form(request);
                check_jurisdiction(form.get("jurisdiction_id"), *catalogue);
                services::NewRequest n;
                if (form.files().size() > services::max_photos_per_item) {
                    invalid_parameter("media", "at most 3 photos are taken with a request");
                }
                if (!form.files().empty()) {
                    // A bad key fails before any image work.
                    (void)requests.authenticate(form.get("api_key"), false);
                }
                for (const auto& file : form.files()) {
                    n.uploads.push_back(photos.encode(file, "media"));
                }
                n.photo_id = form.get("photo_id");
                n.client_address = request.client_address;
                n.api_key = form.get("api_key");
                n.service_code = form.get("service_code");
                n.lat = form.get("lat");
                n.lon = form.get("long");
                n.address_string = form.get("address_string");
                n.address_id = form.get("address_id");
                n.email = form.get("email");
                n.phone = form.get("phone");
                n.first_name = form.get("first_name");
                n.last_name = form.get("last_name");
                n.account_id = form.get("account_id");
                n.device_id = form.get("device_id");
                if (!n.device_id) {
                    n.device_id = form.get("deviceid"); // FixMyStreet's spelling
                }
                n.description = form.get("description");
                n.media_url = form.get("media_url");
                n.attributes = form.attributes();
                const auto created = requests.create(n);
                Open311Writer w(format, "service_requests");
                w.begin_list()
                    .begin_object()
                    .field("service_request_id", std::to_string(created.id))
                    .field_if("service_notice", created.service_notice)
                    .field_if("account_id", created.account_id)
                    // wardmap's extension: the reporter's private tracking token (shown once).
                    .field("tracking_token", created.token)
                    .end()
                    .end();
                return open311_response(w);
            },
            open311_options(RouteAccess::needs(Permission::request_create), max_multipart_bytes));
        router.get(
            base + "servicerequestupdates" + ext,
            [&requests, catalogue, format](Request& request) {
                check_jurisdiction(request.query_param("jurisdiction_id"), *catalogue);
                const auto updates = requests.updates(date_param(request, "start_date"),
                                                      date_param(request, "end_date"));
                Open311Writer w(format, "service_request_updates");
                w.begin_list();
                for (const auto& u : updates) {
                    w.begin_object()
                        .field("update_id", std::to_string(u.update_id))
                        .field("service_request_id", std::to_string(u.request_id))
                        .field("status", u.status)
                        .field("updated_datetime", core::format_w3c_uk(u.at))
                        .field("description", u.description)
                        .field("media_url",
                               u.photo_id ? photo_url(request, *u.photo_id)
                                          : shown_media_url(request, u.media_url).value_or(""))
                        .end();
                }
                w.end();
                return open311_response(w);
            },
            open311_public());
        router.post(
            base + "servicerequestupdates" + ext,
            [&requests, catalogue, format](Request& request) {
                const Form form(request);
                check_jurisdiction(form.get("jurisdiction_id"), *catalogue);
                services::StatusUpdate u;
                u.client_address = request.client_address;
                u.api_key = form.get("api_key");
                u.service_request_id = form.get("service_request_id");
                u.update_id = form.get("update_id");
                u.status = form.get("status");
                u.updated_datetime = form.get("updated_datetime");
                u.description = form.get("description");
                u.media_url = form.get("media_url");
                u.photo_id = form.get("photo_id");
                u.duplicate_of = form.get("duplicate_of");
                if (request.principal.signed_in()) {
                    u.by_person = request.principal;
                }
                const auto id = requests.post_update(u);
                return one_item(format, "service_request_updates",
                                {{"update_id", std::to_string(id)}});
            },
            open311_options(RouteAccess::needs(Permission::request_update)));
    }
    router.get(
        base + "services/:code",
        [&requests, catalogue](Request& request) {
            check_jurisdiction(request.query_param("jurisdiction_id"), *catalogue);
            const auto [code, format] = named(request, "code");
            const auto live = requests.catalogue();
            const auto* service = live->find(code);
            if (service == nullptr || service->retired) {
                throw DomainError(ErrorCode::not_found, "service_code '" + code + "' not found");
            }
            Open311Writer w(format, "service_definition");
            write_definition(w, *service);
            return open311_response(w);
        },
        open311_public());
    router.get(
        base + "requests/:id",
        [&requests, catalogue](Request& request) {
            check_jurisdiction(request.query_param("jurisdiction_id"), *catalogue);
            const auto [id, format] = named(request, "id");
            const auto found = requests.get(request_id(id, "service_request_id"));
            Open311Writer w(format, "service_requests");
            w.begin_list();
            write_request(w, request, found, extensions_param(request));
            w.end();
            return open311_response(w);
        },
        open311_public());
    router.get(
        base + "tokens/:token",
        [&requests, catalogue](Request& request) {
            check_jurisdiction(request.query_param("jurisdiction_id"), *catalogue);
            const auto [token, format] = named(request, "token");
            const auto id = requests.id_for_token(token);
            return one_item(format, "service_requests",
                            {{"service_request_id", std::to_string(id)}, {"token", token}});
        },
        open311_options(RouteAccess::resident_token()));
    // Anything else under the prefix is an Open311 404, in Open311's error format.
    for (const char* method : {"GET", "POST"}) {
        router.add(
            method, base + "*",
            [](Request& request) -> Response {
                throw DomainError(ErrorCode::not_found,
                                  "there is no Open311 resource at " + request.path);
            },
            open311_public());
    }
}

} // namespace wardmap::http
