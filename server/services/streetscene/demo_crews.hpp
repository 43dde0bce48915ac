#pragma once

#include "core/dates.hpp"

#include "geo/store/database.hpp"

#include <cstdint>

namespace wardmap::services {

struct DemoCrewsSummary {
    int crews = 0;
    int members = 0;
    long long completions = 0;
    long long rolled = 0;
};

/// The demo borough's crews (run after generate_demo_rounds and the demo accounts): one crew
/// per demo round's team (waste-tue, waste-thu, garden, cleansing, grounds), each with two or
/// three synthetic streetscene officers who cannot sign in; the demo streetscene officer
/// (streetscene@demo.wardmap.test) works in "cleansing", whose town-centre litter round has
/// visits every day. Then every visit planned before `date` is completed through
/// CrewService::record_completion_in at the time it is dated (an injected clock): mostly done,
/// some not done with a reason (rolled to the next working day), quantities by activity. The
/// same borough, seed and date give the same rows. One transaction of its own.
DemoCrewsSummary
generate_demo_crews(store::Database& db, const core::Date& date, std::uint64_t seed);

} // namespace wardmap::services
