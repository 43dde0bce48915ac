#pragma once

// Signed-in sessions: an opaque random token in a cookie, stored only as its SHA-256, with a
// sliding idle expiry and an absolute one, revocable one by one or all of a person's at once.

#include "core/w3c_time.hpp"

#include "geo/store/connection_pool.hpp"
#include "server/services/access/access.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace wardmap::services {

enum class SignInMethod { password, oidc, link };
std::string_view sign_in_method_name(SignInMethod method);

/// Idle: ends after 8 h without a request (a working day's gaps, not a night). Absolute: ends
/// 12 h after sign-in whatever happens (a long shift), so a stolen cookie is not good forever.
struct SessionPolicy {
    std::chrono::seconds idle = std::chrono::hours(8);
    std::chrono::seconds absolute = std::chrono::hours(12);
};

struct NewSession {
    std::string token;      ///< goes into the cookie; never stored, never logged
    std::string id;         ///< public id (sign-out, revocation, logs)
    std::string csrf_token; ///< what the client echoes in X-CSRF-Token
    core::UnixSeconds expires_at = 0;
};

/// A live session's caller and the CSRF token its state changes must carry.
struct ResolvedSession {
    Principal principal;
    std::string csrf_token;
};

class SessionService {
  public:
    using Clock = std::function<core::UnixSeconds()>;
    /// Seconds between writes of last_seen_at: sliding the idle expiry on every request would
    /// make every read a write.
    static constexpr core::UnixSeconds touch_interval = 60;

    explicit SessionService(store::ConnectionPool& pool,
                            SessionPolicy policy = {},
                            Clock clock = core::now_seconds);

    /// A new session for a person who has just proved who they are (password here; OpenID
    /// Connect and emailed links call it too). The token is 32 random bytes.
    NewSession
    create(std::int64_t person_id, SignInMethod method, const std::string& client_address) const;
    /// The session's person, or nullopt when the token is unknown, revoked, idle or past its
    /// absolute expiry, or the person is disabled. Slides the idle expiry.
    [[nodiscard]] std::optional<ResolvedSession> resolve(const std::string& token) const;
    /// Ends one session (sign-out, an admin's revocation); false when it was not live.
    bool revoke(const std::string& session_id) const;
    /// Ends every live session of a person; returns how many.
    int revoke_all_for(std::int64_t person_id) const;

    /// The CSRF token of the session with this token: an HMAC-SHA-256 of a fixed label under
    /// the session token, so nothing more is stored and it dies with the session.
    static std::string csrf_token_for(const std::string& session_token);
    /// Constant-time comparison of a presented CSRF token with the expected one.
    static bool csrf_matches(const std::string& expected, const std::string& presented);

    [[nodiscard]] const SessionPolicy& policy() const { return m_policy; }

  private:
    store::ConnectionPool& m_pool;
    SessionPolicy m_policy;
    Clock m_clock;
};

} // namespace wardmap::services
