#pragma once

// Crews and the day's work (issue #18, "Crews"): a crew's day and a person's own day of
// visits, completions recorded by the crews (idempotent by the device's client_id, committed
// before the answer), not-done visits rolled to the next working day, supervisors'
// assignments with their history in schedule_changes, the day's progress of every crew and a
// crew's week. Schema: data/schema/0017_crews.sql; rules and routes: docs/streetscene.md.

#include "core/dates.hpp"
#include "core/w3c_time.hpp"

#include "geo/store/connection_pool.hpp"
#include "geo/store/database.hpp"
#include "server/services/access/access.hpp"
#include "server/services/streetscene/completion_body.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wardmap::services {

/// A completion as the API shows it.
struct Completion {
    std::int64_t id = 0;
    std::int64_t visit_id = 0;
    std::string client_id;
    std::string outcome;
    std::optional<std::string> reason;
    std::string at;          ///< device time, UTC "YYYY-MM-DDTHH:MM:SSZ"
    std::string recorded_at; ///< server time of the commit
    std::string by;          ///< the person's name, or the API key's
    std::optional<std::int64_t> person_id;
    std::optional<double> lon;
    std::optional<double> lat;
    std::optional<double> accuracy_m;
    std::optional<std::string> quantities; ///< JSON object text
    std::optional<std::string> notes;
    std::vector<std::pair<std::string, std::string>> photos; ///< photo id, role
    std::optional<std::int64_t> rolled_to;                   ///< the visit it rolled to (not_done)
};

struct CompletionResult {
    Completion completion;
    bool duplicate = false;
};

struct VisitCounts3 {
    std::int64_t planned = 0;
    std::int64_t done = 0;
    std::int64_t not_done = 0;
};

/// One visit of a day, with what the crew needs to find and do it.
struct DayVisit {
    std::int64_t visit_id = 0;
    std::string crew; ///< the crew that works it that day (assignment, round's crew, team)
    std::string round_code;
    std::string round_name;
    std::string activity;
    std::string activity_name;
    std::int64_t seq = 0;
    std::string stop_kind; ///< street, property, asset
    std::string label;
    std::optional<std::int64_t> usrn;
    std::optional<std::int64_t> uprn;
    std::optional<std::string> asset_reference;
    std::string planned_date;
    std::optional<std::int64_t> rolled_from;
    std::string status; ///< planned, done, not_done
    std::optional<std::int64_t> assigned_person_id;
    std::optional<std::string> assigned_person_name;
    std::optional<Completion> completion; ///< the latest (id, outcome, reason, at, by)
    std::optional<double> lon;
    std::optional<double> lat;
    /// A job made from a service request (0018, JobService): its visits are those of its stop
    /// on the crew's one-off round, and their point is the request's. Null for a round's visit.
    struct Job {
        std::int64_t id = 0;
        std::int64_t request_id = 0;
        std::string category;
        std::string due_date;
    };
    std::optional<Job> job;
};

struct Day {
    core::Date date;
    VisitCounts3 counts;
    std::vector<DayVisit> visits; ///< in work order: round, stop seq
};

struct CrewInfo {
    std::string code;
    std::string name;
    std::optional<std::string> depot;
    std::optional<std::string> vehicle;
};

/// A member of a crew that a visit can be assigned to (an active streetscene person): no
/// e-mail, no phone.
struct CrewMember {
    std::int64_t person_id = 0;
    std::string name;
};

struct CrewWithMembers {
    CrewInfo crew;
    std::vector<CrewMember> members; ///< by name, then id
};

struct CrewProgress {
    CrewInfo crew; ///< name empty for a team code that names no crew
    VisitCounts3 counts;
};

struct Progress {
    core::Date date;
    std::vector<CrewProgress> crews;
    Day day; ///< every crew's visits
};

struct WeekRound {
    std::string round_code;
    std::string round_name;
    std::string activity;
    VisitCounts3 counts;
};

struct WeekDay {
    core::Date date;
    VisitCounts3 counts;
    std::vector<WeekRound> rounds;
};

struct Assignment {
    std::int64_t visit_id = 0;
    std::optional<std::string> crew;
    std::optional<std::int64_t> person_id;
    std::optional<std::string> person_name;
};

/// Crews' work. Thread-safe; every write is one transaction committed (and, with
/// `--durability full`, on disk) before the call returns.
class CrewService {
  public:
    using Clock = std::function<core::UnixSeconds()>;
    /// Called in a new (not duplicate) completion's own transaction, after it is stored and
    /// before it commits: jobs close their requests through it (app::ServerServices sets
    /// JobService::on_crew_completion). An exception rolls the completion back.
    using CompletionHook =
        std::function<void(store::Database&, const Principal&, const Completion&)>;
    void set_completion_hook(CompletionHook hook) { m_completion_hook = std::move(hook); }
    explicit CrewService(store::ConnectionPool& pool, Clock clock = core::now_seconds)
        : m_pool(pool), m_clock(std::move(clock)) {}

    /// The crew's visits on `date`. not_found for an unknown crew; forbidden unless `who` is
    /// a member, a streetscene supervisor, an admin or a staff key.
    [[nodiscard]] std::pair<CrewInfo, Day>
    crew_day(const Principal& who, const std::string& crew, const core::Date& date) const;
    /// The person's own day: their crews' visits and visits assigned to them.
    [[nodiscard]] Day person_day(std::int64_t person_id, const core::Date& date) const;

    /// Records a completion of `visit_id` from a request body (see completion_body.hpp): a
    /// client_id seen before answers its first completion (duplicate). not_found for an
    /// unknown visit; forbidden for a visit of another crew; conflict for a client_id used
    /// on another visit; invalid_parameter naming the field. A not_done visit (but for
    /// not_needed) rolls to the next working day.
    CompletionResult
    record_completion(const Principal& who, std::int64_t visit_id, const nlohmann::json& body);
    /// The same inside the caller's transaction, with `now` as the server's time (the demo).
    static CompletionResult record_completion_in(store::Database& db,
                                                 const Principal& who,
                                                 std::int64_t visit_id,
                                                 const CompletionInput& in,
                                                 core::UnixSeconds now);

    /// A supervisor's assignment of a visit to a crew and/or a person (either may be absent,
    /// not both). not_found for the visit; invalid_parameter "crew"/"person_id".
    Assignment assign_visit(const Principal& who,
                            std::int64_t visit_id,
                            const std::optional<std::string>& crew,
                            const std::optional<std::int64_t>& person_id);
    /// The round worked by `crew` from `from` on. not_found for the round; invalid_parameter
    /// "crew".
    void set_round_crew(const Principal& who,
                        const std::string& round_code,
                        const std::string& crew,
                        const core::Date& from);

    /// Every crew (by code) with its members who can be given a visit (active, streetscene).
    [[nodiscard]] std::vector<CrewWithMembers> crews() const;

    /// Every crew's counts on `date`, and all the day's visits.
    [[nodiscard]] Progress progress(const core::Date& date) const;
    /// The crew's seven days from `from`, per day and round. Access as crew_day.
    [[nodiscard]] std::pair<CrewInfo, std::vector<WeekDay>>
    week(const Principal& who, const std::string& crew, const core::Date& from) const;

    /// Inserts or replaces a crew, and its members (replacing them).
    static void
    save_crew(store::Database& db, const CrewInfo& crew, const std::vector<std::int64_t>& members);

    [[nodiscard]] core::UnixSeconds now() const { return m_clock(); }

  private:
    store::ConnectionPool& m_pool;
    Clock m_clock;
    CompletionHook m_completion_hook;
};

/// "Europe/London today" of an instant.
inline core::Date london_date(core::UnixSeconds t) {
    return core::uk_date(t);
}

} // namespace wardmap::services
