#pragma once

#include "server/services/access/accounts.hpp"
#include "server/services/access/oidc.hpp"
#include "server/services/access/sessions.hpp"

namespace wardmap::services {

/// OIDC sign-in over people and sessions: the active person with the provider's email, or a
/// person the admin's provisioning rule creates, gets a session of method "oidc".
class AccountsOidcBridge : public OidcAccounts {
  public:
    AccountsOidcBridge(const AccountService& accounts,
                       const SessionService& sessions,
                       std::optional<OidcProvisionRule> rule);

    std::optional<OidcSession> open_session(const OidcIdentity& who,
                                            const std::string& client_address) override;

  private:
    [[nodiscard]] std::optional<Person> provision(const OidcIdentity& who) const;

    const AccountService& m_accounts;
    const SessionService& m_sessions;
    std::optional<OidcProvisionRule> m_rule;
};

} // namespace wardmap::services
