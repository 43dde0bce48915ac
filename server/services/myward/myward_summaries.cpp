#include "server/services/myward/myward_summaries.hpp"

#include "core/w3c_time.hpp"

#include "server/services/shared/errors.hpp"
#include "server/services/shared/outbox_sender.hpp"

#include <algorithm>
#include <vector>

namespace wardmap::services {

MyWardSummaries::MyWardSummaries(store::ConnectionPool& pool,
                                 const MyWardReport& report,
                                 std::string council)
    : m_pool(pool), m_report(report), m_council(std::move(council)) {}

void MyWardSummaries::set_monthly(const Principal& who, bool monthly) const {
    const bool councillor =
        who.signed_in() && std::any_of(who.grants.begin(), who.grants.end(),
                                       [](const auto& g) { return g.role == Role::councillor; });
    if (!councillor) {
        throw DomainError(ErrorCode::forbidden,
                          "only a councillor receives the monthly ward summary");
    }
    auto db = m_pool.acquire();
    auto st = db->prepare("INSERT INTO myward_summary_subscriptions (person_id, monthly, "
                          "updated_at) VALUES (?1, ?2, ?3) ON CONFLICT (person_id) DO UPDATE "
                          "SET monthly = excluded.monthly, updated_at = excluded.updated_at");
    st.bind(1, who.id)
        .bind(2, monthly ? 1 : 0)
        .bind(3, core::format_utc(core::now_seconds()))
        .run();
}

bool MyWardSummaries::monthly(std::int64_t person_id) const {
    auto db = m_pool.acquire();
    auto st = db->prepare("SELECT monthly FROM myward_summary_subscriptions WHERE person_id = ?1");
    st.bind(1, person_id);
    return st.step() && st.int64(0) != 0;
}

SummaryRun MyWardSummaries::send(const ReportMonth& month) const {
    struct Recipient {
        std::int64_t person_id;
        std::string email, name, ward_code;
    };
    std::vector<Recipient> recipients;
    {
        auto db = m_pool.acquire();
        auto st = db->prepare(
            "SELECT p.id, p.email, p.name, r.ward_code FROM people p "
            "JOIN person_roles r ON r.person_id = p.id AND r.role = 'councillor' "
            "JOIN myward_summary_subscriptions s ON s.person_id = p.id AND s.monthly = 1 "
            "WHERE p.status = 'active' ORDER BY p.id, r.ward_code");
        while (st.step()) {
            recipients.push_back({st.int64(0), std::string(st.text(1)), std::string(st.text(2)),
                                  std::string(st.text(3))});
        }
    }
    SummaryRun run;
    for (const auto& r : recipients) {
        {
            auto db = m_pool.acquire();
            auto st = db->prepare("SELECT 1 FROM myward_summaries_sent WHERE person_id = ?1 AND "
                                  "ward_code = ?2 AND month = ?3");
            st.bind(1, r.person_id).bind(2, r.ward_code).bind(3, month.iso());
            if (st.step()) {
                ++run.already_sent;
                continue;
            }
        }
        MyWardQuery q;
        try {
            q = m_report.query(r.ward_code, month);
        } catch (const DomainError& e) {
            if (e.code() != ErrorCode::not_found) {
                throw;
            }
            ++run.skipped; // the ward was not in force in that month
            continue;
        }
        const auto ward_name = m_report.ward_name(q);
        std::string body = "Dear " + r.name + ",\n\n" + "Your monthly summary for " + ward_name +
                           " ward (" + r.ward_code + "), " + month_title(month) +
                           ", requests received " + q.from.iso() + " to " + q.to.iso() + ":\n\n";
        for (const auto& [label, value] : m_report.headline(q)) {
            body += "  " + label + ": " +
                    value.value_or("fewer than " + std::to_string(m_report.suppress_below())) +
                    "\n";
        }
        body += "\nThe printable report, with a map (sign in first):\n" +
                m_report.report_url(r.ward_code, month) + "\n\n" +
                "To stop these e-mails, turn off the monthly summary on your MyWard page.\n" +
                m_council + "\n";
        const auto subject = ward_name + " ward: your summary for " + month_title(month);
        auto db = m_pool.acquire();
        store::Transaction tx(*db);
        auto ins = db->prepare("INSERT OR IGNORE INTO myward_summaries_sent (person_id, ward_code, "
                               "month, queued_at) VALUES (?1, ?2, ?3, ?4)");
        const auto now = core::now_seconds();
        ins.bind(1, r.person_id)
            .bind(2, r.ward_code)
            .bind(3, month.iso())
            .bind(4, core::format_utc(now))
            .run();
        if (db->changes() == 0) {
            ++run.already_sent; // another run got there first
            continue;
        }
        queue_message(*db, r.email, subject, body, now);
        tx.commit();
        ++run.queued;
    }
    return run;
}

} // namespace wardmap::services
