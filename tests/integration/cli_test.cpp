#include "geo/store/database.hpp"
#include "importers/address_text.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/dtf_records.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <map>
#include <set>

namespace wardmap {
namespace {

using testing::run_wardmap;

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

TEST(Cli, HelpListsEverySubcommand) {
    std::string out;
    EXPECT_EQ(run_wardmap({"--help"}, &out), 0);
    for (const char* cmd : {"serve", "migrate", "demo-data", "import", "export", "version"}) {
        EXPECT_NE(out.find(cmd), std::string::npos) << cmd;
    }
    EXPECT_EQ(run_wardmap({"serve", "--help"}, &out), 0);
    EXPECT_NE(out.find("WARDMAP_PORT"), std::string::npos) << out;
}

TEST(Cli, VersionNamesTheLibraries) {
    std::string out;
    EXPECT_EQ(run_wardmap({"version"}, &out), 0);
    EXPECT_NE(out.find("spatialite"), std::string::npos);
    EXPECT_NE(out.find("proj"), std::string::npos);
}

TEST(Cli, UnknownFlagIsAUsageError) {
    std::string out;
    EXPECT_EQ(run_wardmap({"serve", "--no-such-flag"}, &out), 1 + 0) << out;
}

TEST(Cli, MigrateCreatesThenReportsUpToDate) {
    testing::TempDir tmp;
    const auto db = tmp.path() / "sub" / "w.sqlite";
    std::string out;
    EXPECT_EQ(run_wardmap({"migrate", "--db", db.string()}, &out), 0) << out;
    EXPECT_NE(out.find("created"), std::string::npos);
    EXPECT_EQ(run_wardmap({"migrate", "--db", db.string()}, &out), 0);
    EXPECT_NE(out.find("up to date"), std::string::npos);
}

TEST(Cli, EnvironmentAndConfigFileSetOptions) {
    testing::TempDir tmp;
    const auto by_env = tmp.path() / "env.sqlite";
    std::string out;
    EXPECT_EQ(run_wardmap({"migrate"}, &out, {"WARDMAP_DB=" + by_env.string()}), 0) << out;
    EXPECT_TRUE(std::filesystem::exists(by_env));
    const auto by_config = tmp.path() / "config.sqlite";
    const auto config = tmp.path() / "wardmap.toml";
    std::ofstream(config) << "[migrate]\ndb = \"" << by_config.string() << "\"\n";
    EXPECT_EQ(run_wardmap({"--config", config.string(), "migrate"}, &out), 0) << out;
    EXPECT_TRUE(std::filesystem::exists(by_config)) << out;
}

TEST(Cli, ServeRefusesACorruptDatabaseAndLeavesItUntouched) {
    testing::TempDir tmp;
    const auto db = tmp.path() / "corrupt.sqlite";
    std::ofstream(db, std::ios::binary) << std::string(4096, '\x5a');
    const auto before = read_all(db);
    std::string out;
    EXPECT_EQ(run_wardmap({"serve", "--port", "0", "--db", db.string()}, &out), 3) << out;
    EXPECT_NE(out.find("database"), std::string::npos) << out;
    EXPECT_EQ(read_all(db), before);
}

TEST(Cli, ServeRefusesAForeignSqliteFile) {
    testing::TempDir tmp;
    const auto db = tmp.path() / "other.sqlite";
    ASSERT_EQ(std::system(("sqlite3 " + db.string() + " 'CREATE TABLE x(y)'").c_str()), 0);
    std::string out;
    EXPECT_EQ(run_wardmap({"serve", "--port", "0", "--db", db.string()}, &out), 3) << out;
    EXPECT_NE(out.find("not a wardmap database"), std::string::npos) << out;
}

TEST(Cli, NoOstn15DataMeansNoSilentFallback) {
    testing::TempDir tmp;
    const auto db = tmp.path() / "w.sqlite";
    const std::vector<std::string> env = {"WARDMAP_OSTN15_DIR=" + (tmp.path() / "none").string(),
                                          "PROJ_DATA=/usr/share/proj"};
    std::string out;
    EXPECT_EQ(run_wardmap({"serve", "--port", "0", "--db", db.string()}, &out, env), 4) << out;
    EXPECT_NE(out.find("OSTN15"), std::string::npos) << out;
    // Asked for explicitly, the approximation runs and says so on /healthz.
    testing::ServerProcess server(db, {"--allow-approximate-transform", "--no-access-log"}, env);
    const auto health = nlohmann::json::parse(testing::http_get(server.port(), "/healthz").body);
    EXPECT_EQ(health["transformation"]["method"], "helmert_approximate");
    EXPECT_GE(health["transformation"]["accuracy_m"].get<double>(), 1.0);
    EXPECT_NE(server.output().find("APPROXIMATE"), std::string::npos);
}

TEST(Cli, DemoDataIsDeterministicAndWillNotOverwriteByAccident) {
    testing::TempDir tmp;
    const auto a = tmp.path() / "a.sqlite";
    std::string out;
    ASSERT_EQ(run_wardmap({"demo-data", "--db", a.string(), "--seed", "7"}, &out), 0) << out;
    EXPECT_NE(out.find("synthetic"), std::string::npos);
    EXPECT_EQ(run_wardmap({"demo-data", "--db", a.string()}, &out), 2) << out;
    EXPECT_NE(out.find("--force"), std::string::npos);
    EXPECT_EQ(run_wardmap({"demo-data", "--db", a.string(), "--seed", "7", "--force"}, &out), 0)
        << out;
    EXPECT_FALSE(std::filesystem::exists(tmp.path() / "a.sqlite.building"));
}

TEST(Cli, ImportNamesWhatIsMissing) {
    std::string out;
    EXPECT_EQ(run_wardmap({"import", "wards", "/nonexistent.geojson"}, &out), 1) << out;
    EXPECT_NE(out.find("wards"), std::string::npos);
}

TEST(Cli, ImportWardsThenServeThemAndTheHistory) {
    testing::TempDir tmp;
    const auto db = tmp.path() / "w.sqlite";
    const auto wards = tmp.path() / "wards.geojson";
    std::ofstream(wards) << R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"WD20CD":"E05000001","WD20NM":"North"},"geometry":{"type":"Polygon","coordinates":[[[-2.64,53.65],[-2.62,53.65],[-2.62,53.66],[-2.64,53.66],[-2.64,53.65]]]}}]})";
    const auto report = tmp.path() / "report.json";
    std::string out;
    ASSERT_EQ(run_wardmap({"import", "wards", wards.string(), "--db", db.string(), "--set", "2020",
                           "--valid-from", "2020-05-07", "--report-json", report.string()},
                          &out),
              0)
        << out;
    EXPECT_NE(out.find("inserted 1"), std::string::npos) << out;
    const auto json = nlohmann::json::parse(read_all(report));
    EXPECT_EQ(json["kind"], "wards");
    EXPECT_EQ(json["inserted"], 1);
    EXPECT_EQ(json["sha256"].get<std::string>().size(), 64U);

    // A failing import exits 2, names the file and changes nothing.
    const auto empty = tmp.path() / "empty.geojson";
    std::ofstream(empty).flush();
    EXPECT_EQ(run_wardmap({"import", "wards", empty.string(), "--db", db.string(), "--set", "x",
                           "--valid-from", "2021-01-01"},
                          &out),
              2)
        << out;
    EXPECT_NE(out.find("empty.geojson"), std::string::npos) << out;
    EXPECT_EQ(run_wardmap({"import", "nonsense", wards.string(), "--db", db.string()}, &out), 1);

    testing::ServerProcess server(db);
    const auto imports = testing::http_get(server.port(), "/api/imports");
    ASSERT_EQ(imports.status, 200) << imports.body;
    const auto list = nlohmann::json::parse(imports.body);
    ASSERT_EQ(list.size(), 1U) << imports.body;
    EXPECT_EQ(list[0]["kind"], "wards");
    EXPECT_EQ(list[0]["status"], "ok");
    EXPECT_EQ(list[0]["source"], wards.string());
    const auto at = testing::http_get(server.port(), "/api/wards/at?lon=-2.63&lat=53.655");
    ASSERT_EQ(at.status, 200) << at.body;
    EXPECT_EQ(nlohmann::json::parse(at.body)["code"], "E05000001");
}

TEST(Cli, ExportLlpgWritesOneBlpuPerPropertyAndOneLpiPerAddress) {
    testing::TempDir tmp;
    const auto db = tmp.path() / "demo.sqlite";
    const auto file = tmp.path() / "llpg.csv";
    std::string out;
    ASSERT_EQ(testing::copy_demo_store(db, &out), 0) << out;
    ASSERT_EQ(
        run_wardmap({"export", "llpg", file.string(), "--db", db.string(), "--date", "2026-11-01"},
                    &out),
        0)
        << out;
    EXPECT_NE(out.find("DTF 7.3"), std::string::npos) << out;
    const auto records = testing::read_dtf(file);
    ASSERT_GE(records.size(), 2U);
    EXPECT_EQ(records.front().id(), 10);
    EXPECT_EQ(records.back().id(), 99);
    EXPECT_EQ(records.back().fields[2], std::to_string(records.size()));

    struct Street {
        std::string descriptor, locality;
    };
    std::map<std::string, Street> streets;
    std::multiset<std::int64_t> blpus;
    std::map<std::string, std::string> composed; // LPI key -> single line from the file
    std::int64_t lpis = 0;
    const auto object = [](const std::vector<std::string>& f, std::size_t at) {
        importers::AddressableObject o;
        if (!f[at].empty()) {
            o.start_number = std::stoi(f[at]);
        }
        o.start_suffix = f[at + 1];
        if (!f[at + 2].empty()) {
            o.end_number = std::stoi(f[at + 2]);
        }
        o.end_suffix = f[at + 3];
        o.text = f[at + 4];
        return o;
    };
    for (const auto& r : records) {
        const auto& f = r.fields;
        if (r.id() == 15) {
            streets[f[3]] = {f[4], f[5]};
        } else if (r.id() == 21) {
            blpus.insert(std::stoll(f[3]));
        } else if (r.id() == 24) {
            ++lpis;
            const Street& s = streets.at(f[21]);
            composed[f[4]] = importers::single_line(
                {object(f, 11), object(f, 16), s.descriptor, s.locality, f[25], f[24]});
        }
    }

    auto store = store::Database::open(db, {.mode = store::OpenMode::read_only});
    std::multiset<std::int64_t> uprns;
    auto props = store.prepare("SELECT uprn FROM properties");
    while (props.step()) {
        uprns.insert(props.int64(0));
    }
    EXPECT_EQ(blpus, uprns) << "one 21 per property";
    EXPECT_EQ(lpis, store.query_int("SELECT COUNT(*) FROM addresses")) << "one 24 per address";
    auto addresses = store.prepare("SELECT lpi_key, single_line FROM addresses");
    std::size_t same = 0, rows = 0;
    while (addresses.step()) {
        ++rows;
        const auto it = composed.find(std::string(addresses.text(0)));
        ASSERT_NE(it, composed.end()) << addresses.text(0);
        EXPECT_EQ(it->second, addresses.text(1));
        same += it->second == addresses.text(1) ? 1 : 0;
    }
    EXPECT_EQ(same, rows) << "every address reads back as the same single line";
}

TEST(Cli, ExportSaysWhatIsWrong) {
    testing::TempDir tmp;
    const auto file = (tmp.path() / "out.csv").string();
    std::string out;
    EXPECT_EQ(
        run_wardmap({"export", "llpg", file, "--db", (tmp.path() / "none.sqlite").string()}, &out),
        3)
        << out;
    EXPECT_NE(out.find("no such database"), std::string::npos) << out;
    EXPECT_EQ(run_wardmap({"export", "streets", file}, &out), 1) << out;
    EXPECT_EQ(run_wardmap({"export", "llpg", file, "--date", "1/11/2026"}, &out), 1) << out;
    EXPECT_FALSE(std::filesystem::exists(file));
}

} // namespace
} // namespace wardmap
