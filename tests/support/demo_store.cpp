#include "tests/support/demo_store.hpp"

#include "geo/store/database.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/shared_fixture.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace wardmap::testing {

namespace fs = std::filesystem;

namespace {

/// demo-data's failure, carried out of shared_fixture's maker.
struct DemoDataFailed : std::runtime_error {
    DemoDataFailed(int code, const std::string& output)
        : std::runtime_error(output), exit_code(code) {}
    int exit_code;
};

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// The WARDMAP_* variables demo-data would read from the environment it inherits (all but the
/// test harness's own), sorted: they change the store as much as its arguments do.
std::string demo_environment() {
    static const std::set<std::string> harness = {
        "WARDMAP_BINARY",       "WARDMAP_BROWSER_ARTIFACTS", "WARDMAP_BROWSER_DEMO_DB",
        "WARDMAP_CHROMIUM",     "WARDMAP_SHARED_DATA",       "WARDMAP_SOURCE_DIR",
        "WARDMAP_TEST_FIXTURES"};
    std::set<std::string> seen;
    for (char** e = environ; *e; ++e) {
        const std::string entry = *e;
        const auto equals = entry.find('=');
        if (entry.starts_with("WARDMAP_") && equals != std::string::npos &&
            !harness.contains(entry.substr(0, equals))) {
            seen.insert(entry);
        }
    }
    std::string text;
    for (const auto& entry : seen) {
        text += ' ' + entry;
    }
    return text;
}

} // namespace

std::string DemoPoint::lat_long() const {
    char buf[80];
    std::snprintf(buf, sizeof buf, "lat=%.7f&long=%.7f", lat, lon);
    return buf;
}

int copy_demo_store(const fs::path& db,
                    std::string* output,
                    const std::vector<std::string>& options) {
    std::string key = "demo-data";
    for (const auto& option : options) {
        key += ' ' + option;
    }
    std::string said;
    try {
        // The demo's dates may follow the clock (the day it is made), so the day is in scope.
        const auto binary = wardmap_binary();
        const auto folder = shared_fixture(
            "demo-data", file_identity(binary) + " " + utc_date() + demo_environment(), key,
            [&](const fs::path& dir) {
                std::vector<std::string> args = {"demo-data", "--db",
                                                 (dir / "demo.sqlite").string()};
                args.insert(args.end(), options.begin(), options.end());
                std::string out;
                const int code = run_wardmap(args, &out);
                if (code != 0) {
                    throw DemoDataFailed(code, out);
                }
                // Only the main file is copied: a WAL beside it would hold part of the store.
                for (const char* sidecar : {"-wal", "-shm", "-journal"}) {
                    if (fs::exists(dir / ("demo.sqlite" + std::string(sidecar)))) {
                        throw DemoDataFailed(1, out + "\ndemo-data left demo.sqlite" + sidecar +
                                                    " behind; a copy of demo.sqlite alone "
                                                    "would not be the whole store");
                    }
                }
                std::ofstream(dir / "output.txt", std::ios::binary) << out;
            });
        said = read_text(folder / "output.txt");
        fs::copy_file(folder / "demo.sqlite", db, fs::copy_options::overwrite_existing);
    } catch (const DemoDataFailed& e) {
        if (output) {
            *output = e.what();
        }
        return e.exit_code;
    } catch (const std::exception& e) {
        if (output) {
            *output = std::string("the shared demo store: ") + e.what();
        }
        return 1;
    }
    if (output) {
        *output = said;
    }
    return 0;
}

std::optional<DemoPoint> make_demo_store(const fs::path& db) {
    std::string output;
    if (copy_demo_store(db, &output) != 0) {
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
