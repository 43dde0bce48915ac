#include "server/http/burials/booking_routes.hpp"

#include "server/http/burials/burial_http.hpp"
#include "server/http/json_body.hpp"
#include "server/http/multipart.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

namespace wardmap::http {

using services::invalid_parameter;
using services::Permission;
using services::RouteAccess;

namespace {

using burials::caller_of;
using burials::opt;
using ojson = nlohmann::ordered_json;

ojson booking_json(const services::Booking& b) {
    ojson doc{{"id", b.id},
              {"cemetery_id", b.cemetery_id},
              {"cemetery", b.cemetery},
              {"date", b.date},
              {"time", b.time},
              {"firm", b.firm},
              {"status", b.status},
              {"deceased",
               {{"forenames", opt(b.forenames)},
                {"surname", b.surname},
                {"died_on", b.died_on},
                {"age_years", opt(b.age_years)}}},
              {"interment_kind", b.interment_kind},
              {"grave_id", opt(b.grave_id)},
              {"grave_number", opt(b.grave_number)},
              {"deed_number", opt(b.deed_number)},
              {"new_grave", b.new_section_id ? ojson{{"section_id", *b.new_section_id},
                                                     {"section", opt(b.new_section)},
                                                     {"grave_type", opt(b.new_grave_type)}}
                                             : ojson(nullptr)},
              {"notes", opt(b.notes)},
              {"requested_at", b.requested_at},
              {"requested_by", b.requested_by}};
    return doc;
}

Response no_store(Response r) {
    r.header("Cache-Control", "no-store");
    return r;
}

nlohmann::json object_body(const Request& request) {
    if (request.body.empty()) {
        return nlohmann::json::object();
    }
    auto body = parse_json_body(request);
    if (!body.is_object()) {
        throw services::DomainError(services::ErrorCode::malformed_body,
                                    "the body must be a JSON object");
    }
    return body;
}

void only_params(const Request& request, std::initializer_list<std::string_view> known) {
    for (const auto& [name, value] : request.query) {
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            invalid_parameter(name.substr(0, 40), "is not a parameter of this route");
        }
    }
}

} // namespace

void add_booking_routes(Router& router, services::BookingService& bookings) {
    const RouteOptions book{.access = RouteAccess::needs(Permission::burial_book)};
    const RouteOptions decide{.access = RouteAccess::needs(Permission::burial_record)};

    router.get(
        "/api/burials/slots",
        [&bookings](Request& request) {
            only_params(request, {"cemetery", "date"});
            const auto cemetery = request.query_param("cemetery");
            if (!cemetery) {
                invalid_parameter("cemetery", "is required: the cemetery's id");
            }
            const auto date = request.query_param("date");
            if (!date) {
                invalid_parameter("date", "is required: YYYY-MM-DD");
            }
            ojson slots = ojson::array();
            for (const auto& s :
                 bookings.slots(burials::positive_id(*cemetery, "cemetery"), *date)) {
                slots.push_back({{"time", s.time}, {"free", s.free}});
            }
            return no_store(Response::json(ojson{
                {"cemetery", burials::positive_id(*cemetery, "cemetery")},
                {"date", *date},
                {"slots", slots}}.dump()));
        },
        book);

    router.post(
        "/api/burials/bookings",
        [&bookings](Request& request) {
            const auto in = services::parse_booking_body(request.body);
            const auto id = bookings.create(in, caller_of(request));
            Response r = Response::json(ojson{{"id", id}, {"status", "requested"}}.dump(), 201);
            r.header("Location", "/api/burials/bookings/" + std::to_string(id));
            return no_store(std::move(r));
        },
        book);

    router.get(
        "/api/burials/bookings",
        [&bookings](Request& request) {
            only_params(request, {"date", "status"});
            services::BookingFilter filter{request.query_param("date"),
                                           request.query_param("status")};
            ojson out = ojson::array();
            for (const auto& b : bookings.list(filter, caller_of(request))) {
                out.push_back(booking_json(b));
            }
            return no_store(Response::json(ojson{{"bookings", out}}.dump()));
        },
        book);

    router.get(
        "/api/burials/bookings/:id",
        [&bookings](Request& request) {
            const auto b = bookings.get(burials::positive_id(request.param("id"), "booking"),
                                        caller_of(request));
            ojson doc = booking_json(b);
            ojson events = ojson::array();
            for (const auto& e : b.events) {
                events.push_back({{"status", e.status},
                                  {"reason", opt(e.reason)},
                                  {"grave_id", opt(e.grave_id)},
                                  {"visit_id", opt(e.visit_id)},
                                  {"interment_id", opt(e.interment_id)},
                                  {"at", e.at},
                                  {"by", e.by}});
            }
            ojson docs = ojson::array();
            for (const auto& d : b.documents) {
                docs.push_back({{"id", d.id},
                                {"kind", d.kind},
                                {"filename", d.filename},
                                {"content_type", d.content_type},
                                {"size_bytes", d.size_bytes},
                                {"sha256", d.sha256},
                                {"uploaded_at", d.uploaded_at},
                                {"uploaded_by", d.uploaded_by}});
            }
            doc["events"] = std::move(events);
            doc["documents"] = std::move(docs);
            return no_store(Response::json(doc.dump()));
        },
        book);

    router.post(
        "/api/burials/bookings/:id/documents",
        [&bookings](Request& request) {
            const auto id = burials::positive_id(request.param("id"), "booking");
            const auto boundary = multipart_boundary(request.header("Content-Type").value_or(""));
            if (!boundary) {
                throw services::DomainError(services::ErrorCode::malformed_body,
                                            "send multipart/form-data with a kind and a file");
            }
            std::optional<std::string> kind;
            std::optional<services::DocumentFile> file;
            for (auto& part : parse_multipart(request.body, *boundary)) {
                if (part.name == "kind" && !part.filename) {
                    kind = std::move(part.body);
                } else if (part.name == "file" && part.filename) {
                    file =
                        services::DocumentFile{std::move(*part.filename),
                                               std::move(part.content_type), std::move(part.body)};
                } else {
                    invalid_parameter(part.name.substr(0, 40),
                                      "is not a field of an upload (kind, file)");
                }
            }
            if (!kind) {
                invalid_parameter("kind", "is required");
            }
            if (!file) {
                invalid_parameter("file", "is required: the document's file");
            }
            const auto doc = bookings.add_document(id, *kind, *file, caller_of(request));
            Response r = Response::json(ojson{{"id", doc}}.dump(), 201);
            r.header("Location", "/api/burials/bookings/" + std::to_string(id) + "/documents/" +
                                     std::to_string(doc));
            return no_store(std::move(r));
        },
        RouteOptions{.max_body_bytes = services::booking_document_max_bytes + 64 * 1024,
                     .render_error = {},
                     .access = RouteAccess::needs(Permission::burial_book)});

    router.get(
        "/api/burials/bookings/:id/documents/:doc",
        [&bookings](Request& request) {
            const auto file = bookings.document(
                burials::positive_id(request.param("id"), "booking"),
                burials::positive_id(request.param("doc"), "document"), caller_of(request));
            Response r = Response::text(file.body, file.content_type);
            r.compressible = false;
            r.header("Content-Disposition", "attachment; filename=\"" + file.filename + "\"");
            r.header("X-Content-Type-Options", "nosniff");
            r.header("Content-Security-Policy", "default-src 'none'; sandbox");
            return no_store(std::move(r));
        },
        book);

    router.post(
        "/api/burials/bookings/:id/withdraw",
        [&bookings](Request& request) {
            const auto id = burials::positive_id(request.param("id"), "booking");
            (void)object_body(request);
            bookings.withdraw(id, caller_of(request));
            return no_store(Response::json(ojson{{"id", id}, {"status", "withdrawn"}}.dump()));
        },
        book);

    router.post(
        "/api/burials/bookings/:id/confirm",
        [&bookings](Request& request) {
            const auto id = burials::positive_id(request.param("id"), "booking");
            const auto body = object_body(request);
            std::optional<std::int64_t> grave;
            std::optional<std::string> crew;
            for (const auto& [name, value] : body.items()) {
                if (name == "grave_id") {
                    if (!value.is_number_integer() || value.get<std::int64_t>() < 1) {
                        invalid_parameter("grave_id", "must be a grave's id");
                    }
                    grave = value.get<std::int64_t>();
                } else if (name == "crew") {
                    if (!value.is_string() || value.get<std::string>().size() > 40) {
                        invalid_parameter("crew", "must be a crew's code");
                    }
                    crew = value.get<std::string>();
                } else {
                    invalid_parameter(name.substr(0, 40), "is not a member (grave_id, crew)");
                }
            }
            bookings.confirm(id, grave, crew, caller_of(request));
            return no_store(Response::json(ojson{{"id", id}, {"status", "confirmed"}}.dump()));
        },
        decide);

    router.post(
        "/api/burials/bookings/:id/refuse",
        [&bookings](Request& request) {
            const auto id = burials::positive_id(request.param("id"), "booking");
            const auto body = object_body(request);
            std::string reason;
            for (const auto& [name, value] : body.items()) {
                if (name != "reason") {
                    invalid_parameter(name.substr(0, 40), "is not a member (reason)");
                }
                if (!value.is_string()) {
                    invalid_parameter("reason", "must be a string");
                }
                reason = value.get<std::string>();
            }
            bookings.refuse(id, reason, caller_of(request));
            return no_store(Response::json(ojson{{"id", id}, {"status", "refused"}}.dump()));
        },
        decide);
}

} // namespace wardmap::http
