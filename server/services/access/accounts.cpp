#include "server/services/access/accounts.hpp"

#include "core/tokens.hpp"
#include "core/w3c_time.hpp"

#include "server/services/shared/errors.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>
#include <map>
#include <sodium.h>
#include <stdexcept>

namespace wardmap::services {

namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string without_spaces(const std::string& text) {
    std::string out;
    std::copy_if(text.begin(), text.end(), std::back_inserter(out),
                 [](unsigned char c) { return std::isspace(c) == 0; });
    return out;
}

std::size_t utf8_chars(const std::string& text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    }));
}

// Common passwords of 12 or more characters (the shorter ones fail the length rule anyway),
// compared without case: what a guesser tries first.
constexpr std::array<std::string_view, 28> common_passwords = {
    "password1234",  "password12345", "password123456", "password2024",  "password2025",
    "password2026",  "passw0rd1234",  "123456789012",   "1234567890123", "qwertyuiop12",
    "qwertyuiop123", "qwerty123456",  "1q2w3e4r5t6y",   "1qaz2wsx3edc",  "iloveyou1234",
    "welcome12345",  "welcome123456", "letmein12345",   "administrator", "administrator1",
    "changeme1234",  "chorley12345",  "chorleycouncil", "council12345",  "abcdefghijkl",
    "abc123abc123",  "monkey123456",  "football1234",
};

void check_email(const std::string& email) {
    const auto at = email.find('@');
    if (email.size() > 254 || at == std::string::npos || at == 0 || at + 1 >= email.size() ||
        email.find('@', at + 1) != std::string::npos ||
        email.find_first_of(" \t\r\n<>,;\"") != std::string::npos ||
        email.find('.', at) == std::string::npos) {
        invalid_parameter("email", "must be an email address such as name@example.org");
    }
}

void check_name(const std::string& name) {
    if (name.empty() || name.size() > 200 || name.find_first_of("\r\n\t") != std::string::npos) {
        invalid_parameter("name", "must be 1 to 200 characters on one line");
    }
}

void check_wards_exist(store::Database& db, const RoleGrant& grant) {
    auto st = db.prepare_cached("SELECT 1 FROM wards WHERE code = ?1 LIMIT 1");
    for (const auto& code : grant.wards) {
        st.reset();
        st.bind(1, code);
        if (!st.step()) {
            invalid_parameter("ward", "'" + code + "' is not a ward code in any boundary set");
        }
    }
}

void write_grant(store::Database& db, std::int64_t person_id, const RoleGrant& grant) {
    auto del = db.prepare("DELETE FROM person_roles WHERE person_id = ?1");
    del.bind(1, person_id).run();
    auto st = db.prepare("INSERT INTO person_roles (person_id, role, ward_code, team, firm) VALUES "
                         "(?1, ?2, ?3, ?4, ?5)");
    const auto row = [&](std::optional<std::string> ward, std::optional<std::string> team) {
        st.reset();
        st.bind(1, person_id).bind(2, std::string(role_name(grant.role))).bind(3, ward);
        st.bind(4, team).bind(5, grant.firm).run();
    };
    if (grant.role == Role::admin || grant.role == Role::funeral_director) {
        row(std::nullopt, std::nullopt);
    }
    for (const auto& ward : grant.wards) {
        row(ward, std::nullopt);
    }
    for (const Team team : grant.teams) {
        row(std::nullopt, std::string(team_name(team)));
    }
}

void end_sessions(store::Database& db, std::int64_t person_id, const std::string& now) {
    auto st = db.prepare("UPDATE sessions SET revoked_at = ?2 WHERE person_id = ?1 AND "
                         "revoked_at IS NULL");
    st.bind(1, person_id).bind(2, now).run();
}

std::optional<Person> read_person(store::Database& db, const char* where, auto&& bind) {
    auto st = db.prepare(std::string("SELECT id, email, name, status, password_hash IS NOT NULL "
                                     "FROM people WHERE ") +
                         where);
    bind(st);
    if (!st.step()) {
        return std::nullopt;
    }
    Person p;
    p.id = st.int64(0);
    p.email = st.text(1);
    p.name = st.text(2);
    p.active = st.text(3) == "active";
    p.has_password = st.int64(4) != 0;
    p.grants = load_grants(db, p.id);
    return p;
}

std::int64_t person_id_or_throw(store::Database& db, const std::string& email) {
    auto st = db.prepare("SELECT id FROM people WHERE email = ?1");
    st.bind(1, email);
    if (!st.step()) {
        throw DomainError(ErrorCode::not_found, "no person with that email");
    }
    return st.int64(0);
}

} // namespace

RoleGrant make_grant(const std::string& role,
                     const std::vector<std::string>& wards,
                     const std::vector<std::string>& teams,
                     const std::optional<std::string>& firm) {
    const auto parsed = parse_role(role);
    if (!parsed) {
        invalid_parameter("role", "must be councillor, officer, supervisor, admin or "
                                  "funeral_director, not '" +
                                      role + "'");
    }
    RoleGrant grant;
    grant.role = *parsed;
    for (const auto& team : teams) {
        const auto t = parse_team(team);
        if (!t) {
            invalid_parameter("team", "must be streetscene, bereavement, planning, "
                                      "customer_services or housing, not '" +
                                          team + "'");
        }
        if (std::find(grant.teams.begin(), grant.teams.end(), *t) == grant.teams.end()) {
            grant.teams.push_back(*t);
        }
    }
    for (const auto& ward : wards) {
        if (ward.empty() || ward.size() > 20) {
            invalid_parameter("ward", "must be a ward code such as E05012345");
        }
        if (std::find(grant.wards.begin(), grant.wards.end(), ward) == grant.wards.end()) {
            grant.wards.push_back(ward);
        }
    }
    switch (grant.role) {
    case Role::councillor:
        if (grant.wards.empty() || !grant.teams.empty()) {
            invalid_parameter("role", "a councillor needs one or more wards (--ward) and no teams");
        }
        break;
    case Role::officer:
    case Role::supervisor:
        if (grant.teams.empty() || !grant.wards.empty()) {
            invalid_parameter("role", "an officer or supervisor needs one or more teams (--team) "
                                      "and no wards");
        }
        break;
    case Role::admin:
        if (!grant.teams.empty() || !grant.wards.empty()) {
            invalid_parameter("role", "an admin has no wards or teams");
        }
        break;
    case Role::funeral_director:
        if (!grant.teams.empty() || !grant.wards.empty() || !firm || firm->empty() ||
            firm->size() > 200 || firm->find_first_of("\r\n\t") != std::string::npos) {
            invalid_parameter("firm", "a funeral director needs their firm's name (--firm, 1 to "
                                      "200 characters on one line) and no wards or teams");
        }
        grant.firm = *firm;
        break;
    }
    if (firm && grant.role != Role::funeral_director) {
        invalid_parameter("firm", "only a funeral director belongs to a firm");
    }
    return grant;
}

std::vector<RoleGrant> load_grants(store::Database& db, std::int64_t person_id) {
    auto st = db.prepare_cached("SELECT role, ward_code, team, firm FROM person_roles WHERE "
                                "person_id = ?1 ORDER BY role, ward_code, team");
    st.bind(1, person_id);
    std::map<Role, RoleGrant> by_role;
    while (st.step()) {
        const auto role = parse_role(st.text(0));
        if (!role) {
            continue; // the CHECK constraint keeps this from happening
        }
        auto& grant = by_role[*role];
        grant.role = *role;
        if (const auto ward = st.optional_text(1)) {
            grant.wards.push_back(*ward);
        }
        if (const auto team = st.optional_text(2); team && parse_team(*team)) {
            grant.teams.push_back(*parse_team(*team));
        }
        if (const auto firm = st.optional_text(3)) {
            grant.firm = *firm;
        }
    }
    std::vector<RoleGrant> grants;
    for (auto& [role, grant] : by_role) {
        grants.push_back(std::move(grant));
    }
    return grants;
}

namespace passwords {

void check_strength(const std::string& password,
                    const std::string& email,
                    const std::string& name) {
    if (utf8_chars(password) < min_chars) {
        invalid_parameter("password", "must be at least 12 characters");
    }
    if (password.size() > max_bytes) {
        invalid_parameter("password", "must be at most 1024 bytes");
    }
    bool lower_case = false;
    bool upper_case = false;
    bool digit = false;
    bool other = false;
    for (const char ch : password) {
        const auto c = static_cast<unsigned char>(ch);
        lower_case |= std::islower(c) != 0;
        upper_case |= std::isupper(c) != 0;
        digit |= std::isdigit(c) != 0;
        other |= std::isalnum(c) == 0;
    }
    if (static_cast<int>(lower_case) + static_cast<int>(upper_case) + static_cast<int>(digit) +
            static_cast<int>(other) <
        2) {
        invalid_parameter("password", "must mix at least two kinds of character (lower case, "
                                      "upper case, digits, others)");
    }
    const std::string folded = lower(password);
    const std::string local_part = lower(email.substr(0, email.find('@')));
    if (folded == lower(email) || folded == local_part || folded == lower(name) ||
        folded == lower(without_spaces(name))) {
        invalid_parameter("password", "must not be the email address or the name");
    }
    if (std::find(common_passwords.begin(), common_passwords.end(), folded) !=
        common_passwords.end()) {
        invalid_parameter("password", "is too common; choose another");
    }
}

std::string hash(const std::string& password) {
    if (sodium_init() < 0) {
        throw std::runtime_error("libsodium could not be initialised");
    }
    std::array<char, crypto_pwhash_STRBYTES> out{};
    if (crypto_pwhash_str(out.data(), password.data(), password.size(),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        throw std::runtime_error("password hashing ran out of memory");
    }
    return std::string(out.data());
}

bool verify(const std::string& stored_hash, const std::string& password) {
    if (sodium_init() < 0) {
        return false;
    }
    return crypto_pwhash_str_verify(stored_hash.c_str(), password.data(), password.size()) == 0;
}

const std::string& dummy_hash() {
    // A random password nobody knows: the hash only has to cost what a real one does.
    static const std::string hashed = hash(core::random_url_token(24));
    return hashed;
}

} // namespace passwords

AccountService::AccountService(store::ConnectionPool& pool) : m_pool(pool) {}

Person AccountService::add(const std::string& email,
                           const std::string& name,
                           const RoleGrant& grant,
                           const std::optional<std::string>& password) const {
    check_email(email);
    check_name(name);
    if (password) {
        passwords::check_strength(*password, email, name);
    }
    // Hashing takes tens of milliseconds: not inside the write transaction.
    const auto hashed = password ? std::optional(passwords::hash(*password)) : std::nullopt;
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    check_wards_exist(*db, grant);
    auto used = db->prepare("SELECT 1 FROM people WHERE email = ?1");
    used.bind(1, email);
    if (used.step()) {
        invalid_parameter("email", "is already used by another person");
    }
    const std::string now = core::format_utc(core::now_seconds());
    auto st = db->prepare("INSERT INTO people (email, name, status, password_hash, created_at, "
                          "updated_at) VALUES (?1, ?2, 'active', ?3, ?4, ?4)");
    st.bind(1, email).bind(2, name).bind(3, hashed).bind(4, now).run();
    const std::int64_t id = db->last_insert_rowid();
    write_grant(*db, id, grant);
    tx.commit();
    // On this lease: a second one could wait forever on a pool of one (the CLI's).
    return *read_person(*db, "id = ?1", [id](auto& s) { s.bind(1, id); });
}

std::vector<Person> AccountService::list() const {
    auto db = m_pool.acquire();
    auto st = db->prepare("SELECT id FROM people ORDER BY email");
    std::vector<std::int64_t> ids;
    while (st.step()) {
        ids.push_back(st.int64(0));
    }
    std::vector<Person> people;
    for (const auto id : ids) {
        people.push_back(*read_person(*db, "id = ?1", [id](auto& s) { s.bind(1, id); }));
    }
    return people;
}

std::optional<Person> AccountService::find(std::int64_t id) const {
    auto db = m_pool.acquire();
    return read_person(*db, "id = ?1", [id](auto& s) { s.bind(1, id); });
}

std::optional<Person> AccountService::find_by_email(const std::string& email) const {
    auto db = m_pool.acquire();
    return read_person(*db, "email = ?1", [&email](auto& s) { s.bind(1, email); });
}

void AccountService::disable(const std::string& email) const {
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    const auto id = person_id_or_throw(*db, email);
    const std::string now = core::format_utc(core::now_seconds());
    auto st = db->prepare("UPDATE people SET status = 'disabled', updated_at = ?2 WHERE id = ?1");
    st.bind(1, id).bind(2, now).run();
    end_sessions(*db, id, now);
    tx.commit();
}

void AccountService::set_role(const std::string& email, const RoleGrant& grant) const {
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    const auto id = person_id_or_throw(*db, email);
    check_wards_exist(*db, grant);
    write_grant(*db, id, grant);
    auto st = db->prepare("UPDATE people SET updated_at = ?2 WHERE id = ?1");
    st.bind(1, id).bind(2, core::format_utc(core::now_seconds())).run();
    tx.commit();
}

void AccountService::reset_password(const std::string& email, const std::string& password) const {
    const auto person = find_by_email(email);
    if (!person) {
        throw DomainError(ErrorCode::not_found, "no person with that email");
    }
    passwords::check_strength(password, person->email, person->name);
    const std::string hashed = passwords::hash(password);
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    const std::string now = core::format_utc(core::now_seconds());
    auto st = db->prepare("UPDATE people SET password_hash = ?2, updated_at = ?3 WHERE id = ?1");
    st.bind(1, person->id).bind(2, hashed).bind(3, now).run();
    end_sessions(*db, person->id, now);
    tx.commit();
}

std::optional<Person> AccountService::verify_password(const std::string& email,
                                                      const std::string& password) const {
    std::optional<std::string> stored;
    std::int64_t id = 0;
    bool active = false;
    {
        auto db = m_pool.acquire();
        auto st = db->prepare_cached("SELECT id, status, password_hash FROM people WHERE "
                                     "email = ?1");
        st.bind(1, email);
        if (st.step()) {
            id = st.int64(0);
            active = st.text(1) == "active";
            stored = st.optional_text(2);
        }
    }
    // The same Argon2id work whatever the account's state, so timing tells nothing.
    const bool matches = passwords::verify(stored ? *stored : passwords::dummy_hash(), password);
    if (!stored || !matches || !active) {
        return std::nullopt;
    }
    return find(id);
}

} // namespace wardmap::services
