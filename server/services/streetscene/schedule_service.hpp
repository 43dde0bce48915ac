#pragma once

// Rounds, their rules and stops, the planned visits materialised from the rules for a
// horizon, and the residents' view of them by UPRN or USRN. Schema: data/schema/0016;
// rules and routes: docs/streetscene.md.

#include "core/dates.hpp"

#include "geo/store/connection_pool.hpp"
#include "geo/store/database.hpp"
#include "server/services/streetscene/recurrence.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wardmap::services {

/// What a stop of a round names: a street, a property or an asset of the register.
struct StopTarget {
    enum class Kind { street, property, asset };
    Kind kind = Kind::street;
    std::int64_t id = 0; ///< USRN, UPRN or the asset's id
    friend bool operator==(const StopTarget&, const StopTarget&) = default;
};

const char* stop_kind_field(StopTarget::Kind kind); // "usrn", "uprn", "asset_id"

/// A round as the council defines it.
struct RoundDefinition {
    std::string code;
    std::string name;
    std::string activity; ///< schedule_activities.code
    std::optional<std::string> round_set;
    std::optional<std::string> team;
    std::optional<std::string> vehicle;
    std::optional<std::string> working_pattern; ///< free text, e.g. "Mon-Fri 07:00-14:30"
    ScheduleRule rule;             ///< its round_set window is filled from round_set when saved
    std::vector<StopTarget> stops; ///< in round order
};

/// What one materialisation did to a round's visits in [from, to].
struct VisitCounts {
    std::int64_t planned = 0; ///< planned visits the rule now gives (inserted or kept)
    std::int64_t kept = 0;    ///< visits with a completion left as they were
    std::int64_t removed = 0; ///< planned visits the rule no longer gives
    std::int64_t dates = 0;   ///< dates the rule gives
};

struct SaveResult {
    std::int64_t round_id = 0;
    bool created = false;
    bool changed = false; ///< the rule or the stops differ from what was stored
    VisitCounts visits;
};

/// One date an activity comes, for the residents.
struct ScheduledDate {
    core::Date date;
    std::optional<core::Date> moved_from; ///< the rule's date when a bank holiday moved it
    std::string status;                   ///< planned, done, not_done: from the visit's completions
    std::string round_code;
    std::string round_name;
    std::string uid; ///< stable across regenerations: round code and rule date
};

struct ActivitySchedule {
    std::string activity;
    std::string name;
    std::string kind;
    std::vector<ScheduledDate> dates; ///< in date order
};

/// The coming visits for a property or a street, by activity.
struct PlaceSchedule {
    std::string field; ///< "uprn" or "usrn"
    std::int64_t id = 0;
    std::string label; ///< the address or the street's name
    core::Date from;
    core::Date to;
    std::vector<ActivitySchedule> activities; ///< by activity code
};

/// Days of visits materialised by default: 13 weeks.
inline constexpr int default_horizon_days = 13 * 7;

/// Schedules. The writers take a Database and run inside the caller's transaction (the CLI,
/// the importer, the demo); the reads lease a connection from the pool. Thread-safe.
class ScheduleService {
  public:
    explicit ScheduleService(store::ConnectionPool& pool) : m_pool(pool) {}

    /// Inserts or replaces the round `def.code`: checks it (DomainError invalid_parameter
    /// naming the field: activity, round_set, rrule, season, stops[i].uprn, ...), stores the
    /// rule and the stops, materialises its visits for [from, to] (a rule that gives none
    /// there is refused, naming its field, unless `require_visits` is false: a seasonal round
    /// saved out of season) and appends the change to schedule_changes. A stored round whose
    /// rule and stops are unchanged is only regenerated.
    static SaveResult save_round(store::Database& db,
                                 RoundDefinition def,
                                 const std::string& actor,
                                 const core::Date& from,
                                 const core::Date& to,
                                 bool require_visits = true);
    /// Inserts or replaces a seasonal round set.
    static void save_round_set(store::Database& db,
                               const std::string& code,
                               const std::string& name,
                               const SeasonWindow& window);
    /// Regenerates every round's planned visits for [from, to] (the rolling horizon), never
    /// touching a visit with a completion; a round whose rule gives nothing there is left
    /// with none. Returns the totals. Appends one 'regenerated' change per round.
    static VisitCounts materialise_all(store::Database& db,
                                       const core::Date& from,
                                       const core::Date& to,
                                       const std::string& actor);
    /// The stored definition of round `code`; nullopt when there is none.
    static std::optional<RoundDefinition> load_round(store::Database& db, const std::string& code);

    /// The visits in [from, to] for the property `uprn` (its own stops and its street's) or
    /// the street `usrn` (its own stops and its properties'). `from`/`to` default to today and
    /// the horizon. DomainError invalid_parameter naming "uprn"/"usrn" when no property or
    /// street has it, "to" when the span is backwards or longer than 366 days.
    [[nodiscard]] PlaceSchedule
    for_property(std::int64_t uprn, const core::Date& from, const core::Date& to) const;
    [[nodiscard]] PlaceSchedule
    for_street(std::int64_t usrn, const core::Date& from, const core::Date& to) const;

  private:
    store::ConnectionPool& m_pool;
};

} // namespace wardmap::services
