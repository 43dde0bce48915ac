#include "server/http/streetscene/schedule_routes.hpp"

#include "core/w3c_time.hpp"
#include "core/working_days.hpp"

#include "server/http/base_url.hpp"
#include "server/http/streetscene/schedule_ics.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <ctime>

namespace wardmap::http {

using services::invalid_parameter;

namespace {

constexpr const char* known_params[] = {"uprn", "usrn", "from", "to"};

std::int64_t id_param(const std::string& name, const std::string& text, std::int64_t max) {
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < 1 || value > max) {
        invalid_parameter(name, "must be a whole number from 1 to " + std::to_string(max) +
                                    ", not '" + text.substr(0, 40) + "'");
    }
    return value;
}

core::Date date_or(const Request& request, const std::string& name, const core::Date& fallback) {
    const auto text = request.query_param(name);
    if (!text) {
        return fallback;
    }
    const auto d = core::parse_iso_date(*text);
    if (!d) {
        invalid_parameter(name, "must be a date YYYY-MM-DD, not '" + text->substr(0, 40) + "'");
    }
    return *d;
}

services::PlaceSchedule lookup(const Request& request, const services::ScheduleService& schedules) {
    for (const auto& [name, value] : request.query) {
        bool known = false;
        for (const char* k : known_params) {
            known = known || name == k;
        }
        if (!known) {
            invalid_parameter(name.substr(0, 40), "is not a parameter of this route (uprn or "
                                                  "usrn, from, to)");
        }
    }
    const auto uprn = request.query_param("uprn");
    const auto usrn = request.query_param("usrn");
    if (uprn && usrn) {
        invalid_parameter("usrn", "give uprn or usrn, not both");
    }
    if (!uprn && !usrn) {
        invalid_parameter("uprn", "is required: the property's UPRN (or usrn= for a street)");
    }
    const core::Date from = date_or(request, "from", core::today_utc());
    const core::Date to =
        date_or(request, "to", services::add_days(from, services::default_horizon_days - 1));
    if (uprn) {
        return schedules.for_property(id_param("uprn", *uprn, 999'999'999'999), from, to);
    }
    return schedules.for_street(id_param("usrn", *usrn, 99'999'999), from, to);
}

std::string schedule_json(const services::PlaceSchedule& s) {
    nlohmann::ordered_json activities = nlohmann::ordered_json::array();
    for (const auto& a : s.activities) {
        nlohmann::ordered_json dates = nlohmann::ordered_json::array();
        for (const auto& d : a.dates) {
            static constexpr const char* weekdays[] = {"Mon", "Tue", "Wed", "Thu",
                                                       "Fri", "Sat", "Sun"};
            nlohmann::ordered_json one{{"date", d.date.iso()},
                                       {"weekday", weekdays[core::weekday(d.date)]},
                                       {"status", d.status},
                                       {"round", d.round_code},
                                       {"round_name", d.round_name}};
            if (d.moved_from) {
                one["moved_from"] = d.moved_from->iso();
                one["moved_because"] = "bank_holiday";
            }
            dates.push_back(std::move(one));
        }
        activities.push_back(
            {{"activity", a.activity},
             {"name", a.name},
             {"kind", a.kind},
             {"next",
              a.dates.empty() ? nullptr : nlohmann::ordered_json(a.dates.front().date.iso())},
             {"visits", std::move(dates)}});
    }
    nlohmann::ordered_json doc{{s.field, s.id},
                               {"label", s.label},
                               {"from", s.from.iso()},
                               {"to", s.to.iso()},
                               {"activities", std::move(activities)}};
    return doc.dump();
}

std::string dtstamp_now() {
    const std::time_t t = static_cast<std::time_t>(core::now_seconds());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

std::string host_of(const std::string& base_url) {
    auto host = base_url;
    if (const auto p = host.find("://"); p != std::string::npos) {
        host = host.substr(p + 3);
    }
    if (const auto p = host.find_first_of(":/"); p != std::string::npos) {
        host = host.substr(0, p);
    }
    return host.empty() ? "wardmap" : host;
}

/// GET /api/schedules/preview: the dates a rule would give, stored nowhere.
constexpr const char* preview_params[] = {"kind",
                                          "rrule",
                                          "first_date",
                                          "interval_working_days",
                                          "visits_per_season",
                                          "season",
                                          "suspension",
                                          "bank_holidays",
                                          "from",
                                          "to"};

int int_param(const Request& request, const std::string& name) {
    const auto text = request.query_param(name);
    if (!text) {
        return 0;
    }
    return static_cast<int>(id_param(name, *text, 366));
}

std::optional<services::SeasonWindow> season_param(const Request& request,
                                                   const std::string& name) {
    const auto text = request.query_param(name);
    if (!text) {
        return std::nullopt;
    }
    const auto w = services::parse_season(*text);
    if (!w) {
        invalid_parameter(name, "must be MM-DD..MM-DD (e.g. 03-01..10-31), not '" +
                                    text->substr(0, 40) + "'");
    }
    return w;
}

std::string preview(const Request& request) {
    for (const auto& [name, value] : request.query) {
        bool known = false;
        for (const char* k : preview_params) {
            known = known || name == k;
        }
        if (!known) {
            invalid_parameter(name.substr(0, 40), "is not a parameter of this route");
        }
    }
    services::ScheduleRule rule;
    const auto kind = request.query_param("kind").value_or("rrule");
    const auto parsed_kind = services::parse_rule_kind(kind);
    if (!parsed_kind) {
        invalid_parameter("kind", "must be rrule, working_days or per_season");
    }
    rule.kind = *parsed_kind;
    rule.rrule = request.query_param("rrule").value_or("");
    const auto first = request.query_param("first_date");
    if (!first) {
        invalid_parameter("first_date", "is required (YYYY-MM-DD)");
    }
    rule.first_date = date_or(request, "first_date", core::today_utc());
    rule.interval_working_days = int_param(request, "interval_working_days");
    rule.visits_per_season = int_param(request, "visits_per_season");
    rule.season = season_param(request, "season");
    rule.suspension = season_param(request, "suspension");
    const auto bh = request.query_param("bank_holidays").value_or("next_working_day");
    const auto parsed_bh = services::parse_bank_holiday_rule(bh);
    if (!parsed_bh) {
        invalid_parameter("bank_holidays", "must be next_working_day, skip or work");
    }
    rule.bank_holidays = *parsed_bh;
    const core::Date from = date_or(request, "from", core::today_utc());
    const core::Date to =
        date_or(request, "to", services::add_days(from, services::default_horizon_days - 1));
    if (services::date_less(to, from) ||
        core::days_since_epoch(to) - core::days_since_epoch(from) > 366) {
        invalid_parameter("to", "must be from 'from' to 366 days after it");
    }
    nlohmann::ordered_json dates = nlohmann::ordered_json::array();
    for (const auto& d : services::expand_rule_nonempty(rule, from, to)) {
        nlohmann::ordered_json one{{"date", d.planned_date.iso()}};
        if (d.moved) {
            one["moved_from"] = d.rule_date.iso();
        }
        dates.push_back(std::move(one));
    }
    return nlohmann::ordered_json{{"from", from.iso()}, {"to", to.iso()}, {"dates", dates}}.dump();
}

} // namespace

void add_schedule_routes(Router& router,
                         const services::ScheduleService& schedules,
                         std::string council) {
    // Public: when a street is swept or a bin emptied is what residents ask; no personal data.
    const RouteOptions public_read{.access = services::RouteAccess::public_route()};
    router.get(
        "/api/schedules",
        [&schedules](Request& request) {
            Response response = Response::json(schedule_json(lookup(request, schedules)));
            response.header("Cache-Control", "public, max-age=300");
            return response;
        },
        public_read);
    router.get(
        "/api/schedules.ics",
        [&schedules, council](Request& request) {
            const auto schedule = lookup(request, schedules);
            Response response = Response::text(
                schedule_ics(schedule, host_of(public_base_url(request)), dtstamp_now(), council),
                "text/calendar; charset=utf-8");
            response.header("Content-Disposition", "inline; filename=\"schedule.ics\"");
            response.header("Cache-Control", "public, max-age=300");
            return response;
        },
        public_read);
    // Public: a rule's dates, stored nowhere (the parsers are fuzzed and bounded), so that a
    // rule can be tried before a round is given it.
    router.get(
        "/api/schedules/preview", [](Request& request) { return Response::json(preview(request)); },
        public_read);
}

} // namespace wardmap::http
