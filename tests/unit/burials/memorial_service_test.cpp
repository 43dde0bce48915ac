// MemorialService on a real SpatiaLite file: the forecast arithmetic with hand-worked figures,
// the capacity report of a small cemetery worked by hand (available graves by section and
// type, new graves used a year, the year full at the current and at the officer's rate), the
// next-due rule of memorial inspections row by row, the due and overdue lists, disinterments
// (licence, once only, capacity freed), and who may call it.

#include "server/services/burials/memorial_service.hpp"
#include "server/services/shared/errors.hpp"
#include "tests/support/served_routes.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

namespace wardmap::services {
namespace {

Principal person(Role role, std::vector<Team> teams) {
    Principal p;
    p.kind = Principal::Kind::person;
    p.id = 7;
    p.name = "Test Person";
    p.grants = {RoleGrant{role, {}, std::move(teams)}};
    return p;
}

const core::Date june{2026, 6, 1};

TEST(CapacityForecast, ArithmeticWorkedByHand) {
    // 120 graves left at 40 a year: 3 years, full in 2026 + 3.
    auto f = forecast_full(120, 40, core::Date{2026, 12, 7});
    EXPECT_DOUBLE_EQ(*f.years_to_full, 3.0);
    EXPECT_EQ(*f.full_year, 2029);
    // 130 at 40: 3.25 years, still 2029 (the last grave goes in the fourth year's first quarter).
    f = forecast_full(130, 40, core::Date{2026, 1, 1});
    EXPECT_DOUBLE_EQ(*f.years_to_full, 3.25);
    EXPECT_EQ(*f.full_year, 2029);
    // 7 at 8 a year: full within this year.
    f = forecast_full(7, 8, june);
    EXPECT_DOUBLE_EQ(*f.years_to_full, 0.875);
    EXPECT_EQ(*f.full_year, 2026);
    // None left: full now; none used: never.
    f = forecast_full(0, 3, june);
    EXPECT_DOUBLE_EQ(*f.years_to_full, 0.0);
    EXPECT_EQ(*f.full_year, 2026);
    f = forecast_full(5, 0, june);
    EXPECT_FALSE(f.years_to_full.has_value());
    EXPECT_FALSE(f.full_year.has_value());
    EXPECT_DOUBLE_EQ(mean_rate({3, 5, 7, 9}), 6.0);
    EXPECT_DOUBLE_EQ(mean_rate({1, 1, 2, 1, 1}), 1.2);
    EXPECT_DOUBLE_EQ(mean_rate({}), 0.0);
}

class MemorialServiceTest : public ::testing::Test {
  protected:
    MemorialServiceTest() : routes(tmp.path()) {
        auto db = routes.pool().acquire();
        db->exec("INSERT INTO cemeteries (id, name, address, geom, geom_wgs84) VALUES (1, 'Test "
                 "Cemetery', 'Test Road', CastToMultiPolygon(BuildMbr(358000, 418000, 358100, "
                 "418100, 27700)), CastToMultiPolygon(BuildMbr(-2.6, 53.6, -2.59, 53.61, 4326)))");
        for (const char* s : {"(1, 1, 'A', 'traditional'", "(2, 1, 'B', 'lawn'"}) {
            db->exec(std::string("INSERT INTO cemetery_sections (id, cemetery_id, name, kind, "
                                 "geom, geom_wgs84) VALUES ") +
                     s +
                     ", BuildMbr(358000, 418000, 358100, 418100, 27700), BuildMbr(-2.6, 53.6, "
                     "-2.59, 53.61, 4326))");
        }
        db->exec("INSERT INTO burial_registers (id, cemetery_id, name) VALUES (1, 1, "
                 "'Register')");
        // Section A: graves 1-10; section B: graves 11-14. One coffin each.
        for (int g = 1; g <= 14; ++g) {
            const auto n = std::to_string(g);
            db->exec("INSERT INTO grave_spaces (id, cemetery_id, section_id, grave_number, "
                     "grave_type, max_coffins, max_cremated_remains, geom, geom_wgs84) VALUES (" +
                     n + ", 1, " + (g <= 10 ? "1" : "2") + ", 'G-" + n +
                     "', 'public', 1, 0, BuildMbr(358010, 418010, 358011.2, 418012.4, 27700), "
                     "BuildMbr(-2.6, 53.6, -2.5999, 53.6001, 4326))");
        }
        // Burials (grave, date), in register order.
        const std::pair<int, const char*> burials[] = {
            {7, "2019-05-01"}, {1, "2021-03-01"},  {2, "2022-03-01"}, {3, "2023-03-01"},
            {5, "2024-03-01"}, {11, "2024-04-01"}, {6, "2025-03-01"}};
        int number = 0;
        for (const auto& [grave, on] : burials) {
            db->exec("INSERT INTO interments (register_id, register_number, grave_id, buried_on, "
                     "surname, kind, entered_at, entered_by) VALUES (1, " +
                     std::to_string(++number) + ", " + std::to_string(grave) + ", '" + on +
                     "', 'Hindle', 'coffin', '2026-01-01T00:00:00Z', 'test')");
        }
        // Grave 4 is bought in 2023 with nothing buried: reserved, used that year.
        db->exec("UPDATE grave_spaces SET grave_type = 'private' WHERE id = 4");
        db->exec("INSERT INTO burial_grants (id, grave_id, deed_number, granted_on, term_years) "
                 "VALUES (1, 4, 'D-1', '2023-07-01', 100)");
    }

    MemorialService& memorials() { return routes.services().memorials; }
    BurialCaller caller() { return {officer, "/api/burials/capacity", "127.0.0.1"}; }

    std::int64_t memorial(int grave, const char* erected) {
        NewMemorial m;
        m.memorial_type = "headstone";
        m.erected_on = erected;
        m.mason = "Chorley Memorials Ltd";
        return memorials().add_memorial(grave, m, caller());
    }
    std::string inspect(std::int64_t id,
                        const char* on,
                        const char* result,
                        int risk,
                        const char* action = "none") {
        return memorials()
            .add_inspection(id, {on, "Memorial team", result, risk, action, std::nullopt}, caller())
            .second;
    }

    testing::TempDir tmp;
    testing::ServedRoutes routes;
    Principal officer = person(Role::officer, {Team::bereavement});
};

TEST_F(MemorialServiceTest, CapacityWorkedByHand) {
    CapacityQuery q;
    q.on = june;
    q.years = 5; // 2021-2025
    const auto r = memorials().capacity(q, caller());
    EXPECT_EQ(r.rate_years, (std::vector<int>{2021, 2022, 2023, 2024, 2025}));
    ASSERT_EQ(r.cemeteries.size(), 1U);
    const auto& c = r.cemeteries[0];
    ASSERT_EQ(c.sections.size(), 2U);
    const auto& a = c.sections[0];
    const auto& b = c.sections[1];
    // A: graves 8, 9, 10 available; newly used 1, 1, 2 (a burial and a purchase), 1, 1.
    EXPECT_EQ(a.graves, 10);
    EXPECT_EQ(a.available, 3);
    EXPECT_EQ(a.available_by_type.at("public"), 3);
    EXPECT_EQ(a.new_graves_per_year, (std::vector<int>{1, 1, 2, 1, 1}));
    EXPECT_DOUBLE_EQ(a.current_rate, 1.2);
    EXPECT_DOUBLE_EQ(*a.at_current.years_to_full, 2.5); // 3 / 1.2
    EXPECT_EQ(*a.at_current.full_year, 2028);
    // B: 3 left, 1 used in five years: 0.2 a year, 15 years.
    EXPECT_EQ(b.available, 3);
    EXPECT_EQ(b.new_graves_per_year, (std::vector<int>{0, 0, 0, 1, 0}));
    EXPECT_DOUBLE_EQ(*b.at_current.years_to_full, 15.0);
    EXPECT_EQ(*b.at_current.full_year, 2041);
    // The cemetery: 6 left at 7 / 5 = 1.4 a year: 4.29 years, 2030.
    EXPECT_EQ(c.available, 6);
    EXPECT_DOUBLE_EQ(c.current_rate, 1.4);
    EXPECT_NEAR(*c.at_current.years_to_full, 4.2857, 1e-4);
    EXPECT_EQ(*c.at_current.full_year, 2030);
    EXPECT_FALSE(c.officer_rate.has_value());
    // Burials a year, 2017-2026 (grave 4's purchase is not a burial).
    std::map<int, int> per_year(c.burials_per_year.begin(), c.burials_per_year.end());
    EXPECT_EQ(per_year.size(), 10U);
    EXPECT_EQ(per_year.at(2019), 1);
    EXPECT_EQ(per_year.at(2020), 0);
    EXPECT_EQ(per_year.at(2023), 1);
    EXPECT_EQ(per_year.at(2024), 2);
    EXPECT_EQ(per_year.at(2026), 0);
}

TEST_F(MemorialServiceTest, TheOfficersRateIsSharedAsSectionsAreUsedUnlessASectionHasItsOwn) {
    CapacityQuery q;
    q.on = june;
    q.rate = 2; // the cemetery: 6 / 2 = 3 years, 2029
    auto r = memorials().capacity(q, caller());
    auto c = r.cemeteries[0];
    EXPECT_EQ(*c.at_officer->full_year, 2029);
    // A's share: 2 x 1.2 / 1.4 = 1.714 a year: 3 / 1.714 = 1.75 years, 2027.
    EXPECT_NEAR(*c.sections[0].officer_rate, 1.7142857, 1e-6);
    EXPECT_NEAR(*c.sections[0].at_officer->years_to_full, 1.75, 1e-9);
    EXPECT_EQ(*c.sections[0].at_officer->full_year, 2027);
    // B's share: 2 x 0.2 / 1.4 = 0.2857: 10.5 years, 2036.
    EXPECT_NEAR(*c.sections[1].at_officer->years_to_full, 10.5, 1e-9);
    EXPECT_EQ(*c.sections[1].at_officer->full_year, 2036);

    q.rate.reset();
    q.section_rates = {{2, 1.0}}; // B at 1 a year: 3 years, 2029; the cemetery 1.2 + 1
    r = memorials().capacity(q, caller());
    c = r.cemeteries[0];
    EXPECT_FALSE(c.sections[0].officer_rate.has_value());
    EXPECT_EQ(*c.sections[1].at_officer->full_year, 2029);
    EXPECT_NEAR(*c.officer_rate, 2.2, 1e-9);
    EXPECT_EQ(*c.at_officer->full_year, 2028); // 6 / 2.2 = 2.73
    q.section_rates = {{99, 1.0}};
    EXPECT_THROW(memorials().capacity(q, caller()), DomainError);
}

TEST_F(MemorialServiceTest, NextDueFollowsTheLatestInspectionByRisk) {
    const auto m = memorial(1, "2020-05-01");
    EXPECT_EQ(memorials().memorials_of(1, caller()).at(0).next_due, "2025-05-01"); // erected + 5
    EXPECT_EQ(inspect(m, "2021-03-10", "pass", 3), "2026-03-10");
    EXPECT_EQ(inspect(m, "2024-01-15", "fail", 1, "laid_flat"), "2024-02-15");
    EXPECT_EQ(inspect(m, "2024-02-14", "fail", 2, "staked"), "2025-02-14");
    EXPECT_EQ(inspect(m, "2025-02-10", "fail", 3), "2030-02-10");
    // Entered late, an older inspection does not decide.
    EXPECT_EQ(inspect(m, "2022-06-01", "pass", 3), "2030-02-10");
    const auto list = memorials().memorials_of(1, caller());
    ASSERT_EQ(list.size(), 1U);
    EXPECT_EQ(list[0].inspections.size(), 5U);
    EXPECT_EQ(list[0].inspections.front().inspected_on, "2021-03-10");
    // Immediate risk must be made safe; not before erection; bad values.
    EXPECT_THROW(inspect(m, "2025-03-01", "fail", 1, "none"), DomainError);
    EXPECT_THROW(inspect(m, "2019-03-01", "pass", 3), DomainError);
    EXPECT_THROW(inspect(m, "2025-03-01", "maybe", 3), DomainError);
    EXPECT_THROW(inspect(999, "2025-03-01", "pass", 3), DomainError);
    auto db = routes.pool().acquire();
    EXPECT_THROW(db->exec("DELETE FROM memorial_inspections"), std::exception); // append-only
}

TEST_F(MemorialServiceTest, DueAndOverdueLists) {
    const auto overdue = memorial(1, "2020-05-01"); // due 2025-05-01
    const auto soon = memorial(2, "2021-07-01");    // due 2026-07-01
    const auto later = memorial(3, "2022-01-01");
    inspect(later, "2025-01-01", "pass", 3); // due 2030
    const auto ids = [&](bool od, int within) {
        std::vector<std::int64_t> out;
        const auto n = memorials().due(od, june, within, 100, 0, caller(),
                                       [&](const DueMemorial& d) { out.push_back(d.id); });
        EXPECT_EQ(n, static_cast<std::int64_t>(out.size()));
        return out;
    };
    EXPECT_EQ(ids(true, 90), std::vector<std::int64_t>{overdue});
    EXPECT_EQ(ids(false, 90), std::vector<std::int64_t>{soon});
    EXPECT_TRUE(ids(false, 10).empty());
    std::string geometry;
    memorials().due(true, june, 0, 1, 0, caller(),
                    [&](const DueMemorial& d) { geometry = d.geometry; });
    EXPECT_NE(geometry.find("\"Point\""), std::string::npos) << geometry;
}

TEST_F(MemorialServiceTest, DisintermentNeedsALicenceHappensOnceAndFreesTheGrave) {
    auto db = routes.pool().acquire();
    const auto id = db->query_int("SELECT id FROM interments WHERE grave_id = 1").value();
    NewDisinterment d{"2026-01-10", "MoJ 2026/0042", 9, std::nullopt, std::nullopt};
    EXPECT_THROW(memorials().add_disinterment(id, {"2026-01-10", "", {}, {}, {}}, caller()),
                 DomainError);
    EXPECT_THROW(memorials().add_disinterment(id, {"2020-01-10", "L", {}, {}, {}}, caller()),
                 DomainError); // before the burial
    EXPECT_THROW(memorials().add_disinterment(9999, d, caller()), DomainError);
    EXPECT_GT(memorials().add_disinterment(id, d, caller()), 0);
    try {
        memorials().add_disinterment(id, d, caller());
        ADD_FAILURE() << "a second disinterment was accepted";
    } catch (const DomainError& e) {
        EXPECT_EQ(e.code(), ErrorCode::conflict);
        EXPECT_EQ(e.problems().at(0).message, "already_disinterred");
    }
    CapacityQuery q;
    q.on = june;
    EXPECT_EQ(memorials().capacity(q, caller()).cemeteries[0].sections[0].available, 4);
}

TEST_F(MemorialServiceTest, OnlyTheBereavementTeamAndAdmins) {
    const auto street = person(Role::supervisor, {Team::streetscene});
    CapacityQuery q;
    q.on = june;
    EXPECT_THROW(memorials().capacity(q, {street, "/r", ""}), DomainError);
    EXPECT_THROW(memorials().memorials_of(1, {street, "/r", ""}), DomainError);
    NewMemorial m;
    m.memorial_type = "headstone";
    EXPECT_THROW(memorials().add_memorial(1, m, {street, "/r", ""}), DomainError);
    EXPECT_EQ(memorials().capacity(q, {person(Role::admin, {}), "/r", ""}).cemeteries.size(), 1U);
    EXPECT_THROW(memorials().add_memorial(999, m, caller()), DomainError);
}

} // namespace
} // namespace wardmap::services
