#include "server/http/myarea/my_area_routes.hpp"

#include "core/w3c_time.hpp"

#include "server/http/base_url.hpp"
#include "server/http/json_body.hpp"
#include "server/http/myarea/my_area_params.hpp"
#include "server/http/requests/open311_format.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>

namespace wardmap::http {

namespace {

std::string html_text(std::string_view text) {
    std::string out;
    append_xml_text(out, text);
    return out;
}

/// The page of a link from an alert mail, in the residents' look, with no script; `button`
/// adds a form that POSTs to the page's own URL.
Response alert_page(const std::string& council,
                    const std::string& title,
                    const std::string& text,
                    const std::optional<std::string>& button,
                    int status = 200) {
    const std::string site = html_text(council);
    std::string html =
        "<!doctype html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<link rel=\"icon\" href=\"data:,\"><meta name=\"referrer\" "
        "content=\"no-referrer\"><title>" +
        html_text(title) + " \u2013 " + site +
        "</title><link rel=\"stylesheet\" href=\"/css/base.css\"></head>\n"
        "<body class=\"mail-link\"><a class=\"skip-link\" href=\"#main\">Skip to the message</a>\n"
        "<header class=\"site-header\"><a class=\"brand\" href=\"/\">" +
        site +
        " <span>wardmap</span></a><nav aria-label=\"Main\"><ul>"
        "<li><a href=\"/\">Report a problem</a></li>"
        "<li><a href=\"/reports.html\">Local reports</a></li>"
        "<li><a href=\"/area.html\">My area</a></li></ul></nav></header>\n"
        "<main id=\"main\"><h1>" +
        html_text(title) + "</h1><p>" + html_text(text) + "</p>";
    if (button) {
        html += "<form method=\"post\"><button type=\"submit\" class=\"primary\">" +
                html_text(*button) + "</button></form>";
    }
    html += "<p><a href=\"/area.html\">See your area</a>.</p></main></body></html>\n";
    Response response = Response::text(std::move(html), "text/html; charset=utf-8", status);
    response.header("Cache-Control", "no-store");
    response.header("Referrer-Policy", "no-referrer");
    response.header("Content-Security-Policy",
                    "default-src 'none'; style-src 'self'; img-src data:; form-action 'self'; "
                    "frame-ancestors 'none'");
    response.header("X-Content-Type-Options", "nosniff");
    return response;
}

bool wants_json(const Request& request) {
    return request.header("Accept").value_or("").find("application/json") != std::string::npos;
}

/// Runs the link's action; an unknown, expired or used link is a 404 page (problem+json for a
/// script).
Response link_page(const Request& request,
                   const std::string& council,
                   const std::function<std::string(const std::string&)>& run,
                   const std::string& title,
                   const std::function<std::string(const std::string&)>& text,
                   const std::optional<std::string>& button,
                   const char* json_flag) {
    std::string what;
    try {
        what = run(request.param("token"));
    } catch (const services::DomainError& e) {
        if (e.code() != services::ErrorCode::not_found || wants_json(request)) {
            throw;
        }
        std::string reason = e.what();
        if (!reason.empty() && reason.front() >= 'a' && reason.front() <= 'z') {
            reason.front() = static_cast<char>(reason.front() - 'a' + 'A');
        }
        return alert_page(council, "Link not valid", reason + ".", std::nullopt, 404);
    }
    if (wants_json(request)) {
        Response response =
            Response::json(nlohmann::json{{"alert", what}, {json_flag, true}}.dump());
        response.header("Cache-Control", "no-store");
        return response;
    }
    return alert_page(council, title, text(what), button);
}

} // namespace

void add_my_area_routes(Router& router,
                        const services::MyAreaService& area,
                        const services::AreaAlerts& alerts,
                        std::string council) {
    // Public, account-free: public fields only (no reporter data, councillors' public contact).
    const RouteOptions public_read{.access = services::RouteAccess::public_route()};
    // Only whoever holds the private token in the path (the subscriber, from their email).
    const RouteOptions token_holder{.access = services::RouteAccess::resident_token()};
    router.get(
        "/api/my-area",
        [&area](Request& request) {
            Response response = Response::json(
                area.area(parse_my_area_query(request, core::uk_date(core::now_seconds()))));
            response.header("Cache-Control", "public, max-age=60");
            return response;
        },
        public_read);
    router.get(
        "/api/alerts/feed.atom",
        [&area](Request& request) {
            auto query = parse_area_feed_query(request, core::uk_date(core::now_seconds()));
            query.now = core::format_utc(core::now_seconds());
            query.base_url = public_base_url(request);
            Response response =
                Response::text(area.feed(query), "application/atom+xml; charset=utf-8");
            response.header("Cache-Control", "public, max-age=300");
            return response;
        },
        public_read);
    // Public: anyone may ask; nothing is sent but the confirmation until its link is used,
    // and both the client address and the email address are rate-limited.
    router.post(
        "/api/alerts",
        [&alerts](Request& request) {
            alerts.subscribe(parse_alert_body(parse_json_body(request)), request.client_address);
            Response response = Response::json(
                nlohmann::json{
                    {"accepted", true},
                    {"detail", "A message has been sent to the address with a link to confirm. "
                               "Nothing more is sent until it is used; it works once, within " +
                                   std::to_string(services::AreaAlerts::confirm_lifetime.count()) +
                                   " hours."}}
                    .dump(),
                202);
            response.header("Cache-Control", "no-store");
            return response;
        },
        public_read);
    router.get(
        "/api/alerts/confirm/:token",
        [&alerts, council](Request& request) {
            return link_page(
                request, council, [&](const std::string& t) { return alerts.pending(t); },
                "Confirm your local alert",
                [](const std::string& what) {
                    return "Press the button to be emailed about " + what + ".";
                },
                "Confirm", "pending");
        },
        token_holder);
    router.post(
        "/api/alerts/confirm/:token",
        [&alerts, council](Request& request) {
            return link_page(
                request, council, [&](const std::string& t) { return alerts.confirm(t); },
                "Your local alert is on",
                [](const std::string& what) {
                    return "We will email you about " + what +
                           ". Each message has a link to stop them.";
                },
                std::nullopt, "confirmed");
        },
        token_holder);
    router.get(
        "/api/alerts/unsubscribe/:token",
        [&alerts, council](Request& request) {
            return link_page(
                request, council,
                [&](const std::string& t) { return alerts.unsubscribe_target(t); },
                "Stop this local alert",
                [](const std::string& what) {
                    return "Press the button to stop the messages about " + what + ".";
                },
                "Stop messages", "subscribed");
        },
        token_holder);
    router.post(
        "/api/alerts/unsubscribe/:token",
        [&alerts, council](Request& request) {
            return link_page(
                request, council, [&](const std::string& t) { return alerts.unsubscribe(t); },
                "Messages stopped",
                [](const std::string& what) {
                    return "You will get no more messages about " + what + ".";
                },
                std::nullopt, "unsubscribed");
        },
        token_holder);
}

} // namespace wardmap::http
