#include "server/services/requests/my_reports_service.hpp"

#include "server/services/shared/errors.hpp"

#include <cctype>

namespace wardmap::services {

MyReportsService::MyReportsService(store::ConnectionPool& pool,
                                   const RequestService& requests,
                                   std::string public_url)
    : m_pool(pool), m_requests(requests), m_public_url(std::move(public_url)) {
    while (!m_public_url.empty() && m_public_url.back() == '/') {
        m_public_url.pop_back();
    }
}

std::string MyReportsService::fold_email(const std::string& email) {
    const auto first = email.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
        return "";
    }
    const auto last = email.find_last_not_of(" \t\r\n");
    std::string out = email.substr(first, last - first + 1);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

void MyReportsService::send_link(const std::string& email,
                                 const std::string& client_address) const {
    const std::string folded = fold_email(email);
    if (!plausible_email(folded)) {
        invalid_parameter("email", "must be an email address");
    }
    for (const auto& [bucket, limit] :
         {std::pair{"my-reports address " + client_address, per_address},
          std::pair{"my-reports email " + folded, per_email}}) {
        if (const auto wait = m_limiter.take(bucket, limit)) {
            DomainError e(ErrorCode::rate_limited, "rate limit reached for my-reports links (" +
                                                       limit.to_string() + "); try again in " +
                                                       std::to_string(*wait) + " s");
            e.with_retry_after(*wait);
            throw e;
        }
    }
    const std::string token = random_url_token() + random_url_token();
    const core::UnixSeconds now = core::now_seconds();
    const core::UnixSeconds expires = now + static_cast<core::UnixSeconds>(link_days) * 86400;
    const std::string link = m_public_url + "/api/my-reports/" + token;
    const std::string council = m_requests.catalogue()->council();
    const std::string body =
        council +
        "\n\nSomeone (we hope you) asked to see the reports made with this email "
        "address. This private link lists them, with what has happened to each:\n\n" +
        link + "\n\nThe link works for " + std::to_string(link_days) +
        " days. Do not share it: anyone with it can see your reports. If you did not ask, "
        "ignore this message.\n";

    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto insert = db->prepare("INSERT INTO my_reports_links (token_sha256, email, created_at, "
                              "expires_at) VALUES (?1, ?2, ?3, ?4)");
    insert.bind(1, sha256_hex(token)).bind(2, folded).bind(3, core::format_utc(now));
    insert.bind(4, core::format_utc(expires)).run();
    auto queue = db->prepare("INSERT INTO notification_outbox (request_id, recipient, subject, "
                             "body, created_at, next_attempt_at) VALUES (NULL, ?1, ?2, ?3, ?4, "
                             "?4)");
    queue.bind(1, folded).bind(2, "Your reports to " + council).bind(3, body);
    queue.bind(4, core::format_utc(now)).run();
    tx.commit();
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
