#pragma once

// `serve`'s daily care of the streetscene schedules: every round's visits planned 13 weeks
// ahead (services::RoundAdmin::keep_horizon), run by a core::PeriodicTask. docs/streetscene.md,
// "The horizon".

#include "core/dates.hpp"

#include "server/services/streetscene/round_admin.hpp"

#include <chrono>
#include <memory>
#include <optional>

namespace wardmap::core {
class PeriodicTask;
}

namespace wardmap::app {

/// The task's tick for the day `today` (Europe/London): plans every round not yet planned to
/// the horizon and logs what it did (nothing is logged when every round was already
/// planned: a second run the same day). Never throws: a failure is logged and the next tick
/// tries again. Returns the run (nullopt after a failure), for the tests.
std::optional<services::HorizonRun> keep_schedule_horizon(services::RoundAdmin& rounds,
                                                          const core::Date& today);

/// A PeriodicTask calling keep_schedule_horizon with today's date every `every`.
std::unique_ptr<core::PeriodicTask> start_schedule_horizon(services::RoundAdmin& rounds,
                                                           std::chrono::minutes every);

} // namespace wardmap::app
