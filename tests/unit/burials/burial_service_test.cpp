// BurialService on a real SpatiaLite file: who may use the register (the bereavement team and
// admins), interments refused for a full or unavailable grave, a grave without space of the
// kind, a private grave without an active grant or its holder's consent (409 naming the
// reason), register numbers that run on, grants and events passing the right, overrides, and
// each read of holders written to the audit log.

#include "server/services/burials/burial_service.hpp"
#include "server/services/shared/errors.hpp"
#include "tests/support/served_routes.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

namespace wardmap::services {
namespace {

Principal person(Role role, std::vector<Team> teams, std::int64_t id = 7) {
    Principal p;
    p.kind = Principal::Kind::person;
    p.id = id;
    p.name = "Test Person";
    p.grants = {RoleGrant{role, {}, std::move(teams)}};
    return p;
}

class BurialServiceTest : public ::testing::Test {
  protected:
    BurialServiceTest() : routes(tmp.path()) {
        auto db = routes.pool().acquire();
        db->exec("INSERT INTO cemeteries (id, name, address, geom, geom_wgs84) VALUES (1, 'Test "
                 "Cemetery', 'Test Road', CastToMultiPolygon(BuildMbr(358000, 418000, 358100, "
                 "418100, 27700)), CastToMultiPolygon(BuildMbr(-2.6, 53.6, -2.59, 53.61, 4326)))");
        db->exec("INSERT INTO cemetery_sections (id, cemetery_id, name, kind, geom, geom_wgs84) "
                 "VALUES (1, 1, 'A', 'traditional', BuildMbr(358000, 418000, 358100, 418100, "
                 "27700), BuildMbr(-2.6, 53.6, -2.59, 53.61, 4326))");
        db->exec("INSERT INTO burial_registers (id, cemetery_id, name) VALUES (1, 1, "
                 "'Register')");
        const char* graves[][4] = {
            {"1", "private", "2", "1"}, {"2", "public", "2", "0"}, {"3", "private", "1", "0"}};
        for (const auto& g : graves) {
            db->exec(std::string("INSERT INTO grave_spaces (id, cemetery_id, section_id, "
                                 "grave_number, grave_type, max_coffins, max_cremated_remains, "
                                 "geom, geom_wgs84) VALUES (") +
                     g[0] + ", 1, 1, 'A-" + g[0] + "', '" + g[1] + "', " + g[2] + ", " + g[3] +
                     ", BuildMbr(358010, 418010, 358011.2, 418012.4, 27700), BuildMbr(-2.6, "
                     "53.6, -2.5999, 53.6001, 4326))");
        }
    }

    BurialService& burials() { return routes.services().burials; }
    BurialCaller caller() { return {officer, "/api/burials/graves/:id", "127.0.0.1"}; }

    NewInterment entry(const char* on = "2026-03-02") {
        NewInterment in;
        in.buried_on = on;
        in.died_on = "2026-02-20";
        in.surname = "Hindle";
        in.forenames = "Margaret";
        in.age_years = 81;
        return in;
    }

    /// The 409's reason, or "" when it succeeded.
    std::string refusal(std::int64_t grave, const NewInterment& in) {
        try {
            burials().add_interment(grave, in, caller());
        } catch (const DomainError& e) {
            EXPECT_EQ(e.code(), ErrorCode::conflict) << e.what();
            return e.problems().empty() ? "?" : e.problems().front().message;
        }
        return "";
    }

    std::int64_t count(const std::string& sql) {
        auto db = routes.pool().acquire();
        return db->query_int(sql).value_or(-1);
    }

    testing::TempDir tmp;
    testing::ServedRoutes routes;
    Principal officer = person(Role::officer, {Team::bereavement});
};

TEST_F(BurialServiceTest, OnlyTheBereavementTeamAndAdminsMayUseTheRegister) {
    const auto street = person(Role::supervisor, {Team::streetscene});
    EXPECT_THROW(burials().grave(1, {street, "/r", ""}), DomainError);
    EXPECT_THROW(burials().add_interment(2, entry(), {street, "/r", ""}), DomainError);
    const auto admin = person(Role::admin, {});
    EXPECT_EQ(burials().grave(1, {admin, "/r", ""}).status.grave_number, "A-1");
    EXPECT_EQ(burials().grave(1, caller()).status.status, "available");
    EXPECT_THROW(burials().grave(99, caller()), DomainError);
}

TEST_F(BurialServiceTest, APublicGraveTakesBurialsUntilFullThenRefuses) {
    const auto [id1, n1] = burials().add_interment(2, entry(), caller());
    const auto [id2, n2] = burials().add_interment(2, entry("2026-03-09"), caller());
    EXPECT_EQ(n1, 1);
    EXPECT_EQ(n2, 2); // the register runs on
    EXPECT_EQ(burials().grave(2, caller()).status.status, "full");
    EXPECT_EQ(refusal(2, entry("2026-03-16")), "full");
    EXPECT_NE(id1, id2);
}

TEST_F(BurialServiceTest, APrivateGraveNeedsAnActiveGrantAndTheHoldersConsent) {
    EXPECT_EQ(refusal(1, entry()), "no_active_grant");
    NewGrant g;
    g.deed_number = "CH/2026/1";
    g.granted_on = "2026-01-10";
    g.holders = {{"Joan K. Ainscough", "1 Test Street", std::nullopt, std::nullopt}};
    const auto grant = burials().add_grant(1, g, caller());
    EXPECT_EQ(burials().grave(1, caller()).status.status, "reserved");
    EXPECT_EQ(refusal(1, entry()), "no_holder_consent");
    const auto holder =
        count("SELECT id FROM burial_grant_holders WHERE grant_id = " + std::to_string(grant));
    auto in = entry();
    in.consent_holder_id = holder + 100; // not a holder of this grant
    in.consent_on = "2026-02-25";
    EXPECT_EQ(refusal(1, in), "no_holder_consent");
    in.consent_holder_id = holder;
    EXPECT_EQ(refusal(1, in), "");
    EXPECT_EQ(burials().grave(1, caller()).status.status, "in_use");
    // One coffin space left, one cremated-remains space: a second coffin, then no more.
    in.buried_on = "2026-04-01";
    EXPECT_EQ(refusal(1, in), "");
    in.buried_on = "2026-04-08";
    EXPECT_EQ(refusal(1, in), "no_coffin_space");
    in.kind = "cremated_remains";
    EXPECT_EQ(refusal(1, in), "");
    EXPECT_EQ(refusal(1, in), "full");
}

TEST_F(BurialServiceTest, AnExpiredRightIsRefusedAndTheReasonSaysSo) {
    NewGrant g;
    g.deed_number = "CH/1920/1";
    g.granted_on = "1920-01-10";
    g.holders = {{"Alice P. Rigby", std::nullopt, std::nullopt, std::nullopt}};
    burials().add_grant(3, g, caller());
    EXPECT_EQ(refusal(3, entry()), "right_expired");
}

TEST_F(BurialServiceTest, AnUnavailableGraveIsRefused) {
    burials().set_override(2, "unavailable", "subsidence after rain", caller());
    EXPECT_EQ(refusal(2, entry()), "unavailable");
    burials().set_override(2, std::nullopt, "ground checked", caller());
    EXPECT_EQ(refusal(2, entry()), "");
    EXPECT_EQ(count("SELECT count(*) FROM grave_status_overrides WHERE grave_id = 2"), 2);
}

TEST_F(BurialServiceTest, BadEntriesAreRefusedNamingTheField) {
    const auto field_of = [&](const NewInterment& in) {
        try {
            burials().add_interment(2, in, caller());
        } catch (const DomainError& e) {
            EXPECT_EQ(e.code(), ErrorCode::invalid_parameter);
            return std::string(e.what());
        }
        return std::string();
    };
    auto in = entry();
    in.died_on = "2026-03-05"; // after the burial
    EXPECT_NE(field_of(in).find("buried_on"), std::string::npos);
    in = entry();
    in.stillborn = true;
    EXPECT_NE(field_of(in).find("age_years"), std::string::npos);
    in = entry();
    in.buried_on = "2026-02-30";
    EXPECT_NE(field_of(in).find("buried_on"), std::string::npos);
    in = entry();
    in.burial_time = "25:00";
    EXPECT_NE(field_of(in).find("burial_time"), std::string::npos);
    EXPECT_EQ(count("SELECT count(*) FROM interments"), 0);
}

TEST_F(BurialServiceTest, EventsPassTheRightAndEveryHoldersReadIsAudited) {
    NewGrant g;
    g.deed_number = "CH/2000/7";
    g.granted_on = "2000-01-10";
    g.holders = {{"Keith R. Marsden", std::nullopt, std::nullopt, std::nullopt}};
    const auto grant = burials().add_grant(1, g, caller());
    NewGrantEvent e;
    e.kind = "transfer_on_death";
    e.effective_on = "2019-06-01";
    e.holders = {{"Susan T. Marsden", "2 Test Street", std::nullopt, std::nullopt}};
    burials().add_grant_event(grant, e, caller());
    NewGrantEvent ext;
    ext.kind = "extension";
    ext.effective_on = "2020-01-01";
    ext.extend_years = 19; // to 2119-01-10: within 100 years of 2020-01-01
    burials().add_grant_event(grant, ext, caller());
    NewGrantEvent too_long = ext;
    too_long.extend_years = 2; // 2121-01-10 is past 2120-01-01
    EXPECT_THROW(burials().add_grant_event(grant, too_long, caller()), DomainError);

    const auto before = count("SELECT count(*) FROM audit_log WHERE record_kind = "
                              "'burial_grant' AND action = 'read'");
    const auto r = burials().grave(1, caller());
    ASSERT_EQ(r.grants.size(), 1U);
    EXPECT_EQ(r.grants[0].expires_on, "2119-01-10");
    EXPECT_TRUE(r.grants[0].active);
    ASSERT_EQ(r.grants[0].holders.size(), 2U);
    EXPECT_EQ(r.grants[0].holders[0].held_to, "2019-06-01");
    EXPECT_FALSE(r.grants[0].holders[1].held_to);
    ASSERT_EQ(r.grants[0].events.size(), 3U);
    EXPECT_EQ(r.grants[0].events[0].kind, "purchase");
    EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE record_kind = 'burial_grant' AND "
                    "action = 'read' AND actor_id = 7 AND record_id = '" +
                    std::to_string(grant) + "'"),
              before + 1);
    // A second grant while one is active is refused.
    g.deed_number = "CH/2021/8";
    g.granted_on = "2021-01-01";
    EXPECT_THROW(burials().add_grant(1, g, caller()), DomainError);
}

} // namespace
} // namespace wardmap::services
