#include "server/services/access/sign_in_links.hpp"

#include "core/tokens.hpp"

#include "server/services/shared/errors.hpp"
#include "server/services/shared/mailed_tokens.hpp"

namespace wardmap::services {

namespace {

/// Shaped like an address: one '@' with text either side, no spaces or control characters.
bool email_shaped(const std::string& email) {
    const auto at = email.find('@');
    if (email.size() > 254 || at == std::string::npos || at == 0 || at + 1 == email.size() ||
        email.find('@', at + 1) != std::string::npos) {
        return false;
    }
    for (const unsigned char c : email) {
        if (c <= 0x20 || c == 0x7f) {
            return false;
        }
    }
    return true;
}

constexpr std::string_view too_many_links = "too many sign-in link requests";

[[noreturn]] void refuse_link() {
    throw DomainError(ErrorCode::unauthorized,
                      "this sign-in link is unknown, has expired or has been used; ask for a new "
                      "one");
}

} // namespace

SignInLinkService::SignInLinkService(store::ConnectionPool& pool,
                                     const AccountService& accounts,
                                     const SessionService& sessions,
                                     SignInLinkSettings settings,
                                     Clock clock)
    : m_pool(pool), m_accounts(accounts), m_sessions(sessions), m_settings(std::move(settings)),
      m_clock(std::move(clock)) {
    m_settings.public_url = link_base(std::move(m_settings.public_url));
}

void SignInLinkService::send_link(const std::string& email, const std::string& client_address) {
    const std::string folded = fold_email(email);
    if (!email_shaped(folded)) {
        invalid_parameter("email", "must be an email address");
    }
    throttle(m_limiter, "link from " + client_address, m_settings.limits.per_address,
             too_many_links);
    throttle(m_limiter, "link to " + folded, m_settings.limits.per_email, too_many_links);
    const auto person = m_accounts.find_by_email(folded);
    if (!person || !person->active) {
        return;
    }
    const core::UnixSeconds now = m_clock();
    const core::UnixSeconds expires =
        now + std::chrono::duration_cast<std::chrono::seconds>(lifetime).count();
    const std::string minutes = std::to_string(lifetime.count());
    mail_new_token(
        m_pool,
        {.recipient = person->email,
         .subject = "Your sign-in link for " + m_settings.council_name,
         .token_bytes = 32,
         .now = now,
         .store_hash =
             [&](store::Database& db, const std::string& hash) {
                 auto insert = db.prepare("INSERT INTO sign_in_links (token_sha256, person_id, "
                                          "created_at, expires_at) VALUES (?1, ?2, ?3, ?4)");
                 insert.bind(1, hash).bind(2, person->id).bind(3, core::format_utc(now));
                 insert.bind(4, core::format_utc(expires)).run();
             },
         .body =
             [&](const std::string& token) {
                 return m_settings.council_name +
                        "\n\nSomeone (we hope you) asked for a link to sign in to the council's "
                        "staff and councillor pages with this email address. This link signs "
                        "you in:\n\n" +
                        m_settings.public_url + "/staff/link.html#" + token +
                        "\n\nIt works once, within " + minutes +
                        " minutes. Do not forward it: whoever opens it is signed in as you. If "
                        "you did not ask, ignore this message.\n";
             }});
}

SignedIn SignInLinkService::redeem(const std::string& token, const std::string& client_address) {
    throttle(m_limiter, "link redeemed from " + client_address, m_settings.limits.per_address,
             too_many_links);
    if (token.empty() || token.size() > 128) {
        refuse_link();
    }
    const core::UnixSeconds now = m_clock();
    std::int64_t person_id = 0;
    {
        auto db = m_pool.acquire();
        // Under the write gate, so two redemptions of one link cannot both find it unused.
        store::Transaction tx(*db);
        auto find = db->prepare("SELECT person_id, expires_at, used_at IS NOT NULL FROM "
                                "sign_in_links WHERE token_sha256 = ?1");
        const std::string hash = core::sha256_hex(token);
        find.bind(1, hash);
        if (!find.step()) {
            refuse_link();
        }
        person_id = find.int64(0);
        const auto expires = core::parse_stored_utc(find.text(1)).value_or(0);
        const bool used = find.int64(2) != 0;
        find.reset();
        if (used || now >= expires) {
            refuse_link();
        }
        auto use = db->prepare("UPDATE sign_in_links SET used_at = ?2 WHERE token_sha256 = ?1");
        use.bind(1, hash).bind(2, core::format_utc(now)).run();
        tx.commit();
    }
    // The link is spent even when its person was disabled after it was sent.
    const auto person = m_accounts.find(person_id);
    if (!person || !person->active) {
        refuse_link();
    }
    return SignedIn{*person, m_sessions.create(person->id, SignInMethod::link, client_address)};
}

} // namespace wardmap::services
