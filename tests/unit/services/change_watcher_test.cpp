#include "geo/store/database.hpp"
#include "geo/store/generations.hpp"
#include "geo/store/migrations.hpp"
#include "server/services/shared/change_watcher.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace wardmap::services {
namespace {

TEST(ChangeWatcher, ReloadsOnlyWhatAnotherConnectionMarkedChanged) {
    testing::TempDir tmp;
    const auto path = tmp.path() / "w.sqlite";
    store::migrate(path);
    auto writer = store::Database::open(path);
    store::mark_changed(writer, "wards"); // before the server started: the baseline

    std::atomic<int> wards{0};
    std::atomic<int> addresses{0};
    ChangeWatcher watcher(path, std::chrono::milliseconds(20));
    watcher.on_change("wards", [&wards] { ++wards; });
    watcher.on_change("addresses", [&addresses] { ++addresses; });
    watcher.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(wards, 0);

    store::mark_changed(writer, "wards");
    for (int i = 0; i < 250 && wards == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(wards, 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(wards, 1) << "once per change";
    EXPECT_EQ(addresses, 0);
}

TEST(ChangeWatcher, AFailedReloadIsTriedAgainAtTheNextCheck) {
    testing::TempDir tmp;
    const auto path = tmp.path() / "w.sqlite";
    store::migrate(path);
    auto writer = store::Database::open(path);
    std::atomic<int> calls{0};
    ChangeWatcher watcher(path, std::chrono::milliseconds(20));
    watcher.on_change("wards", [&calls] {
        if (++calls == 1) {
            throw std::runtime_error("the database is busy");
        }
    });
    watcher.start();
    store::mark_changed(writer, "wards");
    for (int i = 0; i < 250 && calls < 2; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(calls, 2) << "the generation is only taken as seen once the reload worked";
}

} // namespace
} // namespace wardmap::services
