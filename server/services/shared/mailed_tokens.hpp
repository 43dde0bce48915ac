#pragma once

// What every "we email you a link" feature shares (sign-in links, "my reports" links, the
// confirmation of a follower): the address folded the one way, the per-address and per-email
// throttles, and a token that leaves the server only by mail: its SHA-256 is stored and its
// message queued in one transaction. No domain is named here; each caller says where the hash
// goes and what the message says.

#include "core/w3c_time.hpp"

#include "geo/store/connection_pool.hpp"
#include "server/services/shared/rate_limiter.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace wardmap::services {

/// " Rita@Example.ORG " -> "rita@example.org": trimmed and lower-cased, the one form in which
/// addresses are stored, compared and throttled.
std::string fold_email(std::string_view email);

/// `--public-url` as links are built on it: "https://example.org/" -> "https://example.org".
std::string link_base(std::string public_url);

/// Takes one token from `bucket` under `limit`. DomainError rate_limited (429 with
/// Retry-After) when the bucket is empty: "`what`; try again in N s".
void throttle(RateLimiter& limiter,
              const std::string& bucket,
              const RateLimit& limit,
              std::string_view what);

/// One message carrying a new token.
struct TokenMail {
    std::string recipient;
    std::string subject;
    std::size_t token_bytes = 32; ///< random bytes, sent as URL-safe base64
    core::UnixSeconds now = 0;
    /// Stores the token's SHA-256 (hex) with whatever it grants, on the transaction's `db`.
    std::function<void(store::Database& db, const std::string& token_sha256)> store_hash;
    /// The message's text, given the token itself (which only the message carries).
    std::function<std::string(const std::string& token)> body;
};

/// Makes a random token, stores its hash (`mail.store_hash`) and queues its message in the
/// outbox, in one transaction on a connection of `pool`: a token is stored only if its mail is
/// queued, and the reverse. The token is not returned: it leaves the server only in the mail
/// (and the outbox clears a body once it is sent).
void mail_new_token(store::ConnectionPool& pool, const TokenMail& mail);

} // namespace wardmap::services
