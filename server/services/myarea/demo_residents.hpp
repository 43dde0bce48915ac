#pragma once

// The demo's residents with a My Account (docs/sign-in.md "Residents"): synthetic accounts
// with saved addresses, used over the year before the demo's date, so the performance page's
// "accounts used" and /api/kpis's active accounts show something; and one account a person
// trying the demo can sign in to by link (resident@demo.wardmap.test), with three of the demo's
// reports made under its address.

#include "core/dates.hpp"

#include "geo/store/database.hpp"

#include <cstdint>

namespace wardmap::services {

struct DemoResidentsSummary {
    int accounts = 0;
    int reports = 0; ///< the demo resident's reports
};

/// After the casework (it gives three of its reports to the demo resident). Deterministic for
/// the seed and date; writes as the service would (the months log follows last_seen_at).
DemoResidentsSummary
generate_demo_residents(store::Database& db, const core::Date& date, std::uint64_t seed);

} // namespace wardmap::services
