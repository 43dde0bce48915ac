#include "core/tokens.hpp"

#include "geo/store/backup.hpp"
#include "geo/store/backup_schedule.hpp"
#include "geo/store/database.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace wardmap {
namespace {

using testing::run_wardmap;

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::string create_body(const testing::DemoPoint& point, int n) {
    return testing::form(
               {{"api_key", "demo-client-key"},
                {"service_code", "litter"},
                {"description", "Crisp packets by the bus shelter, report " + std::to_string(n)},
                {"email", "drill@example.org"}}) +
           "&" + point.lat_long();
}

/// Open311 creates from a thread of its own, each acknowledged id recorded with the moment
/// its answer arrived.
class WriteLoad {
  public:
    WriteLoad(std::uint16_t port, testing::DemoPoint point)
        : m_thread([this, port, point] { run(port, point); }) {}
    ~WriteLoad() { stop(); }
    void stop() {
        m_stop = true;
        if (m_thread.joinable()) {
            m_thread.join();
        }
    }
    /// Ids acknowledged before `t`.
    std::vector<std::string> acknowledged_before(std::chrono::steady_clock::time_point t) {
        std::lock_guard lock(m_mutex);
        std::vector<std::string> ids;
        for (const auto& [id, when] : m_acked) {
            if (when < t) {
                ids.push_back(id);
            }
        }
        return ids;
    }
    std::size_t acknowledged() {
        std::lock_guard lock(m_mutex);
        return m_acked.size();
    }
    int failures() const { return m_failures; }

  private:
    void run(std::uint16_t port, testing::DemoPoint point) {
        try {
            send(port, point);
        } catch (const std::exception& e) {
            ++m_failures;
            std::cerr << "write load stopped: " << e.what() << "\n";
        }
    }
    void send(std::uint16_t port, testing::DemoPoint point) {
        testing::HttpConnection c(port);
        for (int n = 0; !m_stop; ++n) {
            const auto r = c.request("POST", "/open311/v2/requests.json", create_body(point, n),
                                     {{"Content-Type", "application/x-www-form-urlencoded"}});
            const auto now = std::chrono::steady_clock::now();
            const auto body = nlohmann::json::parse(r.body, nullptr, false);
            if (r.status == 200 && body.is_array() && body[0].contains("service_request_id")) {
                std::lock_guard lock(m_mutex);
                m_acked.emplace_back(body[0]["service_request_id"].get<std::string>(), now);
            } else {
                ++m_failures;
            }
        }
    }
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_failures{0};
    std::mutex m_mutex;
    std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> m_acked;
    std::thread m_thread;
};

void wait_for_acks(WriteLoad& load, std::size_t n) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (load.acknowledged() < n && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

// The restore drill: a backup taken with the CLI while the server creates requests, restored
// into a new file, served: every request acknowledged before the backup started is there.
TEST(Backup, RestoreDrillUnderWriteLoad) {
    testing::TempDir tmp;
    const auto db = tmp.path() / "live.sqlite";
    const auto point = testing::make_demo_store(db);
    ASSERT_TRUE(point);
    testing::ServerProcess server(db, {"--no-access-log"});
    WriteLoad load(server.port(), *point);
    wait_for_acks(load, 30);

    const auto backup = tmp.path() / "backups" / "drill.sqlite";
    const auto backup_started = std::chrono::steady_clock::now();
    const auto before = load.acknowledged_before(backup_started);
    std::string out;
    ASSERT_EQ(run_wardmap({"backup", "--db", db.string(), backup.string()}, &out), 0) << out;
    const auto backup_ended = std::chrono::steady_clock::now();
    EXPECT_NE(out.find("integrity ok"), std::string::npos) << out;
    // Writers were not held up: creates went on being answered after (and during) the copy.
    const auto at_end = load.acknowledged();
    wait_for_acks(load, at_end + 10);
    load.stop();
    EXPECT_EQ(load.failures(), 0);
    EXPECT_GE(before.size(), 30U);
    std::cout << before.size() << " creates acknowledged before the backup, "
              << load.acknowledged_before(backup_ended).size() - before.size() << " during it ("
              << std::chrono::duration_cast<std::chrono::milliseconds>(backup_ended -
                                                                       backup_started)
                     .count()
              << " ms)\n";

    // The checksum file matches, as sha256sum -c would check it off-site.
    const auto sums = read_all(backup.string() + ".sha256");
    EXPECT_EQ(sums, core::sha256_file_hex(backup) + "  drill.sqlite\n");

    const auto restored = tmp.path() / "restored" / "wardmap.sqlite";
    ASSERT_EQ(run_wardmap({"restore", backup.string(), "--store", restored.string()}, &out), 0)
        << out;
    testing::ServerProcess again(restored, {"--no-access-log"});
    testing::HttpConnection c(again.port());
    std::size_t found = 0;
    for (const auto& id : before) {
        const auto r = c.request("GET", "/open311/v2/requests/" + id + ".json");
        if (r.status == 200 &&
            r.body.find("\"service_request_id\":\"" + id + "\"") != std::string::npos) {
            ++found;
        } else {
            ADD_FAILURE() << "request " << id
                          << " acknowledged before the backup is missing: " << r.status << " "
                          << r.body;
        }
    }
    EXPECT_EQ(found, before.size());

    // The restored store is in use now: another restore onto it is refused, and it is kept.
    const auto sha_before = core::sha256_file_hex(restored);
    EXPECT_EQ(run_wardmap({"restore", backup.string(), "--store", restored.string()}, &out), 2)
        << out;
    EXPECT_NE(out.find("a wardmap server is using"), std::string::npos) << out;
    EXPECT_EQ(core::sha256_file_hex(restored), sha_before);
}

// A file that is not a whole wardmap database is refused with a clear message, and the store
// it was to replace is left exactly as it was.
TEST(Backup, RestoreRefusesCorruptOrForeignFilesAndChangesNothing) {
    testing::TempDir tmp;
    const auto store = tmp.path() / "wardmap.sqlite";
    std::string out;
    ASSERT_EQ(run_wardmap({"migrate", "--db", store.string()}, &out), 0) << out;
    const auto good = tmp.path() / "good.sqlite";
    ASSERT_EQ(run_wardmap({"backup", "--db", store.string(), good.string()}, &out), 0) << out;
    const auto original = core::sha256_file_hex(store);

    const auto text = tmp.path() / "notes.txt";
    std::ofstream(text) << "not a database\n";
    const auto truncated = tmp.path() / "truncated.sqlite";
    {
        const auto bytes = read_all(good);
        std::ofstream(truncated, std::ios::binary)
            .write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
    }
    const auto damaged = tmp.path() / "damaged.sqlite";
    {
        auto bytes = read_all(good);
        // Scribble over pages in the middle of the file (b-tree pages of the schema's tables).
        for (std::size_t i = bytes.size() / 3; i < bytes.size() / 3 + 8192; ++i) {
            bytes[i] = static_cast<char>(0xA5);
        }
        std::ofstream(damaged, std::ios::binary)
            .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    const auto foreign = tmp.path() / "foreign.sqlite";
    {
        auto db = store::Database::open(foreign, {.mode = store::OpenMode::create});
        db.exec("CREATE TABLE t (x)");
    }
    for (const auto& bad : {text, truncated, damaged, foreign, tmp.path() / "missing.sqlite"}) {
        EXPECT_EQ(run_wardmap({"restore", bad.string(), "--store", store.string()}, &out), 3)
            << bad << "\n"
            << out;
        EXPECT_NE(out.find("refusing to restore " + bad.string()), std::string::npos) << out;
        EXPECT_NE(out.find("nothing was changed"), std::string::npos) << out;
        EXPECT_EQ(core::sha256_file_hex(store), original) << bad;
        EXPECT_FALSE(std::filesystem::exists(store.string() + ".restoring")) << bad;
        EXPECT_FALSE(std::filesystem::exists(store.string() + ".pre-restore")) << bad;
    }
    EXPECT_NE(out.find("missing.sqlite: no such file"), std::string::npos) << out;
    EXPECT_EQ(run_wardmap({"restore", foreign.string(), "--store", store.string()}, &out), 3);
    EXPECT_NE(out.find("not a wardmap database"), std::string::npos) << out;

    // While any other process (here this test, as an import would) has the store open, a
    // good backup is refused too.
    {
        auto open_elsewhere = store::Database::open(store);
        open_elsewhere.query_int("SELECT count(*) FROM sqlite_master");
        EXPECT_EQ(run_wardmap({"restore", good.string(), "--store", store.string()}, &out), 2)
            << out;
        EXPECT_NE(out.find("another process has"), std::string::npos) << out;
        EXPECT_FALSE(std::filesystem::exists(store.string() + ".restoring"));
    }
    EXPECT_EQ(core::sha256_file_hex(store), original);

    // The good one is restored, and the store it replaced is kept beside it.
    ASSERT_EQ(run_wardmap({"restore", good.string(), "--store", store.string()}, &out), 0) << out;
    EXPECT_TRUE(std::filesystem::exists(store.string() + ".pre-restore"));
    // (Checkpointed into one file first, so its bytes differ from the WAL-mode original.)
    EXPECT_EQ(store::check_backup_file(store.string() + ".pre-restore").schema_version,
              store::check_backup_file(good).schema_version);
    EXPECT_FALSE(std::filesystem::exists(store.string() + ".pre-restore-wal"));
}

// A server is not started on a store while a restore holds it.
TEST(Backup, ServerRefusesToStartWhileARestoreHoldsTheStore) {
    testing::TempDir tmp;
    const auto store = tmp.path() / "wardmap.sqlite";
    std::string out;
    ASSERT_EQ(run_wardmap({"migrate", "--db", store.string()}, &out), 0) << out;
    auto lock = store::StoreLock::try_acquire(store, store::StoreLock::Kind::exclusive);
    ASSERT_TRUE(lock);
    EXPECT_EQ(
        run_wardmap({"serve", "--db", store.string(), "--port", "0", "--no-access-log"}, &out), 3)
        << out;
    EXPECT_NE(out.find("a restore is replacing"), std::string::npos) << out;
}

// `serve --durability full` answers creates from several clients at once, and grouped their
// commits' fsyncs (the metrics count both; the power-loss proof is the unit test's).
TEST(Durability, FullModeAnswersConcurrentCreatesAfterGroupedFsyncs) {
    testing::TempDir tmp;
    const auto db = tmp.path() / "full.sqlite";
    const auto point = testing::make_demo_store(db);
    ASSERT_TRUE(point);
    testing::ServerProcess server(db, {"--no-access-log", "--durability", "full"});
    std::vector<std::unique_ptr<WriteLoad>> clients;
    for (int i = 0; i < 6; ++i) {
        clients.push_back(std::make_unique<WriteLoad>(server.port(), *point));
    }
    for (auto& c : clients) {
        wait_for_acks(*c, 15);
    }
    std::size_t acknowledged = 0;
    for (auto& c : clients) {
        c->stop();
        EXPECT_EQ(c->failures(), 0);
        acknowledged += c->acknowledged();
    }
    const auto metrics = testing::http_get(server.port(), "/metrics").body;
    const auto counter = [&metrics](const std::string& name) -> long long {
        const auto at = metrics.find("\n" + name + " ");
        return at == std::string::npos ? -1 : std::stoll(metrics.substr(at + name.size() + 2));
    };
    const auto commits = counter("wardmap_group_commit_commits_total");
    const auto fsyncs = counter("wardmap_group_commit_fsyncs_total");
    std::cout << acknowledged << " creates, " << commits << " commits, " << fsyncs << " fsyncs\n";
    EXPECT_GE(commits, static_cast<long long>(acknowledged));
    EXPECT_GE(fsyncs, 1);
    EXPECT_LE(fsyncs, commits);
    EXPECT_NE(server.output().find("durability full"), std::string::npos) << server.output();
}

// `serve --backup-dir` makes backups on a schedule and keeps the newest --backup-keep.
TEST(Backup, ScheduledBackupsKeepTheNewest) {
    testing::TempDir tmp;
    const auto store = tmp.path() / "wardmap.sqlite";
    std::string out;
    ASSERT_EQ(run_wardmap({"migrate", "--db", store.string()}, &out), 0) << out;
    const auto dir = tmp.path() / "backups";
    testing::ServerProcess server(store, {"--no-access-log", "--backup-dir", dir.string(),
                                          "--backup-every", "1s", "--backup-keep", "2"});
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    auto count_made = [&server] {
        const auto text = server.output();
        std::size_t n = 0;
        for (auto at = text.find("sha256"); at != std::string::npos;
             at = text.find("sha256", at + 1)) {
            ++n;
        }
        return n;
    };
    while (count_made() < 4 && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_GE(count_made(), 4U) << server.output();
    EXPECT_EQ(server.terminate(), 0);
    const auto kept = store::ScheduledBackups::list(dir);
    ASSERT_EQ(kept.size(), 2U) << server.output();
    for (const auto& file : kept) {
        EXPECT_EQ(read_all(file.string() + ".sha256"),
                  core::sha256_file_hex(file) + "  " + file.filename().string() + "\n");
        const auto restored = tmp.path() / ("restored-" + file.filename().string());
        EXPECT_EQ(run_wardmap({"restore", file.string(), "--store", restored.string()}, &out), 0)
            << out;
    }
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) {
        ++files;
    }
    EXPECT_EQ(files, 4U) << "two backups and their .sha256, no partial files";
}

} // namespace
} // namespace wardmap
