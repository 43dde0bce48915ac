// `wardmap myward send-summaries --month YYYY-MM`: queues MyWard's monthly summary to every
// opted-in councillor for each of their wards into the notification outbox (a running `serve`
// delivers it); a second run for the same month queues nothing (docs/myward.md, "Monthly
// summary by e-mail"; docs/operations.md). Run it once a month, e.g. from a systemd timer.

#include "geo/store/connection_pool.hpp"
#include "geo/store/migrations.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/logging.hpp"
#include "server/services/housing/empty_property_service.hpp"
#include "server/services/myward/myward_report.hpp"
#include "server/services/myward/myward_service.hpp"
#include "server/services/myward/myward_summaries.hpp"
#include "server/services/requests/service_catalogue.hpp"
#include "server/services/shared/errors.hpp"
#include "server/services/wards/ward_index.hpp"
#include "server/services/wards/ward_service.hpp"

#include <iostream>
#include <memory>

namespace wardmap::cli {

namespace {

struct SummaryFlags {
    std::string month;
    std::string public_url = "http://localhost:8080";
    std::filesystem::path services_file = default_services_file();
    int suppress_below = services::MyWardService::default_suppress_below;
};

int send_summaries(const CommonOptions& common, const SummaryFlags& flags) {
    setup_logging(common.log_level, false);
    const auto month = services::parse_report_month(flags.month);
    if (!month) {
        services::invalid_parameter("--month",
                                    "must be a month YYYY-MM, not '" + flags.month + "'");
    }
    store::migrate(common.db);
    store::ConnectionPool pool(common.db, 2, {.mode = store::OpenMode::read_write});
    const auto catalogue = services::ServiceCatalogue::load(flags.services_file);
    const services::WardService wards(pool, common.make_transform(),
                                      services::WardIndex::load(pool));
    const services::EmptyPropertyService empty(pool, services::ImageLimits{});
    const services::MyWardService myward(pool, wards, empty, flags.suppress_below);
    const services::MyWardReport report(pool, wards, myward, flags.public_url);
    const services::MyWardSummaries summaries(pool, report, catalogue.council());
    const auto run = summaries.send(*month);
    std::cout << "myward summaries " << month->iso() << ": " << run.queued << " queued, "
              << run.already_sent << " already sent, " << run.skipped
              << " wards not in force that month\n";
    return exit_ok;
}

} // namespace

void add_myward_command(CLI::App& app, CommonOptions& common, int& exit_code) {
    auto* cmd = app.add_subcommand("myward", "MyWard: the councillor's ward (docs/myward.md)");
    cmd->require_subcommand(1);
    auto* send = cmd->add_subcommand(
        "send-summaries", "Queue the month's summary to every opted-in councillor for each "
                          "ward (once per councillor, ward and month)");
    common.add_to(*send);
    auto flags = std::make_shared<SummaryFlags>();
    send->add_option("--month", flags->month, "The month, YYYY-MM")->required();
    send->add_option("--public-url", flags->public_url,
                     "Where councillors reach the server (the report's link is built on it)")
        ->envname("WARDMAP_PUBLIC_URL")
        ->capture_default_str();
    send->add_option("--services", flags->services_file,
                     "The service catalogue (the council's name signs the message)")
        ->capture_default_str();
    send->add_option("--suppress-below", flags->suppress_below,
                     "Counts from 1 to this - 1 are not given (as serve --suppress-below)")
        ->envname("WARDMAP_SUPPRESS_BELOW")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    send->callback([&common, &exit_code, flags] {
        exit_code =
            run_guarded("myward send-summaries", [&] { return send_summaries(common, *flags); });
    });
}

} // namespace wardmap::cli
