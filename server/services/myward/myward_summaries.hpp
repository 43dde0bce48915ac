#pragma once

// MyWard's monthly summary by e-mail (issue #16; docs/myward.md "Monthly summary by e-mail"):
// a councillor opts in or out; `wardmap myward send-summaries --month YYYY-MM` queues one plain
// text message per opted-in, active councillor per ward into the notification outbox (the
// headline figures, suppressed as in the exports, and a link to the printable report). What
// was queued is recorded in the same transaction (0029), so a second run queues nothing.

#include "geo/store/connection_pool.hpp"
#include "server/services/access/access.hpp"
#include "server/services/myward/myward_report.hpp"

#include <string>

namespace wardmap::services {

struct SummaryRun {
    int queued = 0;       ///< messages queued now
    int already_sent = 0; ///< councillor and ward pairs queued by an earlier run
    int skipped = 0;      ///< wards not in force in the month (nothing to report)
};

/// Thread-safe.
class MyWardSummaries {
  public:
    MyWardSummaries(store::ConnectionPool& pool, const MyWardReport& report, std::string council);

    /// Opts the signed-in councillor in or out; forbidden for anyone who is not a councillor.
    void set_monthly(const Principal& who, bool monthly) const;
    /// Whether `person_id` has opted in (false when never asked).
    [[nodiscard]] bool monthly(std::int64_t person_id) const;

    /// Queues the month's summaries (see above).
    SummaryRun send(const ReportMonth& month) const;

  private:
    store::ConnectionPool& m_pool;
    const MyWardReport& m_report;
    std::string m_council;
};

} // namespace wardmap::services
