#include "server/services/requests/service_catalogue.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace wardmap::services {

namespace {

using nlohmann::json;

constexpr std::pair<AttributeType, const char*> type_names[] = {
    {AttributeType::string, "string"},
    {AttributeType::number, "number"},
    {AttributeType::datetime, "datetime"},
    {AttributeType::text, "text"},
    {AttributeType::singlevaluelist, "singlevaluelist"},
    {AttributeType::multivaluelist, "multivaluelist"},
};

bool is_list(AttributeType t) {
    return t == AttributeType::singlevaluelist || t == AttributeType::multivaluelist;
}

bool valid_code(const std::string& code) {
    return !code.empty() && code.size() <= 64 &&
           code.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789_-") == std::string::npos;
}

/// Reads fields of one JSON object, naming the place in every error.
class Reader {
  public:
    Reader(const json& object, std::string where) : m_object(object), m_where(std::move(where)) {
        if (!m_object.is_object()) {
            fail("must be an object");
        }
    }
    [[noreturn]] void fail(const std::string& why, const std::string& field = "") const {
        throw CatalogueError(m_where + ": " + why, field);
    }
    [[nodiscard]] const std::string& where() const { return m_where; }

    std::string text(const char* key) const {
        const auto v = optional_text(key);
        if (!v || v->empty()) {
            fail(std::string("'") + key + "' is required (a non-empty string)", key);
        }
        return *v;
    }
    std::optional<std::string> optional_text(const char* key) const {
        if (!m_object.contains(key) || m_object[key].is_null()) {
            return std::nullopt;
        }
        if (!m_object[key].is_string()) {
            fail(std::string("'") + key + "' must be a string", key);
        }
        return m_object[key].get<std::string>();
    }
    bool boolean(const char* key, bool fallback) const {
        if (!m_object.contains(key)) {
            return fallback;
        }
        if (!m_object[key].is_boolean()) {
            fail(std::string("'") + key + "' must be true or false", key);
        }
        return m_object[key].get<bool>();
    }
    double number(const char* key, double fallback, double low, double high) const {
        if (!m_object.contains(key)) {
            return fallback;
        }
        if (!m_object[key].is_number()) {
            fail(std::string("'") + key + "' must be a number", key);
        }
        const double v = m_object[key].get<double>();
        if (!(v >= low && v <= high)) {
            std::ostringstream s;
            s << "'" << key << "' must be from " << low << " to " << high;
            fail(s.str(), key);
        }
        return v;
    }
    const json& array(const char* key, bool required) const {
        static const json empty = json::array();
        if (!m_object.contains(key)) {
            if (required) {
                fail(std::string("'") + key + "' is required (an array)", key);
            }
            return empty;
        }
        if (!m_object[key].is_array()) {
            fail(std::string("'") + key + "' must be an array", key);
        }
        return m_object[key];
    }

  private:
    const json& m_object;
    std::string m_where;
};

ServiceAttribute read_attribute(const json& j, const std::string& where) {
    const Reader r(j, where);
    ServiceAttribute a;
    a.code = r.text("code");
    if (!valid_code(a.code)) {
        r.fail("attribute code '" + a.code + "' may hold only letters, digits, '_' and '-'",
               "code");
    }
    a.description = r.text("description");
    const std::string type = r.text("datatype");
    const auto* found = std::find_if(std::begin(type_names), std::end(type_names),
                                     [&type](const auto& p) { return type == p.second; });
    if (found == std::end(type_names)) {
        r.fail("datatype '" + type +
                   "' is not one of string, number, datetime, text, singlevaluelist, "
                   "multivaluelist",
               "datatype");
    }
    a.datatype = found->first;
    a.variable = r.boolean("variable", true);
    a.required = r.boolean("required", false);
    a.order = static_cast<int>(r.number("order", 0, 1, 1000));
    if (a.order == 0) {
        r.fail("'order' is required (a positive whole number)", "order");
    }
    a.datatype_description = r.optional_text("datatype_description");
    std::set<std::string> keys;
    for (const auto& v : r.array("values", false)) {
        const Reader vr(v, where + ".values");
        AttributeValue value{vr.text("key"), vr.text("name")};
        if (!keys.insert(value.key).second) {
            vr.fail("value key '" + value.key + "' appears twice", "values");
        }
        a.values.push_back(std::move(value));
    }
    if (is_list(a.datatype) && a.values.empty()) {
        r.fail("a " + type + " needs 'values'", "values");
    }
    if (!is_list(a.datatype) && !a.values.empty()) {
        r.fail("only singlevaluelist and multivaluelist take 'values'", "values");
    }
    return a;
}

ServiceDefinition read_service(const json& j, const std::string& where) {
    const Reader r(j, where);
    ServiceDefinition s;
    s.code = r.text("code");
    if (!valid_code(s.code)) {
        r.fail("service code '" + s.code + "' may hold only letters, digits, '_' and '-'", "code");
    }
    const std::string at = where + " (" + s.code + ")";
    const Reader sr(j, at);
    s.name = sr.text("name");
    s.group = sr.text("group");
    s.description = sr.text("description");
    for (const auto& k : sr.array("keywords", false)) {
        if (!k.is_string()) {
            sr.fail("'keywords' must be strings", "keywords");
        }
        s.keywords.push_back(k.get<std::string>());
    }
    s.anonymous_allowed = sr.boolean("anonymous_allowed", true);
    s.is_private = sr.boolean("private", false);
    s.duplicate_radius_m = sr.number("duplicate_radius_m", 50, 0, 1000);
    s.agency_responsible = sr.optional_text("agency_responsible");
    s.service_notice = sr.optional_text("service_notice");

    std::set<std::string> codes;
    std::set<int> orders;
    for (const auto& a : sr.array("attributes", false)) {
        auto attribute =
            read_attribute(a, at + ".attributes[" + std::to_string(codes.size()) + "]");
        if (!codes.insert(attribute.code).second) {
            sr.fail("attribute code '" + attribute.code + "' appears twice", "attributes");
        }
        if (!orders.insert(attribute.order).second) {
            sr.fail("attribute order " + std::to_string(attribute.order) + " appears twice",
                    "attributes");
        }
        s.attributes.push_back(std::move(attribute));
    }
    std::sort(
        s.attributes.begin(), s.attributes.end(),
        [](const ServiceAttribute& x, const ServiceAttribute& y) { return x.order < y.order; });

    for (const auto& p : sr.array("priorities", true)) {
        const Reader pr(p, at + ".priorities");
        Priority priority{pr.text("code"), pr.text("name"), 0};
        priority.sla_working_days = static_cast<int>(pr.number("sla_working_days", -1, 0, 250));
        if (priority.sla_working_days < 0) {
            pr.fail("'sla_working_days' is required (0 to 250)", "sla_working_days");
        }
        for (const auto& existing : s.priorities) {
            if (existing.code == priority.code) {
                pr.fail("priority '" + priority.code + "' appears twice", "priorities");
            }
        }
        s.priorities.push_back(std::move(priority));
    }
    if (s.priorities.empty()) {
        sr.fail("'priorities' needs at least one priority", "priorities");
    }
    s.default_priority = sr.optional_text("default_priority").value_or(s.priorities.front().code);
    const auto has_priority = [&s](const std::string& code) {
        return std::any_of(s.priorities.begin(), s.priorities.end(),
                           [&code](const Priority& p) { return p.code == code; });
    };
    if (!has_priority(s.default_priority)) {
        sr.fail("default_priority '" + s.default_priority + "' is not one of its priorities",
                "default_priority");
    }
    for (const auto& rule : sr.array("priority_rules", false)) {
        const Reader rr(rule, at + ".priority_rules");
        PriorityRule pr{rr.text("attribute"), rr.text("value"), rr.text("priority")};
        const auto* attribute = s.attribute(pr.attribute);
        if (attribute == nullptr) {
            rr.fail("names no attribute '" + pr.attribute + "'", "priority_rules");
        }
        if (is_list(attribute->datatype) &&
            std::none_of(attribute->values.begin(), attribute->values.end(),
                         [&pr](const AttributeValue& v) { return v.key == pr.value; })) {
            rr.fail("value '" + pr.value + "' is not a key of attribute '" + pr.attribute + "'",
                    "priority_rules");
        }
        if (!has_priority(pr.priority)) {
            rr.fail("priority '" + pr.priority + "' is not one of the service's priorities",
                    "priority_rules");
        }
        s.priority_rules.push_back(std::move(pr));
    }
    return s;
}

} // namespace

const char* to_string(AttributeType type) {
    for (const auto& [t, name] : type_names) {
        if (t == type) {
            return name;
        }
    }
    return "string";
}

const Priority& ServiceDefinition::priority(const std::string& wanted) const {
    for (const auto& p : priorities) {
        if (p.code == wanted) {
            return p;
        }
    }
    return priorities.front();
}

const ServiceAttribute* ServiceDefinition::attribute(const std::string& wanted) const {
    for (const auto& a : attributes) {
        if (a.code == wanted) {
            return &a;
        }
    }
    return nullptr;
}

ServiceCatalogue ServiceCatalogue::parse(const std::string& json_text, const std::string& source) {
    json root;
    try {
        root = json::parse(json_text);
    } catch (const json::exception& e) { // parse_error, or out_of_range for 1e999
        throw CatalogueError(source + ": not valid JSON: " + e.what());
    }
    const Reader r(root, source);
    ServiceCatalogue c;
    c.m_jurisdiction_id = r.text("jurisdiction_id");
    c.m_council = r.text("council");
    c.m_contact = r.text("contact");
    c.m_key_service = r.text("key_service");
    const auto& list = r.array("services", true);
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto s = read_service(list[i], source + ": services[" + std::to_string(i) + "]");
        if (!c.m_index.emplace(s.code, c.m_services.size()).second) {
            r.fail("service code '" + s.code + "' appears twice");
        }
        c.m_services.push_back(std::move(s));
    }
    if (c.m_services.empty()) {
        r.fail("'services' is empty");
    }
    return c;
}

ServiceCatalogue ServiceCatalogue::load(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw CatalogueError(path.string() + ": cannot be read");
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), path.string());
}

ServiceDefinition ServiceCatalogue::parse_service(const std::string& json_text,
                                                  const std::string& where) {
    json root;
    try {
        root = json::parse(json_text);
    } catch (const json::exception& e) { // parse_error, or out_of_range for 1e999
        throw CatalogueError(where + ": not valid JSON: " + e.what());
    }
    return read_service(root, where);
}

ServiceCatalogue ServiceCatalogue::with_service(ServiceDefinition service) const {
    ServiceCatalogue c = *this;
    if (const auto it = c.m_index.find(service.code); it != c.m_index.end()) {
        c.m_services[it->second] = std::move(service);
    } else {
        c.m_index.emplace(service.code, c.m_services.size());
        c.m_services.push_back(std::move(service));
    }
    return c;
}

std::string service_to_json(const ServiceDefinition& s) {
    json j{{"code", s.code},
           {"name", s.name},
           {"group", s.group},
           {"keywords", s.keywords},
           {"description", s.description},
           {"anonymous_allowed", s.anonymous_allowed},
           {"private", s.is_private},
           {"duplicate_radius_m", s.duplicate_radius_m}};
    if (s.agency_responsible) {
        j["agency_responsible"] = *s.agency_responsible;
    }
    if (s.service_notice) {
        j["service_notice"] = *s.service_notice;
    }
    json priorities = json::array();
    for (const auto& p : s.priorities) {
        priorities.push_back(
            {{"code", p.code}, {"name", p.name}, {"sla_working_days", p.sla_working_days}});
    }
    j["priorities"] = std::move(priorities);
    j["default_priority"] = s.default_priority;
    json rules = json::array();
    for (const auto& r : s.priority_rules) {
        rules.push_back({{"attribute", r.attribute}, {"value", r.value}, {"priority", r.priority}});
    }
    j["priority_rules"] = std::move(rules);
    json attributes = json::array();
    for (const auto& a : s.attributes) {
        json aj{{"code", a.code},
                {"description", a.description},
                {"datatype", to_string(a.datatype)},
                {"variable", a.variable},
                {"required", a.required},
                {"order", a.order}};
        if (a.datatype_description) {
            aj["datatype_description"] = *a.datatype_description;
        }
        if (!a.values.empty()) {
            json values = json::array();
            for (const auto& v : a.values) {
                values.push_back({{"key", v.key}, {"name", v.name}});
            }
            aj["values"] = std::move(values);
        }
        attributes.push_back(std::move(aj));
    }
    j["attributes"] = std::move(attributes);
    j["retired"] = s.retired;
    return j.dump();
}

const ServiceDefinition* ServiceCatalogue::find(const std::string& code) const {
    const auto it = m_index.find(code);
    return it == m_index.end() ? nullptr : &m_services[it->second];
}

} // namespace wardmap::services
