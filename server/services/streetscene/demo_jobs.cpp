#include "server/services/streetscene/demo_jobs.hpp"

#include "core/w3c_time.hpp"
#include "core/working_days.hpp"

#include "server/services/gazetteer/address_service.hpp"
#include "server/services/gazetteer/street_service.hpp"
#include "server/services/requests/catalogue_service.hpp"
#include "server/services/requests/request_service.hpp"
#include "server/services/shared/errors.hpp"
#include "server/services/streetscene/crew_service.hpp"
#include "server/services/streetscene/job_service.hpp"
#include "server/services/wards/ward_service.hpp"

#include <optional>
#include <string>
#include <vector>

namespace wardmap::services {

DemoJobsSummary generate_demo_jobs(store::ConnectionPool& pool,
                                   std::shared_ptr<const geo::BngTransform> transform,
                                   ServiceCatalogue catalogue,
                                   const core::Date& date) {
    DemoJobsSummary summary;
    // The demo's activity runs up to its date, never on it: the jobs are raised on the working
    // day before, one for that day (cleared by its crew) and the others for the date's own
    // working day, so a crew's page shows them that day.
    const core::Date day = core::is_working_day(date) ? date : core::add_working_days(date, 1);
    long before_days = core::days_since_epoch(date) - 1;
    while (!core::is_working_day(core::date_from_days(before_days))) {
        --before_days;
    }
    const core::Date before = core::date_from_days(before_days);
    core::UnixSeconds clock_time = core::uk_instant(before, 8 * 3600);
    const WardService wards(pool, transform, WardIndex::load(pool));
    const AddressService addresses(pool, transform, wards,
                                   AddressService::SearchIndex::on_first_search);
    const StreetService streets(pool);
    const CatalogueService catalogues(pool, std::move(catalogue));
    const RequestService requests(pool, transform, catalogues, wards, addresses, streets,
                                  [&clock_time] { return clock_time; });
    const JobService jobs(pool, requests, transform, JobCategories::defaults(),
                          [&clock_time] { return clock_time; });

    // The demo supervisor makes them.
    Principal supervisor;
    std::vector<std::int64_t> candidates;
    {
        auto db = pool.acquire();
        auto p = db->prepare("SELECT id, name FROM people WHERE email = "
                             "'supervisor@demo.wardmap.test'");
        if (!p.step()) {
            return summary; // no demo accounts: nobody to make them
        }
        supervisor.kind = Principal::Kind::person;
        supervisor.id = p.int64(0);
        supervisor.name = std::string(p.text(1));
        supervisor.grants = {RoleGrant{Role::supervisor, {}, {Team::streetscene}}};
        std::string codes;
        for (std::size_t i = 0; i < jobs.categories().activities.size(); ++i) {
            codes += (codes.empty() ? "?" : ", ?");
        }
        auto q =
            db->prepare("SELECT id FROM service_requests WHERE is_open AND private = 0 AND "
                        "category_code IN (" +
                        codes + ") AND created_at < ? ORDER BY created_at DESC, id DESC LIMIT 4");
        int i = 1;
        for (const auto& [code, _] : jobs.categories().activities) {
            q.bind(i++, code);
        }
        // Reports already made when the supervisor raises the jobs.
        q.bind(i, core::format_utc(clock_time));
        while (q.step()) {
            candidates.push_back(q.int64(0));
        }
    }
    std::optional<Job> for_before;
    for (const auto id : candidates) {
        clock_time += 60;
        try {
            const core::Date on = for_before ? day : before;
            auto job =
                jobs.create({.request_id = id, .crew = std::nullopt, .date = on}, supervisor);
            if (!for_before) {
                for_before = std::move(job);
            }
            ++summary.jobs;
        } catch (const DomainError&) {
            // no crew works that day, or the report is on no street: left as a report
        }
    }
    if (for_before) {
        // The day before's job is cleared by its crew two hours later, through the crews' own
        // path.
        clock_time = core::uk_instant(before, 10 * 3600);
        auto db = pool.acquire();
        store::Transaction tx(*db);
        CompletionInput in;
        in.client_id = "demo-job-" + std::to_string(for_before->id);
        in.outcome = "done";
        in.at = clock_time;
        const auto stored = CrewService::record_completion_in(*db, supervisor, for_before->visit_id,
                                                              in, clock_time);
        jobs.on_crew_completion(*db, supervisor, stored.completion);
        tx.commit();
        ++summary.cleared;
    }
    return summary;
}

} // namespace wardmap::services
