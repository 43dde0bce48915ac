#include "importers/planning_rows.hpp"

#include "importers/burial_register_rows.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <utility>

namespace wardmap::importers {

namespace {

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

/// Lower case, spaces and underscores as hyphens: "Under Appeal" -> "under-appeal".
std::string code_of(std::string_view s) {
    std::string out = trim(s);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (c == ' ' || c == '_') {
            c = '-';
        }
    }
    return out;
}

std::string field(const PlanningFields& f, std::string_view name) {
    const auto it = f.find(name);
    return it == f.end() ? std::string() : trim(it->second);
}

std::optional<std::string> or_null(std::string s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(std::move(s));
}

bool in(std::string_view code, std::initializer_list<std::string_view> values) {
    return std::find(values.begin(), values.end(), code) != values.end();
}

std::optional<double> number(const std::string& text) {
    double v = 0;
    const auto* end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, v);
    if (r.ec != std::errc() || r.ptr != end || !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

/// The decision a national planning-decision code (or a PlanIt-like word) means: "" for none
/// (pending), nullopt for a code this importer does not know.
std::optional<std::string> decision_of(const std::string& code) {
    if (code.empty() || in(code, {"pending", "undecided", "not-yet-decided", "none"})) {
        return std::string();
    }
    if (in(code, {"approved", "granted", "permission-granted", "approved-with-conditions",
                  "granted-with-conditions", "conditional-approval", "conditional-permission",
                  "permitted", "permission-in-principle", "prior-approval-given", "consent-granted",
                  "certificate-granted", "lawful"})) {
        return std::string("approved");
    }
    if (in(code, {"refused", "rejected", "permission-refused", "prior-approval-refused",
                  "consent-refused", "certificate-refused", "not-lawful"})) {
        return std::string("refused");
    }
    if (in(code, {"split", "split-decision"})) {
        return std::string("split");
    }
    if (in(code, {"prior-approval-not-required", "not-required", "no-objection"})) {
        return std::string("not_required");
    }
    return std::nullopt;
}

} // namespace

const char* to_string(PlanningFormat format) {
    return format == PlanningFormat::national ? "national" : "planit";
}

std::optional<PlanningFormat> parse_planning_format(std::string_view text) {
    const auto c = code_of(text);
    if (c == "national" || c == "planning.data.gov.uk") {
        return PlanningFormat::national;
    }
    if (c == "planit") {
        return PlanningFormat::planit;
    }
    return std::nullopt;
}

std::optional<PlanningFormat> detect_planning_format(const std::vector<std::string>& columns) {
    bool uid = false, state = false;
    for (const auto& column : columns) {
        // Lower case only: PlanIt's start_date is not the national start-date.
        std::string c = trim(column);
        for (auto& ch : c) {
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        }
        if (c == "planning-application-status" || c == "address-text" || c == "start-date" ||
            c == "planning-decision") {
            return PlanningFormat::national;
        }
        uid = uid || c == "uid";
        state = state || c == "state" || c == "app_state";
    }
    if (uid && state) {
        return PlanningFormat::planit;
    }
    return std::nullopt;
}

std::optional<std::string> parse_planning_date(std::string_view text) {
    std::string t = trim(text);
    // GDAL gives a GeoJSON date field as YYYY/MM/DD.
    if (t.size() >= 10 && t[4] == '/' && t[7] == '/') {
        t[4] = t[7] = '-';
    }
    // An ISO date-time: the date is what the register means.
    if (t.size() > 10 && t[4] == '-' && t[7] == '-' && (t[10] == 'T' || t[10] == ' ')) {
        t.resize(10);
    }
    return parse_register_date(t);
}

std::optional<PlanningOutcome> national_outcome(std::string_view status_text,
                                                std::string_view decision_text,
                                                std::string* unknown_field) {
    const std::string status = code_of(status_text), decision_code = code_of(decision_text);
    const auto decision = decision_of(decision_code);
    if (!decision) {
        if (unknown_field != nullptr) {
            *unknown_field = "decision";
        }
        return std::nullopt;
    }
    PlanningOutcome out;
    out.decision = or_null(*decision);
    if (status.empty()) {
        out.status = out.decision ? "decided" : "";
    } else if (in(status, {"received", "registered", "submitted", "valid", "validated",
                           "in-progress", "pending", "undecided", "awaiting-decision",
                           "under-consideration", "consultation", "in-consultation"})) {
        out.status = "pending";
    } else if (in(status, {"decided", "determined", "closed", "granted", "approved", "refused"})) {
        out.status = "decided";
        if (!out.decision && (status == "granted" || status == "approved")) {
            out.decision = "approved";
        } else if (!out.decision && status == "refused") {
            out.decision = "refused";
        }
    } else if (in(status, {"withdrawn", "finally-disposed"})) {
        out.status = "withdrawn";
    } else if (in(status, {"appeal", "appealed", "under-appeal", "appeal-lodged"})) {
        out.status = "appeal";
    } else {
        if (unknown_field != nullptr) {
            *unknown_field = "status";
        }
        return std::nullopt;
    }
    if (out.status.empty()) {
        if (unknown_field != nullptr) {
            *unknown_field = "status";
        }
        return std::nullopt;
    }
    // A real decision on a case the file still calls pending: the decision is the later fact.
    if (out.status == "pending" && out.decision) {
        out.status = "decided";
    }
    return out;
}

std::optional<PlanningOutcome> planit_outcome(std::string_view state) {
    const auto s = code_of(state);
    if (s == "permitted" || s == "conditions") {
        return PlanningOutcome{"decided", "approved"};
    }
    if (s == "rejected") {
        return PlanningOutcome{"decided", "refused"};
    }
    if (s == "withdrawn") {
        return PlanningOutcome{"withdrawn", std::nullopt};
    }
    if (s == "undecided" || s == "referred" || s == "unresolved") {
        return PlanningOutcome{"pending", std::nullopt};
    }
    return std::nullopt;
}

std::optional<PlanningRow> parse_planning_row(const PlanningFields& f,
                                              PlanningFormat format,
                                              std::vector<PlanningProblem>& problems) {
    const auto before = problems.size();
    const auto problem = [&](const char* name, std::string reason) {
        problems.push_back({name, std::move(reason)});
    };
    PlanningRow r;
    r.reference = field(f, "reference");
    if (r.reference.empty()) {
        problem("reference", "no reference (the application's business key)");
    } else if (r.reference.size() > 100) {
        problem("reference", "longer than 100 characters");
    }
    r.app_type = field(f, "app_type");
    r.description = field(f, "description");
    if (r.description.empty()) {
        r.description = field(f, "name");
    }
    r.address = field(f, "address");
    r.postcode = or_null(field(f, "postcode"));
    r.documentation_url = or_null(field(f, "documentation_url"));
    if (r.documentation_url && !r.documentation_url->starts_with("https://") &&
        !r.documentation_url->starts_with("http://")) {
        problem("documentation_url", "not an http(s) URL");
    }
    if (const auto u = field(f, "uprn"); !u.empty()) {
        std::int64_t v = 0;
        const auto r2 = std::from_chars(u.data(), u.data() + u.size(), v);
        if (r2.ec != std::errc() || r2.ptr != u.data() + u.size() || v < 1 || v > 999999999999) {
            problem("uprn", "'" + u.substr(0, 20) + "' is not a UPRN (1 to 12 digits)");
        } else {
            r.uprn = v;
        }
    }

    // Status and decision: codes this importer knows, or the row is refused.
    const auto status_text = field(f, "status"), decision_text = field(f, "decision");
    if (format == PlanningFormat::planit) {
        if (status_text.empty()) {
            problem("status", "no state");
        } else if (const auto o = planit_outcome(status_text)) {
            r.outcome = *o;
        } else {
            problem("status", "unknown state '" + status_text.substr(0, 40) +
                                  "' (Permitted, Conditions, Rejected, Withdrawn, Undecided, "
                                  "Referred or Unresolved)");
        }
    } else {
        std::string which;
        if (status_text.empty() && decision_text.empty()) {
            problem("status", "no planning-application-status or planning-decision");
        } else if (const auto o = national_outcome(status_text, decision_text, &which)) {
            r.outcome = *o;
        } else if (which == "decision") {
            problem("decision",
                    "unknown planning-decision code '" + decision_text.substr(0, 40) + "'");
        } else {
            problem("status",
                    "unknown planning-application-status code '" + status_text.substr(0, 40) + "'");
        }
    }
    if (const auto t = code_of(field(f, "decision_type")); !t.empty()) {
        r.decision_type = t;
    }

    const auto date = [&](const char* name, bool required) -> std::optional<std::string> {
        const auto text = field(f, name);
        if (text.empty()) {
            if (required) {
                problem(name, "no date");
            }
            return std::nullopt;
        }
        auto d = parse_planning_date(text);
        if (!d) {
            problem(name, "'" + text.substr(0, 30) +
                              "' is not a date (YYYY-MM-DD or DD/MM/YYYY) that exists");
        }
        return d;
    };
    r.received_date = date("received_date", true).value_or("");
    r.validated_date = date("validated_date", false);
    r.decided_date = date("decided_date", false);
    if (!r.received_date.empty() && r.decided_date && *r.decided_date < r.received_date) {
        problem("decided_date", "decided (" + *r.decided_date + ") before it was received (" +
                                    r.received_date + ")");
    }
    if (!r.received_date.empty() && r.validated_date && *r.validated_date < r.received_date) {
        problem("validated_date", "validated (" + *r.validated_date + ") before it was received (" +
                                      r.received_date + ")");
    }

    r.point_wkt = or_null(field(f, "point"));
    r.geometry_wkt = or_null(field(f, "geometry"));
    const auto lon_text = field(f, "lon"), lat_text = field(f, "lat");
    if (!lon_text.empty() || !lat_text.empty()) {
        const auto lon = number(lon_text), lat = number(lat_text);
        if (!lat || *lat < -90 || *lat > 90) {
            problem("lat", "'" + lat_text.substr(0, 30) + "' is not a latitude");
        }
        if (!lon || *lon < -180 || *lon > 180) {
            problem("lon", "'" + lon_text.substr(0, 30) + "' is not a longitude");
        }
        if (lat && lon && *lat >= -90 && *lat <= 90 && *lon >= -180 && *lon <= 180) {
            r.lat = lat;
            r.lon = lon;
        }
    }
    if (problems.size() != before) {
        return std::nullopt;
    }
    return r;
}

const std::vector<PlanningColumn>& planning_columns() {
    static const std::vector<PlanningColumn> columns = {
        {"reference", {"reference"}, {"uid", "reference"}},
        {"name", {"name"}, {}},
        {"description", {"description"}, {"description"}},
        {"address", {"address-text", "address"}, {"address"}},
        {"postcode", {"postcode"}, {"postcode"}},
        {"uprn", {"uprn"}, {"uprn"}},
        {"app_type", {"planning-application-type"}, {"app_type", "type"}},
        {"status", {"planning-application-status"}, {"state", "app_state"}},
        {"decision", {"planning-decision"}, {}},
        {"decision_type", {"planning-decision-type"}, {}},
        {"received_date", {"start-date"}, {"start_date"}},
        {"validated_date", {"validated-date", "validation-date"}, {"validated_date"}},
        {"decided_date", {"decision-date"}, {"decided_date"}},
        {"documentation_url", {"documentation-url"}, {"url", "link"}},
        {"point", {"point"}, {}},
        {"geometry", {"geometry"}, {}},
        {"lon", {}, {"lng", "lon", "location_x"}},
        {"lat", {}, {"lat", "location_y"}},
    };
    return columns;
}

} // namespace wardmap::importers
