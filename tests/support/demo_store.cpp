#include "tests/support/demo_store.hpp"

#include "geo/store/database.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>

#include <cstdio>

namespace wardmap::testing {

std::string DemoPoint::lat_long() const {
    char buf[80];
    std::snprintf(buf, sizeof buf, "lat=%.7f&long=%.7f", lat, lon);
    return buf;
}

std::optional<DemoPoint> make_demo_store(const std::filesystem::path& db) {
    std::string output;
    if (run_wardmap({"demo-data", "--db", db.string()}, &output) != 0) {
        ADD_FAILURE() << "wardmap demo-data failed: " << output;
        return std::nullopt;
    }
    auto conn = store::Database::open(db);
    auto st = conn.prepare("SELECT p.lon, p.lat FROM properties p JOIN addresses a ON "
                           "a.uprn = p.uprn WHERE a.logical_status = 1 ORDER BY p.uprn LIMIT 1");
    if (!st.step()) {
        ADD_FAILURE() << "the demo borough has no approved address";
        return std::nullopt;
    }
    return DemoPoint{st.real(0), st.real(1)};
}

} // namespace wardmap::testing
