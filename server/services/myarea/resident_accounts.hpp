#pragma once

// My Account for residents (issue #16, docs/sign-in.md "Residents"): an email address proves
// itself with a one-time emailed link and gets an account and a session, to see in one place
// its reports, the requests it follows, its area alerts and its saved address with My area's
// bin and sweeping days; and to erase it all (UK GDPR art. 17).
//
// A resident is NOT a person of the staff model (access/): no role, no Principal. Its session
// is its own table and cookie, resolved only by the account routes, so a resident session can
// never pass a staff permission check.

#include "core/w3c_time.hpp"

#include "geo/store/connection_pool.hpp"
#include "server/services/myarea/my_area_service.hpp"
#include "server/services/requests/request_service.hpp"
#include "server/services/shared/rate_limiter.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace wardmap::services {

/// The same limits as the staff's emailed links (SignInLinkLimits): per email address as
/// typed, and per client address (asking and redeeming).
struct ResidentLinkLimits {
    RateLimit per_email{5, 3600};
    RateLimit per_address{20, 3600};
};

struct ResidentAccountSettings {
    std::string public_url;   ///< links are built on it, never on a request's Host header
    std::string council_name; ///< the mail's first line and subject
    ResidentLinkLimits limits;
};

/// A new resident session: the token goes into the cookie and is never stored or logged.
struct ResidentSignIn {
    std::int64_t account_id = 0;
    bool created = false; ///< the account was made by this sign-in
    std::string token;
    std::string session_id;
    std::string csrf_token;
    core::UnixSeconds expires_at = 0;
};

/// A live resident session.
struct ResidentSession {
    std::int64_t account_id = 0;
    std::string email; ///< folded
    std::string session_id;
    std::string csrf_token;
    core::UnixSeconds last_seen = 0; ///< before this request
};

/// What one erasure removed.
struct Erasure {
    int reports_anonymised = 0;
    int follows_removed = 0;
    int alerts_removed = 0;
    int messages_removed = 0;
};

class ResidentAccounts {
  public:
    using Clock = std::function<core::UnixSeconds()>;
    static constexpr std::chrono::minutes link_lifetime{15};
    /// Residents come back now and then: a session lasts 30 days, ended by 7 idle ones.
    static constexpr std::chrono::hours idle{24 * 7};
    static constexpr std::chrono::hours absolute{24 * 30};
    static constexpr core::UnixSeconds touch_interval = 60;

    ResidentAccounts(store::ConnectionPool& pool,
                     const RequestService& requests,
                     const MyAreaService& my_area,
                     ResidentAccountSettings settings,
                     Clock clock = core::now_seconds);

    /// Queues a mail with a new one-time link `{public_url}/account.html#TOKEN` to `email`
    /// (trimmed, compared without case), account or not: the answer is the same either way.
    /// invalid_parameter for something that is no email address; rate_limited past a limit.
    void send_link(const std::string& email, const std::string& client_address);
    /// Uses the link up (once, under the write gate), makes the account when new, and opens
    /// a session. unauthorized for an unknown, expired or used token.
    ResidentSignIn redeem(const std::string& token, const std::string& client_address);
    /// The live session with this cookie token, or nullopt. Slides the idle expiry and the
    /// account's last_seen (at most once a minute).
    [[nodiscard]] std::optional<ResidentSession> resolve(const std::string& token) const;
    void sign_out(const std::string& session_id) const;

    /// GET /api/account's document (docs/http-api.md "My Account").
    [[nodiscard]] nlohmann::ordered_json overview(const ResidentSession& session) const;
    /// Saves (or with nullopt clears) the account's address. invalid_parameter naming uprn for
    /// a UPRN the gazetteer does not hold.
    void save_address(std::int64_t account_id, std::optional<std::int64_t> uprn) const;
    /// Erases the account and the personal data of its address, in one transaction: the
    /// account, its sessions and links, its follows and alerts, its queued and sent messages,
    /// and the name, email and phone on its reports (the public requests and their histories
    /// stay). Recorded in resident_erasures with the address's SHA-256 only.
    Erasure erase(std::int64_t account_id) const;

    static std::string csrf_token_for(const std::string& session_token);

  private:
    store::ConnectionPool& m_pool;
    const RequestService& m_requests;
    const MyAreaService& m_my_area;
    ResidentAccountSettings m_settings;
    Clock m_clock;
    RateLimiter m_limiter;
};

} // namespace wardmap::services
