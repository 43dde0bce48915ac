#pragma once

#include "core/tokens.hpp"
#include "core/w3c_time.hpp"

#include "geo/bng_transform.hpp"
#include "geo/store/connection_pool.hpp"
#include "server/services/access/access.hpp"
#include "server/services/access/api_keys.hpp"
#include "server/services/gazetteer/address_service.hpp"
#include "server/services/gazetteer/street_service.hpp"
#include "server/services/requests/catalogue_service.hpp"
#include "server/services/requests/service_catalogue.hpp"
#include "server/services/shared/image_pipeline.hpp"
#include "server/services/shared/point_input.hpp"
#include "server/services/shared/rate_limiter.hpp"
#include "server/services/wards/ward_service.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wardmap::services {

/// The lifecycle statuses and what Open311 calls each ("open" or "closed").
struct StatusInfo {
    const char* status;
    bool open;
};
/// open, investigating, in_progress, action_scheduled, reopened (open); fixed,
/// no_further_action, duplicate, not_councils_responsibility, internal_referral, cancelled,
/// closed (closed). nullptr for an unknown status. data/schema/0012 lists the closed ones again
/// for the indexed is_open column; tests/unit/services/request_list_columns_test.cpp checks the
/// two agree.
const StatusInfo* status_info(std::string_view status);

/// A councillor raising a request on a resident's behalf (CouncillorActions::raise): no API
/// key; the request's channel is `councillor` and its point must lie in one of `wards` today.
struct RaisedBy {
    std::int64_t person_id = 0;
    std::string name;
    std::vector<std::string> wards;
};

/// A POST requests as FixMyStreet's Open311 client sends it, already form-decoded. Empty
/// strings have been dropped (an empty parameter is an absent one).
struct NewRequest {
    std::optional<std::string> api_key;
    std::optional<std::string> service_code;
    std::optional<std::string> lat;
    std::optional<std::string> lon; ///< Open311 "long"
    std::optional<std::string> address_string;
    std::optional<std::string> address_id;
    std::optional<std::string> email;
    std::optional<std::string> phone;
    std::optional<std::string> first_name;
    std::optional<std::string> last_name;
    std::optional<std::string> account_id;
    std::optional<std::string> device_id;
    std::optional<std::string> description;
    std::optional<std::string> media_url; ///< an external URL, kept as given
    /// wardmap's extension: ids of photos uploaded by POST /api/photos (comma-separated).
    std::optional<std::string> photo_id;
    /// Photos sent inside the POST itself (multipart `media`), already re-encoded.
    std::vector<EncodedPhoto> uploads;
    /// attribute[code]=v, and attribute[code][]=v1&attribute[code][]=v2 for multivaluelist.
    std::map<std::string, std::vector<std::string>> attributes;
    std::string client_address; ///< for the key's rate limit
    /// Set by CouncillorActions only (never from a form): api_key is then not used.
    std::optional<RaisedBy> raised_by;
};

/// What a reporter gets back. `token` is the private tracking token, shown once.
struct CreatedRequest {
    std::int64_t id = 0;
    std::string token;
    std::optional<std::string> service_notice;
    std::optional<std::string> account_id;
};

/// GET requests filters. An empty list means "all".
struct RequestQuery {
    std::vector<std::int64_t> ids; ///< overrides every other filter
    std::vector<std::string> service_codes;
    std::optional<core::UnixSeconds> start;
    std::optional<core::UnixSeconds> end;
    bool include_open = true;
    bool include_closed = true;
};

/// How to reach a request's reporter: personal data, read only by staff holding
/// request_contact_read and always audited. Plain value.
struct ReporterContact {
    std::int64_t request_id = 0;
    std::optional<std::string> first_name;
    std::optional<std::string> last_name;
    std::optional<std::string> email;
    std::optional<std::string> phone;
};

/// A request as anyone may see it: no name, email, phone or token. Plain value.
struct PublicRequest {
    std::int64_t id = 0;
    std::string status; ///< lifecycle status, e.g. "in_progress"
    bool open = true;
    std::optional<std::string> status_notes;
    std::string service_code;
    std::string service_name;
    std::string description;
    std::optional<std::string> agency_responsible;
    std::optional<std::string> service_notice;
    core::UnixSeconds requested = 0;
    core::UnixSeconds updated = 0;
    std::optional<core::UnixSeconds> expected;
    std::optional<std::string> address;
    std::optional<std::int64_t> uprn;
    std::optional<std::string> postcode;
    double lat = 0;
    double lon = 0;
    std::optional<std::string> media_url;
    /// The request's first own photo; the HTTP layer turns it into media_url's absolute URL.
    std::optional<std::string> photo_id;
    // Extended attributes (Open311 "extensions=true").
    std::string channel;
    std::optional<std::string> ward_code;
    std::optional<std::int64_t> usrn;
    std::optional<std::string> priority;
    std::optional<std::int64_t> duplicate_of;
    bool overdue = false;
    geo::EastNorth at; ///< for distances; not part of Open311's output
};

/// A request near a point, for "is it one of these?" before reporting.
struct NearbyRequest {
    PublicRequest request;
    double distance_m = 0;
};

/// One entry of a request's history as its reporter sees it.
struct TrackEntry {
    core::UnixSeconds at = 0;
    std::optional<std::string> from; ///< nullopt for the report itself
    std::string to;
    std::string note;
    bool by_council = false;
    std::vector<std::string> photo_ids;
};

/// What the tracking token shows: the request (private ones too) and its history.
struct Tracking {
    PublicRequest request;
    std::vector<std::string> photo_ids; ///< the request's own photos
    std::vector<TrackEntry> history;
};

/// One public change of a request (mySociety's servicerequestupdates).
struct PublicUpdate {
    std::int64_t update_id = 0;
    std::int64_t request_id = 0;
    std::string status;
    core::UnixSeconds at = 0;
    std::string description;
    std::optional<std::string> media_url;
    std::optional<std::string> photo_id; ///< the update's first photo, preferred to media_url
};

/// A POST servicerequestupdates, form-decoded.
struct StatusUpdate {
    std::optional<std::string> api_key;
    std::optional<std::string> service_request_id;
    std::optional<std::string> update_id; ///< the sender's own id; unique per key
    std::optional<std::string> status;    ///< upper case, mySociety's extended set
    std::optional<std::string> updated_datetime;
    std::optional<std::string> description;
    std::optional<std::string> media_url;
    std::optional<std::string> photo_id;     ///< uploaded photos (comma-separated ids)
    std::optional<std::string> duplicate_of; ///< with status DUPLICATE: the original's id
    std::string client_address;              ///< for the key's rate limit
    /// A signed-in person posting instead of a staff system's key (the dispatcher has checked
    /// their request_update); api_key is then not used.
    std::optional<Principal> by_person;
};

/// What a rule of another domain sees of a new request once it is checked and enriched.
struct IntakeFacts {
    const ServiceDefinition* service = nullptr;
    geo::EastNorth at; ///< the report's point, EPSG:27700
    std::optional<std::int64_t> uprn;
    std::optional<std::int64_t> usrn;
    /// The answers as given (attribute[code]), already checked against the service.
    const std::map<std::string, std::vector<std::string>>* attributes = nullptr;
    core::UnixSeconds now = 0;
};

/// Rules other domains add to intake (the server sets them; streetscene's missed-collection
/// rule and bin links): `check` runs before anything is stored and refuses a request by
/// throwing DomainError; `stored` runs in the request's own transaction after its row.
struct IntakeHooks {
    std::function<void(const IntakeFacts&)> check;
    std::function<void(store::Database&, std::int64_t request_id, const IntakeFacts&)> stored;
};

/// GET /api/kpis: a date range (inclusive, on when requests were received) and a ward.
struct KpiQuery {
    std::optional<core::Date> from; ///< default: 90 days before `to`
    std::optional<core::Date> to;   ///< default: today
    std::optional<std::string> ward;
};

/// Measures of one group of requests (all, or one service).
struct KpiFigures {
    std::int64_t received = 0;
    std::map<std::string, std::int64_t> by_channel; ///< web, app, phone, email, staff, ...
    std::int64_t online = 0;                        ///< web and app: self-service
    std::int64_t open = 0;
    std::int64_t overdue = 0;
    std::int64_t closed = 0;
    std::optional<double> mean_days_to_close;
    std::optional<double> median_days_to_close;
    std::int64_t high_priority_decided = 0; ///< closed, or open past target
    std::int64_t high_priority_within_target = 0;
};

struct Kpis {
    std::shared_ptr<const ServiceCatalogue> catalogue; ///< keeps by_service's pointers valid
    core::Date from;
    core::Date to;
    std::optional<std::string> ward;
    KpiFigures all;
    std::vector<std::pair<const ServiceDefinition*, KpiFigures>> by_service; ///< catalogue order
    /// Resident accounts active now (shared/active_accounts.hpp), whatever the range.
    std::int64_t active_accounts = 0;
};

/// Service requests: creation with location, ward, UPRN, USRN and target date; the public
/// listings; status updates kept in an append-only history. Personal data stays in its own
/// table and never leaves through these calls. Thread-safe: each call leases its own
/// connection, and lookups finish before a write takes one.
class RequestService {
  public:
    static constexpr std::size_t max_description_chars = 4000;
    static constexpr int max_requests = 1000;
    static constexpr int default_window_days = 90;
    static constexpr double uprn_radius_m = 50;
    static constexpr double usrn_radius_m = 250;

    /// Where the service reads the time. Empty: the system clock (the server). The demo's
    /// history sets its own, so its reports are made at the times they are dated; the rate
    /// limits then run on that time too. `public_url`: where residents reach this server; the
    /// unsubscribe link in each status mail is built on it.
    using Clock = std::function<core::UnixSeconds()>;

    RequestService(store::ConnectionPool& pool,
                   std::shared_ptr<const geo::BngTransform> transform,
                   const CatalogueService& catalogues,
                   const WardService& wards,
                   const AddressService& addresses,
                   const StreetService& streets,
                   Clock clock = {},
                   std::string public_url = "http://localhost:8080");

    /// Sets the intake rules of other domains; call once, before the service is shared.
    void set_intake_hooks(IntakeHooks hooks) { m_hooks = std::move(hooks); }

    /// Writes the catalogue's services into service_categories (code, name, group) so that
    /// requests can reference them; existing rows are updated, none removed.
    void sync_categories() const;

    /// The catalogue as it is now. Hold the pointer while using what it holds: a staff edit
    /// swaps in a new one at any moment.
    [[nodiscard]] std::shared_ptr<const ServiceCatalogue> catalogue() const {
        return m_catalogues.current();
    }

    /// The key's holder. DomainError forbidden (403) when missing, unknown or revoked, or when
    /// `need_staff` and the key is a client's.
    [[nodiscard]] ApiClient authenticate(const std::optional<std::string>& api_key,
                                         bool need_staff) const;
    /// Counts a write by `client` from `client_address` against the key's rate limits (first
    /// per address, then per key). DomainError rate_limited, with Retry-After, past either.
    void admit(const ApiClient& client, const std::string& client_address) const;

    /// Checks and stores a new request. DomainError forbidden for a bad key; not_found for
    /// an unknown or private-to-staff service code; invalid_parameter (several problems at
    /// once where possible) for a missing or bad location, a location outside the council's
    /// wards, a description over 4,000 characters, a missing required attribute, a value not
    /// in its list, a bad number or date, a missing contact where the service needs one, more
    /// than 3 photos or a photo_id that is not an unattached photo. The request and its photos
    /// commit together.
    [[nodiscard]] CreatedRequest create(const NewRequest& request) const;
    /// create() in the caller's transaction on `db`, for a trusted writer of many requests at
    /// once (the demo's history): the same checks, enrichment and rows. Its lookups lease
    /// other connections of the pool, so the pool needs two or more.
    [[nodiscard]] CreatedRequest create_in(store::Database& db, const NewRequest& request) const;

    /// Called once per listed request. The row is only valid during the call: it is reused.
    using RowCallback = std::function<void(const PublicRequest&)>;
    /// Public requests, newest first, at most 1,000; default window the last 90 days. Each is
    /// handed to `each` as it is read, so a long list is written out without being built.
    void list(const RequestQuery& query, const RowCallback& each) const;
    /// One public request. DomainError not_found when there is none (or it is private).
    [[nodiscard]] PublicRequest get(std::int64_t id) const;
    /// The request a tracking token belongs to. DomainError not_found.
    [[nodiscard]] std::int64_t id_for_token(const std::string& token) const;

    /// Public status changes and notes between two instants (both or neither; default the
    /// last 90 days), oldest first, at most 1,000.
    [[nodiscard]] std::vector<PublicUpdate> updates(std::optional<core::UnixSeconds> start,
                                                    std::optional<core::UnixSeconds> end) const;
    /// Records a status change or note from a staff system; returns the new update's id.
    [[nodiscard]] std::int64_t post_update(const StatusUpdate& update) const;
    /// post_update() in the caller's transaction on `db` (see create_in).
    [[nodiscard]] std::int64_t post_update_in(store::Database& db,
                                              const StatusUpdate& update) const;

    /// Open requests of a service within its duplicate-search radius of a point, nearest
    /// first, at most 20, no personal data. not_found for an unknown or private service (a
    /// private service's requests are never offered to others).
    [[nodiscard]] std::vector<NearbyRequest> duplicates(const std::string& service_code,
                                                        const PointInput& point) const;

    /// The request and history behind a tracking token. not_found for an unknown token.
    [[nodiscard]] Tracking track(const std::string& token) const;
    /// A note from the reporter, kept in the history (not public); `reopen` reopens a
    /// closed request. invalid_parameter for empty or over-long text (unless photos come
    /// with it), reopening an open one, or a photo_id that is not an unattached photo.
    void add_reporter_update(const std::string& token,
                             const std::string& text,
                             bool reopen,
                             const std::optional<std::string>& photo_id = std::nullopt) const;
    /// Every report made with this email address (already trimmed and lower-cased; stored
    /// addresses are compared the same way), private services too: they are the reporter's.
    /// Newest first, at most 1,000, each with its history.
    [[nodiscard]] std::vector<Tracking> reports_by_email(const std::string& folded_email) const;

    /// The reporter's contact details, for `reader` (who holds request_contact_read), with one
    /// audit row (who, when, which request, `route`, `client_address`) written in the same
    /// transaction: if the audit row cannot be written, nothing is read. not_found (and no
    /// audit row) when there is no such request.
    [[nodiscard]] ReporterContact contact(std::int64_t id,
                                          const Principal& reader,
                                          const std::string& route,
                                          const std::string& client_address) const;

    /// The council's measures over requests received from `from` to `to` (at most 3 years),
    /// in one ward or all, private services left out. A request without a stored target
    /// (older data) gets its service's default one.
    [[nodiscard]] Kpis kpis(const KpiQuery& query) const;

  private:
    /// A new request checked and enriched (ward, address, street, priority, target), ready
    /// to store: everything create() looks up before it takes a write connection.
    struct CheckedRequest;
    [[nodiscard]] CheckedRequest check_new(const NewRequest& request) const;
    CreatedRequest store_new(store::Database& db, const CheckedRequest& checked) const;
    /// A staff update's form checked, before the database is read.
    struct CheckedUpdate;
    [[nodiscard]] CheckedUpdate check_update(const StatusUpdate& update) const;
    std::int64_t apply_update(store::Database& db, const CheckedUpdate& checked) const;
    /// The clock's time (the system's unless one was given).
    [[nodiscard]] core::UnixSeconds now() const;

    struct QueryOptions {
        int limit = 1;
        bool include_private = false;
        /// The SQL's text is the same from call to call (values bound, none written into it):
        /// keep the compiled statement in the connection's cache.
        bool fixed_text = false;
    };
    /// Public (or, with include_private, all) requests matching `where`, newest first.
    void scan(const std::string& where,
              const std::vector<std::string>& binds,
              const QueryOptions& options,
              const RowCallback& each) const;
    [[nodiscard]] std::vector<PublicRequest> query(const std::string& where,
                                                   const std::vector<std::string>& binds,
                                                   const QueryOptions& options) const;
    /// Queues a message about a status change to the reporter's email (unless they
    /// unsubscribed) and every confirmed follower's, in the caller's transaction; each message
    /// carries its own unsubscribe link (a new token, only its hash stored).
    void queue_status_messages(store::Database& db,
                               std::int64_t id,
                               std::int64_t history_id,
                               const std::string& status,
                               const std::string& note) const;
    /// A request with its photos and its history (oldest first, each with its photos).
    [[nodiscard]] Tracking tracking_of(PublicRequest request) const;

    store::ConnectionPool& m_pool;
    std::shared_ptr<const geo::BngTransform> m_transform;
    const CatalogueService& m_catalogues;
    const WardService& m_wards;
    const AddressService& m_addresses;
    const StreetService& m_streets;
    Clock m_clock;
    std::string m_public_url;
    mutable RateLimiter m_limiter;
    IntakeHooks m_hooks;
};

// Tokens and their stored hashes come from core (libsodium).
using core::random_url_token;
using core::sha256_hex;
/// A cheap check that `email` looks like an address (one '@', a dot after it, no spaces).
bool plausible_email(const std::string& email);
/// Why `url` may not be a media_url, or nullopt when it may: an absolute http: or https: URL
/// with a host, or this server's own photo path (`/media/photos/{id}.jpg`); never
/// javascript:, data:, file:, a relative path, spaces or control characters, or over 2,048
/// characters. Open311 republishes media_url to every reader as a link.
std::optional<std::string> media_url_problem(const std::string& url);

} // namespace wardmap::services
