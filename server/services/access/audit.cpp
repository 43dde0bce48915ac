#include "server/services/access/audit.hpp"

#include "core/w3c_time.hpp"

#include "server/services/shared/errors.hpp"

namespace wardmap::services {

std::string_view audit_action_name(AuditAction action) {
    return action == AuditAction::read ? "read" : "change";
}

void AuditLog::record(store::Database& db,
                      const Principal& principal,
                      AuditAction action,
                      std::string_view record_kind,
                      std::string_view record_id,
                      std::string_view route,
                      std::string_view client_address) {
    if (principal.kind == Principal::Kind::anonymous) {
        // Routes that read personal data require a permission; reaching here anonymous is a bug.
        throw DomainError(ErrorCode::internal, "an anonymous read of personal data was refused");
    }
    auto st = db.prepare_cached(
        "INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, action, record_kind, "
        "record_id, route, client_address) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    st.bind(1, core::format_utc(core::now_seconds()))
        .bind(2, principal.kind == Principal::Kind::person ? "person" : "api_key")
        .bind(3, principal.id)
        .bind(4, principal.name)
        .bind(5, audit_action_name(action))
        .bind(6, record_kind)
        .bind(7, record_id)
        .bind(8, route)
        .bind(9, client_address)
        .run();
}

void AuditLog::list(store::Database& db,
                    const AuditQuery& query,
                    const std::function<void(const AuditEntry&)>& row) {
    if (query.limit < 1 || query.limit > AuditQuery::max_limit) {
        invalid_parameter("limit", "must be from 1 to " + std::to_string(AuditQuery::max_limit) +
                                       ", not " + std::to_string(query.limit));
    }
    // One statement, each filter switched off by a NULL parameter.
    auto st = db.prepare(
        "SELECT id, at, actor_kind, actor_id, actor_name, action, record_kind, record_id, route, "
        "client_address FROM audit_log "
        "WHERE (?1 IS NULL OR (actor_kind = 'person' AND actor_id = ?1)) "
        "AND (?2 IS NULL OR record_kind = ?2) AND (?3 IS NULL OR record_id = ?3) "
        "AND (?4 IS NULL OR at >= ?4) AND (?5 IS NULL OR at < ?5) "
        "ORDER BY id DESC LIMIT ?6");
    const auto utc = [](const std::optional<std::int64_t>& t) -> std::optional<std::string> {
        return t ? std::optional(core::format_utc(*t)) : std::nullopt;
    };
    st.bind(1, query.person)
        .bind(2, query.record_kind)
        .bind(3, query.record_id)
        .bind(4, utc(query.from))
        .bind(5, utc(query.to))
        .bind(6, query.limit);
    AuditEntry entry;
    while (st.step()) {
        entry.id = st.int64(0);
        entry.at = st.text(1);
        entry.actor_kind = st.text(2);
        entry.actor_id = st.int64(3);
        entry.actor_name = st.text(4);
        entry.action = st.text(5);
        entry.record_kind = st.text(6);
        entry.record_id = st.text(7);
        entry.route = st.text(8);
        entry.client_address = st.text(9);
        row(entry);
    }
}

void AuditService::list(const AuditQuery& query,
                        const std::function<void(const AuditEntry&)>& row) const {
    auto db = m_pool.acquire();
    AuditLog::list(*db, query, row);
}

} // namespace wardmap::services
