#include "server/services/access/api_keys.hpp"

#include "core/tokens.hpp"
#include "core/w3c_time.hpp"

#include "server/services/shared/errors.hpp"

namespace wardmap::services {

std::string issue_api_key(store::Database& db,
                          const std::string& name,
                          const std::string& role,
                          const std::string& channel,
                          const std::optional<std::string>& per_address,
                          const std::optional<std::string>& per_key) {
    for (const auto& [option, text] :
         {std::pair{"rate-limit", per_address}, std::pair{"key-rate-limit", per_key}}) {
        if (text && !RateLimit::parse(*text)) {
            invalid_parameter(option, "must be a count per period such as 10/min, 100/hour or "
                                      "1000/day, not '" +
                                          *text + "'");
        }
    }
    if (name.empty() || name.size() > 100) {
        invalid_parameter("name", "must be 1 to 100 characters");
    }
    if (role != "client" && role != "staff") {
        invalid_parameter("role", "must be client or staff, not '" + role + "'");
    }
    if (channel.empty() || channel.size() > 20) {
        invalid_parameter("channel", "must be 1 to 20 characters (web, app, staff, ...)");
    }
    auto used = db.prepare("SELECT 1 FROM api_keys WHERE name = ?1 AND revoked_at IS NULL");
    used.bind(1, name);
    if (used.step()) {
        invalid_parameter("name", "'" + name + "' already has a live key (revoke it first)");
    }
    const std::string key = core::random_url_token(24); // 32 URL-safe characters
    auto st = db.prepare("INSERT INTO api_keys (key_sha256, name, role, channel, created_at, "
                         "rate_limit_per_address, rate_limit_per_key) VALUES (?1, ?2, ?3, ?4, "
                         "?5, ?6, ?7)");
    st.bind(1, core::sha256_hex(key)).bind(2, name).bind(3, role).bind(4, channel);
    st.bind(5, core::format_utc(core::now_seconds()));
    st.bind(6, per_address ? std::optional(RateLimit::parse(*per_address)->to_string())
                           : std::nullopt);
    st.bind(7, per_key ? std::optional(RateLimit::parse(*per_key)->to_string()) : std::nullopt);
    st.run();
    return key;
}

int revoke_api_keys(store::Database& db, const std::string& name) {
    auto st =
        db.prepare("UPDATE api_keys SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL");
    st.bind(1, name).bind(2, core::format_utc(core::now_seconds())).run();
    return db.changes();
}

} // namespace wardmap::services
