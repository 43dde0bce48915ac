#pragma once

#include "core/dates.hpp"

#include "geo/store/database.hpp"

#include <cstdint>

namespace wardmap::services {

struct DemoEmptySummary {
    int properties = 0;
    int inspections = 0;
    int overdue = 0; ///< on the generation date
    int owners = 0;
};

/// The demo borough's empty-property register: about 150 residential properties of the demo
/// gazetteer (chosen by `seed`), each with a source, risk, synthetic owner (fictional names,
/// Ofcom's drama telephone numbers, example.com mail), a status log and an inspection history
/// at its risk cadence up to `date`; about a fifth have missed their last inspection and are
/// overdue, some are back in use. The same borough, seed and date give the same rows. Runs in
/// one transaction of its own.
DemoEmptySummary
generate_demo_empty_properties(store::Database& db, const core::Date& date, std::uint64_t seed);

} // namespace wardmap::services
