#pragma once

// People who sign in: who they are, their roles with scope, and their password. Passwords are
// kept only as libsodium Argon2id strings.

#include "geo/store/connection_pool.hpp"
#include "server/services/access/access.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wardmap::services {

struct Person {
    std::int64_t id = 0;
    std::string email;
    std::string name;
    bool active = true;
    bool has_password = false;
    std::vector<RoleGrant> grants;
};

/// A role with its scope as an admin types it: `role` by name, wards and teams by name, a
/// funeral director's firm. DomainError invalid_parameter for an unknown role or team, a
/// councillor without wards or with teams, an officer or supervisor without teams or with
/// wards, an admin with either, a funeral director without a firm, a firm for anyone else.
RoleGrant make_grant(const std::string& role,
                     const std::vector<std::string>& wards,
                     const std::vector<std::string>& teams,
                     const std::optional<std::string>& firm = std::nullopt);

/// A person's roles as stored (person_roles), grouped into one grant per role.
std::vector<RoleGrant> load_grants(store::Database& db, std::int64_t person_id);

/// Password rules and hashing, shared by every path that sets or checks a password.
namespace passwords {
inline constexpr std::size_t min_chars = 12;
inline constexpr std::size_t max_bytes = 1024;
/// DomainError invalid_parameter naming `password` with the rule it breaks: fewer than 12
/// characters, over 1,024 bytes, all of one class (lower, upper, digits, others), the email,
/// its local part or the name, or one of a built-in list of common passwords.
void check_strength(const std::string& password, const std::string& email, const std::string& name);
/// libsodium crypto_pwhash_str: Argon2id with OPSLIMIT/MEMLIMIT_INTERACTIVE (2 passes, 64 MiB,
/// tens of milliseconds): sign-ins run on the request workers, and the sign-in throttle, not
/// the hash's cost alone, is what stops guessing online.
std::string hash(const std::string& password);
/// crypto_pwhash_str_verify; false for a mismatch or a hash it cannot read.
bool verify(const std::string& stored_hash, const std::string& password);
/// A fixed hash verified against when the email is unknown or has no password, so the
/// answer takes the same time either way.
const std::string& dummy_hash();
} // namespace passwords

/// People, roles and passwords. Thread-safe (each call leases its own connection).
class AccountService {
  public:
    explicit AccountService(store::ConnectionPool& pool);

    /// Adds a person. DomainError invalid_parameter for an empty or malformed email or name,
    /// an email already used (case-insensitive), a bad grant (make_grant), a ward code no
    /// boundary set knows, or a weak password.
    Person add(const std::string& email,
               const std::string& name,
               const RoleGrant& grant,
               const std::optional<std::string>& password = std::nullopt) const;
    [[nodiscard]] std::vector<Person> list() const;
    [[nodiscard]] std::optional<Person> find(std::int64_t id) const;
    [[nodiscard]] std::optional<Person> find_by_email(const std::string& email) const;
    /// Disables the person and ends all their sessions at once. DomainError not_found.
    void disable(const std::string& email) const;
    /// Replaces all the person's roles with `grant`. DomainError not_found, invalid_parameter.
    void set_role(const std::string& email, const RoleGrant& grant) const;
    /// Sets a new password (strength-checked); ends the person's sessions, since a reset is
    /// what an admin does when a password may be known to someone else.
    void reset_password(const std::string& email, const std::string& password) const;
    /// The active person with this email and password; nullopt for an unknown email, a wrong
    /// password, no password or a disabled account, after the same Argon2id work in each case.
    [[nodiscard]] std::optional<Person> verify_password(const std::string& email,
                                                        const std::string& password) const;

  private:
    store::ConnectionPool& m_pool;
};

} // namespace wardmap::services
