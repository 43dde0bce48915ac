#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace wardmap::testing {

/// A point at the demo borough's first approved address: a request made there gets a ward,
/// a UPRN and a USRN.
struct DemoPoint {
    double lon = 0;
    double lat = 0;
    /// "lat=...&long=..." for an Open311 form body.
    [[nodiscard]] std::string lat_long() const;
};

/// Writes the demo borough to `db` with `wardmap demo-data` and returns that point; records a
/// test failure (with the command's output) and returns nullopt when it cannot.
std::optional<DemoPoint> make_demo_store(const std::filesystem::path& db);

} // namespace wardmap::testing
