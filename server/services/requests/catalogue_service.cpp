#include "server/services/requests/catalogue_service.hpp"

#include "core/w3c_time.hpp"

#include "server/services/shared/errors.hpp"

namespace wardmap::services {

namespace {

/// The file loader's words, as a 400 naming the field at fault.
[[noreturn]] void invalid_definition(const CatalogueError& e) {
    const std::string message = e.what();
    throw DomainError(ErrorCode::invalid_parameter, "invalid service definition: " + message,
                      {{e.field().empty() ? "body" : e.field(), message}});
}

ServiceDefinition checked(const std::string& json_text) {
    try {
        return ServiceCatalogue::parse_service(json_text, "body");
    } catch (const CatalogueError& e) {
        invalid_definition(e);
    }
}

} // namespace

CatalogueService::CatalogueService(store::ConnectionPool& pool, ServiceCatalogue from_file)
    : m_pool(pool) {
    auto db = m_pool.acquire();
    auto st = db->prepare("SELECT code, definition, retired_at IS NOT NULL FROM "
                          "service_definitions ORDER BY rowid");
    while (st.step()) {
        const std::string code(st.text(0));
        ServiceDefinition s;
        if (!st.is_null(1)) {
            // Stored edits were checked when made; a failure here means a hand-edited row.
            s = ServiceCatalogue::parse_service(std::string(st.text(1)),
                                                "service_definitions (" + code + ")");
        } else if (const auto* in_file = from_file.find(code)) {
            s = *in_file;
        } else {
            continue; // retired and gone from the file: nothing left to describe it
        }
        s.retired = st.int64(2) != 0;
        from_file = from_file.with_service(std::move(s));
    }
    m_current = std::make_shared<const ServiceCatalogue>(std::move(from_file));
}

std::shared_ptr<const ServiceCatalogue> CatalogueService::current() const {
    std::lock_guard lock(m_read);
    return m_current;
}

ServiceDefinition CatalogueService::create(const std::string& json_text, const std::string& actor) {
    ServiceDefinition s = checked(json_text);
    std::lock_guard lock(m_write);
    if (const auto* existing = current()->find(s.code)) {
        throw DomainError(ErrorCode::conflict,
                          "service code '" + s.code + "' is already used" +
                              (existing->retired ? " (by a retired service)" : "") +
                              "; PUT /api/services/" + s.code + " replaces a live one",
                          {{"code", "is already used"}});
    }
    apply(s, "create", service_to_json(s), actor);
    return s;
}

ServiceDefinition CatalogueService::replace(const std::string& code,
                                            const std::string& json_text,
                                            const std::string& actor) {
    ServiceDefinition s = checked(json_text);
    if (s.code != code) {
        invalid_parameter("code", "must be '" + code + "' (the code in the path), not '" + s.code +
                                      "'; a code cannot change");
    }
    std::lock_guard lock(m_write);
    const auto* existing = current()->find(code);
    if (existing == nullptr || existing->retired) {
        throw DomainError(ErrorCode::not_found, "no live service '" + code + "'");
    }
    apply(s, "replace", service_to_json(s), actor);
    return s;
}

void CatalogueService::retire(const std::string& code, const std::string& actor) {
    std::lock_guard lock(m_write);
    const auto* existing = current()->find(code);
    if (existing == nullptr || existing->retired) {
        throw DomainError(ErrorCode::not_found, "no live service '" + code + "'");
    }
    ServiceDefinition s = *existing;
    s.retired = true;
    apply(s, "retire", service_to_json(s), actor);
}

void CatalogueService::apply(const ServiceDefinition& service,
                             const std::string& action,
                             const std::string& definition_json,
                             const std::string& actor) {
    const std::string now = core::format_utc(core::now_seconds());
    auto next = std::make_shared<const ServiceCatalogue>(current()->with_service(service));
    {
        auto db = m_pool.acquire();
        store::Transaction tx(*db);
        auto upsert = db->prepare(
            "INSERT INTO service_definitions (code, definition, retired_at, updated_at, "
            "updated_by) VALUES (?1, ?2, CASE WHEN ?3 THEN ?4 END, ?4, ?5) ON CONFLICT (code) DO "
            "UPDATE SET definition = excluded.definition, retired_at = excluded.retired_at, "
            "updated_at = excluded.updated_at, updated_by = excluded.updated_by");
        upsert.bind(1, service.code).bind(2, definition_json).bind(3, service.retired ? 1 : 0);
        upsert.bind(4, now).bind(5, actor).run();
        auto change = db->prepare("INSERT INTO service_definition_changes (at, actor, code, "
                                  "action, definition) VALUES (?1, ?2, ?3, ?4, ?5)");
        change.bind(1, now).bind(2, actor).bind(3, service.code).bind(4, action);
        change.bind(5, definition_json).run();
        // Requests reference their service's row.
        auto category = db->prepare(
            "INSERT INTO service_categories (code, name, group_name) VALUES (?1, ?2, ?3) ON "
            "CONFLICT (code) DO UPDATE SET name = excluded.name, group_name = excluded.group_name");
        category.bind(1, service.code).bind(2, service.name).bind(3, service.group).run();
        tx.commit();
    }
    std::lock_guard lock(m_read);
    m_current = std::move(next);
}

} // namespace wardmap::services
