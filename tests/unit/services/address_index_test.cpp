#include "geo/store/address_search_text.hpp"
#include "geo/store/connection_pool.hpp"
#include "geo/store/database.hpp"
#include "geo/store/generations.hpp"
#include "geo/store/migrations.hpp"
#include "server/services/gazetteer/address_index.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace wardmap::services {
namespace {

using store::Database;

struct Address {
    std::int64_t id;
    std::int64_t uprn;
    std::string single_line;
    std::string street;
    std::optional<int> pao_number = {};
    std::string pao_text = {};
    std::optional<int> sao_number = {};
    int status = 1;
    std::string postcode = "PR7 1AB";
};

class AddressIndexTest : public ::testing::Test {
  protected:
    void SetUp() override { store::migrate(path()); }
    std::filesystem::path path() const { return m_tmp.path() / "index.sqlite"; }

    void add(Database& db, const Address& a) {
        auto property = db.prepare(
            "INSERT OR IGNORE INTO properties (uprn, classification, easting, northing, lon, "
            "lat, geom, geom_wgs84) VALUES (?1, 'RD04', 358000, 417000, -2.63, 53.65, "
            "MakePoint(358000, 417000, 27700), MakePoint(-2.63, 53.65, 4326))");
        property.bind(1, a.uprn).run();
        auto address = db.prepare(
            "INSERT INTO addresses (id, uprn, logical_status, street, postcode, single_line, "
            "pao_start_number, pao_text, sao_start_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        address.bind(1, a.id).bind(2, a.uprn).bind(3, a.status).bind(4, a.street);
        address.bind(5, a.postcode).bind(6, a.single_line + ", " + a.postcode);
        address.bind(7, a.pao_number);
        if (a.pao_text.empty()) {
            address.bind_null(8);
        } else {
            address.bind(8, a.pao_text);
        }
        address.bind(9, a.sao_number).run();
    }

    void add_street_of_numbers(Database& db) {
        // Inserted out of order: the index puts them in house-number order itself.
        for (int n : {10, 2, 1, 12, 3, 21}) {
            add(db, {n, 1000 + n, std::to_string(n) + " Fox Lane, Chorley", "FOX LANE", n});
        }
        add(db, {100, 2000, "2 Foxglove Close, Chorley", "FOXGLOVE CLOSE", 2});
        add(db, {101, 2001, "Rose Cottage, Mill Road, Chorley", "MILL ROAD", {}, "Rose Cottage"});
        add(db, {102, 2002, "Flat 2, 12 Mill Road, Chorley", "MILL ROAD", 12, "", 2});
        add(db, {103, 2003, "12 Mill Road, Chorley", "MILL ROAD", 12});
        add(db, {104, 2004, "Tŷ Gwyn, Ffordd Ŵyn, Chorley", "FFORDD ŴYN", {}, "Tŷ Gwyn"});
        // A historical address is kept but never found; an alternative one of a listed
        // property is listed once.
        add(db, {105, 2005, "7 Old Lane, Chorley", "OLD LANE", 7, "", {}, 8});
        add(db, {106, 1010, "10 Fox Lane East, Chorley", "FOX LANE EAST", 10, "", {}, 3});
    }

    std::vector<std::int64_t>
    search(const AddressIndex& index, const std::string& q, std::size_t limit = 10) {
        return index.search(store::search_tokens(q), !q.empty() && q.back() != ' ', limit);
    }

    testing::TempDir m_tmp;
};

TEST_F(AddressIndexTest, EveryWordMustMatchTheLastAsAPrefix) {
    auto db = Database::open(path());
    add_street_of_numbers(db);
    const auto index = AddressIndex::build(db);
    EXPECT_EQ(index->size(), 12U) << "the historical address is not indexed";
    EXPECT_EQ(search(*index, "mill road").size(), 3U);
    EXPECT_EQ(search(*index, "mill ro").size(), 3U);
    EXPECT_EQ(search(*index, "mill ro ").size(), 0U) << "a finished word is not a prefix";
    EXPECT_EQ(search(*index, "rose cot"), (std::vector<std::int64_t>{101}));
    EXPECT_EQ(search(*index, "mill rd"), search(*index, "mill road")) << "rd means road";
    EXPECT_EQ(search(*index, "pr71ab", 20).size(), 12U - 1U) << "UPRN 1010 has two addresses";
    EXPECT_EQ(search(*index, "pr7 1a", 20).size(), 11U);
    EXPECT_TRUE(search(*index, "old lane").empty());
    EXPECT_TRUE(search(*index, "zebra").empty());
    EXPECT_TRUE(search(*index, "fox zzz").empty());
}

TEST_F(AddressIndexTest, TheNumberTypedRanksFirstThenStreetAndHouseNumberOrder) {
    auto db = Database::open(path());
    add_street_of_numbers(db);
    const auto index = AddressIndex::build(db);
    // Numeric order, not text order: 2 before 10.
    EXPECT_EQ(search(*index, "fox lane"), (std::vector<std::int64_t>{1, 2, 3, 10, 12, 21}));
    // "fox" as a prefix also finds Foxglove Close; approved before alternative addresses.
    EXPECT_EQ(search(*index, "fox", 20), (std::vector<std::int64_t>{1, 2, 3, 10, 12, 21, 100}));
    EXPECT_EQ(search(*index, "12 fox").front(), 12);
    EXPECT_EQ(search(*index, "2 fox"), (std::vector<std::int64_t>{2, 100}));
    // The house number before the flat number: "12 mill" is 12 Mill Road, then its flat.
    EXPECT_EQ(search(*index, "12 mill"), (std::vector<std::int64_t>{103, 102}));
    EXPECT_EQ(search(*index, "2 mill"), (std::vector<std::int64_t>{102}));
    EXPECT_EQ(search(*index, "fox lane", 2), (std::vector<std::int64_t>{1, 2}));
}

TEST_F(AddressIndexTest, AccentsAndCaseDoNotMatter) {
    auto db = Database::open(path());
    add_street_of_numbers(db);
    const auto index = AddressIndex::build(db);
    EXPECT_EQ(search(*index, "ty gwyn"), (std::vector<std::int64_t>{104}));
    EXPECT_EQ(search(*index, "TŶ GWYN, FFORDD ŵ"), (std::vector<std::int64_t>{104}));
    EXPECT_EQ(store::search_words("Tŷ Gwyn, Ffordd Ŵyn"), "ty gwyn ffordd wyn");
}

TEST_F(AddressIndexTest, ARunningServerSeesAnImportWithinSeconds) {
    {
        auto db = Database::open(path());
        add_street_of_numbers(db);
    }
    store::ConnectionPool pool(path(), 2, {});
    LiveAddressIndex live(pool);
    {
        auto lease = pool.acquire();
        EXPECT_TRUE(search(*live.current(*lease), "badger").empty());
    }
    {
        auto db = Database::open(path());
        store::Transaction tx(db);
        add(db, {200, 3000, "5 Badger Way, Chorley", "BADGER WAY", 5});
        store::mark_changed(db, "addresses");
        tx.commit();
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::vector<std::int64_t> found;
    while (found.empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        auto lease = pool.acquire();
        found = search(*live.current(*lease), "badger");
    }
    EXPECT_EQ(found, (std::vector<std::int64_t>{200}));
}

TEST_F(AddressIndexTest, TheChangeMarkMovesTheGenerationTheIndexRecords) {
    auto db = Database::open(path());
    add_street_of_numbers(db);
    const auto before = store::generation(db, "addresses");
    store::mark_changed(db, "addresses");
    EXPECT_NE(store::generation(db, "addresses"), before);
    const auto index = AddressIndex::build(db);
    EXPECT_EQ(index->generation(), store::generation(db, "addresses"));
}

} // namespace
} // namespace wardmap::services
