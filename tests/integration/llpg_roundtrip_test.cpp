// `wardmap export llpg` then `wardmap import llpg` into a fresh database gives back the same
// gazetteer: the same UPRNs, single lines, postcodes, USRNs and descriptors, and search works.

#include "geo/store/database.hpp"
#include "server/services/gazetteer/address_index.hpp"
#include "tests/support/demo_store.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace wardmap {
namespace {

using testing::copy_demo_store;
using testing::run_wardmap;

/// key -> value for every row of a two-column query.
std::map<std::string, std::string> rows(const std::filesystem::path& db, const std::string& sql) {
    auto conn = store::Database::open(db);
    auto st = conn.prepare(sql);
    std::map<std::string, std::string> out;
    while (st.step()) {
        out[std::string(st.text(0))] += std::string(st.optional_text(1).value_or("")) + "\n";
    }
    return out;
}

TEST(LlpgRoundTrip, ExportThenImportGivesTheSameGazetteer) {
    testing::TempDir tmp;
    const auto demo = tmp.path() / "demo.sqlite";
    const auto fresh = tmp.path() / "fresh.sqlite";
    const auto file = tmp.path() / "llpg.csv";
    std::string out;
    ASSERT_EQ(copy_demo_store(demo, &out), 0) << out;
    ASSERT_EQ(run_wardmap({"export", "llpg", file.string(), "--db", demo.string()}, &out), 0)
        << out;
    ASSERT_EQ(run_wardmap({"migrate", "--db", fresh.string()}, &out), 0) << out;
    std::string bbox;
    {
        auto conn = store::Database::open(demo);
        bbox = conn.query_text("SELECT CAST(min(easting) - 10 AS INTEGER) || ',' || "
                               "CAST(min(northing) - 10 AS INTEGER) || ',' || "
                               "CAST(max(easting) + 10 AS INTEGER) || ',' || "
                               "CAST(max(northing) + 10 AS INTEGER) FROM properties")
                   .value_or("");
    }
    ASSERT_EQ(run_wardmap({"import", "llpg", file.string(), "--db", fresh.string(), "--bbox", bbox,
                           "--quiet"},
                          &out),
              0)
        << out;

    const char* uprns = "SELECT uprn, easting || ',' || northing FROM properties";
    const auto a = rows(demo, uprns);
    ASSERT_GT(a.size(), 100U);
    EXPECT_EQ(rows(fresh, uprns), a);
    const char* lines = "SELECT uprn, upper(single_line) || ' / ' || ifnull(postcode, '') FROM "
                        "(SELECT * FROM addresses ORDER BY uprn, lpi_key)";
    const auto la = rows(demo, lines);
    const auto lb = rows(fresh, lines);
    EXPECT_EQ(lb.size(), la.size());
    for (const auto& [uprn, line] : la) {
        const auto it = lb.find(uprn);
        ASSERT_NE(it, lb.end()) << uprn;
        EXPECT_EQ(it->second, line) << "UPRN " << uprn;
    }
    const char* streets = "SELECT usrn, upper(descriptor) || ' / ' || ifnull(upper(locality), '') "
                          "|| ' / ' || upper(town) FROM streets";
    EXPECT_EQ(rows(fresh, streets), rows(demo, streets));
    const char* classes = "SELECT uprn, classification FROM properties";
    EXPECT_EQ(rows(fresh, classes), rows(demo, classes));

    // Search: the index a server builds holds every searchable address, the same as the demo's.
    auto conn = store::Database::open(fresh);
    const auto searchable = conn.query_int("SELECT count(*) FROM addresses WHERE "
                                           "logical_status IN (1, 3, 6)");
    const auto index = services::AddressIndex::build(conn);
    EXPECT_EQ(static_cast<std::int64_t>(index->size()), searchable);
    auto demo_conn = store::Database::open(demo);
    EXPECT_EQ(static_cast<std::int64_t>(services::AddressIndex::build(demo_conn)->size()),
              searchable);
    const auto word = conn.query_text("SELECT lower(substr(street, 1, instr(street, ' ') - 1)) "
                                      "FROM addresses WHERE street LIKE '% %' ORDER BY id LIMIT 1");
    ASSERT_TRUE(word);
    EXPECT_GT(index->search({*word}, false, 10).size(), 0U) << *word;
}

} // namespace
} // namespace wardmap
