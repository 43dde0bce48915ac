#pragma once

#include "core/dates.hpp"

#include "geo/store/database.hpp"

namespace wardmap::services {

struct DemoRoundsSummary {
    int rounds = 0;
    long long visits = 0;
};

/// The demo borough's streetscene rounds: a summer and a winter round set, fortnightly
/// household waste and recycling by UPRN (on the first 2,000 properties in street order),
/// garden waste in both sets, sweeping every 10 working
/// days (suspended October to January), 7 grass cuts and 4 verge flails a season by USRN, 40
/// town-centre litter bins emptied every day, each round's team a crew's code (demo_crews),
/// with their visits materialised for 13 weeks from `date` and back over the past (a year for
/// cleansing and grounds, four weeks for waste) for the crews' completions. Reads the borough's
/// streets and properties (in USRN and UPRN order), so the same borough and date give the same
/// rows. Runs in one transaction of its own.
DemoRoundsSummary generate_demo_rounds(store::Database& db, const core::Date& date);

} // namespace wardmap::services
