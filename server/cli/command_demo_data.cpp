#include "core/dates.hpp"

#include "geo/store/connection_pool.hpp"
#include "geo/store/migrations.hpp"
#include "importers/demo/demo_borough.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/logging.hpp"
#include "server/services/access/accounts.hpp"
#include "server/services/burials/booking_service.hpp"
#include "server/services/housing/demo_empty_properties.hpp"
#include "server/services/myarea/demo_residents.hpp"
#include "server/services/requests/demo_activity.hpp"
#include "server/services/streetscene/demo_crews.hpp"
#include "server/services/streetscene/demo_jobs.hpp"
#include "server/services/streetscene/demo_rounds.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>

namespace wardmap::cli {

namespace {

struct DemoDataOptions {
    std::uint64_t seed = importers::DemoOptions{}.seed;
    std::string date; ///< YYYY-MM-DD; empty for today
    bool force = false;
    bool print_accounts = false;
};

/// The demo borough's people, with fixed passwords anyone can read here and in `scripts/demo`'s
/// output: for a demonstration only, never a real council's data.
struct DemoAccount {
    const char* email;
    const char* name;
    const char* role;
    const char* team; // nullptr: none (the councillor gets the first two current wards)
    const char* password;
    const char* firm = nullptr; // a funeral director's firm
};
constexpr DemoAccount demo_accounts[] = {
    {"councillor@demo.wardmap.test", "Cllr Alex Demo", "councillor", nullptr, "Demo-councillor-1"},
    {"streetscene@demo.wardmap.test", "Sam Streetscene", "officer", "streetscene",
     "Demo-streetscene-1"},
    {"supervisor@demo.wardmap.test", "Sol Supervisor", "supervisor", "streetscene",
     "Demo-supervisor-1"},
    {"bereavement@demo.wardmap.test", "Bea Bereavement", "officer", "bereavement",
     "Demo-bereavement-1"},
    {"customer.services@demo.wardmap.test", "Casey Customer", "officer", "customer_services",
     "Demo-customer-1"},
    {"housing@demo.wardmap.test", "Harper Housing", "officer", "housing", "Demo-housing-1"},
    {"admin@demo.wardmap.test", "Ada Admin", "admin", nullptr, "Demo-admin-pass-1"},
    // An outside account: a funeral director of a (synthetic) firm, for bookings of burials.
    {"funeral.director@demo.wardmap.test", "Frankie Undertaker", "funeral_director", nullptr,
     "Demo-funeral-1", "Demo Family Funeral Directors"},
};

void print_demo_accounts() {
    std::cout << "demo accounts (synthetic; sign in at POST /api/session):\n";
    for (const auto& a : demo_accounts) {
        std::cout << "  " << a.email << "  password " << a.password << "  (" << a.role
                  << (a.team != nullptr ? std::string(", ") + a.team : std::string())
                  << (a.firm != nullptr ? std::string(", ") + a.firm : std::string()) << ")\n";
    }
    std::cout << "  resident@demo.wardmap.test  no password: My Account at /account.html signs "
                 "in by a link sent by mail (resident, with saved address and reports)\n";
}

void add_demo_accounts(const std::filesystem::path& db_path) {
    store::ConnectionPool pool(db_path, 1, {.mode = store::OpenMode::read_write});
    std::vector<std::string> wards;
    {
        auto db = pool.acquire();
        auto st = db->prepare("SELECT w.code FROM wards w JOIN boundary_sets b ON b.id = "
                              "w.boundary_set_id WHERE b.valid_to IS NULL ORDER BY w.code "
                              "LIMIT 2");
        while (st.step()) {
            wards.emplace_back(st.text(0));
        }
    }
    services::AccountService accounts(pool);
    for (const auto& a : demo_accounts) {
        const bool councillor = std::string_view(a.role) == "councillor";
        const auto grant = services::make_grant(
            a.role, councillor ? wards : std::vector<std::string>{},
            a.team != nullptr ? std::vector<std::string>{a.team} : std::vector<std::string>{},
            a.firm != nullptr ? std::optional<std::string>(a.firm) : std::nullopt);
        accounts.add(a.email, a.name, grant, std::string(a.password));
    }
}

void remove_with_sidecars(const std::filesystem::path& db) {
    std::error_code ec;
    std::filesystem::remove(db, ec);
    for (const char* suffix : {"-wal", "-shm"}) {
        auto side = db;
        side += suffix;
        std::filesystem::remove(side, ec);
    }
}

int demo_data(const CommonOptions& common, const DemoDataOptions& options) {
    if (options.print_accounts) {
        print_demo_accounts();
        return exit_ok;
    }
    setup_logging(common.log_level, false);
    const auto date = options.date.empty() ? core::today_utc() : core::parse_iso_date(options.date);
    if (!date) {
        std::cerr << "wardmap demo-data: --date must be YYYY-MM-DD, not '" << options.date << "'\n";
        return exit_failure;
    }
    if (std::filesystem::exists(common.db) && !options.force) {
        std::cerr << "wardmap demo-data: " << common.db.string()
                  << " already exists; pass --force to replace it with the demo borough\n";
        return exit_failure;
    }
    auto transform = common.make_transform();
    if (common.db.has_parent_path()) {
        std::filesystem::create_directories(common.db.parent_path());
    }
    // Build beside the target and rename into place, so a failure or a reader never sees a
    // half-built borough.
    auto building = common.db;
    building += ".building";
    remove_with_sidecars(building);
    const auto started = std::chrono::steady_clock::now();
    importers::DemoSummary summary;
    services::DemoActivitySummary activity;
    services::DemoRoundsSummary rounds;
    services::DemoCrewsSummary crews;
    services::DemoJobsSummary jobs;
    services::DemoEmptySummary empty;
    services::DemoBookingsSummary bookings;
    services::DemoResidentsSummary residents;
    try {
        store::migrate(building);
        auto db = store::Database::open(building);
        // The borough from the importers, then its casework through the request service.
        summary = importers::generate_demo_borough(
            db, *transform, {.seed = options.seed, .reference_date = date->iso()});
        {
            store::ConnectionPool pool(building, 2, {});
            activity = services::generate_demo_activity(
                pool, transform, services::ServiceCatalogue::load(default_services_file()),
                {.seed = options.seed, .until = *date});
        }
        rounds = services::generate_demo_rounds(db, *date);
        empty = services::generate_demo_empty_properties(db, *date, options.seed);
        add_demo_accounts(building);
        // The crews need the demo officer's account: after the accounts.
        crews = services::generate_demo_crews(db, *date, options.seed);
        {
            // A few open streetscene reports made into jobs on the nearest crews' day.
            store::ConnectionPool pool(building, 2, {});
            jobs = services::generate_demo_jobs(
                pool, transform, services::ServiceCatalogue::load(default_services_file()), *date);
        }
        {
            // Bookings of burials by the demo funeral director (after accounts and crews).
            store::ConnectionPool pool(building, 1, {});
            bookings = services::generate_demo_bookings(pool, *date);
        }
        // Residents' My Account accounts, one with three of the casework's reports.
        residents = services::generate_demo_residents(db, *date, options.seed);
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (...) {
        remove_with_sidecars(building);
        throw;
    }
    remove_with_sidecars(common.db);
    std::filesystem::rename(building, common.db);
    std::cout << "demo borough (synthetic, seed " << options.seed << ", activity up to "
              << date->iso() << ") written to " << common.db.string() << " in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
              << " s:\n  " << summary.wards_current << " current and " << summary.wards_previous
              << " previous wards, " << summary.streets << " streets, " << summary.properties
              << " properties, " << summary.postcodes << " postcodes,\n  " << summary.cemeteries
              << " cemeteries with " << summary.sections << " sections and " << summary.graves
              << " graves (" << summary.interments << " interments, " << summary.grants
              << " grants), " << summary.litter_bins << " litter bins and " << summary.street_assets
              << " other street assets,\n  " << summary.planning_applications
              << " planning applications, " << activity.requests << " service requests ("
              << activity.open << " open) with " << activity.updates << " staff updates\n";
    std::cout << "  " << rounds.rounds << " streetscene rounds with " << rounds.visits
              << " visits (13 weeks ahead, and their past), " << crews.crews << " crews of "
              << crews.members << " people with " << crews.completions << " completions ("
              << crews.rolled << " not done and rolled), " << jobs.jobs << " jobs from reports ("
              << jobs.cleared << " cleared)\n";
    std::cout << "  " << empty.properties << " empty properties (" << empty.overdue
              << " overdue for inspection) with " << empty.inspections << " inspections and "
              << empty.owners << " synthetic owners\n";
    std::cout << "  burial bookings by the demo funeral director: " << bookings.requested
              << " requested, " << bookings.confirmed << " confirmed, " << bookings.refused
              << " refused, " << bookings.withdrawn << " withdrawn\n";
    std::cout << "  " << residents.accounts << " residents' My Account accounts, one with "
              << residents.reports << " reports\n";
    print_demo_accounts();
    return exit_ok;
}

} // namespace

void add_demo_data_command(CLI::App& app, CommonOptions& common, int& exit_code) {
    auto* cmd = app.add_subcommand(
        "demo-data", "Generate the synthetic demo borough (at Chorley's position) into --db");
    common.add_to(*cmd);
    auto options = std::make_shared<DemoDataOptions>();
    cmd->add_option("--seed", options->seed, "Seed: the same seed gives the same borough")
        ->envname("WARDMAP_DEMO_SEED")
        ->capture_default_str();
    cmd->add_option("--date", options->date,
                    "Generation date (YYYY-MM-DD, default today): the casework runs up to it; "
                    "the same seed and date give the same borough")
        ->envname("WARDMAP_DEMO_DATE");
    cmd->add_flag("--force", options->force, "Replace the database file if it exists");
    cmd->add_flag("--print-accounts", options->print_accounts,
                  "Only print the demo accounts' emails and passwords (scripts/demo does)");
    cmd->callback([&common, &exit_code, options] {
        exit_code = run_guarded("demo-data", [&] { return demo_data(common, *options); });
    });
}

} // namespace wardmap::cli
