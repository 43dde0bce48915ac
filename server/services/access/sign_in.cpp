#include "server/services/access/sign_in.hpp"

#include "server/services/access/api_keys.hpp"
#include "server/services/shared/errors.hpp"

#include <algorithm>
#include <cctype>

namespace wardmap::services {

namespace {

std::string folded(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

} // namespace

PasswordSignIn::PasswordSignIn(const AccountService& accounts,
                               const SessionService& sessions,
                               SignInLimits limits)
    : m_accounts(accounts), m_sessions(sessions), m_limits(limits) {}

SignedIn PasswordSignIn::sign_in(const std::string& email,
                                 const std::string& password,
                                 const std::string& client_address) {
    for (const auto& [bucket, limit] :
         {std::pair{"sign-in from " + client_address, m_limits.per_address},
          std::pair{"sign-in as " + folded(email), m_limits.per_account}}) {
        if (const auto wait = m_limiter.take(bucket, limit)) {
            DomainError e(ErrorCode::rate_limited, "too many sign-in attempts; try again in " +
                                                       std::to_string(*wait) + " s");
            e.with_retry_after(*wait);
            throw e;
        }
    }
    // Checked after the throttle so an oversized password costs no hashing either.
    const bool plausible = !email.empty() && email.size() <= 254 && !password.empty() &&
                           password.size() <= passwords::max_bytes;
    auto person = plausible ? m_accounts.verify_password(email, password) : std::nullopt;
    if (!person) {
        throw DomainError(ErrorCode::unauthorized,
                          "the email and password do not match an active account");
    }
    SignedIn done{*person, m_sessions.create(person->id, SignInMethod::password, client_address)};
    return done;
}

Authenticator::Authenticator(store::ConnectionPool& pool, const SessionService& sessions)
    : m_pool(pool), m_sessions(sessions) {}

Authentication Authenticator::authenticate(const Credentials& credentials) const {
    Authentication result;
    if (credentials.api_key) {
        std::optional<ApiClient> client;
        {
            auto db = m_pool.acquire();
            client = find_api_key(*db, *credentials.api_key);
        }
        if (!client) {
            result.outcome = Authentication::Outcome::rejected_key;
            return result;
        }
        result.outcome = Authentication::Outcome::accepted;
        result.principal.kind = Principal::Kind::api_key;
        result.principal.id = client->id;
        result.principal.name = client->name;
        result.principal.key_role = client->role == KeyRole::staff ? "staff" : "client";
        return result;
    }
    if (credentials.session_token) {
        auto session = m_sessions.resolve(*credentials.session_token);
        if (!session) {
            result.outcome = Authentication::Outcome::rejected_session;
            return result;
        }
        result.outcome = Authentication::Outcome::accepted;
        result.principal = std::move(session->principal);
        result.csrf_token = std::move(session->csrf_token);
    }
    return result;
}

} // namespace wardmap::services
