#include "server/services/access/oidc_accounts.hpp"

#include "server/services/shared/errors.hpp"

#include <spdlog/spdlog.h>

namespace wardmap::services {

AccountsOidcBridge::AccountsOidcBridge(const AccountService& accounts,
                                       const SessionService& sessions,
                                       std::optional<OidcProvisionRule> rule)
    : m_accounts(accounts), m_sessions(sessions), m_rule(std::move(rule)) {}

std::optional<Person> AccountsOidcBridge::provision(const OidcIdentity& who) const {
    const auto at = who.email.rfind('@');
    if (!m_rule || at == std::string::npos || who.email.substr(at + 1) != m_rule->email_domain) {
        return std::nullopt;
    }
    const std::string name = who.name.empty() ? who.email.substr(0, at) : who.name;
    try {
        auto person = m_accounts.add(who.email, name, make_grant(m_rule->role, {}, m_rule->teams));
        spdlog::info("oidc: provisioned person {} as {}", person.id, m_rule->role);
        return person;
    } catch (const DomainError&) {
        // Another sign-in of the same person provisioned them a moment ago, or the provider's
        // email or name is one wardmap will not store: either way, look once more.
        return m_accounts.find_by_email(who.email);
    }
}

std::optional<OidcSession> AccountsOidcBridge::open_session(const OidcIdentity& who,
                                                            const std::string& client_address) {
    auto person = m_accounts.find_by_email(who.email);
    if (!person) {
        person = provision(who);
    }
    if (!person || !person->active) {
        return std::nullopt;
    }
    const auto session = m_sessions.create(person->id, SignInMethod::oidc, client_address);
    spdlog::info("oidc: person {} signed in (session {})", person->id, session.id);
    return OidcSession{session.token, m_sessions.policy().absolute};
}

} // namespace wardmap::services
