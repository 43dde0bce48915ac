#include "server/services/shared/outbox_sender.hpp"

#include "core/w3c_time.hpp"
#include "core/working_days.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>
#include <vector>

namespace wardmap::services {

namespace {

struct Message {
    std::int64_t id = 0;
    std::string recipient;
    std::string subject;
    std::string body;
    int attempts = 0;
};

/// RFC 5322 date: "Sat, 21 Nov 2026 09:30:00 +0000".
std::string mail_date(core::UnixSeconds t) {
    static constexpr const char* days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const core::UnixSeconds day = t / 86400;
    const core::Date d = core::date_from_days(static_cast<long>(day));
    const auto s = static_cast<int>(t - day * 86400);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[core::weekday(d)],
                  d.day, months[d.month - 1], d.year, s / 3600, s / 60 % 60, s % 60);
    return buf;
}

/// A header value must not carry a line break (header injection).
void check_header(const std::string& value, const char* name) {
    if (value.find_first_of("\r\n") != std::string::npos) {
        throw std::invalid_argument(std::string(name) + " holds a line break");
    }
}

/// Message-IDs must be unique across every installation and database reset, so they are
/// random rather than the outbox row's id.
std::string message_id_left() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%016llx.%016llx", static_cast<unsigned long long>(rng()),
                  static_cast<unsigned long long>(rng()));
    return buf;
}

std::string sender_domain(const std::string& from) {
    const std::string address = mailbox_address(from);
    const auto at = address.rfind('@');
    const std::string domain = at == std::string::npos ? "" : address.substr(at + 1);
    return domain.empty() || domain.find_first_of(" <>\r\n") != std::string::npos ? "wardmap"
                                                                                  : domain;
}

std::string as_eml(const Message& m, const std::string& from) {
    check_header(m.recipient, "recipient");
    check_header(m.subject, "subject");
    std::string out = "From: " + from + "\r\nTo: <" + m.recipient + ">\r\nSubject: " + m.subject +
                      "\r\nDate: " + mail_date(core::now_seconds()) + "\r\nMessage-ID: <" +
                      message_id_left() + "@" + sender_domain(from) +
                      ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; "
                      "charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
    for (const char c : m.body) {
        if (c == '\n') {
            out += "\r\n";
        } else if (c != '\r') {
            out += c;
        }
    }
    return out;
}

} // namespace

void queue_message(store::Database& db,
                   std::string_view recipient,
                   std::string_view subject,
                   std::string_view body,
                   core::UnixSeconds now) {
    auto st = db.prepare_cached("INSERT INTO notification_outbox (request_id, recipient, subject, "
                                "body, created_at, next_attempt_at) VALUES (NULL, ?1, ?2, ?3, ?4, "
                                "?4)");
    st.bind(1, recipient).bind(2, subject).bind(3, body).bind(4, core::format_utc(now)).run();
}

OutboxSender::OutboxSender(store::ConnectionPool& pool,
                           std::filesystem::path dir,
                           std::string from,
                           std::chrono::seconds retry_base)
    : m_pool(pool), m_dir(std::move(dir)), m_from(std::move(from)), m_retry_base(retry_base) {}

OutboxSender::OutboxSender(store::ConnectionPool& pool,
                           SmtpSettings smtp,
                           std::string from,
                           std::chrono::seconds retry_base)
    : m_pool(pool), m_smtp(std::make_unique<SmtpClient>(std::move(smtp))), m_from(std::move(from)),
      m_retry_base(retry_base) {}

OutboxSender::~OutboxSender() {
    if (m_thread.joinable()) {
        m_thread.request_stop();
        m_wake.notify_all();
        m_thread.join();
    }
}

OutboxSender::Outcome
OutboxSender::deliver(std::int64_t id, const std::string& recipient, const std::string& eml) const {
    if (m_smtp) {
        const SmtpResult r = m_smtp->send(recipient, eml);
        return Outcome{r.delivered, r.permanent, r.error};
    }
    try {
        std::filesystem::create_directories(m_dir);
        const auto final_path = m_dir / ("outbox-" + std::to_string(id) + ".eml");
        const auto tmp_path = m_dir / (".outbox-" + std::to_string(id) + ".tmp");
        {
            std::ofstream out(tmp_path, std::ios::binary | std::ios::trunc);
            out << eml;
            out.flush();
            if (!out) {
                throw std::runtime_error("cannot write " + tmp_path.string());
            }
        }
        std::filesystem::rename(tmp_path, final_path);
    } catch (const std::exception& e) {
        return Outcome{false, false, e.what()};
    }
    return Outcome{true, false, ""};
}

int OutboxSender::send_due(int batch) const {
    const core::UnixSeconds now = core::now_seconds();
    std::vector<Message> due;
    {
        auto db = m_pool.acquire();
        auto st = db->prepare("SELECT id, recipient, subject, body, attempts FROM "
                              "notification_outbox WHERE sent_at IS NULL AND failed_at IS NULL "
                              "AND attempts < ?1 AND next_attempt_at <= ?2 "
                              "ORDER BY next_attempt_at, id LIMIT ?3");
        st.bind(1, max_attempts).bind(2, core::format_utc(now)).bind(3, batch);
        while (st.step()) {
            due.push_back(Message{st.int64(0), std::string(st.text(1)), std::string(st.text(2)),
                                  std::string(st.text(3)), static_cast<int>(st.int64(4))});
        }
    }
    int sent = 0;
    for (const auto& m : due) {
        Outcome outcome;
        try {
            outcome = deliver(m.id, m.recipient, as_eml(m, m_from));
        } catch (const std::invalid_argument& e) {
            outcome = Outcome{false, true, e.what()}; // a bad header never gets better
        } catch (const std::exception& e) {
            outcome = Outcome{false, false, e.what()};
        }
        auto db = m_pool.acquire();
        const int attempts = m.attempts + 1;
        if (outcome.delivered) {
            // The body may carry a link's token (sign-in, my reports, a confirmation): once
            // sent, only the row's record stays (who, what subject, when), so a reader of the
            // database finds no link to use.
            auto done = db->prepare("UPDATE notification_outbox SET sent_at = ?2, attempts = "
                                    "?3, last_error = NULL, body = '' WHERE id = ?1");
            done.bind(1, m.id)
                .bind(2, core::format_utc(core::now_seconds()))
                .bind(3, attempts)
                .run();
            ++sent;
        } else if (outcome.permanent) {
            auto failed = db->prepare("UPDATE notification_outbox SET attempts = ?2, failed_at = "
                                      "?3, last_error = ?4, body = '' WHERE id = ?1");
            failed.bind(1, m.id).bind(2, attempts).bind(3, core::format_utc(core::now_seconds()));
            failed.bind(4, outcome.error).run();
            spdlog::warn("notification {} refused for good, not retried: {}", m.id, outcome.error);
        } else {
            const core::UnixSeconds base = m_retry_base.count();
            const core::UnixSeconds backoff =
                std::min<core::UnixSeconds>(base << std::min(attempts - 1, 12), 21600);
            // The last attempt spent: the message will never go, so its body goes too.
            auto retry = db->prepare("UPDATE notification_outbox SET attempts = ?2, "
                                     "next_attempt_at = ?3, last_error = ?4, body = CASE WHEN ?2 "
                                     ">= ?5 THEN '' ELSE body END WHERE id = ?1");
            retry.bind(1, m.id)
                .bind(2, attempts)
                .bind(3, core::format_utc(core::now_seconds() + backoff));
            retry.bind(4, outcome.error).bind(5, max_attempts).run();
            spdlog::warn("notification {} not delivered (attempt {}, retry in {} s): {}", m.id,
                         attempts, backoff, outcome.error);
        }
    }
    return sent;
}

void OutboxSender::start(std::chrono::milliseconds interval) {
    m_thread = std::jthread([this, interval](std::stop_token stop) {
        while (!stop.stop_requested()) {
            try {
                send_due();
            } catch (const std::exception& e) {
                spdlog::warn("notification sender: {}", e.what());
            }
            std::unique_lock lock(m_mutex);
            m_wake.wait_for(lock, stop, interval, [] { return false; });
        }
    });
}

} // namespace wardmap::services
