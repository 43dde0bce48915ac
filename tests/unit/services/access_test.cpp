// The permission table and allows() with scope, docs/permissions.md kept in step with the
// table, password rules and Argon2id hashing, sessions with an injected clock (idle and
// absolute expiry, revocation, disabled people), and CSRF tokens; over a real migrated store.

#include "core/tokens.hpp"

#include "geo/store/connection_pool.hpp"
#include "geo/store/migrations.hpp"
#include "server/services/access/access.hpp"
#include "server/services/access/accounts.hpp"
#include "server/services/access/sessions.hpp"
#include "server/services/access/sign_in.hpp"
#include "server/services/shared/errors.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

namespace wardmap::services {
namespace {

Principal person(std::vector<RoleGrant> grants) {
    Principal p;
    p.kind = Principal::Kind::person;
    p.id = 1;
    p.grants = std::move(grants);
    return p;
}

Scope in_ward(const std::string& code) {
    return Scope{code, std::nullopt};
}

Principal key(const std::string& role) {
    Principal p;
    p.kind = Principal::Kind::api_key;
    p.id = 1;
    p.key_role = role;
    return p;
}

TEST(Allows, AnonymousHoldsNothing) {
    for (const auto permission : all_permissions) {
        EXPECT_FALSE(allows(Principal{}, permission)) << permission_name(permission);
    }
}

TEST(Allows, CouncillorsReadOnlyTheirOwnWards) {
    const auto cllr = person({{Role::councillor, {"E05000001", "E05000002"}, {}}});
    EXPECT_TRUE(allows(cllr, Permission::ward_read, in_ward("E05000001")));
    EXPECT_TRUE(allows(cllr, Permission::ward_read, in_ward("E05000002")));
    EXPECT_FALSE(allows(cllr, Permission::ward_read, in_ward("E05000003")));
    EXPECT_TRUE(allows(cllr, Permission::ward_read)); // a list of their own wards
    EXPECT_FALSE(allows(cllr, Permission::request_contact_read));
    EXPECT_FALSE(allows(cllr, Permission::request_update));
    // Their own actions on requests (follow, notes, raise): the route checks the ward.
    EXPECT_TRUE(allows(cllr, Permission::councillor_act));
    EXPECT_FALSE(allows(cllr, Permission::councillor_act, in_ward("E05000003")));
    EXPECT_FALSE(allows(person({{Role::officer, {}, {Team::customer_services}}}),
                        Permission::councillor_act));
    EXPECT_FALSE(an_api_key_may_hold(Permission::councillor_act));
}

TEST(Allows, StaffByTeamAndAdminsEverywhere) {
    const auto cs = person({{Role::officer, {}, {Team::customer_services}}});
    const auto street = person({{Role::supervisor, {}, {Team::streetscene}}});
    const auto admin = person({{Role::admin, {}, {}}});
    EXPECT_TRUE(allows(cs, Permission::request_contact_read));
    EXPECT_TRUE(allows(cs, Permission::request_update));
    EXPECT_TRUE(allows(cs, Permission::ward_read, in_ward("E05000009")));
    EXPECT_FALSE(allows(cs, Permission::accounts_manage));
    EXPECT_FALSE(allows(street, Permission::request_contact_read));
    EXPECT_TRUE(allows(street, Permission::ward_read, in_ward("E05000009")));
    // A team-scoped check passes only that team's staff.
    EXPECT_TRUE(allows(street, Permission::ward_read, Scope{std::nullopt, Team::streetscene}));
    EXPECT_FALSE(allows(street, Permission::ward_read, Scope{std::nullopt, Team::bereavement}));
    EXPECT_FALSE(allows(cs, Permission::request_update, Scope{std::nullopt, Team::streetscene}));
    // Admins hold everything but creating reports (keys do), reading empty properties'
    // owners (the housing team alone, docs/housing.md) and a councillor's own actions.
    for (const auto permission : all_permissions) {
        EXPECT_EQ(allows(admin, permission, Scope{"E05000009", Team::housing}),
                  permission != Permission::request_create &&
                      permission != Permission::housing_owner_read &&
                      permission != Permission::councillor_act)
            << permission_name(permission);
    }
    const auto housing = person({{Role::officer, {}, {Team::housing}}});
    EXPECT_TRUE(allows(housing, Permission::housing_owner_read));
    EXPECT_TRUE(allows(housing, Permission::housing_manage));
    EXPECT_TRUE(allows(housing, Permission::ward_read, in_ward("E05000009")));
    EXPECT_FALSE(allows(housing, Permission::request_contact_read));
    for (const auto permission :
         {Permission::housing_read, Permission::housing_manage, Permission::housing_owner_read}) {
        EXPECT_FALSE(allows(street, permission)) << permission_name(permission);
        EXPECT_FALSE(allows(cs, permission)) << permission_name(permission);
    }
}

TEST(Allows, StreetsceneOfficersWorkInCrewsAndSupervisorsAssign) {
    const auto officer = person({{Role::officer, {}, {Team::streetscene}}});
    const auto supervisor = person({{Role::supervisor, {}, {Team::streetscene}}});
    const auto cs_supervisor = person({{Role::supervisor, {}, {Team::customer_services}}});
    const auto planning = person({{Role::officer, {}, {Team::planning}}});
    EXPECT_TRUE(allows(officer, Permission::crew_work));
    EXPECT_TRUE(allows(officer, Permission::photo_upload));
    EXPECT_FALSE(allows(officer, Permission::crew_supervise));
    EXPECT_TRUE(allows(supervisor, Permission::crew_work));
    EXPECT_TRUE(allows(supervisor, Permission::crew_supervise));
    // Another team's supervisor supervises nothing of streetscene's.
    EXPECT_FALSE(allows(cs_supervisor, Permission::crew_supervise));
    EXPECT_FALSE(allows(cs_supervisor, Permission::crew_work));
    EXPECT_FALSE(allows(planning, Permission::crew_work));
    EXPECT_FALSE(allows(planning, Permission::photo_upload));
    EXPECT_TRUE(allows(key("staff"), Permission::crew_work));
    EXPECT_FALSE(allows(key("staff"), Permission::crew_supervise));
    EXPECT_FALSE(allows(key("client"), Permission::crew_work));
    EXPECT_TRUE(allows(key("client"), Permission::photo_upload));
}

// Rounds are planned by streetscene supervisors (and admins): not by officers, nor by another
// team's supervisors, nor by any key.
TEST(Allows, RoundsByStreetsceneSupervisors) {
    const auto supervisor = person({{Role::supervisor, {}, {Team::streetscene}}});
    EXPECT_TRUE(allows(supervisor, Permission::rounds_manage));
    EXPECT_TRUE(
        allows(supervisor, Permission::rounds_manage, Scope{std::nullopt, Team::streetscene}));
    EXPECT_FALSE(allows(supervisor, Permission::rounds_manage, Scope{std::nullopt, Team::housing}));
    EXPECT_FALSE(allows(supervisor, Permission::request_update));
    EXPECT_FALSE(
        allows(person({{Role::officer, {}, {Team::streetscene}}}), Permission::rounds_manage));
    EXPECT_FALSE(allows(person({{Role::supervisor, {}, {Team::customer_services}}}),
                        Permission::rounds_manage));
    EXPECT_FALSE(
        allows(person({{Role::supervisor, {}, {Team::bereavement}}}), Permission::rounds_manage));
    EXPECT_FALSE(an_api_key_may_hold(Permission::rounds_manage));
}

// A funeral director is an outside account of a firm: bookings of burials, nothing else.
TEST(Allows, FuneralDirectorsBookAndNothingElse) {
    const auto fd = person({{Role::funeral_director, {}, {}, "A Firm Ltd"}});
    for (const auto permission : all_permissions) {
        EXPECT_EQ(allows(fd, permission), permission == Permission::burial_book)
            << permission_name(permission);
    }
    // Without a firm (a row the CHECK constraint forbids) the role grants nothing.
    EXPECT_FALSE(
        allows(person({{Role::funeral_director, {}, {}, std::nullopt}}), Permission::burial_book));
    const auto bereavement = person({{Role::officer, {}, {Team::bereavement}}});
    EXPECT_TRUE(
        allows(bereavement, Permission::burial_book, Scope{std::nullopt, Team::bereavement}));
    EXPECT_FALSE(allows(person({{Role::officer, {}, {Team::housing}}}), Permission::burial_book));
    EXPECT_FALSE(an_api_key_may_hold(Permission::burial_book));
    EXPECT_EQ(make_grant("funeral_director", {}, {}, "A Firm Ltd").firm, "A Firm Ltd");
    EXPECT_THROW(make_grant("funeral_director", {}, {}), DomainError);
    EXPECT_THROW(make_grant("funeral_director", {}, {"bereavement"}, "A Firm Ltd"), DomainError);
    EXPECT_THROW(make_grant("officer", {}, {"bereavement"}, "A Firm Ltd"), DomainError);
}

TEST(Allows, ApiKeysByRole) {
    EXPECT_TRUE(allows(key("client"), Permission::request_create));
    EXPECT_FALSE(allows(key("client"), Permission::request_update));
    EXPECT_TRUE(allows(key("staff"), Permission::request_update));
    EXPECT_TRUE(allows(key("staff"), Permission::catalogue_manage));
    EXPECT_FALSE(allows(key("staff"), Permission::request_contact_read));
    EXPECT_FALSE(allows(key("other"), Permission::request_create));
}

TEST(AccessNames, RoundTrip) {
    for (const auto permission : all_permissions) {
        EXPECT_EQ(parse_permission(permission_name(permission)), permission);
    }
    for (const auto role :
         {Role::councillor, Role::officer, Role::supervisor, Role::admin, Role::funeral_director}) {
        EXPECT_EQ(parse_role(role_name(role)), role);
    }
    EXPECT_EQ(parse_team("customer_services"), Team::customer_services);
    EXPECT_FALSE(parse_team("Customer Services"));
}

std::vector<std::string> cells(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream in(line);
    std::string cell;
    std::getline(in, cell, '|'); // before the first bar
    while (std::getline(in, cell, '|')) {
        const auto first = cell.find_first_not_of(' ');
        const auto last = cell.find_last_not_of(' ');
        out.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    }
    if (!out.empty() && out.back().empty()) {
        out.pop_back();
    }
    return out;
}

TEST(PermissionsDoc, MatchesTheTable) {
    std::ifstream doc(testing::source_dir() / "docs" / "permissions.md");
    ASSERT_TRUE(doc);
    std::string line;
    std::vector<std::string> header;
    std::map<std::string, std::vector<std::string>> rows;
    while (std::getline(doc, line)) {
        if (!line.starts_with("|")) {
            continue;
        }
        auto row = cells(line);
        if (row.empty() || row[0].starts_with("---")) {
            continue;
        }
        if (row[0] == "permission") {
            header = row;
        } else if (row[0].size() > 2 && row[0].front() == '`') {
            rows[row[0].substr(1, row[0].size() - 2)] = row;
        }
    }
    ASSERT_EQ(header.size(), all_grantees.size() + 1);
    for (std::size_t g = 0; g < all_grantees.size(); ++g) {
        EXPECT_EQ(header[g + 1], grantee_name(all_grantees[g]));
    }
    EXPECT_EQ(rows.size(), all_permissions.size());
    for (const auto permission : all_permissions) {
        const auto it = rows.find(std::string(permission_name(permission)));
        ASSERT_NE(it, rows.end()) << permission_name(permission) << " has no row";
        ASSERT_EQ(it->second.size(), header.size());
        for (std::size_t g = 0; g < all_grantees.size(); ++g) {
            const auto& cell = it->second[g + 1];
            EXPECT_TRUE(cell == "yes" || cell == "no" || cell == "own wards") << cell;
            EXPECT_EQ(cell != "no", grantee_holds(all_grantees[g], permission))
                << permission_name(permission) << " for " << grantee_name(all_grantees[g]);
        }
    }
}

TEST(Passwords, StrengthRulesSayWhich) {
    const auto reason = [](const std::string& password) -> std::string {
        try {
            passwords::check_strength(password, "jo.bloggs@example.org", "Jo Bloggs");
            return "";
        } catch (const DomainError& e) {
            EXPECT_EQ(e.code(), ErrorCode::invalid_parameter);
            EXPECT_EQ(e.problems().at(0).name, "password");
            return e.problems().at(0).message;
        }
    };
    EXPECT_EQ(reason("correct-Horse-battery"), "");
    EXPECT_EQ(reason("Sh0rt-pass"), "must be at least 12 characters");
    EXPECT_NE(reason("alllowercaseletters").find("two kinds"), std::string::npos);
    EXPECT_NE(reason("JO.BLOGGS@example.org").find("email"), std::string::npos);
    EXPECT_NE(reason("jobloggs").find("12"), std::string::npos);
    EXPECT_NE(reason("Password1234").find("common"), std::string::npos);
    EXPECT_EQ(reason("ünïcödé-pässwörd"), ""); // characters, not bytes, count
    EXPECT_NE(reason(std::string(2000, 'a') + "1").find("1024"), std::string::npos);
}

TEST(Passwords, Argon2idHashesVerifyAndDiffer) {
    const auto a = passwords::hash("correct-Horse-battery");
    const auto b = passwords::hash("correct-Horse-battery");
    EXPECT_TRUE(a.starts_with("$argon2id$"));
    EXPECT_NE(a, b); // salted
    EXPECT_TRUE(passwords::verify(a, "correct-Horse-battery"));
    EXPECT_FALSE(passwords::verify(a, "correct-horse-battery"));
    EXPECT_FALSE(passwords::verify("not a hash", "correct-Horse-battery"));
    EXPECT_FALSE(passwords::verify(passwords::dummy_hash(), ""));
}

class AccountsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        path = tmp.path() / "accounts.sqlite";
        store::migrate(path);
        pool = std::make_unique<store::ConnectionPool>(
            path, 2, store::OpenOptions{.mode = store::OpenMode::read_write});
        auto db = pool->acquire();
        db->exec("INSERT INTO boundary_sets (id, label, valid_from) VALUES (1, 'test', "
                 "'2020-01-01')");
        db->exec("INSERT INTO wards (boundary_set_id, code, name, geom, geom_wgs84) VALUES (1, "
                 "'E05000001', 'North', GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)))', "
                 "27700), GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)))', 4326))");
        accounts = std::make_unique<AccountService>(*pool);
    }
    core::UnixSeconds now = 1'800'000'000;
    testing::TempDir tmp;
    std::filesystem::path path;
    std::unique_ptr<store::ConnectionPool> pool;
    std::unique_ptr<AccountService> accounts;
};

TEST_F(AccountsTest, AFuneralDirectorKeepsTheirFirm) {
    const auto p = accounts->add("fd@example.org", "F Director",
                                 make_grant("funeral_director", {}, {}, "Ashworth & Sons"));
    const auto back = accounts->find(p.id);
    ASSERT_TRUE(back);
    ASSERT_EQ(back->grants.size(), 1U);
    EXPECT_EQ(back->grants[0].role, Role::funeral_director);
    EXPECT_EQ(back->grants[0].firm, "Ashworth & Sons");
    EXPECT_TRUE(allows(person(back->grants), Permission::burial_book));
    EXPECT_FALSE(allows(person(back->grants), Permission::burial_read));
}

TEST_F(AccountsTest, AddChecksEmailWardsAndDuplicates) {
    const auto p = accounts->add("Cllr@Example.org", "A Councillor",
                                 make_grant("councillor", {"E05000001"}, {}),
                                 std::string("correct-Horse-battery"));
    EXPECT_TRUE(p.has_password);
    ASSERT_EQ(p.grants.size(), 1U);
    EXPECT_EQ(p.grants[0].wards, std::vector<std::string>{"E05000001"});
    EXPECT_THROW(accounts->add("cllr@example.ORG", "Twin", make_grant("admin", {}, {})),
                 DomainError);
    EXPECT_THROW(
        accounts->add("other@example.org", "X", make_grant("councillor", {"E05999999"}, {})),
        DomainError);
    EXPECT_THROW(accounts->add("not-an-email", "X", make_grant("admin", {}, {})), DomainError);
    EXPECT_THROW(make_grant("officer", {}, {}), DomainError);
    EXPECT_THROW(make_grant("councillor", {}, {}), DomainError);
    EXPECT_THROW(make_grant("admin", {}, {"housing"}), DomainError);
    EXPECT_THROW(make_grant("wizard", {}, {}), DomainError);
    EXPECT_TRUE(accounts->verify_password("cllr@example.org", "correct-Horse-battery"));
    EXPECT_FALSE(accounts->verify_password("cllr@example.org", "wrong-Horse-battery"));
    EXPECT_FALSE(accounts->verify_password("nobody@example.org", "correct-Horse-battery"));
    accounts->set_role("cllr@example.org", make_grant("officer", {}, {"housing", "planning"}));
    EXPECT_EQ(accounts->find(p.id)->grants.at(0).teams.size(), 2U);
    accounts->disable("cllr@example.org");
    EXPECT_FALSE(accounts->verify_password("cllr@example.org", "correct-Horse-battery"));
}

TEST_F(AccountsTest, SessionsExpireWhenIdleAndAtTheLatest) {
    const auto p = accounts->add("officer@example.org", "An Officer",
                                 make_grant("officer", {}, {"customer_services"}));
    SessionService sessions(*pool,
                            {.idle = std::chrono::hours(1), .absolute = std::chrono::hours(3)},
                            [this] { return now; });
    const auto s = sessions.create(p.id, SignInMethod::password, "192.0.2.1");
    EXPECT_GE(s.token.size(), 43U);
    {
        auto db = pool->acquire();
        EXPECT_EQ(db->query_int("SELECT count(*) FROM sessions WHERE token_sha256 = '" +
                                core::sha256_hex(s.token) + "'"),
                  1);
        EXPECT_EQ(db->query_int("SELECT count(*) FROM sessions WHERE token_sha256 = '" + s.token +
                                "' OR id = '" + s.token + "'"),
                  0);
    }
    auto resolved = sessions.resolve(s.token);
    ASSERT_TRUE(resolved);
    EXPECT_EQ(resolved->principal.id, p.id);
    EXPECT_TRUE(resolved->principal.via_cookie);
    EXPECT_EQ(resolved->principal.session_id, s.id);
    EXPECT_EQ(resolved->csrf_token, s.csrf_token);
    EXPECT_TRUE(allows(resolved->principal, Permission::request_contact_read));
    // Active every 50 minutes: the idle expiry slides...
    for (int i = 0; i < 3; ++i) {
        now += 50 * 60;
        EXPECT_TRUE(sessions.resolve(s.token)) << i;
    }
    // ...but never past the absolute expiry (3 h after sign-in).
    now += 40 * 60;
    EXPECT_FALSE(sessions.resolve(s.token));
    // Idle for over an hour ends a fresh one.
    const auto t = sessions.create(p.id, SignInMethod::password, "192.0.2.1");
    now += 61 * 60;
    EXPECT_FALSE(sessions.resolve(t.token));
    EXPECT_FALSE(sessions.resolve(t.token + "x"));
    EXPECT_FALSE(sessions.resolve(""));
}

TEST_F(AccountsTest, RevocationAndDisablingEndSessions) {
    const auto p = accounts->add("admin@example.org", "An Admin", make_grant("admin", {}, {}));
    SessionService sessions(*pool, {}, [this] { return now; });
    const auto a = sessions.create(p.id, SignInMethod::password, "192.0.2.1");
    const auto b = sessions.create(p.id, SignInMethod::oidc, "192.0.2.1");
    const auto c = sessions.create(p.id, SignInMethod::link, "192.0.2.1");
    EXPECT_TRUE(sessions.revoke(a.id));
    EXPECT_FALSE(sessions.revoke(a.id));
    EXPECT_FALSE(sessions.resolve(a.token));
    EXPECT_TRUE(sessions.resolve(b.token));
    EXPECT_EQ(sessions.revoke_all_for(p.id), 2);
    EXPECT_FALSE(sessions.resolve(b.token));
    const auto d = sessions.create(p.id, SignInMethod::password, "192.0.2.1");
    accounts->disable("admin@example.org");
    EXPECT_FALSE(sessions.resolve(d.token));
    EXPECT_FALSE(sessions.resolve(c.token));
}

TEST(Csrf, DerivedFromTheSessionAndComparedWhole) {
    const auto a = SessionService::csrf_token_for("token-a");
    EXPECT_EQ(a, SessionService::csrf_token_for("token-a"));
    EXPECT_NE(a, SessionService::csrf_token_for("token-b"));
    EXPECT_EQ(a.size(), 64U);
    EXPECT_TRUE(SessionService::csrf_matches(a, a));
    EXPECT_FALSE(SessionService::csrf_matches(a, a.substr(0, 63)));
    EXPECT_FALSE(SessionService::csrf_matches(a, ""));
    EXPECT_FALSE(SessionService::csrf_matches("", ""));
}

TEST_F(AccountsTest, SignInThrottlesAndAnswersAlikeForEveryFailure) {
    accounts->add("cs@example.org", "Casey", make_grant("officer", {}, {"customer_services"}),
                  std::string("correct-Horse-battery"));
    accounts->add("gone@example.org", "Gone", make_grant("admin", {}, {}),
                  std::string("correct-Horse-battery"));
    accounts->disable("gone@example.org");
    SessionService sessions(*pool);
    PasswordSignIn sign_in(*accounts, sessions, {.per_account = {3, 60}, .per_address = {100, 60}});
    const auto detail = [&](const std::string& email, const std::string& password) {
        try {
            sign_in.sign_in(email, password, "192.0.2.7");
            return std::string("signed in");
        } catch (const DomainError& e) {
            return std::to_string(error_info(e.code()).http_status) + " " + e.detail();
        }
    };
    const auto wrong = detail("cs@example.org", "wrong-Horse-battery");
    EXPECT_TRUE(wrong.starts_with("401 "));
    EXPECT_EQ(detail("nobody@example.org", "correct-Horse-battery"), wrong);
    EXPECT_EQ(detail("gone@example.org", "correct-Horse-battery"), wrong);
    EXPECT_EQ(detail("cs@example.org", "correct-Horse-battery"), "signed in");
    // The third attempt as that account (any case), then the limit.
    EXPECT_EQ(detail("CS@example.org", "correct-Horse-battery"), "signed in");
    EXPECT_EQ(detail("cs@example.org", "correct-Horse-battery").substr(0, 4), "429 ");
}

} // namespace
} // namespace wardmap::services
