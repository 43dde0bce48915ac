#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace wardmap::services {

/// The Open311 attribute datatypes.
enum class AttributeType { string, number, datetime, text, singlevaluelist, multivaluelist };

const char* to_string(AttributeType type);

struct AttributeValue {
    std::string key;
    std::string name;
};

/// An Open311 service definition attribute (an extra question).
struct ServiceAttribute {
    std::string code;
    std::string description;
    AttributeType datatype = AttributeType::string;
    bool variable = true; ///< false: information shown, nothing asked
    bool required = false;
    int order = 1;
    std::optional<std::string> datatype_description;
    std::vector<AttributeValue> values; ///< list types only
};

/// A priority level and its target, in working days (England and Wales).
struct Priority {
    std::string code;
    std::string name;
    int sla_working_days = 5;
};

/// "When attribute X has value V the request gets priority P."
struct PriorityRule {
    std::string attribute;
    std::string value;
    std::string priority;
};

/// One service (category) residents can report. Plain value.
struct ServiceDefinition {
    std::string code;
    std::string name;
    std::string group;
    std::vector<std::string> keywords;
    std::string description;
    std::vector<ServiceAttribute> attributes; ///< sorted by order
    std::vector<Priority> priorities;
    std::string default_priority;
    std::vector<PriorityRule> priority_rules;
    double duplicate_radius_m = 50;
    bool anonymous_allowed = true;
    bool is_private = false;                       ///< requests never appear in public output
    std::optional<std::string> agency_responsible; ///< another body's job (a referral)
    std::optional<std::string> service_notice;
    /// Retired through the staff API: offered nowhere, kept so old requests keep their service.
    bool retired = false;

    [[nodiscard]] const Priority& priority(const std::string& wanted) const;
    [[nodiscard]] const ServiceAttribute* attribute(const std::string& wanted) const;
};

/// A catalogue file that cannot be used; the message names the file, service and field.
class CatalogueError : public std::runtime_error {
  public:
    explicit CatalogueError(const std::string& message, std::string field = "")
        : std::runtime_error(message), m_field(std::move(field)) {}
    /// The offending field's own name ("datatype", "sla_working_days"); empty when the
    /// problem is the whole object.
    [[nodiscard]] const std::string& field() const { return m_field; }

  private:
    std::string m_field;
};

/// The council's service catalogue (data/services/default.json by default), loaded once at
/// start and immutable after. Thread-safe to read.
class ServiceCatalogue {
  public:
    /// Parses and checks a catalogue: unique service codes (letters, digits, '_', '-'), known
    /// datatypes, unique positive attribute orders, values for list types, at least one
    /// priority with a target from 0 to 250 working days, rules naming real attributes,
    /// values and priorities. Throws CatalogueError saying what is wrong and where.
    static ServiceCatalogue parse(const std::string& json_text, const std::string& source);
    static ServiceCatalogue load(const std::filesystem::path& path);
    /// One service definition (an element of the file's "services"), checked exactly as the
    /// file loader checks it. Throws CatalogueError.
    static ServiceDefinition parse_service(const std::string& json_text, const std::string& where);

    /// A copy with `service` replacing the service of its code, or added at the end.
    [[nodiscard]] ServiceCatalogue with_service(ServiceDefinition service) const;

    [[nodiscard]] const std::vector<ServiceDefinition>& services() const { return m_services; }
    [[nodiscard]] const ServiceDefinition* find(const std::string& code) const;
    [[nodiscard]] const std::string& jurisdiction_id() const { return m_jurisdiction_id; }
    [[nodiscard]] const std::string& council() const { return m_council; }
    [[nodiscard]] const std::string& contact() const { return m_contact; }
    [[nodiscard]] const std::string& key_service() const { return m_key_service; }

  private:
    std::vector<ServiceDefinition> m_services;
    std::map<std::string, std::size_t> m_index;
    std::string m_jurisdiction_id;
    std::string m_council;
    std::string m_contact;
    std::string m_key_service;
};

/// A service as the data file writes it (parse_service reads it back to an equal service),
/// plus "retired".
std::string service_to_json(const ServiceDefinition& service);

} // namespace wardmap::services
