// The audit trail of personal data on a real SpatiaLite file: one row per read, written in the
// read's own transaction (or no read), append-only, listed with filters.
#include "core/w3c_time.hpp"

#include "server/services/access/audit.hpp"
#include "tests/support/served_routes.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace wardmap::services {
namespace {

Principal officer() {
    Principal p;
    p.kind = Principal::Kind::person;
    p.id = 7;
    p.name = "Olive Officer";
    p.grants.push_back({Role::officer, {}, {Team::customer_services}});
    return p;
}

class Audit : public ::testing::Test {
  protected:
    Audit() : routes(tmp.path()) {}

    std::int64_t add_request(bool with_contact) {
        auto db = routes.pool().acquire();
        db->exec("INSERT OR IGNORE INTO service_categories (code, name, group_name) "
                 "VALUES ('litter', 'Litter', 'Street cleaning')");
        db->exec("INSERT INTO service_requests (category_code, status, description, created_at, "
                 "updated_at, geom, geom_wgs84) VALUES ('litter', 'open', 'Cans', "
                 "'2026-11-01T09:00:00Z', '2026-11-01T09:00:00Z', MakePoint(358000, 418000, "
                 "27700), MakePoint(-2.6, 53.65, 4326))");
        const auto id = db->last_insert_rowid();
        if (with_contact) {
            auto st = db->prepare("INSERT INTO service_request_contacts (request_id, first_name, "
                                  "last_name, email, phone) VALUES (?1, 'Pat', 'Reporter', "
                                  "'pat@example.org', '01257 000000')");
            st.bind(1, id).run();
        }
        return id;
    }

    std::vector<AuditEntry> entries(const AuditQuery& query = {}) {
        std::vector<AuditEntry> out;
        routes.services().audit.list(query, [&out](const AuditEntry& e) { out.push_back(e); });
        return out;
    }

    std::int64_t audit_rows() {
        auto db = routes.pool().acquire();
        return db->query_int("SELECT count(*) FROM audit_log").value_or(-1);
    }

    testing::TempDir tmp;
    testing::ServedRoutes routes;
    const std::string route = "/api/requests/:id/contact";
};

TEST_F(Audit, AContactReadMakesExactlyOneRow) {
    const auto id = add_request(true);
    const auto before = core::now_seconds();
    const auto contact = routes.services().requests.contact(id, officer(), route, "203.0.113.9");
    EXPECT_EQ(contact.first_name, "Pat");
    EXPECT_EQ(contact.last_name, "Reporter");
    EXPECT_EQ(contact.email, "pat@example.org");
    EXPECT_EQ(contact.phone, "01257 000000");
    const auto rows = entries();
    ASSERT_EQ(rows.size(), 1U);
    const auto& row = rows.front();
    EXPECT_EQ(row.actor_kind, "person");
    EXPECT_EQ(row.actor_id, 7);
    EXPECT_EQ(row.actor_name, "Olive Officer");
    EXPECT_EQ(row.action, "read");
    EXPECT_EQ(row.record_kind, "request_contact");
    EXPECT_EQ(row.record_id, std::to_string(id));
    EXPECT_EQ(row.route, route);
    EXPECT_EQ(row.client_address, "203.0.113.9");
    const auto at = core::parse_w3c_datetime(row.at);
    ASSERT_TRUE(at) << row.at;
    EXPECT_GE(*at, before);
    EXPECT_LE(*at, core::now_seconds());
}

TEST_F(Audit, ARequestWithoutContactIsStillAuditedAndAnUnknownOneIsNot) {
    const auto id = add_request(false);
    const auto contact = routes.services().requests.contact(id, officer(), route, "::1");
    EXPECT_FALSE(contact.email);
    EXPECT_EQ(audit_rows(), 1);
    try {
        (void)routes.services().requests.contact(id + 100, officer(), route, "::1");
        FAIL() << "expected not_found";
    } catch (const DomainError& e) {
        EXPECT_EQ(e.code(), ErrorCode::not_found);
    }
    EXPECT_EQ(audit_rows(), 1);
}

TEST_F(Audit, TheLogIsAppendOnly) {
    const auto id = add_request(true);
    (void)routes.services().requests.contact(id, officer(), route, "::1");
    auto db = routes.pool().acquire();
    EXPECT_THROW(db->exec("UPDATE audit_log SET actor_name = 'someone else'"), store::StoreError);
    EXPECT_THROW(db->exec("DELETE FROM audit_log"), store::StoreError);
    EXPECT_EQ(db->query_text("SELECT actor_name FROM audit_log"), "Olive Officer");
}

TEST_F(Audit, AReadThatCannotBeRecordedDoesNotHappen) {
    const auto id = add_request(true);
    {
        auto db = routes.pool().acquire();
        db->exec("CREATE TRIGGER audit_log_refuse BEFORE INSERT ON audit_log BEGIN "
                 "SELECT RAISE(ABORT, 'audit refused'); END");
    }
    EXPECT_THROW((void)routes.services().requests.contact(id, officer(), route, "::1"),
                 store::StoreError);
    EXPECT_EQ(audit_rows(), 0);
}

TEST_F(Audit, AnAnonymousReadIsRefused) {
    const auto id = add_request(true);
    EXPECT_THROW((void)routes.services().requests.contact(id, Principal{}, route, "::1"),
                 DomainError);
    EXPECT_EQ(audit_rows(), 0);
}

TEST_F(Audit, FiltersSelectRows) {
    auto db = routes.pool().acquire();
    Principal key;
    key.kind = Principal::Kind::api_key;
    key.id = 3;
    key.name = "crm";
    AuditLog::record(*db, officer(), AuditAction::read, "request_contact", "1", route, "a");
    AuditLog::record(*db, officer(), AuditAction::read, "request_contact", "2", route, "a");
    AuditLog::record(*db, key, AuditAction::change, "grave_owner", "1", "/x", "b");
    const auto count = [this](const std::function<void(AuditQuery&)>& set) {
        AuditQuery query;
        set(query);
        return entries(query).size();
    };
    EXPECT_EQ(entries().size(), 3U);
    EXPECT_EQ(entries().front().record_kind, "grave_owner"); // newest first
    EXPECT_EQ(count([](auto& q) { q.person = 7; }), 2U);
    EXPECT_EQ(count([](auto& q) { q.person = 3; }), 0U); // an API key is not a person
    EXPECT_EQ(count([](auto& q) { q.record_kind = "request_contact"; }), 2U);
    EXPECT_EQ(count([](auto& q) {
                  q.record_kind = "request_contact";
                  q.record_id = "2";
              }),
              1U);
    EXPECT_EQ(count([](auto& q) { q.record_id = "1"; }), 2U);
    const auto now = core::now_seconds();
    EXPECT_EQ(count([now](auto& q) { q.from = now - 60; }), 3U);
    EXPECT_EQ(count([now](auto& q) { q.from = now + 60; }), 0U);
    EXPECT_EQ(count([now](auto& q) { q.to = now - 60; }), 0U);
    EXPECT_EQ(count([](auto& q) { q.limit = 2; }), 2U);
    EXPECT_THROW(count([](auto& q) { q.limit = 0; }), DomainError);
    EXPECT_THROW(count([](auto& q) { q.limit = AuditQuery::max_limit + 1; }), DomainError);
}

} // namespace
} // namespace wardmap::services
