#pragma once

// The empty-property register (issue #18, "Empty-property inspections"; docs/housing.md):
// properties by UPRN with their append-only status log, inspections and their photos, the
// owners' contact details (personal data: every read and change audited in its own
// transaction) and the counts councillors see for a ward. The next inspection due, whether it
// is overdue, the current status and the ward are derived when asked, never stored.

#include "core/dates.hpp"

#include "geo/store/connection_pool.hpp"
#include "server/services/access/access.hpp"
#include "server/services/housing/empty_property_dates.hpp"
#include "server/services/shared/image_pipeline.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wardmap::services {

inline constexpr std::string_view empty_sources[] = {"council_tax", "complaint", "survey"};
inline constexpr std::string_view empty_statuses[] = {"monitoring", "engaged", "enforcement",
                                                      "back_in_use"};
inline constexpr std::string_view inspection_conditions[] = {"good", "fair", "poor", "derelict"};
inline constexpr std::string_view inspection_securities[] = {"secure", "insecure", "open"};
inline constexpr std::string_view inspection_actions[] = {
    "none", "monitor", "contact_owner", "advice", "enforcement", "emergency_works"};

/// A new entry of the register (POST /api/housing/properties). Plain value.
struct EmptyPropertyInput {
    std::int64_t uprn = 0;
    std::string source;
    core::Date empty_since;
    std::optional<core::Date> registered_on; ///< default: today
    bool furnished = false;
    EmptyRisk risk = EmptyRisk::medium;
    std::string status = "monitoring";
    std::optional<std::string> notes;
};

/// A change to an entry (PATCH): absent members stay as they are.
struct EmptyPropertyChange {
    std::optional<std::string> source;
    std::optional<core::Date> empty_since;
    std::optional<bool> furnished;
    std::optional<EmptyRisk> risk;
    std::optional<std::optional<std::string>> notes; ///< present null clears
    [[nodiscard]] bool empty() const {
        return !source && !empty_since && !furnished && !risk && !notes;
    }
};

/// A new row of the status log.
struct StatusChange {
    std::string status;
    std::optional<core::Date> effective_on; ///< default: today
    std::optional<std::string> note;
};

/// An inspection as recorded (POST .../inspections).
struct InspectionInput {
    core::Date inspected_on;
    std::string condition;
    std::string security;
    std::string recommended_action;
    std::optional<std::string> notes;
};

/// The owner's contact details (personal data). Absent members are stored empty.
struct OwnerContact {
    std::optional<std::string> name;
    std::optional<std::string> address;
    std::optional<std::string> phone;
    std::optional<std::string> email;
};

struct StatusLogEntry {
    std::int64_t id = 0;
    std::string status;
    std::string effective_on;
    std::string recorded_at;
    std::string person_name;
    std::optional<std::string> note;
};

struct InspectionRecord {
    std::int64_t id = 0;
    std::string inspected_on;
    std::string inspector_name;
    std::string condition;
    std::string security;
    std::string recommended_action;
    std::optional<std::string> notes;
    std::string recorded_at;
    std::vector<std::string> photo_ids;
};

/// One property of the register as the housing team sees it, with what is derived on `on`.
struct EmptyPropertySummary {
    std::int64_t id = 0;
    std::int64_t uprn = 0;
    std::string address; ///< the property's main address ("" when the gazetteer has none)
    double lon = 0;
    double lat = 0;
    std::string source;
    core::Date empty_since;
    core::Date registered_on;
    bool furnished = false;
    EmptyRisk risk = EmptyRisk::medium;
    std::string status;
    std::optional<std::string> notes;
    std::optional<core::Date> last_inspected_on;
    std::optional<core::Date> next_due;   ///< derived; nullopt when back in use
    bool overdue = false;                 ///< derived against `on`
    std::optional<std::string> ward_code; ///< derived at `on` (ward_code_at)
    bool has_owner = false;               ///< whether owner details are held (never them)
};

/// The property with its history (GET /api/housing/properties/{id}). No owner details.
struct EmptyPropertyDetail {
    EmptyPropertySummary summary;
    std::vector<StatusLogEntry> status_log;    ///< oldest first
    std::vector<InspectionRecord> inspections; ///< newest first
};

/// The filters of the list, the map and the due list; all optional.
struct EmptyPropertyQuery {
    core::Date on; ///< the date "due", "overdue" and "ward" are asked at
    std::optional<std::string> status;
    std::optional<core::Date> due_by; ///< next due on or before this date
    std::optional<bool> overdue;
    std::optional<std::string> ward; ///< ONS code of the ward at `on`
    std::optional<std::string> risk;
    bool include_closed = true; ///< back_in_use entries
};

/// A ward's counts for councillors (GET /api/wards/{code}/empty-properties): no owner, no
/// address, no UPRN. A count from 1 to 4 is suppressed (nullopt), and when exactly one band
/// would be suppressed the next smallest is too, so that no suppressed count follows from the
/// total by subtraction.
struct WardEmptyCounts {
    std::string ward_code;
    core::Date on;
    std::optional<int> total; ///< properties empty on `on` (not back in use)
    std::vector<std::pair<EmptyBand, std::optional<int>>> by_duration;
    std::optional<int> inspections_due;     ///< due from `on` to 28 days later
    std::optional<int> inspections_overdue; ///< due before `on`
};
/// Counts at or below this are suppressed (shown as null).
inline constexpr int suppress_below = 5;
/// The window of "due" in the ward counts.
inline constexpr int due_soon_days = 28;

/// Who makes a change or a read, for the log, the audit and the inspector's name.
struct Actor {
    const Principal& principal;
    std::string_view route;
    std::string_view client_address;
};

/// Thread-safe; every method uses a connection of the pool. Reads needing the ward use the
/// pool's `ward_code_at` SQL function (ServerServices defines it on every connection).
class EmptyPropertyService {
  public:
    /// Most photos one inspection carries.
    static constexpr int max_photos_per_inspection = 6;

    EmptyPropertyService(store::ConnectionPool& pool, ImageLimits limits);

    /// The register filtered, in next-due order (closed entries last), each with its derived
    /// values on query.on. invalid_parameter for an unknown status.
    [[nodiscard]] std::vector<EmptyPropertySummary> list(const EmptyPropertyQuery& query) const;
    /// not_found for an unknown id.
    [[nodiscard]] EmptyPropertyDetail get(std::int64_t id, const core::Date& on) const;

    /// Registers a property: not_found for a UPRN the gazetteer lacks, conflict when it is
    /// registered already. Writes the first status log row. Returns the new id.
    std::int64_t create(const EmptyPropertyInput& input, const Actor& actor) const;
    /// not_found for an unknown id; invalid_parameter when nothing would change.
    void update(std::int64_t id, const EmptyPropertyChange& change) const;
    /// Appends to the status log; conflict when the status is already that.
    void change_status(std::int64_t id, const StatusChange& change, const Actor& actor) const;
    /// Records an inspection by the caller; invalid_parameter for a date in the future or
    /// before the property was empty. Returns its id.
    std::int64_t
    record_inspection(std::int64_t id, const InspectionInput& input, const Actor& actor) const;
    /// Re-encodes and stores a photo of an inspection (at most max_photos_per_inspection).
    /// Returns the photo's id.
    std::string add_photo(std::int64_t inspection_id, std::string_view bytes) const;
    /// A photo's JPEG (or thumbnail); not_found for an unknown id.
    [[nodiscard]] std::string photo(const std::string& id, bool thumbnail) const;

    /// The owner's details, read and audited in one transaction: a read whose audit row
    /// cannot be written fails and returns nothing. not_found for an unknown property; the
    /// members are empty when none are held (the read is still audited).
    [[nodiscard]] OwnerContact owner(std::int64_t id, const Actor& actor) const;
    /// Replaces the owner's details, audited as a change in the same transaction.
    void set_owner(std::int64_t id, const OwnerContact& owner, const Actor& actor) const;

    /// The ward's counts on `on`. not_found for a ward code no boundary set has.
    [[nodiscard]] WardEmptyCounts ward_counts(const std::string& ward_code,
                                              const core::Date& on) const;

  private:
    store::ConnectionPool& m_pool;
    ImagePipeline m_pipeline;
};

/// Applies the small-number rule to counts that partition a total: each count from 1 to
/// suppress_below - 1 becomes nullopt, and when exactly one would, the next smallest non-zero
/// count is suppressed too. Pure; exposed for tests.
std::vector<std::optional<int>> suppress_small_counts(const std::vector<int>& counts);

} // namespace wardmap::services
