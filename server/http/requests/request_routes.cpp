#include "server/http/requests/request_routes.hpp"

#include "geo/geojson_writer.hpp"
#include "server/http/json_body.hpp"
#include "server/http/query_params.hpp"
#include "server/http/requests/open311_format.hpp"
#include "server/http/requests/photo_routes.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>

namespace wardmap::http {

using services::invalid_parameter;

namespace {

std::int64_t id_param(const Request& request) {
    const std::string& text = request.param("id");
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || ptr != end || v < 1) {
        invalid_parameter("id", "must be a service request id, not '" + text + "'");
    }
    return v;
}

Response duplicates(const Request& request, const services::RequestService& requests) {
    const auto code = request.query_param("service_code");
    if (!code) {
        invalid_parameter("service_code", "is required");
    }
    services::PointInput point;
    point.x = number_param(request, "lon", "longitude in degrees, WGS84");
    point.y = number_param(request, "lat", "latitude in degrees, WGS84");
    const auto found = requests.duplicates(*code, point);
    std::string out = R"({"type":"FeatureCollection","features":[)";
    for (std::size_t i = 0; i < found.size(); ++i) {
        const auto& r = found[i].request;
        out += i == 0 ? "" : ",";
        out += R"({"type":"Feature","id":)";
        geo::append_integer(out, r.id);
        out += R"(,"geometry":{"type":"Point","coordinates":[)";
        geo::append_number(out, r.lon, geo::wgs84_decimals);
        out += ',';
        geo::append_number(out, r.lat, geo::wgs84_decimals);
        out += R"(]},"properties":)";
        geo::JsonObjectWriter p(out);
        p.field("service_request_id", std::to_string(r.id))
            .field("service_code", r.service_code)
            .field("service_name", r.service_name)
            .field("status", r.status)
            .field("description", r.description)
            .field("requested_datetime", core::format_w3c_uk(r.requested))
            .field("distance_m", found[i].distance_m, geo::metre_decimals);
        p.close();
        out += '}';
    }
    out += R"(],"numberReturned":)";
    geo::append_integer(out, static_cast<std::int64_t>(found.size()));
    const auto catalogue = requests.catalogue();
    const auto* service = catalogue->find(*code);
    out += R"(,"radius_m":)";
    geo::append_number(out, service ? service->duplicate_radius_m : 0, geo::metre_decimals);
    out += '}';
    return Response::geojson(std::move(out));
}

/// [{"id","url","thumbnail_url"}, ...] of photos.
std::string photo_list(const Request& request, const std::vector<std::string>& ids) {
    std::string out = "[";
    for (const auto& id : ids) {
        out += out.size() > 1 ? "," : "";
        geo::JsonObjectWriter p(out);
        p.field("id", id)
            .field("url", photo_url(request, id))
            .field("thumbnail_url", photo_url(request, id, true));
        p.close();
    }
    return out + "]";
}

std::string tracking_json(const Request& request, const services::Tracking& t) {
    const auto& r = t.request;
    std::string history = "[";
    for (const auto& h : t.history) {
        history += history.size() > 1 ? "," : "";
        geo::JsonObjectWriter e(history);
        e.field("at", core::format_w3c_uk(h.at))
            .field("from", h.from)
            .field("to", h.to)
            .field("note", h.note)
            .field("by", h.by_council ? "council" : (h.from ? "reporter" : "report"))
            .raw_field("photos", photo_list(request, h.photo_ids));
        e.close();
    }
    history += ']';
    std::string out;
    geo::JsonObjectWriter obj(out);
    obj.field("service_request_id", std::to_string(r.id))
        .field("service_code", r.service_code)
        .field("service_name", r.service_name)
        .field("status", r.status)
        .field("open", r.open)
        .field("description", r.description)
        .field("address", r.address)
        // The point as Open311's requests.json publishes it (geom_wgs84, 6 decimals): nothing
        // finer than what any reader of a public request already sees.
        .field("lat", r.lat, open311_coordinate_decimals)
        .field("long", r.lon, open311_coordinate_decimals)
        .field("requested_datetime", core::format_w3c_uk(r.requested))
        .field("expected_datetime",
               r.expected ? std::optional<std::string>(core::format_w3c_uk(*r.expected))
                          : std::nullopt)
        .field("overdue", r.overdue)
        .raw_field("photos", photo_list(request, t.photo_ids))
        .raw_field("history", history);
    obj.close();
    return out;
}

Response tracking(const Request& request, const services::Tracking& t) {
    Response response = Response::json(tracking_json(request, t));
    response.header("Cache-Control", "no-store");
    return response;
}

std::optional<core::Date> date_param(const Request& request, const std::string& name) {
    const auto text = request.query_param(name);
    if (!text) {
        return std::nullopt;
    }
    const auto date = core::parse_iso_date(*text);
    if (!date) {
        invalid_parameter(name, "must be a calendar date as YYYY-MM-DD, not '" + *text + "'");
    }
    return date;
}

void write_figures(geo::JsonObjectWriter& obj, const services::KpiFigures& f) {
    const auto share = [](std::int64_t part, std::int64_t whole) {
        return whole == 0 ? std::optional<double>() : static_cast<double>(part) / whole;
    };
    const auto number_or_null = [&obj](const char* key, std::optional<double> v, int decimals) {
        if (v) {
            obj.field(key, *v, decimals);
        } else {
            obj.null_field(key);
        }
    };
    obj.field("received", f.received);
    std::string channels;
    geo::JsonObjectWriter c(channels);
    for (const auto& [channel, count] : f.by_channel) {
        c.field(channel, count);
    }
    c.close();
    obj.raw_field("by_channel", channels);
    number_or_null("online_share", share(f.online, f.received), 4);
    obj.field("open", f.open).field("overdue", f.overdue).field("closed", f.closed);
    number_or_null("mean_days_to_close", f.mean_days_to_close, 2);
    number_or_null("median_days_to_close", f.median_days_to_close, 2);
    obj.field("high_priority_decided", f.high_priority_decided)
        .field("high_priority_within_target", f.high_priority_within_target);
    number_or_null("high_priority_within_target_share",
                   share(f.high_priority_within_target, f.high_priority_decided), 4);
}

Response kpis(const Request& request, const services::RequestService& requests) {
    services::KpiQuery q;
    q.from = date_param(request, "from");
    q.to = date_param(request, "to");
    q.ward = request.query_param("ward");
    const auto k = requests.kpis(q);
    std::string out;
    geo::JsonObjectWriter obj(out);
    obj.field("from", k.from.iso()).field("to", k.to.iso()).field("ward", k.ward);
    write_figures(obj, k.all);
    std::string list = "[";
    for (const auto& [service, figures] : k.by_service) {
        list += list.size() > 1 ? "," : "";
        geo::JsonObjectWriter s(list);
        s.field("service_code", service->code).field("service_name", service->name);
        write_figures(s, figures);
        s.close();
    }
    list += ']';
    obj.raw_field("by_service", list);
    obj.field("active_accounts", k.active_accounts);
    obj.close();
    return Response::json(std::move(out));
}

/// Text for HTML content or a quoted attribute: the XML escaper's entities (&apos; is HTML5's
/// too) and its replacement of broken UTF-8 and control characters.
std::string html_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    append_xml_text(out, text);
    return out;
}

/// Where a mail link's page points on: the report's ward page when the report is public (the
/// ward is in Open311's own extended attributes), else nothing beyond the site's header.
struct PageLinks {
    std::optional<std::string> ward_code;
};

/// A page for a person who opened a link from a mail, in the residents' site look (the
/// header and /css/base.css of web-client/): our own words only (nothing a caller typed), no
/// script, only the site's stylesheet to load. `button` adds a form whose button POSTs to the
/// page's own URL.
Response mail_link_page(const std::string& council,
                        const std::string& title,
                        const std::string& text,
                        const std::optional<std::string>& button,
                        const PageLinks& links = {},
                        int status = 200) {
    const std::string site = html_text(council);
    std::string html = "<!doctype html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                       "<link rel=\"icon\" href=\"data:,\">"
                       "<meta name=\"referrer\" content=\"no-referrer\"><title>" +
                       html_text(title) + " \u2013 " + site +
                       "</title><link rel=\"stylesheet\" href=\"/css/base.css\"></head>\n"
                       "<body class=\"mail-link\"><a class=\"skip-link\" href=\"#main\">Skip to "
                       "the message</a>\n<header class=\"site-header\"><a class=\"brand\" "
                       "href=\"/\">" +
                       site +
                       " <span>wardmap</span></a><nav aria-label=\"Main\"><ul>"
                       "<li><a href=\"/\">Report a problem</a></li>"
                       "<li><a href=\"/reports.html\">Local reports</a></li></ul></nav></header>\n"
                       "<main id=\"main\"><h1>" +
                       html_text(title) + "</h1><p>" + html_text(text) + "</p>";
    if (button) {
        html += "<form method=\"post\"><button type=\"submit\" class=\"primary\">" +
                html_text(*button) + "</button></form>";
    }
    html += "<p class=\"mail-link-next\">";
    if (links.ward_code) {
        html += "<a href=\"/ward.html?code=" + html_text(*links.ward_code) +
                "\">See the reports in this report's ward</a> or ";
    }
    html += std::string(links.ward_code ? "the" : "See the") +
            " <a href=\"/reports.html\">local reports map</a>.</p></main></body></html>\n";
    Response response = Response::text(std::move(html), "text/html; charset=utf-8", status);
    response.header("Cache-Control", "no-store");
    response.header("Referrer-Policy", "no-referrer");
    response.header("Content-Security-Policy",
                    "default-src 'none'; style-src 'self'; img-src data:; form-action 'self'; "
                    "frame-ancestors 'none'");
    response.header("X-Content-Type-Options", "nosniff");
    return response;
}

/// True when the caller asked for JSON rather than a page (a script, not a person).
bool wants_json(const Request& request) {
    return request.header("Accept").value_or("").find("application/json") != std::string::npos;
}

/// The link's page: `run` reads or uses the token and returns the request's id; an unknown,
/// expired or used link is a 404 page (or problem+json for a script).
template <class Run>
Response link_page(const Request& request,
                   const services::RequestService& requests,
                   Run run,
                   const std::string& title,
                   const std::function<std::string(std::int64_t)>& text,
                   const std::optional<std::string>& button,
                   const std::string& json_flag) {
    std::int64_t id = 0;
    try {
        id = run(request.param("token"));
    } catch (const services::DomainError& e) {
        if (e.code() != services::ErrorCode::not_found || wants_json(request)) {
            throw;
        }
        // The service's reason, which reads as a clause ("this link is unknown, ..."), as a
        // sentence.
        std::string reason = e.what();
        if (!reason.empty() && reason.front() >= 'a' && reason.front() <= 'z') {
            reason.front() = static_cast<char>(reason.front() - 'a' + 'A');
        }
        if (!reason.empty() && reason.back() != '.') {
            reason += '.';
        }
        return mail_link_page(requests.catalogue()->council(), "Link not valid", reason,
                              std::nullopt, {}, 404);
    }
    if (wants_json(request)) {
        std::string out;
        geo::JsonObjectWriter obj(out);
        obj.field("service_request_id", std::to_string(id)).field(json_flag, true);
        obj.close();
        Response response = Response::json(std::move(out));
        response.header("Cache-Control", "no-store");
        return response;
    }
    PageLinks links;
    try {
        links.ward_code = requests.get(id).ward_code; // public requests only
    } catch (const services::DomainError&) {
        // A private service's request: no public page to point to.
    }
    return mail_link_page(requests.catalogue()->council(), title, text(id), button, links);
}

using services::RouteAccess;

/// Residents' pages and open figures: anyone.
const RouteOptions open_to_all{.access = RouteAccess::public_route()};
/// Only whoever holds the private token in the path (the reporter, from their email).
const RouteOptions token_holder{.access = RouteAccess::resident_token()};

} // namespace

void add_request_routes(Router& router, const services::RequestService& requests) {
    router.get(
        "/api/requests/duplicates",
        [&requests](Request& request) { return duplicates(request, requests); }, open_to_all);
    router.get(
        "/api/kpis", [&requests](Request& request) { return kpis(request, requests); },
        open_to_all);
    router.get(
        "/api/track/:token",
        [&requests](Request& request) {
            return tracking(request, requests.track(request.param("token")));
        },
        token_holder);
    router.post(
        "/api/track/:token/updates",
        [&requests](Request& request) {
            const auto body = parse_json_body(request);
            if (!body.is_object()) {
                invalid_parameter("body", "must be a JSON object with 'text' (and 'reopen')");
            }
            std::string text;
            if (body.contains("text")) {
                if (!body["text"].is_string()) {
                    invalid_parameter("text", "must be a string");
                }
                text = body["text"].get<std::string>();
            }
            bool reopen = false;
            if (body.contains("reopen")) {
                if (!body["reopen"].is_boolean()) {
                    invalid_parameter("reopen", "must be true or false");
                }
                reopen = body["reopen"].get<bool>();
            }
            // photo_id: "id", "id1,id2" or ["id1", "id2"] (from POST /api/photos).
            std::optional<std::string> photo_id;
            if (body.contains("photo_id")) {
                const auto& p = body["photo_id"];
                if (p.is_string()) {
                    photo_id = p.get<std::string>();
                } else if (p.is_array() && std::all_of(p.begin(), p.end(), [](const auto& v) {
                               return v.is_string();
                           })) {
                    std::string list;
                    for (const auto& v : p) {
                        list += (list.empty() ? "" : ",") + v.get<std::string>();
                    }
                    photo_id = list;
                } else if (!p.is_null()) {
                    invalid_parameter("photo_id", "must be a photo id or a list of them");
                }
            }
            const std::string& token = request.param("token");
            requests.add_reporter_update(token, text, reopen, photo_id);
            Response response = tracking(request, requests.track(token));
            response.status = 201;
            return response;
        },
        token_holder);
    // Personal data: staff with request_contact_read only, each read audited with the route
    // and the caller's address (RequestService::contact).
    router.get(
        "/api/requests/:id/contact",
        [&requests](Request& request) {
            const auto contact = requests.contact(id_param(request), request.principal,
                                                  request.route, request.client_address);
            std::string out;
            geo::JsonObjectWriter obj(out);
            obj.field("service_request_id", std::to_string(contact.request_id))
                .field("first_name", contact.first_name)
                .field("last_name", contact.last_name)
                .field("email", contact.email)
                .field("phone", contact.phone);
            obj.close();
            Response response = Response::json(std::move(out));
            response.header("Cache-Control", "no-store");
            return response;
        },
        RouteOptions{.access =
                         services::RouteAccess::needs(services::Permission::request_contact_read)});
}

void add_my_reports_routes(Router& router, const services::MyReportsService& my_reports) {
    router.post(
        "/api/my-reports",
        [&my_reports](Request& request) {
            const auto body = parse_json_body(request);
            if (!body.is_object() || !body.contains("email") || !body["email"].is_string()) {
                invalid_parameter("email", "is required: the address the reports were made with");
            }
            my_reports.send_link(body["email"].get<std::string>(), request.client_address);
            // The same answer whether or not the address has reports.
            std::string out;
            geo::JsonObjectWriter obj(out);
            obj.field("sent", true)
                .field("detail", "A private link to the reports made with this address has been "
                                 "emailed to it. It works for " +
                                     std::to_string(services::MyReportsService::link_days) +
                                     " days.");
            obj.close();
            return Response::json(std::move(out), 202);
        },
        open_to_all);
    router.get(
        "/api/my-reports/:token",
        [&my_reports](Request& request) {
            const auto found = my_reports.reports(request.param("token"));
            std::string list = "[";
            for (const auto& t : found.reports) {
                list += list.size() > 1 ? "," : "";
                list += tracking_json(request, t);
            }
            list += ']';
            std::string out;
            geo::JsonObjectWriter obj(out);
            obj.field("expires", core::format_w3c_uk(found.expires))
                .field("count", static_cast<std::int64_t>(found.reports.size()))
                .raw_field("reports", list);
            obj.close();
            Response response = Response::json(std::move(out));
            response.header("Cache-Control", "no-store");
            return response;
        },
        token_holder);
}

void add_follower_routes(Router& router,
                         const services::FollowerService& followers,
                         const services::RequestService& requests) {
    router.post(
        "/api/requests/:id/followers",
        [&followers](Request& request) {
            const auto body = parse_json_body(request);
            if (!body.is_object() || !body.contains("email") || !body["email"].is_string()) {
                invalid_parameter("email", "is required: the follower's email address");
            }
            const auto id = id_param(request);
            followers.follow(id, body["email"].get<std::string>(), request.client_address);
            // One answer whether the address was new, waiting or already following.
            std::string out;
            geo::JsonObjectWriter obj(out);
            obj.field("service_request_id", std::to_string(id))
                .field("accepted", true)
                .field("detail",
                       "Unless this address already follows the report, a message has been sent "
                       "to it with a link to confirm. Nothing more is sent until it is used; it "
                       "works once, within " +
                           std::to_string(services::FollowerService::confirm_lifetime.count()) +
                           " hours.");
            obj.close();
            return Response::json(std::move(out), 202);
        },
        open_to_all);
    // GET shows the page and changes nothing, so a mail scanner that fetches every link in a
    // message confirms nothing; the page's button POSTs to the same URL.
    router.get(
        "/api/follow/confirm/:token",
        [&followers, &requests](Request& request) {
            return link_page(
                request, requests, [&](const std::string& t) { return followers.pending(t); },
                "Confirm following this report",
                [](std::int64_t id) {
                    return "Press the button to be emailed when report " + std::to_string(id) +
                           " changes.";
                },
                "Confirm", "pending");
        },
        token_holder);
    router.post(
        "/api/follow/confirm/:token",
        [&followers, &requests](Request& request) {
            return link_page(
                request, requests, [&](const std::string& t) { return followers.confirm(t); },
                "You are following this report",
                [](std::int64_t id) {
                    return "We will email you when report " + std::to_string(id) +
                           " changes. Each message has a link to stop them.";
                },
                std::nullopt, "following");
        },
        token_holder);
    router.get(
        "/api/unsubscribe/:token",
        [&followers, &requests](Request& request) {
            return link_page(
                request, requests,
                [&](const std::string& t) { return followers.unsubscribe_target(t); },
                "Stop messages about this report",
                [](std::int64_t id) {
                    return "Press the button to stop the messages about report " +
                           std::to_string(id) + ".";
                },
                "Stop messages", "subscribed");
        },
        token_holder);
    router.post(
        "/api/unsubscribe/:token",
        [&followers, &requests](Request& request) {
            return link_page(
                request, requests, [&](const std::string& t) { return followers.unsubscribe(t); },
                "Messages stopped",
                [](std::int64_t id) {
                    return "You will get no more messages about report " + std::to_string(id) + ".";
                },
                std::nullopt, "unsubscribed");
        },
        token_holder);
}

} // namespace wardmap::http
