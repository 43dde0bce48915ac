#pragma once

// The third way to sign in: a one-time link by email (for councillors, who may have neither a
// council password nor the council's identity provider; any active person may use it).

#include "server/services/access/accounts.hpp"
#include "server/services/access/sessions.hpp"
#include "server/services/access/sign_in.hpp"
#include "server/services/shared/rate_limiter.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace wardmap::services {

/// Links asked for: per email address as typed (known or not, so the limit itself reveals
/// nothing, and one inbox is not flooded) and per client address.
struct SignInLinkLimits {
    RateLimit per_email{5, 3600};
    RateLimit per_address{20, 3600};
};

/// Where the mail's link points and what it says.
struct SignInLinkSettings {
    std::string public_url;   ///< links are built on it, never on a request's Host header
    std::string council_name; ///< the mail's first line and subject
    SignInLinkLimits limits;
};

/// A link is `{public_url}/staff/link.html#TOKEN`: the token in the fragment never reaches a
/// server log or a Referer header; the page posts it to POST /api/session/link/redeem. The
/// token is 32 random bytes, stored only as its SHA-256, valid for `lifetime` and used once.
class SignInLinkService {
  public:
    using Clock = std::function<core::UnixSeconds()>;
    static constexpr std::chrono::minutes lifetime{15};

    SignInLinkService(store::ConnectionPool& pool,
                      const AccountService& accounts,
                      const SessionService& sessions,
                      SignInLinkSettings settings,
                      Clock clock = core::now_seconds);

    /// Queues a mail with a new link when `email` (trimmed, compared without case) is an
    /// active person's; does nothing otherwise, and the caller answers the same either way.
    /// DomainError invalid_parameter for something that is not an email address at all;
    /// rate_limited (with Retry-After) past either limit, counted before the lookup.
    void send_link(const std::string& email, const std::string& client_address);

    /// Uses the link up and opens a session of method "link". DomainError unauthorized, with
    /// one detail, for an unknown, expired or used token or a person disabled since;
    /// rate_limited past the per-address limit.
    SignedIn redeem(const std::string& token, const std::string& client_address);

  private:
    store::ConnectionPool& m_pool;
    const AccountService& m_accounts;
    const SessionService& m_sessions;
    SignInLinkSettings m_settings;
    Clock m_clock;
    RateLimiter m_limiter;
};

} // namespace wardmap::services
