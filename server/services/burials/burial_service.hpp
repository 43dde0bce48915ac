#pragma once

// The bereavement staff's view of the register (docs/burials.md): a grave with its interments,
// grants, holders and history; new interments (refused for a full or unavailable grave, and for
// a private grave without an active grant and the holder's recorded consent); grants and their
// events; the manual status override. Holders are living people: every read of them is a row
// of the audit log written in the read's own transaction. Only admins and the bereavement
// team's officers and supervisors may call any of it (the route checks burial_read or
// burial_record; this service checks the team too). Thread-safe.

#include "core/dates.hpp"

#include "geo/store/connection_pool.hpp"
#include "server/services/access/access.hpp"
#include "server/services/burials/grave_status.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wardmap::services {

/// Who is asking, for the audit log and `recorded_by`.
struct BurialCaller {
    const Principal& principal;
    std::string route;
    std::string client_address;
};

struct GraveHolder {
    std::int64_t id = 0;
    std::string full_name;
    std::optional<std::string> address, email, phone;
    std::string held_from;
    std::optional<std::string> held_to;
};
struct GrantEventRecord {
    std::int64_t id = 0;
    std::string kind;
    std::string effective_on;
    std::optional<std::int64_t> extend_years;
    std::optional<std::string> evidence, notes;
    std::string recorded_at, recorded_by;
};
struct GrantRecord {
    std::int64_t id = 0;
    std::string deed_number;
    std::string granted_on;
    int term_years = 100;
    std::string expires_on;
    bool active = false;
    std::vector<GraveHolder> holders; ///< current and past
    std::vector<GrantEventRecord> events;
};
struct IntermentRecord {
    std::int64_t id = 0;
    std::string register_name;
    std::int64_t register_number = 0;
    std::string buried_on;
    std::optional<std::string> burial_time, forenames;
    std::string surname;
    std::optional<std::int64_t> age_years, age_months, age_weeks, age_days;
    bool stillborn = false;
    std::optional<std::string> parents_names, died_on, last_address;
    std::optional<std::int64_t> last_address_uprn;
    std::string kind;
    std::optional<std::string> position, officiating_minister, funeral_director;
    std::optional<std::string> disinterred_on, licence_reference;
};
struct OverrideRecord {
    std::optional<std::string> status;
    std::string reason, set_at, set_by;
};
struct GraveRecord {
    GraveStatus status;
    std::string cemetery, section, section_kind;
    std::optional<std::string> denomination, row, ground_notes;
    bool consecrated = false;
    std::string grave_type;
    std::optional<double> depth_used_m;
    std::vector<IntermentRecord> interments;
    std::vector<GrantRecord> grants;
    std::vector<OverrideRecord> overrides;
};

/// A new register entry, as staff send it.
struct NewInterment {
    std::string buried_on; ///< YYYY-MM-DD
    std::optional<std::string> burial_time, forenames;
    std::string surname;
    std::optional<int> age_years, age_months, age_weeks, age_days;
    bool stillborn = false;
    std::optional<std::string> parents_names, died_on, last_address;
    std::optional<std::int64_t> last_address_uprn;
    std::string kind = "coffin"; ///< coffin or cremated_remains
    std::optional<std::string> position, officiating_minister, funeral_director;
    /// The registered holder who consented in writing, and when (private graves).
    std::optional<std::int64_t> consent_holder_id;
    std::optional<std::string> consent_on;
    /// The confirmed booking this burial completes (booking_service.hpp), if any.
    std::optional<std::int64_t> booking_id;
};

struct NewHolder {
    std::string full_name;
    std::optional<std::string> address, email, phone;
};
struct NewGrant {
    std::string deed_number;
    std::string granted_on;
    int term_years = 100;
    std::vector<NewHolder> holders; ///< at least one
    std::optional<std::string> evidence;
};
/// An event on a grant. assignment, transfer_on_death and statutory_declaration pass the right
/// to `holders` (the current ones end on effective_on); surrender ends every holder;
/// extension adds extend_years to the term.
struct NewGrantEvent {
    std::string kind;
    std::string effective_on;
    std::optional<int> extend_years;
    std::vector<NewHolder> holders;
    std::optional<std::string> evidence, notes;
};

class BurialService {
  public:
    explicit BurialService(store::ConnectionPool& pool) : m_pool(pool) {}

    /// Public: every grave's number and status in an EPSG:27700 box on `on` (one query).
    void statuses_in_box(const geo::BBox& box,
                         const core::Date& on,
                         const std::function<void(const GraveStatus&)>& row) const;
    /// Everything about one grave; the holders' read is audited (record kind "burial_grant").
    [[nodiscard]] GraveRecord grave(std::int64_t id, const BurialCaller& caller) const;
    /// Enters an interment in the grave's cemetery's register under the next number; returns
    /// its id and number. 409 naming the reason for a full or unavailable grave, one without
    /// space of this kind, or a private grave without an active grant and holder's consent.
    std::pair<std::int64_t, std::int64_t>
    add_interment(std::int64_t grave_id, const NewInterment& in, const BurialCaller& caller);
    /// A grant of exclusive right of burial with its purchase event; returns its id.
    std::int64_t add_grant(std::int64_t grave_id, const NewGrant& in, const BurialCaller& caller);
    /// Appends an event; returns its id.
    std::int64_t
    add_grant_event(std::int64_t grant_id, const NewGrantEvent& in, const BurialCaller& caller);
    /// Appends an override (status nullopt clears it).
    void set_override(std::int64_t grave_id,
                      const std::optional<std::string>& status,
                      const std::string& reason,
                      const BurialCaller& caller);

  private:
    store::ConnectionPool& m_pool;
};

/// The grave types whose burials need an exclusive right (and the holder's consent).
bool grave_type_needs_grant(std::string_view grave_type);

} // namespace wardmap::services
