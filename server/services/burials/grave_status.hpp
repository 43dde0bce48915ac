#pragma once

// A grave's status, derived from the facts every time it is read and never stored
// (reference/domain.md §1.7, docs/burials.md "Status"). The rules, first match wins:
//
//   1. the latest manual override, when its status is not NULL (a NULL row clears it);
//   2. unavailable: the ground cannot be dug (unavailable_reason ground, path or tree);
//   3. full: every coffin space and every cremated-remains space is used (interments not
//      disinterred, plus burials known only as a count);
//   4. a grant active on the date: in_use when anything is buried, else reserved;
//   5. right_expired: the latest grant ran out (not surrendered) and none is active;
//   6. in_use: something is buried (public graves; graves with no grant on record);
//   7. available.
//
// A grant is active on D when granted_on <= D < granted_on + term_years + every extension's
// years, and no surrender took effect on or before D.

#include "core/dates.hpp"

#include "geo/coordinates.hpp"
#include "geo/store/database.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace wardmap::services {

/// Every status the rules can give, in the order of the rules above.
inline constexpr const char* grave_statuses[] = {"available", "reserved",    "in_use",
                                                 "full",      "unavailable", "right_expired"};

/// The SQL expression of the status of the grave whose id is the SQL `grave_id` (e.g. "t.id"),
/// on the date the SQL `on` gives (e.g. "date('now')" or "?1"). Correlated subqueries on
/// indexed columns only: one statement answers for any number of graves.
std::string grave_status_sql(std::string_view grave_id, std::string_view on);
/// The date a grant's right runs out: SQL over a grant aliased `grant_alias`.
std::string grant_expiry_sql(std::string_view grant_alias);
/// 1 when the grant aliased `grant_alias` is active on `on`, else 0.
std::string grant_active_sql(std::string_view grant_alias, std::string_view on);

struct GraveStatus {
    std::int64_t id = 0;
    std::string grave_number;
    std::string status;
    bool overridden = false;
    std::optional<std::string> unavailable_reason;
    int coffins_used = 0; ///< including burials known only as a count
    int cremated_remains_used = 0;
    int max_coffins = 0;
    int max_cremated_remains = 0;
};

/// The status of every grave whose EPSG:27700 envelope meets `box`, on `on`, ordered by id:
/// one set-based query (the R*Tree narrows, the subqueries read indexes), no query per grave.
/// Only id, grave_number, status and the capacity are filled (not the counts or the reason).
void graves_status_in_box(store::Database& db,
                          const geo::BBox& box,
                          const core::Date& on,
                          const std::function<void(const GraveStatus&)>& row);

/// One grave's status on `on`; nullopt when there is no such grave.
std::optional<GraveStatus>
grave_status(store::Database& db, std::int64_t grave_id, const core::Date& on);

} // namespace wardmap::services
