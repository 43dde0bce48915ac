#pragma once

// The audit trail of personal data (issue 17 §3): every read or change of it by staff is a row
// of the append-only `audit_log` table, written in the transaction of the read itself, so a read
// that cannot be recorded fails instead of happening unrecorded.

#include "geo/store/connection_pool.hpp"
#include "geo/store/database.hpp"
#include "server/services/access/access.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace wardmap::services {

enum class AuditAction { read, change };
std::string_view audit_action_name(AuditAction action);

/// One row of the audit log. Plain value.
struct AuditEntry {
    std::int64_t id = 0;
    std::string at;         ///< UTC, 2026-12-07T09:30:00Z
    std::string actor_kind; ///< "person" or "api_key"
    std::int64_t actor_id = 0;
    std::string actor_name;
    std::string action; ///< "read" or "change"
    std::string record_kind;
    std::string record_id;
    std::string route;
    std::string client_address;
};

/// Filters of GET /api/audit; all optional. `from` and `to` are UTC instants: rows with
/// from <= at < to.
struct AuditQuery {
    std::optional<std::int64_t> person;
    std::optional<std::string> record_kind;
    std::optional<std::string> record_id;
    std::optional<std::int64_t> from;
    std::optional<std::int64_t> to;
    int limit = 100;
    static constexpr int max_limit = 10000;
};

class AuditLog {
  public:
    /// Appends one row on `db`, which must be inside the Transaction of the read or change being
    /// recorded. Throws (and the caller's transaction rolls back) when it cannot be written; an
    /// anonymous principal is a programming error (DomainError internal).
    static void record(store::Database& db,
                       const Principal& principal,
                       AuditAction action,
                       std::string_view record_kind,
                       std::string_view record_id,
                       std::string_view route,
                       std::string_view client_address);

    /// Matching rows, newest first, at most query.limit (1..max_limit, else invalid_parameter).
    static void list(store::Database& db,
                     const AuditQuery& query,
                     const std::function<void(const AuditEntry&)>& row);
};

/// The admins' view of the audit log (GET /api/audit and its CSV). Thread-safe.
class AuditService {
  public:
    explicit AuditService(store::ConnectionPool& pool) : m_pool(pool) {}
    /// AuditLog::list on a connection of the pool.
    void list(const AuditQuery& query, const std::function<void(const AuditEntry&)>& row) const;

  private:
    store::ConnectionPool& m_pool;
};

} // namespace wardmap::services
