#pragma once

#include "geo/store/connection_pool.hpp"
#include "server/services/requests/request_service.hpp"
#include "server/services/shared/rate_limiter.hpp"

#include <string>
#include <vector>

namespace wardmap::services {

/// What a "my reports" link shows: every report made with one email address.
struct MyReports {
    core::UnixSeconds expires = 0;
    std::vector<Tracking> reports; ///< newest first, at most 1,000
};

/// "My reports" the way FixMyStreet signs residents in: an email address gets a private link
/// by email, and the link lists that address's reports. Asking never says whether the
/// address has reports (the same answer and the same message either way). Only the SHA-256
/// of a link's token is stored; a link lasts `link_days`. Thread-safe.
class MyReportsService {
  public:
    static constexpr int link_days = 7;
    /// Per client address, and per email address (so one inbox is not flooded).
    static constexpr RateLimit per_address{5, 3600};
    static constexpr RateLimit per_email{3, 3600};

    /// `public_url`: where residents reach this server (the link is built on it, never on a
    /// request's Host header, which a client chooses).
    MyReportsService(store::ConnectionPool& pool,
                     const RequestService& requests,
                     std::string public_url);

    /// Queues a message with a new link to `email` (trimmed; compared without case).
    /// invalid_parameter for a malformed address; rate_limited (with Retry-After) past the
    /// limits.
    void send_link(const std::string& email, const std::string& client_address) const;
    /// The reports behind a link. not_found for an unknown or expired token.
    [[nodiscard]] MyReports reports(const std::string& token) const;

  private:
    store::ConnectionPool& m_pool;
    const RequestService& m_requests;
    std::string m_public_url;
    mutable RateLimiter m_limiter;
};

} // namespace wardmap::services
