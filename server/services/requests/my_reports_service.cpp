#include "server/services/requests/my_reports_service.hpp"

#include "server/services/shared/errors.hpp"
#include "server/services/shared/mailed_tokens.hpp"

namespace wardmap::services {

MyReportsService::MyReportsService(store::ConnectionPool& pool,
                                   const RequestService& requests,
                                   std::string public_url)
    : m_pool(pool), m_requests(requests), m_public_url(link_base(std::move(public_url))) {}

void MyReportsService::send_link(const std::string& email,
                                 const std::string& client_address) const {
    const std::string folded = fold_email(email);
    if (!plausible_email(folded)) {
        invalid_parameter("email", "must be an email address");
    }
    const std::string what = "rate limit reached for my-reports links";
    throttle(m_limiter, "my-reports address " + client_address, per_address,
             what + " (" + per_address.to_string() + ")");
    throttle(m_limiter, "my-reports email " + folded, per_email,
             what + " (" + per_email.to_string() + ")");
    const core::UnixSeconds now = core::now_seconds();
    const core::UnixSeconds expires = now + static_cast<core::UnixSeconds>(link_days) * 86400;
    const std::string council = m_requests.catalogue()->council();
    mail_new_token(
        m_pool,
        {.recipient = folded,
         .subject = "Your reports to " + council,
         .token_bytes = 36, // 48 characters
         .now = now,
         .store_hash =
             [&](store::Database& db, const std::string& hash) {
                 auto insert = db.prepare("INSERT INTO my_reports_links (token_sha256, email, "
                                          "created_at, expires_at) VALUES (?1, ?2, ?3, ?4)");
                 insert.bind(1, hash).bind(2, folded).bind(3, core::format_utc(now));
                 insert.bind(4, core::format_utc(expires)).run();
             },
         .body =
             [&](const std::string& token) {
                 return council +
                        "\n\nSomeone (we hope you) asked to see the reports made with this email "
                        "address. This private link lists them, with what has happened to "
                        "each:\n\n" +
                        m_public_url + "/api/my-reports/" + token + "\n\nThe link works for " +
                        std::to_string(link_days) +
                        " days. Do not share it: anyone with it can see your reports. If you did "
                        "not ask, ignore this message.\n";
             }});
}

MyReports MyReportsService::reports(const std::string& token) const {
    std::string email;
    MyReports out;
    {
        auto db = m_pool.acquire();
        auto st = db->prepare("SELECT email, expires_at FROM my_reports_links WHERE "
                              "token_sha256 = ?1 AND expires_at > ?2");
        st.bind(1, sha256_hex(token)).bind(2, core::format_utc(core::now_seconds()));
        if (!st.step()) {
            throw DomainError(ErrorCode::not_found,
                              "this my-reports link is unknown or has expired; ask for a new one");
        }
        email = std::string(st.text(0));
        out.expires = core::parse_w3c_datetime(st.text(1)).value_or(0);
    }
    out.reports = m_requests.reports_by_email(email);
    return out;
}

} // namespace wardmap::services
