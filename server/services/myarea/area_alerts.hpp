#pragma once

// Local alerts without an account (docs/my-area.md, "Local alerts"), as FixMyStreet's: an
// email address asks for new public reports and/or planning applications within a distance of
// a property or a point, or in a ward. Asking sends one message with a confirmation link (a
// token stored only as its SHA-256, used once, valid `confirm_lifetime`); nothing else reaches
// the address until it is used. Then each pass of send_due() queues, in the mail outbox, one
// message per subscription with what is new since the last (public fields only), each carrying
// an unsubscribe link of its own. Thread-safe.

#include "core/dates.hpp"
#include "core/w3c_time.hpp"

#include "geo/bng_transform.hpp"
#include "geo/coordinates.hpp"
#include "geo/store/connection_pool.hpp"
#include "server/services/shared/rate_limiter.hpp"
#include "server/services/wards/ward_service.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace wardmap::services {

/// What a subscription watches (the route's body, docs/http-api.md). Exactly one of uprn,
/// point or ward; distance_m for a uprn or point.
struct AlertSubscription {
    std::string email;
    std::optional<std::int64_t> uprn;
    std::optional<geo::LonLat> point;
    std::optional<std::string> ward;
    double distance_m = 500;
    bool reports = true;
    bool planning = true;
};

class AreaAlerts {
  public:
    static constexpr std::chrono::hours confirm_lifetime{24};
    static constexpr RateLimit per_address{10, 3600};
    static constexpr RateLimit per_email{3, 3600};

    AreaAlerts(store::ConnectionPool& pool,
               std::shared_ptr<const geo::BngTransform> transform,
               const WardService& wards,
               std::string public_url,
               std::string council);

    /// Queues the confirmation message; says nothing about whether the address already has
    /// such an alert. invalid_parameter for an address that is not one, a point out of range;
    /// not_found for an unknown UPRN or ward; rate_limited past either limit.
    void subscribe(const AlertSubscription& alert, const std::string& client_address) const;
    /// What a confirmation link would confirm ("new reports within 500 m of ..."), without
    /// using it. not_found for an unknown, expired or used link.
    [[nodiscard]] std::string pending(const std::string& token) const;
    /// Uses the link: alerts start with what is new after now. not_found as pending().
    std::string confirm(const std::string& token) const;
    /// What an unsubscribe link (from an alert message) stops. not_found for an unknown link.
    [[nodiscard]] std::string unsubscribe_target(const std::string& token) const;
    /// Stops the subscription for good. Twice is harmless. not_found for an unknown link.
    std::string unsubscribe(const std::string& token) const;

    /// One pass: for each confirmed, live subscription, the public reports and planning
    /// applications new since its last message, within its area (a ward's as in force on
    /// `today`), queued as one message with its unsubscribe link; the watermarks move on in
    /// the same transaction. Returns the number of messages queued.
    int send_due(core::UnixSeconds now) const;

  private:
    store::ConnectionPool& m_pool;
    std::shared_ptr<const geo::BngTransform> m_transform;
    const WardService& m_wards;
    std::string m_public_url;
    std::string m_council;
    mutable RateLimiter m_limiter;
};

} // namespace wardmap::services
