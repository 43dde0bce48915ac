#pragma once

// OpenID Connect sign-in for staff, wardmap as the relying party of the council's identity
// provider (Microsoft Entra ID or any OIDC provider): the authorization code flow with PKCE
// (S256), state and nonce, the ID token verified against the provider's JWKS. Pending
// sign-ins are kept in memory (ten minutes, single use): a restart only means "start again".

#include "server/services/access/access.hpp"
#include "server/services/access/jwt.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace wardmap::services {

/// The admin's rule for people the provider knows and wardmap does not yet: an unknown email
/// of `email_domain` gets an account with `role` (and `teams`). Without a rule, only existing
/// active people sign in.
struct OidcProvisionRule {
    std::string email_domain;
    std::string role = "officer";   ///< role_name() spelling
    std::vector<std::string> teams; ///< team_name() spellings
};

struct OidcSettings {
    std::string issuer; ///< exactly as the provider's discovery document names it
    std::string client_id;
    std::string client_secret;
    std::string redirect_url; ///< .../auth/oidc/callback, registered at the provider
    std::optional<OidcProvisionRule> provision;
    std::chrono::seconds login_lifetime{600};
    std::size_t max_pending_logins = 10000;
    long http_timeout_seconds = 10;
};

/// Throws std::invalid_argument naming the first setting that is missing or unsafe: the issuer
/// and redirect URL must be https:// (http:// only on loopback, for tests and development).
void check_oidc_settings(const OidcSettings& settings);

/// Who the provider says signed in.
struct OidcIdentity {
    std::string subject;
    std::string email; ///< lower-cased
    std::string name;
};

/// A session opened for a signed-in person: what the sign-in route puts in the cookie.
struct OidcSession {
    std::string token;
    std::chrono::seconds max_age{0};
};

/// What OIDC sign-in leaves to accounts: find the active person with this email (or create one
/// by the provisioning rule) and open a session (method "oidc"). nullopt: nobody may sign in as
/// this identity.
class OidcAccounts {
  public:
    virtual ~OidcAccounts() = default;
    virtual std::optional<OidcSession> open_session(const OidcIdentity& who,
                                                    const std::string& client_address) = 0;
};

/// The provider's endpoints, from {issuer}/.well-known/openid-configuration.
struct OidcProviderMetadata {
    std::string issuer;
    std::string authorization_endpoint;
    std::string token_endpoint;
    std::string jwks_uri;
    std::optional<std::string> userinfo_endpoint;
    bool client_secret_basic = true; ///< else client_secret_post
};

/// The start of a sign-in: where to send the browser, and the value of the short-lived cookie
/// that binds the callback to this browser (so nobody can hand someone else their callback).
struct OidcStart {
    std::string authorization_url;
    std::string browser_binding;
};

/// A finished sign-in: who, and the same-origin path to go back to.
struct OidcFinish {
    OidcIdentity identity;
    std::string return_to;
};

/// The relying party. Thread-safe: the routes call it from every worker.
class OidcClient {
  public:
    explicit OidcClient(OidcSettings settings);
    ~OidcClient();
    OidcClient(const OidcClient&) = delete;
    OidcClient& operator=(const OidcClient&) = delete;

    /// A new pending sign-in (state, nonce, PKCE verifier) and the authorization URL. Throws
    /// OidcRefused when the provider's discovery document cannot be had, or too many sign-ins
    /// are pending.
    [[nodiscard]] OidcStart start(const std::string& return_to);

    /// The callback: `state` must be a pending, unexpired sign-in (used up here whatever
    /// happens next) started in the browser holding `browser_binding`; the code is exchanged
    /// (with the PKCE verifier) and the ID token verified. Throws OidcRefused naming why not.
    [[nodiscard]] OidcFinish
    finish(const std::string& state, const std::string& code, const std::string& browser_binding);

    /// Fetches the discovery document and the JWKS now (at start-up, to log a bad
    /// configuration early). Throws OidcRefused.
    void load_provider();

    [[nodiscard]] const OidcSettings& settings() const { return m_settings; }

  private:
    struct PendingLogin {
        std::string nonce;
        std::string code_verifier;
        std::string return_to;
        std::string binding_hash;
        std::chrono::steady_clock::time_point expires;
    };

    [[nodiscard]] std::shared_ptr<const OidcProviderMetadata> metadata();
    [[nodiscard]] std::shared_ptr<const JsonWebKeySet> keys(bool refresh);
    struct TokenAnswer {
        std::string id_token;
        std::string access_token;
    };

    [[nodiscard]] TokenAnswer exchange_code(const OidcProviderMetadata& provider,
                                            const std::string& code,
                                            const std::string& code_verifier) const;
    [[nodiscard]] IdTokenClaims verify(const std::string& id_token, const std::string& nonce);
    [[nodiscard]] std::optional<std::string> userinfo_email(const OidcProviderMetadata& provider,
                                                            const std::string& access_token,
                                                            const std::string& subject) const;

    OidcSettings m_settings;
    std::mutex m_mutex; // guards everything below
    std::shared_ptr<const OidcProviderMetadata> m_metadata;
    std::shared_ptr<const JsonWebKeySet> m_keys;
    std::chrono::steady_clock::time_point m_keys_fetched{};
    std::map<std::string, PendingLogin, std::less<>> m_pending; // by state
};

} // namespace wardmap::services
