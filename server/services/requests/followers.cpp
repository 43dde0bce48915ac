#include "server/services/requests/followers.hpp"

#include "core/tokens.hpp"

#include "server/services/shared/errors.hpp"
#include "server/services/shared/mailed_tokens.hpp"

namespace wardmap::services {

namespace {

[[noreturn]] void refuse_confirmation() {
    throw DomainError(ErrorCode::not_found,
                      "this confirmation link is unknown, has expired or has been used; follow "
                      "the report again to get a new one");
}

[[noreturn]] void refuse_unsubscribe() {
    throw DomainError(ErrorCode::not_found, "this unsubscribe link is unknown");
}

} // namespace

FollowerService::FollowerService(store::ConnectionPool& pool,
                                 const RequestService& requests,
                                 std::string public_url)
    : m_pool(pool), m_requests(requests), m_public_url(link_base(std::move(public_url))) {}

void FollowerService::follow(std::int64_t id,
                             const std::string& email,
                             const std::string& client_address) const {
    const std::string folded = fold_email(email);
    if (!plausible_email(folded)) {
        invalid_parameter("email", "must be an email address");
    }
    const PublicRequest request = m_requests.get(id); // public requests only: 404 otherwise
    throttle(m_limiter, "follow from " + client_address, per_address,
             "too many requests to follow reports from this client address (" +
                 per_address.to_string() + ")");
    throttle(m_limiter, "follow to " + folded, per_email,
             "too many requests to follow reports for this email address (" +
                 per_email.to_string() + ")");
    const core::UnixSeconds now = core::now_seconds();
    const std::string now_text = core::format_utc(now);
    {
        auto db = m_pool.acquire();
        // Unconfirmed followers whose link has lapsed are gone; a confirmed one asks again for
        // nothing (and the answer does not say so).
        auto sweep = db->prepare("DELETE FROM service_request_followers WHERE confirmed_at IS "
                                 "NULL AND confirm_expires_at <= ?1");
        sweep.bind(1, now_text).run();
        auto known = db->prepare("SELECT 1 FROM service_request_followers WHERE request_id = ?1 "
                                 "AND email = ?2 AND confirmed_at IS NOT NULL");
        known.bind(1, id).bind(2, folded);
        if (known.step()) {
            return;
        }
    }
    const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(confirm_lifetime);
    const std::string expires = core::format_utc(now + lifetime.count());
    const std::string council = m_requests.catalogue()->council();
    const std::string report = "the " + request.service_name + " report " + std::to_string(id);
    mail_new_token(
        m_pool,
        {.recipient = folded,
         .subject = "Confirm: follow " + report.substr(4),
         .token_bytes = 32,
         .now = now,
         .store_hash =
             [&](store::Database& db, const std::string& hash) {
                 // A new link replaces an unconfirmed one's; a row confirmed meanwhile stays.
                 auto upsert = db.prepare(
                     "INSERT INTO service_request_followers (request_id, email, created_at, "
                     "confirm_sha256, confirm_expires_at) VALUES (?1, ?2, ?3, ?4, ?5) "
                     "ON CONFLICT (request_id, email) DO UPDATE SET confirm_sha256 = "
                     "excluded.confirm_sha256, confirm_expires_at = excluded.confirm_expires_at "
                     "WHERE confirmed_at IS NULL");
                 upsert.bind(1, id).bind(2, folded).bind(3, now_text).bind(4, hash);
                 upsert.bind(5, expires).run();
             },
         .body =
             [&](const std::string& token) {
                 return council +
                        "\n\nSomeone (we hope you) asked for this email address to be "
                        "told when " +
                        report +
                        " changes. To confirm, open this link and press the button on the "
                        "page:\n\n" +
                        m_public_url + "/api/follow/confirm/" + token +
                        "\n\nThe link works once, within " +
                        std::to_string(confirm_lifetime.count()) +
                        " hours. Until it is used you will get nothing more from us about this "
                        "report. If you did not ask, ignore this message.\n";
             }});
}

std::int64_t FollowerService::pending(const std::string& token) const {
    if (token.empty() || token.size() > 128) {
        refuse_confirmation();
    }
    auto db = m_pool.acquire();
    auto st = db->prepare("SELECT request_id FROM service_request_followers WHERE "
                          "confirm_sha256 = ?1 AND confirmed_at IS NULL AND "
                          "confirm_expires_at > ?2");
    st.bind(1, core::sha256_hex(token)).bind(2, core::format_utc(core::now_seconds()));
    if (!st.step()) {
        refuse_confirmation();
    }
    return st.int64(0);
}

std::int64_t FollowerService::confirm(const std::string& token) const {
    if (token.empty() || token.size() > 128) {
        refuse_confirmation();
    }
    const std::string now_text = core::format_utc(core::now_seconds());
    auto db = m_pool.acquire();
    // Under the write gate, so a link is used once.
    store::Transaction tx(*db);
    auto find = db->prepare("SELECT id, request_id FROM service_request_followers WHERE "
                            "confirm_sha256 = ?1 AND confirmed_at IS NULL AND "
                            "confirm_expires_at > ?2");
    find.bind(1, core::sha256_hex(token)).bind(2, now_text);
    if (!find.step()) {
        refuse_confirmation();
    }
    const std::int64_t row = find.int64(0);
    const std::int64_t request_id = find.int64(1);
    find.reset();
    auto use = db->prepare("UPDATE service_request_followers SET confirmed_at = ?2, "
                           "confirm_sha256 = NULL, confirm_expires_at = NULL WHERE id = ?1");
    use.bind(1, row).bind(2, now_text).run();
    tx.commit();
    return request_id;
}

std::int64_t FollowerService::unsubscribe_target(const std::string& token) const {
    if (token.empty() || token.size() > 128) {
        refuse_unsubscribe();
    }
    auto db = m_pool.acquire();
    auto st = db->prepare("SELECT request_id FROM mail_unsubscribe_tokens WHERE token_sha256 = ?1");
    st.bind(1, core::sha256_hex(token));
    if (!st.step()) {
        refuse_unsubscribe();
    }
    return st.int64(0);
}

std::int64_t FollowerService::unsubscribe(const std::string& token) const {
    if (token.empty() || token.size() > 128) {
        refuse_unsubscribe();
    }
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto find = db->prepare("SELECT request_id, email FROM mail_unsubscribe_tokens WHERE "
                            "token_sha256 = ?1");
    find.bind(1, core::sha256_hex(token));
    if (!find.step()) {
        refuse_unsubscribe();
    }
    const std::int64_t request_id = find.int64(0);
    const std::string email(find.text(1));
    find.reset();
    auto unfollow =
        db->prepare("DELETE FROM service_request_followers WHERE request_id = ?1 AND email = ?2");
    unfollow.bind(1, request_id).bind(2, email).run();
    auto quiet = db->prepare("UPDATE service_request_contacts SET email_updates = 0 WHERE "
                             "request_id = ?1 AND lower(trim(email)) = ?2");
    quiet.bind(1, request_id).bind(2, email).run();
    // A councillor following it with that account address stops following (0030).
    auto councillor = db->prepare(
        "DELETE FROM councillor_follows WHERE request_id = ?1 AND person_id IN (SELECT id FROM "
        "people WHERE lower(trim(email)) = ?2)");
    councillor.bind(1, request_id).bind(2, email).run();
    tx.commit();
    return request_id;
}

} // namespace wardmap::services
