#pragma once

// Residents' accounts (My Account, 0031) counted for the council's measures: GET /api/kpis and
// the performance page call this one function, so "active" means one thing everywhere.

#include "core/w3c_time.hpp"

#include "geo/store/database.hpp"

#include <cstdint>

namespace wardmap::services {

/// An account is active when it signed in or used its session within this many days.
inline constexpr int active_account_days = 90;

/// Resident accounts seen in the `active_account_days` days up to `now` (a borough total: a
/// count only, no suppression needed). 0 on a database without resident accounts.
[[nodiscard]] std::int64_t count_active_accounts(store::Database& db, core::UnixSeconds now);

} // namespace wardmap::services
