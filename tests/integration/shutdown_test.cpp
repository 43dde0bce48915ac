#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <thread>

namespace wardmap {
namespace {

// SIGTERM while clients are busy: every answered request is whole (a full 200 or a 503 that
// says the server is stopping), and the process exits 0.
TEST(Shutdown, SigtermDrainsInFlightRequestsAndExitsZero) {
    testing::TempDir tmp;
    const auto db = tmp.path() / "demo.sqlite";
    std::string out;
    ASSERT_EQ(testing::copy_demo_store(db, &out), 0) << out;
    testing::ServerProcess server(db, {"--no-access-log"});

    std::atomic<int> complete{0}, refused{0}, truncated{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int i = 0; i < 4; ++i) {
        clients.emplace_back([&] {
            while (!stop) {
                try {
                    testing::HttpConnection c(server.port());
                    while (!stop) {
                        auto r = c.request("GET", "/api/wards");
                        if (r.status == 200) {
                            if (nlohmann::json::parse(r.body, nullptr, false).is_discarded()) {
                                ++truncated;
                            } else {
                                ++complete;
                            }
                        } else if (r.status == 503) {
                            ++refused;
                            break;
                        }
                    }
                } catch (const std::exception&) {
                    // Connection refused or closed once the server stops: expected.
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const int code = server.terminate(std::chrono::seconds(20));
    stop = true;
    for (auto& t : clients) {
        t.join();
    }
    EXPECT_EQ(code, 0) << server.output();
    EXPECT_GT(complete.load(), 0);
    EXPECT_EQ(truncated.load(), 0);
    EXPECT_NE(server.output().find("draining"), std::string::npos) << server.output();
}

} // namespace
} // namespace wardmap
