#pragma once

// Staff editing of streetscene rounds (issue #18): create and change a round from its body
// (round_body), list and show rounds with their stops on a map and their next visits, the
// append-only history of changes, an asset's history, and the rolling horizon `serve` keeps.
// docs/streetscene.md, "Editing rounds" and "The horizon".

#include "core/dates.hpp"

#include "geo/store/connection_pool.hpp"
#include "geo/store/database.hpp"
#include "server/services/streetscene/round_body.hpp"
#include "server/services/streetscene/schedule_service.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace wardmap::services {

/// What one run of the horizon task did.
struct HorizonRun {
    core::Date from;
    core::Date to;
    std::int64_t rounds = 0;   ///< rounds looked at
    std::int64_t extended = 0; ///< rounds whose visits were planned on to `to`
    VisitCounts visits;        ///< totals over the extended rounds
};

class RoundAdmin {
  public:
    explicit RoundAdmin(store::ConnectionPool& pool) : m_pool(pool) {}

    /// Every round: code, name, activity, rule, crew, stops and next visit date on or after
    /// `today`. {"rounds": [...]}
    [[nodiscard]] nlohmann::ordered_json list(const core::Date& today) const;
    /// One round: its body (round_body_json) plus `rule_version`, `stop_details` (each stop's
    /// label and WGS84 point, in order) and `next_visits` (the next dates from `today` with
    /// their visit counts). DomainError not_found for an unknown code.
    [[nodiscard]] nlohmann::ordered_json view(const std::string& code,
                                              const core::Date& today) const;
    /// The round's schedule_changes, newest first. not_found for an unknown code.
    [[nodiscard]] nlohmann::ordered_json changes(const std::string& code) const;

    /// Creates a round: 400 naming "code" when one has it already, "team" when given (a
    /// round's crew is set by its own route), any field save_round refuses, an asset
    /// reference that names no asset (or several). Its visits are planned from `today` for
    /// the horizon. One transaction.
    SaveResult create(RoundBody body, const std::string& actor, const core::Date& today);
    /// Replaces round `code`'s definition (not_found when there is none; "code" in the body
    /// must be absent or the same; "team" absent or the stored one), regenerating its planned
    /// visits from `today` (never a started or finished one) and recording the change.
    SaveResult update(const std::string& code,
                      RoundBody body,
                      const std::string& actor,
                      const core::Date& today);

    /// The asset `id` and every change of it (street_asset_history, oldest first): no
    /// personal data is in either. not_found for an unknown id.
    [[nodiscard]] nlohmann::ordered_json asset_history(std::int64_t id) const;

    /// Keeps every round's visits planned to the horizon [today, today + 13 weeks): a round
    /// whose last materialisation already covers it is left alone (so a second run the same
    /// day does nothing); the others are regenerated for it, each with a 'regenerated'
    /// change. In the caller's transaction.
    static HorizonRun
    keep_horizon(store::Database& db, const core::Date& today, const std::string& actor);
    /// The same in a transaction of its own on a pooled connection.
    HorizonRun keep_horizon(const core::Date& today, const std::string& actor);

  private:
    store::ConnectionPool& m_pool;
};

} // namespace wardmap::services
