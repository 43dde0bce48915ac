#include "geo/store/database.hpp"
#include "server/services/access/audit.hpp"
#include "server/services/requests/request_service.hpp"
#include "server/services/shared/errors.hpp"

namespace wardmap::services {

ReporterContact RequestService::contact(std::int64_t id,
                                        const Principal& reader,
                                        const std::string& route,
                                        const std::string& client_address) const {
    auto db = m_pool.acquire();
    // The read and its audit row commit together or not at all.
    store::Transaction tx(*db);
    auto st = db->prepare("SELECT c.first_name, c.last_name, c.email, c.phone FROM "
                          "service_requests r LEFT JOIN service_request_contacts c ON "
                          "c.request_id = r.id WHERE r.id = ?1");
    st.bind(1, id);
    if (!st.step()) {
        throw DomainError(ErrorCode::not_found, "request " + std::to_string(id) + " not found");
    }
    ReporterContact contact{id, st.optional_text(0), st.optional_text(1), st.optional_text(2),
                            st.optional_text(3)};
    AuditLog::record(*db, reader, AuditAction::read, "request_contact", std::to_string(id), route,
                     client_address);
    tx.commit();
    return contact;
}

} // namespace wardmap::services
