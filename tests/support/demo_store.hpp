#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace wardmap::testing {

/// A point at the demo borough's first approved address: a request made there gets a ward,
/// a UPRN and a USRN.
struct DemoPoint {
    double lon = 0;
    double lat = 0;
    /// "lat=...&long=..." for an Open311 form body.
    [[nodiscard]] std::string lat_long() const;
};

/// Puts at `db` the store `wardmap demo-data --db db options...` writes, and returns 0 with
/// demo-data's output in `output`; on failure returns demo-data's exit code (or 1) and what it
/// said. demo-data runs once per wardmap binary, options and UTC day (shared_fixture); every
/// caller gets a plain copy of that store to change as it likes. Tests of the demo-data command
/// itself run it instead.
int copy_demo_store(const std::filesystem::path& db,
                    std::string* output = nullptr,
                    const std::vector<std::string>& options = {});

/// Puts the demo borough at `db` (copy_demo_store) and returns that point; records a test
/// failure (with demo-data's output) and returns nullopt when it cannot.
std::optional<DemoPoint> make_demo_store(const std::filesystem::path& db);

} // namespace wardmap::testing
