#include "server/app/schedule_horizon.hpp"

#include "core/periodic_task.hpp"
#include "core/w3c_time.hpp"

#include <spdlog/spdlog.h>

namespace wardmap::app {

std::optional<services::HorizonRun> keep_schedule_horizon(services::RoundAdmin& rounds,
                                                          const core::Date& today) {
    try {
        const auto run = rounds.keep_horizon(today, "serve: schedule horizon");
        if (run.extended > 0) {
            spdlog::info("schedule horizon {}..{}: {} of {} rounds planned on ({} visits planned, "
                         "{} started or finished kept, {} removed)",
                         run.from.iso(), run.to.iso(), run.extended, run.rounds, run.visits.planned,
                         run.visits.kept, run.visits.removed);
        } else {
            spdlog::debug("schedule horizon {}..{}: all {} rounds already planned", run.from.iso(),
                          run.to.iso(), run.rounds);
        }
        return run;
    } catch (const std::exception& e) {
        spdlog::error("schedule horizon for {}: {}", today.iso(), e.what());
        return std::nullopt;
    }
}

std::unique_ptr<core::PeriodicTask> start_schedule_horizon(services::RoundAdmin& rounds,
                                                           std::chrono::minutes every) {
    return std::make_unique<core::PeriodicTask>(every, [&rounds] {
        (void)keep_schedule_horizon(rounds, core::uk_date(core::now_seconds()));
    });
}

} // namespace wardmap::app
