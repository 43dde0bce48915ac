#include "server/http/housing/housing_bodies.hpp"

#include "server/services/shared/errors.hpp"

#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace wardmap::http {

using services::DomainError;
using services::ErrorCode;
using services::FieldProblem;

namespace {

constexpr std::size_t max_text = 2000;
constexpr std::size_t max_short_text = 200;

/// Reads one body's members, collecting problems; `finish()` throws them all at once.
class BodyReader {
  public:
    BodyReader(const nlohmann::json& body, std::initializer_list<std::string_view> known)
        : m_body(body) {
        if (!body.is_object()) {
            throw DomainError(ErrorCode::malformed_body, "the body must be a JSON object");
        }
        for (const auto& [name, value] : body.items()) {
            bool ok = false;
            for (const auto k : known) {
                ok = ok || k == name;
            }
            if (!ok) {
                problem(name.substr(0, 40), "is not a member of this body");
            }
        }
    }

    [[nodiscard]] bool has(const std::string& name) const { return m_body.contains(name); }

    std::optional<std::string>
    text(const std::string& name, bool required, std::size_t max = max_text) {
        if (!has(name) || m_body[name].is_null()) {
            if (required) {
                problem(name, "is required");
            }
            return std::nullopt;
        }
        const auto& v = m_body[name];
        if (!v.is_string()) {
            problem(name, "must be a string");
            return std::nullopt;
        }
        auto s = v.get<std::string>();
        if (s.size() > max) {
            problem(name, "must be at most " + std::to_string(max) + " bytes");
            return std::nullopt;
        }
        return s;
    }

    std::optional<std::string>
    one_of(const std::string& name, std::span<const std::string_view> allowed, bool required) {
        auto s = text(name, required, 40);
        if (!s) {
            return std::nullopt;
        }
        for (const auto a : allowed) {
            if (a == *s) {
                return s;
            }
        }
        std::string list;
        for (const auto a : allowed) {
            list += (list.empty() ? "" : ", ") + std::string(a);
        }
        problem(name, "must be one of " + list);
        return std::nullopt;
    }

    std::optional<core::Date> date(const std::string& name, bool required) {
        auto s = text(name, required, 40);
        if (!s) {
            return std::nullopt;
        }
        const auto d = core::parse_iso_date(*s);
        if (!d) {
            problem(name, "must be a date YYYY-MM-DD");
        }
        return d;
    }

    std::optional<bool> boolean(const std::string& name, bool required) {
        if (!has(name) || m_body[name].is_null()) {
            if (required) {
                problem(name, "is required");
            }
            return std::nullopt;
        }
        if (!m_body[name].is_boolean()) {
            problem(name, "must be true or false");
            return std::nullopt;
        }
        return m_body[name].get<bool>();
    }

    std::optional<std::int64_t> uprn(const std::string& name) {
        if (!has(name)) {
            problem(name, "is required");
            return std::nullopt;
        }
        const auto& v = m_body[name];
        std::int64_t value = 0;
        if (v.is_number_integer()) {
            value = v.get<std::int64_t>();
        } else if (v.is_string()) {
            const auto s = v.get<std::string>();
            if (s.empty() || s.size() > 12 ||
                s.find_first_not_of("0123456789") != std::string::npos) {
                problem(name, "must be a UPRN: a whole number from 1 to 999999999999");
                return std::nullopt;
            }
            value = std::stoll(s);
        } else {
            problem(name, "must be a UPRN: a whole number from 1 to 999999999999");
            return std::nullopt;
        }
        if (value < 1 || value > 999'999'999'999) {
            problem(name, "must be a UPRN: a whole number from 1 to 999999999999");
            return std::nullopt;
        }
        return value;
    }

    void problem(std::string name, std::string message) {
        m_problems.push_back({std::move(name), std::move(message)});
    }

    void finish() const {
        if (m_problems.empty()) {
            return;
        }
        std::string detail = "the body has " + std::to_string(m_problems.size()) +
                             (m_problems.size() == 1 ? " problem: " : " problems: ");
        for (std::size_t i = 0; i < m_problems.size(); ++i) {
            detail += (i ? "; " : "") + m_problems[i].name + " " + m_problems[i].message;
        }
        throw DomainError(ErrorCode::invalid_parameter, detail, m_problems);
    }

  private:
    const nlohmann::json& m_body;
    std::vector<FieldProblem> m_problems;
};

constexpr std::string_view risks[] = {"low", "medium", "high"};

} // namespace

services::EmptyPropertyInput parse_empty_property(const nlohmann::json& body) {
    BodyReader r(body, {"uprn", "source", "empty_since", "registered_on", "furnished", "risk",
                        "status", "notes"});
    services::EmptyPropertyInput in;
    const auto uprn = r.uprn("uprn");
    const auto source = r.one_of("source", services::empty_sources, true);
    const auto empty_since = r.date("empty_since", true);
    in.registered_on = r.date("registered_on", false);
    const auto furnished = r.boolean("furnished", false);
    const auto risk = r.one_of("risk", risks, true);
    const auto status = r.one_of("status", services::empty_statuses, false);
    in.notes = r.text("notes", false);
    r.finish();
    in.uprn = *uprn;
    in.source = *source;
    in.empty_since = *empty_since;
    in.furnished = furnished.value_or(false);
    in.risk = services::parse_risk(*risk).value_or(services::EmptyRisk::medium);
    in.status = status.value_or("monitoring");
    return in;
}

services::EmptyPropertyChange parse_empty_property_change(const nlohmann::json& body) {
    BodyReader r(body, {"source", "empty_since", "furnished", "risk", "notes"});
    services::EmptyPropertyChange c;
    c.source = r.one_of("source", services::empty_sources, false);
    c.empty_since = r.date("empty_since", false);
    c.furnished = r.boolean("furnished", false);
    if (const auto risk = r.one_of("risk", risks, false)) {
        c.risk = services::parse_risk(*risk);
    }
    if (r.has("notes")) {
        c.notes = r.text("notes", false);
    }
    r.finish();
    return c;
}

services::StatusChange parse_status_change(const nlohmann::json& body) {
    BodyReader r(body, {"status", "effective_on", "note"});
    services::StatusChange c;
    const auto status = r.one_of("status", services::empty_statuses, true);
    c.effective_on = r.date("effective_on", false);
    c.note = r.text("note", false);
    r.finish();
    c.status = *status;
    return c;
}

services::InspectionInput parse_inspection(const nlohmann::json& body) {
    BodyReader r(body, {"inspected_on", "condition", "security", "recommended_action", "notes"});
    services::InspectionInput in;
    const auto on = r.date("inspected_on", true);
    const auto condition = r.one_of("condition", services::inspection_conditions, true);
    const auto security = r.one_of("security", services::inspection_securities, true);
    const auto action = r.one_of("recommended_action", services::inspection_actions, true);
    in.notes = r.text("notes", false);
    r.finish();
    in.inspected_on = *on;
    in.condition = *condition;
    in.security = *security;
    in.recommended_action = *action;
    return in;
}

services::OwnerContact parse_owner(const nlohmann::json& body) {
    BodyReader r(body, {"name", "address", "phone", "email"});
    services::OwnerContact o;
    o.name = r.text("name", false, max_short_text);
    o.address = r.text("address", false, 500);
    o.phone = r.text("phone", false, 40);
    o.email = r.text("email", false, 254);
    if (o.email && !o.email->empty() && o.email->find('@') == std::string::npos) {
        r.problem("email", "must be an email address");
    }
    // An empty string is no value.
    for (auto* m : {&o.name, &o.address, &o.phone, &o.email}) {
        if (*m && m->value().empty()) {
            m->reset();
        }
    }
    if (!o.name && !o.address && !o.phone && !o.email && body.is_object() && body.empty()) {
        r.problem("name", "give at least one of name, address, phone, email");
    }
    r.finish();
    return o;
}

} // namespace wardmap::http
