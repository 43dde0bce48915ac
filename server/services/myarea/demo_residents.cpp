#include "server/services/myarea/demo_residents.hpp"

#include "core/seeded_random.hpp"
#include "core/w3c_time.hpp"
#include "core/working_days.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace wardmap::services {

DemoResidentsSummary
generate_demo_residents(store::Database& db, const core::Date& date, std::uint64_t seed) {
    DemoResidentsSummary summary;
    core::Rng rng(seed ^ 0x7265736964656e74ULL); // "resident": apart from the other generators
    std::vector<std::int64_t> uprns;
    {
        auto q = db.prepare("SELECT uprn FROM properties WHERE classification LIKE 'R%' "
                            "ORDER BY uprn");
        while (q.step()) {
            uprns.push_back(q.int64(0));
        }
    }
    if (uprns.empty()) {
        return summary;
    }
    const long today = core::days_since_epoch(date);
    const auto at = [](long day, int seconds) {
        return core::format_utc(core::uk_instant(core::date_from_days(day), seconds));
    };
    auto make = db.prepare("INSERT INTO resident_accounts (email, uprn, created_at, last_seen_at) "
                           "VALUES (?1, ?2, ?3, ?3)");
    auto seen = db.prepare("UPDATE resident_accounts SET last_seen_at = ?2 WHERE id = ?1");
    const auto account = [&](const std::string& email, std::int64_t uprn, long first_day) {
        make.reset();
        make.bind(1, email).bind(2, uprn).bind(3, at(first_day, rng.range(8, 21) * 3600));
        make.run();
        const auto id = db.last_insert_rowid();
        // Back now and then: every few weeks, until the demo's date.
        for (long day = first_day + rng.range(7, 60); day <= today; day += rng.range(7, 60)) {
            seen.reset();
            seen.bind(1, id).bind(2, at(day, rng.range(8, 21) * 3600));
            seen.run();
        }
        ++summary.accounts;
        return id;
    };
    // The one to sign in to: signed up two months ago at the first residential address.
    account("resident@demo.wardmap.test", uprns.front(), today - 60);
    // 79 more, signing up over the year before the date (more in the later months).
    for (int k = 1; k < 80; ++k) {
        const long first = today - 365 + static_cast<long>(365 * std::sqrt(rng.uniform()));
        account("resident-" + std::to_string(k) + "@demo.wardmap.test",
                uprns[static_cast<std::size_t>(rng.range(0, static_cast<int>(uprns.size()) - 1))],
                first);
    }
    // Three of the casework's public reports since then become the demo resident's (newest
    // first: one is likely still open).
    std::vector<std::int64_t> reports;
    {
        auto pick = db.prepare(
            "SELECT r.id FROM service_requests r LEFT JOIN service_request_contacts c ON "
            "c.request_id = r.id WHERE r.private = 0 AND c.email IS NULL AND r.created_at >= ?1 "
            "ORDER BY r.created_at DESC, r.id LIMIT 3");
        pick.bind(1, at(today - 60, 0));
        while (pick.step()) {
            reports.push_back(pick.int64(0));
        }
    }
    auto mine = db.prepare("INSERT INTO service_request_contacts (request_id, email) VALUES (?1, "
                           "'resident@demo.wardmap.test') ON CONFLICT(request_id) DO UPDATE SET "
                           "email = excluded.email");
    for (const auto id : reports) {
        mine.reset();
        mine.bind(1, id);
        mine.run();
        ++summary.reports;
    }
    return summary;
}

} // namespace wardmap::services
