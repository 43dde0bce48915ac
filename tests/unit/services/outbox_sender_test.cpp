// The notification sender: due messages become .eml files once; a folder it cannot write
// to is a failure retried later with backoff, never a lost message.

#include "geo/store/connection_pool.hpp"
#include "geo/store/migrations.hpp"
#include "server/services/shared/outbox_sender.hpp"
#include "tests/support/test_paths.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace wardmap::services {
namespace {

class OutboxSenderTest : public ::testing::Test {
  protected:
    void SetUp() override {
        db_path = tmp.path() / "outbox.sqlite";
        store::migrate(db_path);
        auto db = store::Database::open(db_path);
        db.exec("INSERT INTO service_categories (code, name, group_name) VALUES ('litter', "
                "'Litter', 'Street cleansing');"
                "INSERT INTO service_requests (id, category_code, status, description, "
                "created_at, updated_at, geom, geom_wgs84) VALUES (1, 'litter', 'fixed', 'x', "
                "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', MakePoint(358000, 417000, "
                "27700), MakePoint(-2.63, 53.65, 4326));"
                "INSERT INTO notification_outbox (request_id, recipient, subject, body, "
                "created_at, next_attempt_at) VALUES (1, 'a@example.org', 'Fixed', "
                "'Line one\nLine two', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),"
                "(1, 'evil@example.org\r\nBcc: x@example.org', 'Fixed', 'x', "
                "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');");
        pool = std::make_unique<store::ConnectionPool>(db_path, 1, store::OpenOptions{});
    }
    std::string column(const char* sql) {
        return store::Database::open(db_path).query_text(sql).value_or("(null)");
    }

    testing::TempDir tmp;
    std::filesystem::path db_path;
    std::unique_ptr<store::ConnectionPool> pool;
};

TEST_F(OutboxSenderTest, WritesEachDueMessageOnceAndRefusesHeaderInjection) {
    OutboxSender sender(*pool, tmp.path() / "mail", "Council <no-reply@example.org>");
    EXPECT_EQ(sender.send_due(), 1);
    std::ifstream in(tmp.path() / "mail" / "outbox-1.eml", std::ios::binary);
    const std::string eml((std::istreambuf_iterator<char>(in)), {});
    EXPECT_TRUE(eml.starts_with("From: Council <no-reply@example.org>\r\nTo: <a@example.org>\r\n"))
        << eml;
    EXPECT_NE(eml.find("\r\n\r\nLine one\r\nLine two"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(tmp.path() / "mail" / "outbox-2.eml"));
    EXPECT_NE(column("SELECT last_error FROM notification_outbox WHERE id = 2").find("line break"),
              std::string::npos);
    EXPECT_EQ(sender.send_due(), 0); // sent once; the bad one can never go: failed for good
    EXPECT_EQ(column("SELECT attempts FROM notification_outbox WHERE id = 2"), "1");
    EXPECT_NE(column("SELECT failed_at FROM notification_outbox WHERE id = 2"), "(null)");
}

TEST_F(OutboxSenderTest, BodiesAreClearedOnceSentOrGivenUpAndTheRecordStays) {
    // A body may hold a link's token: after delivery, or once it can never go, only the
    // record (recipient, subject, times) is kept.
    OutboxSender sender(*pool, tmp.path() / "mail", "Council <no-reply@example.org>");
    EXPECT_EQ(sender.send_due(), 1);
    EXPECT_EQ(column("SELECT body FROM notification_outbox WHERE id = 1"), "");
    EXPECT_EQ(column("SELECT recipient || '|' || subject || '|' || (sent_at IS NOT NULL) FROM "
                     "notification_outbox WHERE id = 1"),
              "a@example.org|Fixed|1");
    EXPECT_EQ(column("SELECT body FROM notification_outbox WHERE id = 2"), ""); // failed for good
}

TEST_F(OutboxSenderTest, TheLastFailedAttemptClearsTheBodyAndEarlierOnesKeepIt) {
    std::ofstream(tmp.path() / "not-a-folder") << "a file";
    store::Database::open(db_path).exec(
        "UPDATE notification_outbox SET attempts = 8 WHERE id = 1; DELETE FROM "
        "notification_outbox WHERE id = 2;");
    OutboxSender sender(*pool, tmp.path() / "not-a-folder", "x@example.org",
                        std::chrono::seconds(0));
    EXPECT_EQ(sender.send_due(), 0); // attempt 9 of 10: kept for the last try
    EXPECT_EQ(column("SELECT body FROM notification_outbox WHERE id = 1"), "Line one\nLine two");
    EXPECT_EQ(sender.send_due(), 0); // attempt 10: never to be sent
    EXPECT_EQ(column("SELECT attempts FROM notification_outbox WHERE id = 1"), "10");
    EXPECT_EQ(column("SELECT body FROM notification_outbox WHERE id = 1"), "");
}

TEST_F(OutboxSenderTest, TheFirstRetryWaitsTheRetryBase) {
    std::ofstream(tmp.path() / "not-a-folder") << "a file";
    OutboxSender sender(*pool, tmp.path() / "not-a-folder", "x@example.org",
                        std::chrono::seconds(3600));
    EXPECT_EQ(sender.send_due(), 0);
    const auto next = column("SELECT next_attempt_at FROM notification_outbox WHERE id = 1");
    const auto stamped = column("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+3590 seconds')");
    EXPECT_GT(next, stamped); // about an hour away, not 30 s
    EXPECT_EQ(column("SELECT failed_at FROM notification_outbox WHERE id = 1"), "(null)");
}

TEST(MailboxAddress, TakesTheAddressOutOfAMailbox) {
    EXPECT_EQ(mailbox_address("Chorley Council <no-reply@chorley.gov.uk>"),
              "no-reply@chorley.gov.uk");
    EXPECT_EQ(mailbox_address("no-reply@chorley.gov.uk"), "no-reply@chorley.gov.uk");
}

TEST(SmtpClientSettings, OnlySmtpUrlsAndBareSendersAreTaken) {
    EXPECT_THROW(SmtpClient({.url = "http://mail:25", .envelope_from = "a@example.org"}),
                 std::invalid_argument);
    EXPECT_THROW(SmtpClient({.url = "smtp://mail:25", .envelope_from = "A <a@example.org>"}),
                 std::invalid_argument);
    EXPECT_NO_THROW(SmtpClient({.url = "smtps://mail:465", .envelope_from = "a@example.org"}));
}

TEST_F(OutboxSenderTest, AFolderItCannotWriteIsRetriedLater) {
    std::ofstream(tmp.path() / "not-a-folder") << "a file";
    OutboxSender sender(*pool, tmp.path() / "not-a-folder", "x@example.org");
    EXPECT_EQ(sender.send_due(), 0);
    EXPECT_EQ(column("SELECT attempts FROM notification_outbox WHERE id = 1"), "1");
    EXPECT_EQ(column("SELECT sent_at FROM notification_outbox WHERE id = 1"), "(null)");
    EXPECT_GT(column("SELECT next_attempt_at FROM notification_outbox WHERE id = 1"),
              "2026-11-01T00:00:00Z");
    EXPECT_EQ(sender.send_due(), 0); // not due again yet
    EXPECT_EQ(column("SELECT attempts FROM notification_outbox WHERE id = 1"), "1");
}

} // namespace
} // namespace wardmap::services
