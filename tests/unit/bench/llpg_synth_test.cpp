#include "bench/llpg_synth.hpp"

#include "tests/support/dtf_records.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>

namespace wardmap::bench {
namespace {

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<std::string> read_lines(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

class LlpgSynth : public ::testing::Test {
  protected:
    SynthPaths paths(const std::string& name) const {
        return {m_tmp.path() / (name + ".csv"), m_tmp.path() / (name + "-points.csv"),
                m_tmp.path() / (name + "-queries.txt")};
    }
    SynthSummary generate(const std::string& name, std::uint64_t seed, std::int64_t n = 3000) {
        SynthOptions o;
        o.addresses = n;
        o.seed = seed;
        o.queries = 2500;
        return generate_llpg(o, paths(name));
    }
    testing::TempDir m_tmp;
};

TEST_F(LlpgSynth, TheSameSeedGivesTheSameFilesAndAnotherSeedOthers) {
    const auto a = generate("a", 7);
    const auto b = generate("b", 7);
    const auto c = generate("c", 8);
    EXPECT_EQ(a.addresses, 3000);
    EXPECT_EQ(a.streets, b.streets);
    EXPECT_EQ(c.addresses, 3000);
    const auto pa = paths("a"), pb = paths("b"), pc = paths("c");
    EXPECT_EQ(read_all(pa.dtf), read_all(pb.dtf));
    EXPECT_EQ(read_all(pa.points), read_all(pb.points));
    EXPECT_EQ(read_all(pa.queries), read_all(pb.queries));
    EXPECT_NE(read_all(pa.dtf), read_all(pc.dtf));
    EXPECT_NE(read_all(pa.queries), read_all(pc.queries));
}

TEST_F(LlpgSynth, UprnsAndUsrnsAreUniqueAndValidAndEveryLpiHasItsBlpuAndStreet) {
    const auto summary = generate("g", 2320);
    const auto records = testing::read_dtf(paths("g").dtf);
    ASSERT_GE(records.size(), 2U);
    EXPECT_EQ(records.front().id(), 10);
    EXPECT_EQ(records.back().id(), 99);
    EXPECT_EQ(records.back().fields[2], std::to_string(records.size()));
    std::set<std::int64_t> usrns, uprns, lpi_uprns, descriptor_usrns;
    std::set<std::string> lpi_keys, postcodes;
    std::map<int, std::size_t> fields = {{10, 9}, {11, 20}, {15, 9}, {21, 23}, {24, 30}, {99, 5}};
    const std::regex postcode(R"([A-Z]{1,2}[0-9]{1,2} [0-9][ABDEFGHJLNPQRSTUWXYZ]{2})");
    for (const auto& r : records) {
        ASSERT_TRUE(fields.contains(r.id())) << r.line;
        ASSERT_EQ(r.fields.size(), fields.at(r.id())) << r.line;
        ASSERT_TRUE(r.crlf);
        if (r.id() == 11) {
            const auto usrn = std::stoll(r.fields[3]);
            EXPECT_TRUE(usrn >= 1 && usrn <= 99'999'999) << usrn;
            EXPECT_TRUE(usrns.insert(usrn).second) << "duplicate USRN " << usrn;
        } else if (r.id() == 15) {
            descriptor_usrns.insert(std::stoll(r.fields[3]));
            EXPECT_FALSE(r.fields[4].empty());
        } else if (r.id() == 21) {
            const auto uprn = std::stoll(r.fields[3]);
            EXPECT_TRUE(uprn >= 1 && uprn <= 999'999'999'999) << uprn;
            EXPECT_TRUE(uprns.insert(uprn).second) << "duplicate UPRN " << uprn;
            const double x = std::stod(r.fields[9]), y = std::stod(r.fields[10]);
            EXPECT_TRUE(x > synth_min_e && x < synth_max_e && y > synth_min_n && y < synth_max_n)
                << r.line;
        } else if (r.id() == 24) {
            const auto uprn = std::stoll(r.fields[3]);
            EXPECT_TRUE(uprns.contains(uprn)) << "LPI without its BLPU: " << r.line;
            EXPECT_TRUE(lpi_uprns.insert(uprn).second) << "two LPIs for " << uprn;
            EXPECT_TRUE(usrns.contains(std::stoll(r.fields[21]))) << r.line;
            EXPECT_TRUE(lpi_keys.insert(r.fields[4]).second) << r.fields[4];
            EXPECT_TRUE(std::regex_match(r.fields[24], postcode)) << r.fields[24];
            postcodes.insert(r.fields[24]);
        }
    }
    EXPECT_EQ(usrns, descriptor_usrns);
    EXPECT_EQ(uprns.size(), 3000U);
    EXPECT_EQ(lpi_uprns, uprns);
    EXPECT_EQ(static_cast<std::int64_t>(usrns.size()), summary.streets);
    EXPECT_EQ(static_cast<std::int64_t>(postcodes.size()), summary.postcodes);
    // About 15 addresses a postcode, about 15% flats.
    const double per_postcode = 3000.0 / static_cast<double>(postcodes.size());
    EXPECT_GT(per_postcode, 10);
    EXPECT_LT(per_postcode, 20);
    EXPECT_GT(summary.flats, 3000 * 5 / 100);
    EXPECT_LT(summary.flats, 3000 * 30 / 100);
    EXPECT_GT(summary.named, 0);
}

TEST_F(LlpgSynth, PointsCsvHasOneRowPerBlpuAndQueriesAreUrlEncoded) {
    generate("p", 1);
    const auto points = read_lines(paths("p").points);
    ASSERT_EQ(points.size(), 3001U);
    EXPECT_EQ(points[0], "uprn,x,y,address");
    const std::regex row(R"([0-9]{12},[0-9]{6}\.[0-9]{2},[0-9]{6}\.[0-9]{2},".+, [A-Z0-9 ]+")");
    for (std::size_t i = 1; i < points.size(); ++i) {
        ASSERT_TRUE(std::regex_match(points[i], row)) << points[i];
    }
    const auto queries = read_lines(paths("p").queries);
    EXPECT_EQ(queries.size(), 2500U);
    const std::regex encoded(R"([A-Za-z0-9%._~-]+)");
    std::set<std::string> distinct;
    for (const auto& q : queries) {
        ASSERT_TRUE(std::regex_match(q, encoded)) << q;
        distinct.insert(q);
    }
    EXPECT_GT(distinct.size(), 1000U);
}

TEST(UrlEncode, KeepsUnreservedAndEscapesTheRest) {
    EXPECT_EQ(url_encode("flat 3 rose"), "flat%203%20rose");
    EXPECT_EQ(url_encode("st thomas's, pr7"), "st%20thomas%27s%2C%20pr7");
    EXPECT_EQ(url_encode("a-b_c.d~e"), "a-b_c.d~e");
}

} // namespace
} // namespace wardmap::bench
