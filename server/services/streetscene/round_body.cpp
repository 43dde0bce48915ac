#include "server/services/streetscene/round_body.hpp"

#include "core/dates.hpp"
#include "core/street_asset_types.hpp"

#include "server/services/shared/errors.hpp"

#include <set>

namespace wardmap::services {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr const char* round_members[] = {"code",
                                         "name",
                                         "activity",
                                         "round_set",
                                         "team",
                                         "vehicle",
                                         "working_pattern",
                                         "kind",
                                         "rrule",
                                         "first_date",
                                         "interval_working_days",
                                         "visits_per_season",
                                         "season",
                                         "suspension",
                                         "bank_holidays",
                                         "stops"};

std::string type_name(const json& v) {
    return v.type_name();
}

std::string text_member(const json& body,
                        const std::string& name,
                        std::size_t max,
                        bool required,
                        const std::string& field) {
    const auto it = body.find(name);
    if (it == body.end() || it->is_null()) {
        if (required) {
            invalid_parameter(field, "is required");
        }
        return {};
    }
    if (!it->is_string()) {
        invalid_parameter(field, "must be a string, not " + type_name(*it));
    }
    auto text = it->get<std::string>();
    if (required && text.empty()) {
        invalid_parameter(field, "must not be empty");
    }
    if (text.size() > max) {
        invalid_parameter(field, "must be at most " + std::to_string(max) + " characters");
    }
    for (const char c : text) {
        if (static_cast<unsigned char>(c) < 0x20) {
            invalid_parameter(field, "must not hold control characters");
        }
    }
    return text;
}

std::optional<std::string>
optional_text(const json& body, const std::string& name, std::size_t max) {
    auto text = text_member(body, name, max, false, name);
    if (text.empty()) {
        return std::nullopt;
    }
    return text;
}

std::int64_t whole_number(const json& v, const std::string& field, std::int64_t max) {
    if (!v.is_number_integer()) {
        invalid_parameter(field, "must be a whole number, not " + type_name(v));
    }
    // A number above INT64_MAX is unsigned in nlohmann: read it as such first.
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
        invalid_parameter(field, "must be from 1 to " + std::to_string(max));
    }
    const auto n = v.get<std::int64_t>();
    if (n < 1 || n > max) {
        invalid_parameter(field, "must be from 1 to " + std::to_string(max));
    }
    return n;
}

std::optional<SeasonWindow> window_member(const json& body, const std::string& name) {
    const auto text = text_member(body, name, 32, false, name);
    if (text.empty()) {
        return std::nullopt;
    }
    const auto w = parse_season(text);
    if (!w) {
        invalid_parameter(name, "must be MM-DD..MM-DD with days that exist (e.g. 03-01..10-31), "
                                "not '" +
                                    text.substr(0, 32) + "'");
    }
    return w;
}

bool code_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

StopInput read_stop(const json& stop, std::size_t index) {
    const std::string at = "stops[" + std::to_string(index) + "]";
    if (!stop.is_object()) {
        invalid_parameter(at, "must be an object naming one of usrn, uprn, asset_id or "
                              "asset_reference, not " +
                                  type_name(stop));
    }
    StopInput out;
    int named = 0;
    for (const auto& [name, value] : stop.items()) {
        const std::string field = at + "." + name;
        if (name == "usrn") {
            out.kind = StopTarget::Kind::street;
            out.id = whole_number(value, field, 99'999'999);
            ++named;
        } else if (name == "uprn") {
            out.kind = StopTarget::Kind::property;
            out.id = whole_number(value, field, 999'999'999'999);
            ++named;
        } else if (name == "asset_id") {
            out.kind = StopTarget::Kind::asset;
            out.id = whole_number(value, field, INT64_MAX);
            ++named;
        } else if (name == "asset_reference") {
            out.kind = StopTarget::Kind::asset;
            out.asset_reference = text_member(stop, name, 100, true, field);
            ++named;
        } else if (name == "asset_type") {
            const auto type = text_member(stop, name, 40, true, field);
            if (core::find_street_asset_type(type) == nullptr) {
                invalid_parameter(field, "'" + type + "' is not an asset type");
            }
            out.asset_type = type;
        } else {
            invalid_parameter(field.substr(0, 80),
                              "is not a member of a stop (usrn, uprn, asset_id, asset_reference, "
                              "asset_type)");
        }
    }
    if (named != 1) {
        invalid_parameter(at, "must name exactly one of usrn, uprn, asset_id or asset_reference");
    }
    if (out.asset_type && out.asset_reference.empty()) {
        invalid_parameter(at + ".asset_type", "goes only with asset_reference");
    }
    return out;
}

ordered_json window_json(const std::optional<SeasonWindow>& w) {
    if (!w) {
        return nullptr;
    }
    return w->start.text() + ".." + w->end.text();
}

ordered_json optional_json(const std::optional<std::string>& v) {
    return v ? ordered_json(*v) : ordered_json(nullptr);
}

} // namespace

RoundBody parse_round_body(const json& body) {
    if (!body.is_object()) {
        throw DomainError(ErrorCode::malformed_body,
                          "the body must be a JSON object (a round), not " + type_name(body));
    }
    for (const auto& [name, value] : body.items()) {
        bool known = false;
        for (const char* m : round_members) {
            known = known || name == m;
        }
        if (!known) {
            invalid_parameter(name.substr(0, 80), "is not a member of a round");
        }
    }
    RoundBody out;
    auto& def = out.definition;
    if (body.contains("code") && !body["code"].is_null()) {
        const auto code = text_member(body, "code", 64, true, "code");
        for (const char c : code) {
            if (!code_char(c)) {
                invalid_parameter("code", "must be letters, digits, '-', '_' or '.' (it goes in "
                                          "the round's address)");
            }
        }
        out.code = code;
        def.code = code;
    }
    def.name = text_member(body, "name", 200, true, "name");
    def.activity = text_member(body, "activity", 64, true, "activity");
    def.round_set = optional_text(body, "round_set", 64);
    if (body.contains("team")) {
        out.team_given = true;
        out.team = optional_text(body, "team", 64);
    }
    def.vehicle = optional_text(body, "vehicle", 100);
    def.working_pattern = optional_text(body, "working_pattern", 200);

    auto& rule = def.rule;
    const auto kind = text_member(body, "kind", 20, false, "kind");
    if (!kind.empty()) {
        const auto k = parse_rule_kind(kind);
        if (!k) {
            invalid_parameter("kind", "must be rrule, working_days or per_season");
        }
        rule.kind = *k;
    }
    rule.rrule = text_member(body, "rrule", 4096, false, "rrule");
    if (rule.kind != RuleKind::rrule && !rule.rrule.empty()) {
        invalid_parameter("rrule", std::string("goes only with kind rrule, not ") +
                                       rule_kind_name(rule.kind));
    }
    const auto first = text_member(body, "first_date", 20, true, "first_date");
    const auto first_date = core::parse_iso_date(first);
    if (!first_date) {
        invalid_parameter("first_date", "must be a date YYYY-MM-DD that exists, not '" +
                                            first.substr(0, 20) + "'");
    }
    rule.first_date = *first_date;
    const auto number = [&body](const char* name, RuleKind needs, RuleKind actual) {
        const auto it = body.find(name);
        if (it == body.end() || it->is_null()) {
            if (actual == needs) {
                invalid_parameter(name,
                                  std::string("is required for kind ") + rule_kind_name(needs));
            }
            return 0;
        }
        if (actual != needs) {
            invalid_parameter(name, std::string("goes only with kind ") + rule_kind_name(needs));
        }
        return static_cast<int>(whole_number(*it, name, 366));
    };
    rule.interval_working_days = number("interval_working_days", RuleKind::working_days, rule.kind);
    rule.visits_per_season = number("visits_per_season", RuleKind::per_season, rule.kind);
    rule.season = window_member(body, "season");
    rule.suspension = window_member(body, "suspension");
    const auto bh = text_member(body, "bank_holidays", 32, false, "bank_holidays");
    if (!bh.empty()) {
        const auto b = parse_bank_holiday_rule(bh);
        if (!b) {
            invalid_parameter("bank_holidays", "must be next_working_day, skip or work");
        }
        rule.bank_holidays = *b;
    }

    const auto stops = body.find("stops");
    if (stops == body.end() || stops->is_null()) {
        invalid_parameter("stops", "is required: the round's streets, properties or assets in "
                                   "order");
    }
    if (!stops->is_array()) {
        invalid_parameter("stops", "must be an array, not " + type_name(*stops));
    }
    if (stops->empty()) {
        invalid_parameter("stops", "must name at least one street, property or asset");
    }
    if (stops->size() > max_round_stops) {
        invalid_parameter("stops", "must be at most " + std::to_string(max_round_stops));
    }
    out.stops.reserve(stops->size());
    for (std::size_t i = 0; i < stops->size(); ++i) {
        out.stops.push_back(read_stop((*stops)[i], i));
    }
    return out;
}

ordered_json round_body_json(const RoundDefinition& def) {
    const auto& r = def.rule;
    ordered_json out{{"code", def.code.empty() ? ordered_json(nullptr) : ordered_json(def.code)},
                     {"name", def.name},
                     {"activity", def.activity},
                     {"round_set", optional_json(def.round_set)},
                     {"team", optional_json(def.team)},
                     {"vehicle", optional_json(def.vehicle)},
                     {"working_pattern", optional_json(def.working_pattern)},
                     {"kind", rule_kind_name(r.kind)},
                     {"first_date", r.first_date.iso()}};
    switch (r.kind) {
    case RuleKind::rrule:
        out["rrule"] = r.rrule;
        break;
    case RuleKind::working_days:
        out["interval_working_days"] = r.interval_working_days;
        break;
    case RuleKind::per_season:
        out["visits_per_season"] = r.visits_per_season;
        break;
    }
    out["season"] = window_json(r.season);
    out["suspension"] = window_json(r.suspension);
    out["bank_holidays"] = bank_holiday_rule_name(r.bank_holidays);
    ordered_json stops = ordered_json::array();
    for (const auto& s : def.stops) {
        stops.push_back({{stop_kind_field(s.kind), s.id}});
    }
    out["stops"] = std::move(stops);
    return out;
}

} // namespace wardmap::services
