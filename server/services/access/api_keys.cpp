#include "server/services/access/api_keys.hpp"

#include "core/tokens.hpp"
#include "core/w3c_time.hpp"

#include "server/services/shared/errors.hpp"

namespace wardmap::services {

std::optional<ApiClient> find_api_key(store::Database& db, const std::string& api_key) {
    auto st = db.prepare_cached("SELECT id, name, role, channel, rate_limit_per_address, "
                                "rate_limit_per_key FROM api_keys WHERE key_sha256 = ?1 AND "
                                "revoked_at IS NULL");
    st.bind(1, core::sha256_hex(api_key));
    if (!st.step()) {
        return std::nullopt;
    }
    const auto limit = [&st](int col) {
        const auto text = st.optional_text(col);
        return text ? RateLimit::parse(*text) : std::nullopt;
    };
    return ApiClient{st.int64(0),
                     std::string(st.text(1)),
                     st.text(2) == "staff" ? KeyRole::staff : KeyRole::client,
                     std::string(st.text(3)),
                     limit(4),
                     limit(5)};
}

ApiClient authenticate_api_key(store::Database& db,
                               const std::optional<std::string>& api_key,
                               bool need_staff) {
    if (!api_key) {
        throw DomainError(ErrorCode::forbidden, "an api_key is required",
                          {{"api_key", "is required"}});
    }
    auto client = find_api_key(db, *api_key);
    if (!client) {
        throw DomainError(ErrorCode::forbidden, "invalid api_key", {{"api_key", "is not valid"}});
    }
    if (need_staff && client->role != KeyRole::staff) {
        throw DomainError(ErrorCode::forbidden,
                          "this api_key may not post updates (a staff key is needed)",
                          {{"api_key", "is not a staff key"}});
    }
    return *client;
}

std::string issue_api_key(store::Database& db,
                          const std::string& name,
                          const std::string& role,
                          const std::string& channel,
                          const std::optional<std::string>& per_address,
                          const std::optional<std::string>& per_key) {
    const std::string key = core::random_url_token(24); // 32 URL-safe characters
    register_api_key(db, key, name, role, channel, per_address, per_key, core::now_seconds());
    return key;
}

void register_api_key(store::Database& db,
                      const std::string& key,
                      const std::string& name,
                      const std::string& role,
                      const std::string& channel,
                      const std::optional<std::string>& per_address,
                      const std::optional<std::string>& per_key,
                      core::UnixSeconds created) {
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
    auto st = db.prepare("INSERT INTO api_keys (key_sha256, name, role, channel, created_at, "
                         "rate_limit_per_address, rate_limit_per_key) VALUES (?1, ?2, ?3, ?4, "
                         "?5, ?6, ?7)");
    st.bind(1, core::sha256_hex(key)).bind(2, name).bind(3, role).bind(4, channel);
    st.bind(5, core::format_utc(created));
    st.bind(6, per_address ? std::optional(RateLimit::parse(*per_address)->to_string())
                           : std::nullopt);
    st.bind(7, per_key ? std::optional(RateLimit::parse(*per_key)->to_string()) : std::nullopt);
    st.run();
}

int revoke_api_keys(store::Database& db, const std::string& name) {
    auto st =
        db.prepare("UPDATE api_keys SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL");
    st.bind(1, name).bind(2, core::format_utc(core::now_seconds())).run();
    return db.changes();
}

} // namespace wardmap::services
