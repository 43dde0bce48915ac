#pragma once

#include "core/w3c_time.hpp"

#include "geo/store/connection_pool.hpp"
#include "server/services/requests/request_service.hpp"
#include "server/services/shared/rate_limiter.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace wardmap::services {

/// Following a public request by email, with the address's owner's consent: asking sends one
/// message with a confirmation link (a token of 32 random bytes, stored only as its SHA-256,
/// used once, valid `confirm_lifetime`), and nothing else reaches the address until the link
/// is used; an unconfirmed follower lapses then and is swept. Every status mail carries an
/// unsubscribe link (RequestService), which this service honours for followers and reporters
/// alike. Thread-safe.
class FollowerService {
  public:
    static constexpr std::chrono::hours confirm_lifetime{24};
    /// Follow requests per client address, and per email address (so one inbox is not
    /// flooded with confirmations), whatever the request.
    static constexpr RateLimit per_address{10, 3600};
    static constexpr RateLimit per_email{3, 3600};

    /// `public_url`: where residents reach this server (links are built on it, never on a
    /// request's Host header).
    FollowerService(store::ConnectionPool& pool,
                    const RequestService& requests,
                    std::string public_url);

    /// Asks `email` (trimmed, compared without case) to confirm following request `id`: queues
    /// the confirmation unless the address already follows it, and says nothing either way.
    /// invalid_parameter for a malformed address; not_found for an unknown or private request;
    /// rate_limited (Retry-After) past either limit.
    void follow(std::int64_t id, const std::string& email, const std::string& client_address) const;
    /// The request a confirmation link would confirm, without using it (the page a GET shows,
    /// so a mail scanner that fetches the link confirms nothing). not_found for an unknown,
    /// expired or used link.
    [[nodiscard]] std::int64_t pending(const std::string& token) const;
    /// Uses the link: from now on the address gets the request's status mail. not_found as
    /// for pending().
    std::int64_t confirm(const std::string& token) const;

    /// The request an unsubscribe link (from a status mail) stops mail about. not_found for
    /// an unknown link.
    [[nodiscard]] std::int64_t unsubscribe_target(const std::string& token) const;
    /// Stops the request's status mail to the link's address, as a follower, as a councillor
    /// following it and as its reporter. Doing it twice is harmless. not_found for an unknown
    /// link.
    std::int64_t unsubscribe(const std::string& token) const;

  private:
    store::ConnectionPool& m_pool;
    const RequestService& m_requests;
    std::string m_public_url;
    mutable RateLimiter m_limiter;
};

} // namespace wardmap::services
