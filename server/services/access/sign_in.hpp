#pragma once

// From credentials to a caller: password sign-in (throttled, one answer for every failure) and
// the resolution of each request's session cookie or API key into a Principal.

#include "server/services/access/accounts.hpp"
#include "server/services/access/sessions.hpp"
#include "server/services/shared/rate_limiter.hpp"

#include <optional>
#include <string>

namespace wardmap::services {

/// Sign-in attempts allowed, counted whether they succeed or not: per account (the email as
/// typed, known or not, so the limit itself reveals nothing) and per client address.
struct SignInLimits {
    RateLimit per_account{5, 60};
    RateLimit per_address{20, 60};
};

struct SignedIn {
    Person person;
    NewSession session;
};

class PasswordSignIn {
  public:
    PasswordSignIn(const AccountService& accounts,
                   const SessionService& sessions,
                   SignInLimits limits = {});

    /// DomainError rate_limited (with Retry-After) past either limit; otherwise DomainError
    /// unauthorized, with the same detail, for an unknown email, a wrong password, a person
    /// without a password or a disabled one.
    SignedIn sign_in(const std::string& email,
                     const std::string& password,
                     const std::string& client_address);

  private:
    const AccountService& m_accounts;
    const SessionService& m_sessions;
    SignInLimits m_limits;
    RateLimiter m_limiter;
};

/// What a request presented.
struct Credentials {
    std::optional<std::string> api_key;
    std::optional<std::string> session_token;
};

struct Authentication {
    enum class Outcome { none, accepted, rejected_key, rejected_session };
    Outcome outcome = Outcome::none;
    Principal principal;    ///< anonymous unless accepted
    std::string csrf_token; ///< for a session: what its state changes must carry
};

/// Resolves a request's credentials. An API key wins over a session cookie: a machine client
/// never depends on a browser's cookie jar.
class Authenticator {
  public:
    Authenticator(store::ConnectionPool& pool, const SessionService& sessions);
    [[nodiscard]] Authentication authenticate(const Credentials& credentials) const;

  private:
    store::ConnectionPool& m_pool;
    const SessionService& m_sessions;
};

} // namespace wardmap::services
