#include "server/services/access/sessions.hpp"

#include "core/tokens.hpp"

#include "server/services/access/accounts.hpp"

#include <algorithm>
#include <stdexcept>

namespace wardmap::services {

namespace {

core::UnixSeconds stored_time(std::string_view text) {
    return core::parse_stored_utc(text).value_or(0);
}

} // namespace

std::string_view sign_in_method_name(SignInMethod method) {
    switch (method) {
    case SignInMethod::password:
        return "password";
    case SignInMethod::oidc:
        return "oidc";
    case SignInMethod::link:
        return "link";
    }
    return "password";
}

SessionService::SessionService(store::ConnectionPool& pool, SessionPolicy policy, Clock clock)
    : m_pool(pool), m_policy(policy), m_clock(std::move(clock)) {}

NewSession SessionService::create(std::int64_t person_id,
                                  SignInMethod method,
                                  const std::string& client_address) const {
    NewSession session;
    session.token = core::random_url_token(32);
    session.id = core::random_url_token(12);
    session.csrf_token = csrf_token_for(session.token);
    const core::UnixSeconds now = m_clock();
    session.expires_at = now + m_policy.absolute.count();
    const core::UnixSeconds idle_until = std::min(now + m_policy.idle.count(), session.expires_at);
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto st = db->prepare("INSERT INTO sessions (id, token_sha256, person_id, method, "
                          "created_at, last_seen_at, idle_expires_at, expires_at, "
                          "client_address) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8)");
    st.bind(1, session.id).bind(2, core::sha256_hex(session.token)).bind(3, person_id);
    st.bind(4, std::string(sign_in_method_name(method))).bind(5, core::format_utc(now));
    st.bind(6, core::format_utc(idle_until)).bind(7, core::format_utc(session.expires_at));
    st.bind(8, client_address).run();
    tx.commit();
    return session;
}

std::optional<ResolvedSession> SessionService::resolve(const std::string& token) const {
    if (token.empty() || token.size() > 128) {
        return std::nullopt;
    }
    const core::UnixSeconds now = m_clock();
    auto db = m_pool.acquire();
    auto st = db->prepare_cached(
        "SELECT s.id, s.person_id, s.last_seen_at, s.idle_expires_at, s.expires_at, p.name "
        "FROM sessions s JOIN people p ON p.id = s.person_id WHERE s.token_sha256 = ?1 AND "
        "s.revoked_at IS NULL AND p.status = 'active'");
    st.bind(1, core::sha256_hex(token));
    if (!st.step()) {
        return std::nullopt;
    }
    const std::string id(st.text(0));
    const std::int64_t person_id = st.int64(1);
    const core::UnixSeconds last_seen = stored_time(st.text(2));
    const core::UnixSeconds idle_until = stored_time(st.text(3));
    const core::UnixSeconds expires = stored_time(st.text(4));
    ResolvedSession resolved;
    resolved.principal.name = st.text(5);
    st.reset();
    if (now >= idle_until || now >= expires) {
        return std::nullopt;
    }
    if (now - last_seen >= touch_interval) {
        store::Transaction tx(*db);
        auto touch = db->prepare_cached("UPDATE sessions SET last_seen_at = ?2, "
                                        "idle_expires_at = ?3 WHERE id = ?1");
        touch.bind(1, id).bind(2, core::format_utc(now));
        touch.bind(3, core::format_utc(std::min(now + m_policy.idle.count(), expires))).run();
        tx.commit();
    }
    resolved.principal.kind = Principal::Kind::person;
    resolved.principal.id = person_id;
    resolved.principal.grants = load_grants(*db, person_id);
    resolved.principal.via_cookie = true;
    resolved.principal.session_id = id;
    resolved.csrf_token = csrf_token_for(token);
    return resolved;
}

std::optional<SignInMethod> SessionService::method_of(const std::string& session_id) const {
    auto db = m_pool.acquire();
    auto st = db->prepare_cached("SELECT method FROM sessions WHERE id = ?1");
    st.bind(1, session_id);
    if (!st.step()) {
        return std::nullopt;
    }
    const std::string_view name = st.text(0);
    for (const auto method : {SignInMethod::password, SignInMethod::oidc, SignInMethod::link}) {
        if (sign_in_method_name(method) == name) {
            return method;
        }
    }
    return std::nullopt;
}

bool SessionService::revoke(const std::string& session_id) const {
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto st = db->prepare("UPDATE sessions SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS "
                          "NULL");
    st.bind(1, session_id).bind(2, core::format_utc(m_clock())).run();
    const bool ended = db->changes() > 0;
    tx.commit();
    return ended;
}

int SessionService::revoke_all_for(std::int64_t person_id) const {
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto st = db->prepare("UPDATE sessions SET revoked_at = ?2 WHERE person_id = ?1 AND "
                          "revoked_at IS NULL");
    st.bind(1, person_id).bind(2, core::format_utc(m_clock())).run();
    const int ended = db->changes();
    tx.commit();
    return ended;
}

std::string SessionService::csrf_token_for(const std::string& session_token) {
    return core::hmac_sha256_hex(session_token, "wardmap csrf v1");
}

bool SessionService::csrf_matches(const std::string& expected, const std::string& presented) {
    return !expected.empty() && core::constant_time_equal(expected, presented);
}

} // namespace wardmap::services
