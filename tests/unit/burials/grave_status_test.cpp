// Derived grave status (services/burials/grave_status.hpp), one row of the table per rule, on a
// real SpatiaLite file: each case writes the facts (grave, interments, disinterments, grants
// and their events, overrides) and reads the status back both ways the server does, for one
// grave and for every grave in a box (one query).

#include "server/services/burials/grave_status.hpp"
#include "tests/support/served_routes.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace wardmap::services {
namespace {

core::Date day(const char* iso) {
    return *core::parse_iso_date(iso);
}

/// A migrated store with one cemetery and section; each case adds its own graves.
class GraveStatusTest : public ::testing::Test {
  public: // the table's lambdas write the facts through these
    GraveStatusTest() : routes(tmp.path()) {
        exec("INSERT INTO cemeteries (id, name, address, geom, geom_wgs84) VALUES (1, 'Test "
             "Cemetery', 'Test Road', CastToMultiPolygon(BuildMbr(358000, 418000, 358100, "
             "418100, 27700)), CastToMultiPolygon(BuildMbr(-2.6, 53.6, -2.59, 53.61, 4326)))");
        exec("INSERT INTO cemetery_sections (id, cemetery_id, name, kind, geom, geom_wgs84) "
             "VALUES (1, 1, 'A', 'traditional', BuildMbr(358000, 418000, 358100, 418100, "
             "27700), BuildMbr(-2.6, 53.6, -2.59, 53.61, 4326))");
        exec("INSERT INTO burial_registers (id, cemetery_id, name) VALUES (1, 1, 'Register')");
    }

    void exec(const std::string& sql) {
        auto db = routes.pool().acquire();
        db->exec(sql);
    }

    /// A grave of `type` with capacity (coffins, cremated remains), placed at x along a row.
    std::int64_t grave(const std::string& type, int coffins, int ashes, const char* extra = "") {
        const int n = ++m_graves;
        const double x = 358000 + n * 2;
        exec("INSERT INTO grave_spaces (id, cemetery_id, section_id, grave_number, grave_type, "
             "max_coffins, max_cremated_remains, unavailable_reason, geom, geom_wgs84) VALUES (" +
             std::to_string(n) + ", 1, 1, 'G" + std::to_string(n) + "', '" + type + "', " +
             std::to_string(coffins) + ", " + std::to_string(ashes) + ", " +
             (*extra ? std::string("'") + extra + "'" : std::string("NULL")) + ", BuildMbr(" +
             std::to_string(x) + ", 418010, " + std::to_string(x + 1.2) +
             ", 418012.4, 27700), BuildMbr(-2.6, 53.6, -2.5999, 53.6001, 4326))");
        return n;
    }

    std::int64_t bury(std::int64_t g, const char* on, const char* kind = "coffin") {
        const int n = ++m_entries;
        exec("INSERT INTO interments (register_id, register_number, grave_id, buried_on, "
             "surname, kind, entered_at, entered_by) VALUES (1, " +
             std::to_string(n) + ", " + std::to_string(g) + ", '" + on + "', 'Test', '" + kind +
             "', '2026-01-01T00:00:00Z', 'test')");
        auto db = routes.pool().acquire();
        return *db->query_int("SELECT max(id) FROM interments");
    }

    std::int64_t grant(std::int64_t g, const char* on, int term = 100) {
        const int n = ++m_grants;
        exec("INSERT INTO burial_grants (id, grave_id, deed_number, granted_on, term_years) "
             "VALUES (" +
             std::to_string(n) + ", " + std::to_string(g) + ", 'D" + std::to_string(n) + "', '" +
             on + "', " + std::to_string(term) + ")");
        return n;
    }

    void event(std::int64_t gr, const char* kind, const char* on, const char* years = "NULL") {
        exec("INSERT INTO burial_grant_events (grant_id, kind, effective_on, extend_years, "
             "recorded_at, recorded_by) VALUES (" +
             std::to_string(gr) + ", '" + kind + "', '" + on + "', " + years +
             ", '2026-01-01T00:00:00Z', 'test')");
    }

    void override_status(std::int64_t g, const char* status) {
        exec("INSERT INTO grave_status_overrides (grave_id, status, reason, set_at, set_by) "
             "VALUES (" +
             std::to_string(g) + ", " + (status ? std::string("'") + status + "'" : "NULL") +
             ", 'a reason', '2026-01-01T00:00:00Z', 'test')");
    }

    std::string status(std::int64_t g, const char* on = "2026-12-01") {
        auto db = routes.pool().acquire();
        const auto one = grave_status(*db, g, day(on));
        EXPECT_TRUE(one.has_value());
        // The box query must agree with the single-grave one.
        std::string from_box;
        geo::BBox box;
        box.min_x = 357990;
        box.min_y = 418000;
        box.max_x = 358200;
        box.max_y = 418100;
        graves_status_in_box(*db, box, day(on), [&](const GraveStatus& s) {
            if (s.id == g) {
                from_box = s.status;
            }
        });
        EXPECT_EQ(from_box, one ? one->status : "");
        return one ? one->status : "";
    }

    testing::TempDir tmp;
    testing::ServedRoutes routes;
    int m_graves = 0, m_entries = 0, m_grants = 0;
};

struct Case {
    const char* name;
    const char* expected;
    std::function<std::int64_t(GraveStatusTest&)> facts;
    const char* on = "2026-12-01";
};

TEST_F(GraveStatusTest, EveryRuleOfTheTable) {
    const std::vector<Case> cases = {
        {"no grant, nothing buried: available", "available",
         [](auto& t) { return t.grave("private", 2, 2); }},
        {"active grant, nothing buried: reserved", "reserved",
         [](auto& t) {
             const auto g = t.grave("private", 2, 2);
             t.grant(g, "2020-05-01");
             return g;
         }},
        {"active grant, one coffin of two: in_use", "in_use",
         [](auto& t) {
             const auto g = t.grave("private", 2, 2);
             t.grant(g, "2020-05-01");
             t.bury(g, "2020-05-08");
             return g;
         }},
        {"public grave with space: in_use without a grant", "in_use",
         [](auto& t) {
             const auto g = t.grave("public", 3, 0);
             t.bury(g, "1950-01-10");
             return g;
         }},
        {"coffins used but cremated-remains space left: still in_use", "in_use",
         [](auto& t) {
             const auto g = t.grave("private", 1, 2);
             t.grant(g, "2020-05-01");
             t.bury(g, "2020-05-08");
             return g;
         }},
        {"every coffin and cremated-remains space used: full", "full",
         [](auto& t) {
             const auto g = t.grave("private", 1, 1);
             t.grant(g, "2020-05-01");
             t.bury(g, "2020-05-08");
             t.bury(g, "2021-05-08", "cremated_remains");
             return g;
         }},
        {"full even when the right has expired", "full",
         [](auto& t) {
             const auto g = t.grave("private", 1, 0);
             t.grant(g, "1900-05-01");
             t.bury(g, "1900-05-08");
             return g;
         }},
        {"a disinterment frees the space (nothing left buried: reserved)", "reserved",
         [](auto& t) {
             const auto g = t.grave("private", 1, 0);
             t.grant(g, "2020-05-01");
             const auto i = t.bury(g, "2020-05-08");
             t.exec("INSERT INTO disinterments (interment_id, disinterred_on, "
                    "licence_reference, recorded_at, recorded_by) VALUES (" +
                    std::to_string(i) + ", '2024-02-01', 'MoJ 24/0012', 'x', 'test')");
             return g;
         }},
        {"burials known only as a count use capacity", "full",
         [](auto& t) {
             const auto g = t.grave("private", 2, 0);
             t.exec("UPDATE grave_spaces SET prior_coffins = 2 WHERE id = " + std::to_string(g));
             return g;
         }},
        {"a burial after the date asked does not count yet", "reserved",
         [](auto& t) {
             const auto g = t.grave("private", 2, 0);
             t.grant(g, "2020-05-01");
             t.bury(g, "2026-12-05");
             return g;
         }},
        {"ground that cannot be dug: unavailable", "unavailable",
         [](auto& t) { return t.grave("private", 2, 2, "tree"); }},
        {"unavailable wins over the grant and the burials", "unavailable",
         [](auto& t) {
             const auto g = t.grave("private", 2, 2, "path");
             t.grant(g, "2020-05-01");
             t.bury(g, "2020-05-08");
             return g;
         }},
        {"grant ran out, space left: right_expired", "right_expired",
         [](auto& t) {
             const auto g = t.grave("private", 3, 2);
             t.grant(g, "1920-03-01");
             t.bury(g, "1920-03-05");
             return g;
         }},
        {"grant ran out, nothing buried: right_expired", "right_expired",
         [](auto& t) {
             const auto g = t.grave("private", 2, 0);
             t.grant(g, "1990-01-01", 30);
             return g;
         }},
        {"expiry is the day the term ends", "right_expired",
         [](auto& t) {
             const auto g = t.grave("private", 2, 0);
             t.grant(g, "1926-12-01");
             return g;
         }},
        {"the day before the term ends: reserved", "reserved",
         [](auto& t) {
             const auto g = t.grave("private", 2, 0);
             t.grant(g, "1926-12-02");
             return g;
         }},
        {"an extension keeps the right", "in_use",
         [](auto& t) {
             const auto g = t.grave("private", 3, 2);
             const auto gr = t.grant(g, "1920-03-01");
             t.bury(g, "1920-03-05");
             t.event(gr, "extension", "2015-06-01", "25");
             return g;
         }},
        {"a new grant after an expired one: reserved", "reserved",
         [](auto& t) {
             const auto g = t.grave("private", 2, 0);
             t.grant(g, "1900-01-01");
             t.grant(g, "2025-01-01");
             return g;
         }},
        {"a surrendered grant is no right, and not expired: available", "available",
         [](auto& t) {
             const auto g = t.grave("private", 2, 0);
             const auto gr = t.grant(g, "2010-01-01");
             t.event(gr, "surrender", "2015-01-01");
             return g;
         }},
        {"surrendered with a burial: in_use", "in_use",
         [](auto& t) {
             const auto g = t.grave("private", 2, 0);
             const auto gr = t.grant(g, "2010-01-01");
             t.bury(g, "2010-01-08");
             t.event(gr, "surrender", "2015-01-01");
             return g;
         }},
        {"a surrender after the date asked has not happened yet", "reserved",
         [](auto& t) {
             const auto g = t.grave("private", 2, 0);
             const auto gr = t.grant(g, "2010-01-01");
             t.event(gr, "surrender", "2027-01-01");
             return g;
         }},
        {"a grant from after the date asked: available", "available",
         [](auto& t) {
             const auto g = t.grave("private", 2, 0);
             t.grant(g, "2027-01-01");
             return g;
         }},
        {"the latest override wins over every fact", "available",
         [](auto& t) {
             const auto g = t.grave("private", 1, 0);
             t.grant(g, "2020-05-01");
             t.bury(g, "2020-05-08");
             t.override_status(g, "unavailable");
             t.override_status(g, "available");
             return g;
         }},
        {"an override to right_expired", "right_expired",
         [](auto& t) {
             const auto g = t.grave("private", 2, 0);
             t.override_status(g, "right_expired");
             return g;
         }},
        {"a NULL override clears the earlier one", "reserved",
         [](auto& t) {
             const auto g = t.grave("private", 2, 0);
             t.grant(g, "2020-05-01");
             t.override_status(g, "full");
             t.override_status(g, nullptr);
             return g;
         }},
        {"cremated-remains plot, one of four: in_use", "in_use",
         [](auto& t) {
             const auto g = t.grave("cremated_remains", 0, 4);
             t.grant(g, "2020-05-01");
             t.bury(g, "2020-05-08", "cremated_remains");
             return g;
         }},
        {"baby grave with its one burial: full", "full",
         [](auto& t) {
             const auto g = t.grave("baby", 1, 0);
             t.bury(g, "2022-05-08");
             return g;
         }},
    };
    std::set<std::string> covered;
    for (const auto& c : cases) {
        const auto g = c.facts(*this);
        EXPECT_EQ(status(g, c.on), c.expected) << c.name;
        covered.insert(c.expected);
    }
    // Every status the rules can give is in the table.
    for (const char* s : grave_statuses) {
        EXPECT_TRUE(covered.count(s)) << s;
    }
}

TEST_F(GraveStatusTest, TheSameGraveOnDifferentDates) {
    const auto g = grave("private", 2, 0);
    grant(g, "1930-04-01");
    bury(g, "1930-04-03");
    EXPECT_EQ(status(g, "1930-03-31"), "available");
    EXPECT_EQ(status(g, "1930-04-02"), "reserved");
    EXPECT_EQ(status(g, "1930-04-03"), "in_use");
    EXPECT_EQ(status(g, "2030-03-31"), "in_use");
    EXPECT_EQ(status(g, "2030-04-01"), "right_expired");
}

TEST_F(GraveStatusTest, TheBoxQueryReturnsOnlyGravesInTheBoxInIdOrder) {
    const auto a = grave("private", 2, 0);
    const auto b = grave("private", 2, 0);
    const auto c = grave("private", 2, 0);
    auto db = routes.pool().acquire();
    std::vector<std::int64_t> ids;
    geo::BBox box;
    box.min_x = 358000 + 2 * a - 0.5; // a and b only
    box.min_y = 418000;
    box.max_x = 358000 + 2 * b + 0.5;
    box.max_y = 418100;
    graves_status_in_box(*db, box, day("2026-01-01"),
                         [&](const GraveStatus& s) { ids.push_back(s.id); });
    EXPECT_EQ(ids, (std::vector<std::int64_t>{a, b}));
    (void)c;
}

TEST_F(GraveStatusTest, OverridesAndGrantEventsAreAppendOnly) {
    const auto g = grave("private", 2, 0);
    override_status(g, "full");
    const auto gr = grant(g, "2020-01-01");
    event(gr, "purchase", "2020-01-01");
    EXPECT_ANY_THROW(exec("UPDATE grave_status_overrides SET status = 'available'"));
    EXPECT_ANY_THROW(exec("DELETE FROM grave_status_overrides"));
    EXPECT_ANY_THROW(exec("UPDATE burial_grant_events SET kind = 'surrender'"));
    EXPECT_ANY_THROW(exec("DELETE FROM burial_grant_events"));
    exec("INSERT INTO burial_grant_holders (grant_id, full_name, held_from) VALUES (" +
         std::to_string(gr) + ", 'Joan K. Test', '2020-01-01')");
    EXPECT_ANY_THROW(exec("DELETE FROM burial_grant_holders"));
    bury(g, "2020-01-08");
    EXPECT_ANY_THROW(exec("DELETE FROM interments"));
    // Register numbers only go up: 5 after 1 is kept, 3 after 5 is not.
    exec("INSERT INTO interments (register_id, register_number, grave_id, buried_on, surname, "
         "kind, entered_at, entered_by) VALUES (1, 5, " +
         std::to_string(g) + ", '2021-01-01', 'X', 'coffin', 'x', 'x')");
    EXPECT_ANY_THROW(exec("INSERT INTO interments (register_id, register_number, grave_id, "
                          "buried_on, surname, kind, entered_at, entered_by) VALUES (1, 3, " +
                          std::to_string(g) + ", '2021-02-01', 'X', 'coffin', 'x', 'x')"));
}

} // namespace
} // namespace wardmap::services
