#pragma once

#include "geo/store/connection_pool.hpp"
#include "server/services/requests/service_catalogue.hpp"

#include <memory>
#include <mutex>
#include <string>

namespace wardmap::services {

/// The live service catalogue: the data file's services with the staff's edits on top. Edits
/// are stored (service_definitions, and every change in the append-only
/// service_definition_changes: who, when, what), so a restart keeps them, and take effect at
/// once: each edit builds a new immutable ServiceCatalogue and swaps the shared pointer, while
/// requests already holding the old one finish with it. Thread-safe.
class CatalogueService {
  public:
    /// Applies the stored edits to `from_file`: a stored definition replaces the file's
    /// service of that code or adds one; a retired code stays known (old requests keep their
    /// service) but is offered nowhere.
    CatalogueService(store::ConnectionPool& pool, ServiceCatalogue from_file);

    [[nodiscard]] std::shared_ptr<const ServiceCatalogue> current() const;

    /// Adds a service from its JSON definition (the data file's format), checked exactly as
    /// the file loader checks it. invalid_parameter naming the field; conflict when the code
    /// is already used (also by a retired service).
    ServiceDefinition create(const std::string& json_text, const std::string& actor);
    /// Replaces the service `code`; the definition's code must be `code`. not_found for an
    /// unknown or retired code.
    ServiceDefinition
    replace(const std::string& code, const std::string& json_text, const std::string& actor);
    /// Retires `code`: no longer listed or reportable; its requests stay readable.
    void retire(const std::string& code, const std::string& actor);

  private:
    /// Stores the change and swaps the catalogue, under m_write.
    void apply(const ServiceDefinition& service,
               const std::string& action,
               const std::string& definition_json,
               const std::string& actor);

    store::ConnectionPool& m_pool;
    std::mutex m_write; ///< one edit at a time
    mutable std::mutex m_read;
    std::shared_ptr<const ServiceCatalogue> m_current;
};

} // namespace wardmap::services
