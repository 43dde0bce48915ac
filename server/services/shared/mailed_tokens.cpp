#include "server/services/shared/mailed_tokens.hpp"

#include "core/tokens.hpp"

#include "geo/store/database.hpp"
#include "server/services/shared/errors.hpp"
#include "server/services/shared/outbox_sender.hpp"

#include <cctype>

namespace wardmap::services {

std::string fold_email(std::string_view email) {
    const auto first = email.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return "";
    }
    const auto last = email.find_last_not_of(" \t\r\n");
    std::string out(email.substr(first, last - first + 1));
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string link_base(std::string public_url) {
    while (!public_url.empty() && public_url.back() == '/') {
        public_url.pop_back();
    }
    return public_url;
}

void throttle(RateLimiter& limiter,
              const std::string& bucket,
              const RateLimit& limit,
              std::string_view what) {
    if (const auto wait = limiter.take(bucket, limit)) {
        DomainError e(ErrorCode::rate_limited,
                      std::string(what) + "; try again in " + std::to_string(*wait) + " s");
        e.with_retry_after(*wait);
        throw e;
    }
}

void mail_new_token(store::ConnectionPool& pool, const TokenMail& mail) {
    const std::string token = core::random_url_token(mail.token_bytes);
    const std::string body = mail.body(token);
    auto db = pool.acquire();
    store::Transaction tx(*db);
    mail.store_hash(*db, core::sha256_hex(token));
    queue_message(*db, mail.recipient, mail.subject, body, mail.now);
    tx.commit();
}

} // namespace wardmap::services
