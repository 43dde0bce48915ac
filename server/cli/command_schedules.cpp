// `wardmap schedules regenerate [--from DATE] [--weeks N]`: rolls every round's planned visits
// on to a new horizon (run daily, e.g. from cron or a systemd timer), never touching a visit
// with a completion (nor a roll of one not done); each round's regeneration goes in
// schedule_changes.

#include "core/dates.hpp"

#include "geo/store/database.hpp"
#include "geo/store/migrations.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/logging.hpp"
#include "server/services/shared/errors.hpp"
#include "server/services/streetscene/schedule_service.hpp"

#include <iostream>
#include <memory>

namespace wardmap::cli {

namespace {

struct RegenerateFlags {
    std::string from;
    int weeks = services::default_horizon_days / 7;
};

int regenerate(const CommonOptions& common, const RegenerateFlags& flags) {
    setup_logging(common.log_level, false);
    auto from = core::today_utc();
    if (!flags.from.empty()) {
        const auto d = core::parse_iso_date(flags.from);
        if (!d) {
            services::invalid_parameter("--from",
                                        "must be a date YYYY-MM-DD, not '" + flags.from + "'");
        }
        from = *d;
    }
    if (flags.weeks < 1 || flags.weeks > 52) {
        services::invalid_parameter("--weeks", "must be from 1 to 52");
    }
    const auto to = services::add_days(from, flags.weeks * 7L - 1);
    store::migrate(common.db);
    auto db = store::Database::open(common.db);
    store::Transaction tx(db);
    const auto counts =
        services::ScheduleService::materialise_all(db, from, to, "schedules regenerate");
    tx.commit();
    std::cout << "schedules " << from.iso() << ".." << to.iso() << ": " << counts.planned
              << " planned visits, " << counts.kept << " with a completion kept, " << counts.removed
              << " removed\n";
    return exit_ok;
}

} // namespace

void add_schedules_command(CLI::App& app, CommonOptions& common, int& exit_code) {
    auto* cmd = app.add_subcommand("schedules", "Streetscene schedules (docs/streetscene.md)");
    cmd->require_subcommand(1);
    auto* regen = cmd->add_subcommand(
        "regenerate", "Plan every round's visits for a new horizon (run daily); visits with "
                      "a completion are kept");
    common.add_to(*regen);
    auto flags = std::make_shared<RegenerateFlags>();
    regen->add_option("--from", flags->from, "First day of the horizon (default today, UTC)");
    regen->add_option("--weeks", flags->weeks, "Length of the horizon in weeks")
        ->capture_default_str();
    regen->callback([&common, &exit_code, flags] {
        exit_code = run_guarded("schedules regenerate", [&] { return regenerate(common, *flags); });
    });
}

} // namespace wardmap::cli
