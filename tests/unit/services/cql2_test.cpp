// CQL2 text -> parameterised SQL: what compiles to what, and what is refused with a position.

#include "server/services/features/cql2.hpp"
#include "server/services/shared/errors.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string_view>

namespace wardmap::services {
namespace {

Layer bins() {
    Layer l;
    l.id = "litter_bins";
    l.table = "litter_bins";
    l.properties = {
        {"bin_type", "t.bin_type", PropertyType::string, "Bin type", true},
        {"capacity_l", "t.capacity_l", PropertyType::integer, "Capacity", true},
        {"installed_on", "t.installed_on", PropertyType::date, "Installed", true},
        {"secret", "t.secret", PropertyType::string, "Not queryable", false},
    };
    return l;
}

struct Compiled {
    SqlFragment sql;
    std::vector<GeometryLiteral> literals;
};

Compiled compile(const std::string& text, FeatureCrs crs = FeatureCrs::crs84) {
    Compiled out;
    const auto spatial = [&out](const GeometryLiteral& g) {
        out.literals.push_back(g);
        return SqlFragment{"INTERSECTS(?)", {g.wkt}};
    };
    out.sql = compile_cql2(text, bins(), crs, spatial);
    return out;
}

std::string error_of(const std::string& text) {
    try {
        compile(text);
    } catch (const DomainError& e) {
        EXPECT_EQ(e.code(), ErrorCode::invalid_parameter);
        EXPECT_EQ(e.problems().at(0).name, "filter");
        return e.detail();
    }
    return "(compiled)";
}

TEST(Cql2, ComparisonsBindEveryValue) {
    const auto c = compile("bin_type = 'dog''s' AND capacity_l >= 60");
    EXPECT_EQ(c.sql.sql, "((t.bin_type = ?) AND (t.capacity_l >= ?))");
    ASSERT_EQ(c.sql.params.size(), 2U);
    EXPECT_EQ(std::get<std::string>(c.sql.params[0]), "dog's");
    EXPECT_EQ(std::get<std::int64_t>(c.sql.params[1]), 60);
}

TEST(Cql2, PrecedenceNotAndOrAndParentheses) {
    EXPECT_EQ(compile("NOT capacity_l = 1 OR capacity_l = 2 AND bin_type <> 'x'").sql.sql,
              "((NOT (t.capacity_l = ?)) OR ((t.capacity_l = ?) AND (t.bin_type <> ?)))");
    EXPECT_EQ(compile("(capacity_l = 1 OR capacity_l = 2) AND bin_type IS NOT NULL").sql.sql,
              "(((t.capacity_l = ?) OR (t.capacity_l = ?)) AND (t.bin_type IS NOT NULL))");
}

TEST(Cql2, AdvancedComparisonOperators) {
    auto like = compile("bin_type LIKE 'dog%_*'");
    EXPECT_EQ(like.sql.sql, "(t.bin_type GLOB ?)");
    EXPECT_EQ(std::get<std::string>(like.sql.params[0]), "dog*?[*]");
    EXPECT_EQ(compile("bin_type NOT LIKE 'a%'").sql.sql, "(t.bin_type NOT GLOB ?)");
    EXPECT_EQ(compile("capacity_l BETWEEN 40 AND 60.5").sql.sql, "(t.capacity_l BETWEEN ? AND ?)");
    const auto in = compile("bin_type NOT IN ('a', 'b', 'c')");
    EXPECT_EQ(in.sql.sql, "(t.bin_type NOT IN (?, ?, ?))");
    EXPECT_EQ(in.sql.params.size(), 3U);
    EXPECT_EQ(compile("CASEI(bin_type) = CASEI('Dog')").sql.sql, "(lower(t.bin_type) = lower(?))");
}

TEST(Cql2, TemporalLiteralsAreNormalised) {
    const auto c = compile("installed_on > DATE('2020-01-31') AND "
                           "installed_on < TIMESTAMP('2021-01-01T01:00:00+02:00')");
    EXPECT_EQ(std::get<std::string>(c.sql.params[0]), "2020-01-31");
    EXPECT_EQ(std::get<std::string>(c.sql.params[1]), "2020-12-31T23:00:00Z");
    EXPECT_NE(error_of("installed_on > DATE('2020-02-30')").find("not a calendar date"),
              std::string::npos);
}

TEST(Cql2, SpatialLiteralsAreRewrittenNotPasted) {
    const auto c = compile("S_INTERSECTS(geometry, POLYGON((-2.7 53.6, -2.6 53.6, -2.6 53.7, "
                           "-2.7 53.6))) OR S_INTERSECTS(BBOX(-2.7, 53.6, -2.6, 53.7), geometry)");
    ASSERT_EQ(c.literals.size(), 2U);
    EXPECT_EQ(c.literals[0].wkt, "POLYGON((-2.7 53.6,-2.6 53.6,-2.6 53.7,-2.7 53.6))");
    EXPECT_EQ(c.literals[1].wkt, "POLYGON((-2.7 53.6,-2.6 53.6,-2.6 53.7,-2.7 53.7,-2.7 53.6))");
    EXPECT_DOUBLE_EQ(c.literals[1].envelope.min_x, -2.7);
    EXPECT_DOUBLE_EQ(c.literals[1].envelope.max_y, 53.7);
    EXPECT_FALSE(c.literals[0].bng);
    EXPECT_EQ(c.sql.sql, "(INTERSECTS(?) OR INTERSECTS(?))");
}

TEST(Cql2, FilterCrsSwapsLatLonOrKeepsTheGrid) {
    const auto latlon = compile("S_INTERSECTS(geometry, POINT(53.6 -2.7))", FeatureCrs::epsg4326);
    EXPECT_EQ(latlon.literals.at(0).wkt, "POINT(-2.7 53.6)");
    const auto grid = compile("S_INTERSECTS(geometry, MULTIPOINT((358000 417500), (358100 "
                              "417600)))",
                              FeatureCrs::epsg27700);
    EXPECT_TRUE(grid.literals.at(0).bng);
    EXPECT_EQ(grid.literals.at(0).wkt, "MULTIPOINT((358000 417500),(358100 417600))");
}

TEST(Cql2, SyntaxErrorsSayWhere) {
    EXPECT_NE(error_of("bin_type = ")
                  .find("character 12: expected a property name or a value, "
                        "found the end of the filter"),
              std::string::npos);
    EXPECT_NE(error_of("bin_type = 'a' capacity_l = 1")
                  .find("character 16: expected AND, OR or the end of the filter"),
              std::string::npos);
    EXPECT_NE(error_of("bin_type = 'open").find("character 12: the string is not closed"),
              std::string::npos);
    EXPECT_NE(error_of("(bin_type = 'a'").find("expected ')'"), std::string::npos);
    EXPECT_NE(error_of("bin_type ; 1").find("character 10: unexpected character ';'"),
              std::string::npos);
    EXPECT_NE(error_of("").find("empty"), std::string::npos);
}

TEST(Cql2, OnlyQueryablesAndMatchingTypes) {
    const auto unknown = error_of("owner = 'x'");
    EXPECT_NE(unknown.find("'owner'"), std::string::npos);
    EXPECT_NE(unknown.find("queryables: bin_type, capacity_l, installed_on, geometry"),
              std::string::npos);
    EXPECT_NE(error_of("secret = 'x'").find("not a queryable"), std::string::npos);
    EXPECT_NE(error_of("capacity_l = 'big'").find("is a number and cannot be compared"),
              std::string::npos);
    EXPECT_NE(error_of("capacity_l LIKE 'a%'").find("LIKE compares strings"), std::string::npos);
    EXPECT_NE(error_of("bin_type = NULL").find("IS NULL"), std::string::npos);
    EXPECT_NE(error_of("S_INTERSECTS(bin_type, POINT(1 2))").find("not a geometry"),
              std::string::npos);
}

TEST(Cql2, InjectionAttemptsStayValues) {
    const auto c = compile("bin_type = 'x''); DROP TABLE litter_bins; --'");
    EXPECT_EQ(c.sql.sql, "(t.bin_type = ?)");
    EXPECT_EQ(std::get<std::string>(c.sql.params[0]), "x'); DROP TABLE litter_bins; --");
    EXPECT_NE(error_of("bin_type = 'a' OR 1=1; --").find("unexpected character ';'"),
              std::string::npos);
}

TEST(Timestamps, Rfc3339NormalisedToUtc) {
    EXPECT_EQ(normalize_timestamp("2024-03-01T10:00:00Z"), "2024-03-01T10:00:00Z");
    EXPECT_EQ(normalize_timestamp("2024-03-01t10:00:00.123z"), "2024-03-01T10:00:00Z");
    EXPECT_EQ(normalize_timestamp("2024-03-01T00:30:00+01:00"), "2024-02-29T23:30:00Z");
    EXPECT_EQ(normalize_timestamp("2024-03-01T10:00:00"), std::nullopt);
    EXPECT_EQ(normalize_timestamp("2024-13-01T10:00:00Z"), std::nullopt);
}

TEST(Cql2, OnlyABboxLiteralIsMarkedAsABox) {
    // Point layers answer a box with a coordinate comparison: only BBOX may take that path.
    const auto box = compile("S_INTERSECTS(geometry, BBOX(-2.7, 53.6, -2.6, 53.7))");
    ASSERT_EQ(box.literals.size(), 1U);
    EXPECT_TRUE(box.literals[0].is_box);
    EXPECT_EQ(box.literals[0].envelope.min_x, -2.7);
    EXPECT_EQ(box.literals[0].envelope.max_y, 53.7);
    const auto square = compile(
        "S_INTERSECTS(geometry, POLYGON((-2.7 53.6, -2.6 53.6, -2.6 53.7, -2.7 53.7, -2.7 53.6)))");
    ASSERT_EQ(square.literals.size(), 1U);
    EXPECT_FALSE(square.literals[0].is_box);
}

// ---- Limits: each passes at the limit and is refused one past it, naming the limit, before
// any SQL is built (docs/http-api.md "Filter limits").

std::string repeat(std::string_view piece, std::size_t n) {
    std::string out;
    out.reserve(piece.size() * n);
    for (std::size_t i = 0; i < n; ++i) {
        out += piece;
    }
    return out;
}

std::string nested_parens(std::size_t n) {
    return repeat("(", n) + "capacity_l = 1" + repeat(")", n);
}
std::string nots(std::size_t n) {
    return repeat("NOT ", n) + "capacity_l = 1";
}
std::string caseis(std::size_t n) {
    return repeat("CASEI(", n) + "bin_type" + repeat(")", n) + " = 'a'";
}
std::string anded(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        out += (i ? " AND capacity_l <> " : "capacity_l <> ") + std::to_string(i);
    }
    return out;
}
std::string in_list(std::size_t n) {
    std::string out = "capacity_l IN (";
    for (std::size_t i = 0; i < n; ++i) {
        out += (i ? ", " : "") + std::to_string(i);
    }
    return out + ")";
}
std::string linestring(std::size_t n) {
    std::string out = "S_INTERSECTS(geometry, LINESTRING(";
    for (std::size_t i = 0; i < n; ++i) {
        out += (i ? ", " : "") + std::to_string(i % 90) + " 1";
    }
    return out + "))";
}

TEST(Cql2Limits, NestingPassesAtTwentyLevelsAndIsRefusedAtTwentyOne) {
    const std::string deeper = "nests deeper than 20 levels";
    EXPECT_EQ(compile(nested_parens(20)).sql.sql, "(t.capacity_l = ?)");
    EXPECT_NE(error_of(nested_parens(21)).find(deeper), std::string::npos);
    EXPECT_NE(error_of(nested_parens(21)).find("at character 21"), std::string::npos);
    EXPECT_NO_THROW(compile(nots(20)));
    EXPECT_NE(error_of(nots(21)).find(deeper), std::string::npos);
    EXPECT_NO_THROW(compile(caseis(20)));
    EXPECT_NE(error_of(caseis(21)).find(deeper), std::string::npos);
    // The kinds add up: 7 groups, 7 NOTs and 6 CASEIs are 20 levels.
    const std::string mixed = repeat("NOT (", 7) + caseis(6) + repeat(")", 7);
    EXPECT_NO_THROW(compile(mixed));
    EXPECT_NE(error_of("NOT " + mixed).find(deeper), std::string::npos);
}

TEST(Cql2Limits, TheReportedAttacksAreRefusedWithoutRecursingIntoThem) {
    // Each crashed the server (stack overflow) before the nesting limit.
    for (const auto& attack : {repeat("(", 20000), nested_parens(20000), nots(20000),
                               repeat("NOT ", 20000), repeat("CASEI(", 20000), caseis(20000)}) {
        const auto started = std::chrono::steady_clock::now();
        EXPECT_NE(error_of(attack).find("nests deeper than 20 levels"), std::string::npos);
        EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500));
    }
}

TEST(Cql2Limits, TermsPassAtOneHundredAndAreRefusedAtOneHundredAndOne) {
    const auto hundred = compile(anded(100));
    EXPECT_EQ(hundred.sql.params.size(), 100U);
    // Flat, so SQLite's parser stack does not grow with the chain.
    EXPECT_EQ(hundred.sql.sql.rfind("((t.capacity_l <> ?) AND (t.capacity_l <> ?) AND", 0), 0U);
    EXPECT_EQ(hundred.sql.sql.substr(hundred.sql.sql.size() - 3), "?))");
    const auto refused = error_of(anded(101));
    EXPECT_NE(refused.find("has more than 100 terms"), std::string::npos) << refused;
    EXPECT_NE(error_of(anded(60) + " OR " + anded(41)).find("more than 100 terms"),
              std::string::npos);
}

TEST(Cql2Limits, InListsPassAtOneHundredValuesAndAreRefusedAtOneHundredAndOne) {
    EXPECT_EQ(compile(in_list(100)).sql.params.size(), 100U);
    EXPECT_NE(error_of(in_list(101)).find("IN list of more than 100 values"), std::string::npos);
}

TEST(Cql2Limits, VerticesPassAtTenThousandAndAreRefusedAtTenThousandAndOne) {
    const auto line = compile(linestring(10000));
    ASSERT_EQ(line.literals.size(), 1U);
    EXPECT_NE(error_of(linestring(10001)).find("more than 10000 vertices"), std::string::npos);
    // The budget is the filter's, not each literal's.
    EXPECT_NO_THROW(compile(linestring(5000) + " OR " + linestring(5000)));
    EXPECT_NE(error_of(linestring(5000) + " OR " + linestring(5001)).find("10000 vertices"),
              std::string::npos);
    EXPECT_NE(error_of("S_INTERSECTS(geometry, BBOX(1, 2, 3, 4, 5, 6, 7))").find("BBOX takes 4"),
              std::string::npos);
}

TEST(Cql2Limits, LengthPassesAtTheLimitAndIsRefusedOneCharacterPast) {
    const std::string head = "bin_type = '";
    const std::size_t limit = Cql2Limits{}.max_length;
    const std::string at_limit = head + std::string(limit - head.size() - 1, 'x') + "'";
    ASSERT_EQ(at_limit.size(), limit);
    EXPECT_NO_THROW(compile(at_limit));
    const std::string past = head + std::string(limit - head.size(), 'x') + "'";
    EXPECT_NE(error_of(past).find("is 262145 characters long; the limit is 262144"),
              std::string::npos);
}

TEST(Cql2Limits, AreTheCallersToChoose) {
    Cql2Limits tight;
    tight.max_depth = 2;
    tight.max_terms = 3;
    const auto spatial = [](const GeometryLiteral&) { return SqlFragment{"1", {}}; };
    EXPECT_NO_THROW(
        compile_cql2("NOT (capacity_l = 1)", bins(), FeatureCrs::crs84, spatial, tight));
    EXPECT_THROW(
        compile_cql2("NOT (NOT capacity_l = 1)", bins(), FeatureCrs::crs84, spatial, tight),
        DomainError);
    EXPECT_THROW(compile_cql2(anded(4), bins(), FeatureCrs::crs84, spatial, tight), DomainError);
}

} // namespace
} // namespace wardmap::services
