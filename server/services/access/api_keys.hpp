#pragma once

#include "core/w3c_time.hpp"

#include "geo/store/database.hpp"
#include "server/services/shared/rate_limiter.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace wardmap::services {

/// What a key may do: a client app creates requests; a staff system also posts updates.
enum class KeyRole { client, staff };

/// The holder of an API key. Plain value.
struct ApiClient {
    std::int64_t id = 0;
    std::string name;
    KeyRole role = KeyRole::client;
    std::string channel; ///< recorded as the request's source ("app", "web", "staff", ...)
    std::optional<RateLimit> per_address; ///< requests from one client address
    std::optional<RateLimit> per_key;     ///< requests with this key, from anywhere
};

/// The live key's holder, or nullopt for an unknown or revoked key.
std::optional<ApiClient> find_api_key(store::Database& db, const std::string& api_key);
/// The key's holder. DomainError forbidden (403) when missing, unknown or revoked, or when
/// `need_staff` and the key is a client's.
ApiClient authenticate_api_key(store::Database& db,
                               const std::optional<std::string>& api_key,
                               bool need_staff);

/// Issues a new API key (32 random URL-safe characters) and stores its hash; the key itself
/// is returned once and never kept. Rate limits are RateLimit::parse's form ("10/min").
/// DomainError invalid_parameter for an empty name, a role other than client or staff, a
/// name already used by a live key, or a malformed rate limit.
std::string issue_api_key(store::Database& db,
                          const std::string& name,
                          const std::string& role,
                          const std::string& channel,
                          const std::optional<std::string>& per_address = std::nullopt,
                          const std::optional<std::string>& per_key = std::nullopt);
/// Stores a key chosen by the caller (the demo's well-known keys), created at `created`,
/// with issue_api_key's checks; only its hash is kept.
void register_api_key(store::Database& db,
                      const std::string& key,
                      const std::string& name,
                      const std::string& role,
                      const std::string& channel,
                      const std::optional<std::string>& per_address,
                      const std::optional<std::string>& per_key,
                      core::UnixSeconds created);
/// Revokes every live key with this name; returns how many.
int revoke_api_keys(store::Database& db, const std::string& name);

} // namespace wardmap::services
