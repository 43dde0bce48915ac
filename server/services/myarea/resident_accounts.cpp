#include "server/services/myarea/resident_accounts.hpp"

#include "core/tokens.hpp"
#include "core/working_days.hpp"

#include "server/services/shared/errors.hpp"
#include "server/services/shared/mailed_tokens.hpp"

#include <algorithm>
#include <stdexcept>

namespace wardmap::services {

namespace {

using nlohmann::ordered_json;

constexpr std::string_view too_many_links = "too many sign-in link requests";

[[noreturn]] void refuse_link() {
    throw DomainError(ErrorCode::unauthorized,
                      "this sign-in link is unknown, has expired or has been used; ask for a new "
                      "one");
}

core::UnixSeconds stored_time(std::string_view text) {
    return core::parse_stored_utc(text).value_or(0);
}

ordered_json opt_text(std::optional<std::string> text) {
    return text ? ordered_json(*text) : ordered_json(nullptr);
}

ordered_json request_summary(const PublicRequest& r) {
    return {{"service_request_id", std::to_string(r.id)},
            {"service_name", r.service_name},
            {"status", r.status},
            {"open", r.open},
            {"address", opt_text(r.address)},
            {"requested_datetime", core::format_w3c_uk(r.requested)},
            {"expected_datetime",
             r.expected ? ordered_json(core::format_w3c_uk(*r.expected)) : ordered_json(nullptr)},
            {"overdue", r.overdue}};
}

} // namespace

ResidentAccounts::ResidentAccounts(store::ConnectionPool& pool,
                                   const RequestService& requests,
                                   const MyAreaService& my_area,
                                   ResidentAccountSettings settings,
                                   Clock clock)
    : m_pool(pool), m_requests(requests), m_my_area(my_area), m_settings(std::move(settings)),
      m_clock(std::move(clock)) {
    m_settings.public_url = link_base(std::move(m_settings.public_url));
}

void ResidentAccounts::send_link(const std::string& email, const std::string& client_address) {
    const std::string folded = fold_email(email);
    if (folded.size() > 254 || !plausible_email(folded)) {
        invalid_parameter("email", "must be an email address");
    }
    throttle(m_limiter, "account link from " + client_address, m_settings.limits.per_address,
             too_many_links);
    throttle(m_limiter, "account link to " + folded, m_settings.limits.per_email, too_many_links);
    const core::UnixSeconds now = m_clock();
    const core::UnixSeconds expires =
        now + std::chrono::duration_cast<std::chrono::seconds>(link_lifetime).count();
    const std::string minutes = std::to_string(link_lifetime.count());
    mail_new_token(
        m_pool,
        {.recipient = folded,
         .subject = "Your sign-in link for " + m_settings.council_name,
         .token_bytes = 32,
         .now = now,
         .store_hash =
             [&](store::Database& db, const std::string& hash) {
                 auto insert = db.prepare("INSERT INTO resident_sign_in_links (token_sha256, "
                                          "email, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)");
                 insert.bind(1, hash).bind(2, folded).bind(3, core::format_utc(now));
                 insert.bind(4, core::format_utc(expires)).run();
             },
         .body =
             [&](const std::string& token) {
                 return m_settings.council_name +
                        "\n\nSomeone (we hope you) asked to sign in to My Account with this "
                        "email address, to see your reports, the reports you follow, your alerts "
                        "and your saved address. This link signs you in (and makes your account "
                        "if you have none yet):\n\n" +
                        m_settings.public_url + "/account.html#" + token +
                        "\n\nIt works once, within " + minutes +
                        " minutes. Do not forward it: whoever opens it is signed in as you. If "
                        "you did not ask, ignore this message: no account is made.\n";
             }});
}

ResidentSignIn ResidentAccounts::redeem(const std::string& token,
                                        const std::string& client_address) {
    throttle(m_limiter, "account link redeemed from " + client_address,
             m_settings.limits.per_address, too_many_links);
    if (token.empty() || token.size() > 128) {
        refuse_link();
    }
    const core::UnixSeconds now = m_clock();
    ResidentSignIn out;
    auto db = m_pool.acquire();
    // Under the write gate, so two redemptions of one link cannot both find it unused.
    store::Transaction tx(*db);
    const std::string hash = core::sha256_hex(token);
    std::string email;
    {
        auto find = db->prepare("SELECT email, expires_at, used_at IS NOT NULL FROM "
                                "resident_sign_in_links WHERE token_sha256 = ?1");
        find.bind(1, hash);
        if (!find.step()) {
            refuse_link();
        }
        email = std::string(find.text(0));
        const bool used = find.int64(2) != 0;
        if (used || now >= stored_time(find.text(1))) {
            refuse_link();
        }
    }
    const std::string at = core::format_utc(now);
    auto use =
        db->prepare("UPDATE resident_sign_in_links SET used_at = ?2 WHERE token_sha256 = ?1");
    use.bind(1, hash).bind(2, at).run();
    {
        auto find = db->prepare("SELECT id FROM resident_accounts WHERE email = ?1");
        find.bind(1, email);
        if (find.step()) {
            out.account_id = find.int64(0);
        }
    }
    if (out.account_id == 0) {
        auto make = db->prepare("INSERT INTO resident_accounts (email, created_at, last_seen_at) "
                                "VALUES (?1, ?2, ?2)");
        make.bind(1, email).bind(2, at).run();
        out.account_id = db->last_insert_rowid();
        out.created = true;
    } else {
        auto seen = db->prepare("UPDATE resident_accounts SET last_seen_at = ?2 WHERE id = ?1");
        seen.bind(1, out.account_id).bind(2, at).run();
    }
    out.token = core::random_url_token(32);
    out.session_id = core::random_url_token(12);
    out.csrf_token = csrf_token_for(out.token);
    out.expires_at = now + std::chrono::duration_cast<std::chrono::seconds>(absolute).count();
    const core::UnixSeconds idle_until = std::min(
        now + std::chrono::duration_cast<std::chrono::seconds>(idle).count(), out.expires_at);
    auto session = db->prepare(
        "INSERT INTO resident_sessions (id, token_sha256, account_id, created_at, last_seen_at, "
        "idle_expires_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)");
    session.bind(1, out.session_id).bind(2, core::sha256_hex(out.token)).bind(3, out.account_id);
    session.bind(4, at).bind(5, core::format_utc(idle_until));
    session.bind(6, core::format_utc(out.expires_at)).run();
    tx.commit();
    return out;
}

std::optional<ResidentSession> ResidentAccounts::resolve(const std::string& token) const {
    if (token.empty() || token.size() > 128) {
        return std::nullopt;
    }
    const core::UnixSeconds now = m_clock();
    auto db = m_pool.acquire();
    ResidentSession out;
    core::UnixSeconds session_seen = 0;
    core::UnixSeconds expires = 0;
    {
        auto st = db->prepare_cached(
            "SELECT s.id, s.account_id, s.last_seen_at, s.idle_expires_at, s.expires_at, a.email, "
            "a.last_seen_at FROM resident_sessions s JOIN resident_accounts a ON a.id = "
            "s.account_id WHERE s.token_sha256 = ?1 AND s.revoked_at IS NULL");
        st.bind(1, core::sha256_hex(token));
        if (!st.step()) {
            return std::nullopt;
        }
        out.session_id = std::string(st.text(0));
        out.account_id = st.int64(1);
        session_seen = stored_time(st.text(2));
        const core::UnixSeconds idle_until = stored_time(st.text(3));
        expires = stored_time(st.text(4));
        out.email = std::string(st.text(5));
        out.last_seen = stored_time(st.text(6));
        st.reset();
        if (now >= idle_until || now >= expires) {
            return std::nullopt;
        }
    }
    if (now - session_seen >= touch_interval) {
        store::Transaction tx(*db);
        const std::string at = core::format_utc(now);
        auto touch = db->prepare_cached("UPDATE resident_sessions SET last_seen_at = ?2, "
                                        "idle_expires_at = ?3 WHERE id = ?1");
        touch.bind(1, out.session_id).bind(2, at);
        touch
            .bind(3, core::format_utc(std::min(
                         now + std::chrono::duration_cast<std::chrono::seconds>(idle).count(),
                         expires)))
            .run();
        auto seen =
            db->prepare_cached("UPDATE resident_accounts SET last_seen_at = ?2 WHERE id = ?1");
        seen.bind(1, out.account_id).bind(2, at).run();
        tx.commit();
    }
    out.csrf_token = csrf_token_for(token);
    return out;
}

void ResidentAccounts::sign_out(const std::string& session_id) const {
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto st = db->prepare("UPDATE resident_sessions SET revoked_at = ?2 WHERE id = ?1 AND "
                          "revoked_at IS NULL");
    st.bind(1, session_id).bind(2, core::format_utc(m_clock())).run();
    tx.commit();
}

ordered_json ResidentAccounts::overview(const ResidentSession& session) const {
    ordered_json reports = ordered_json::array();
    for (const auto& t : m_requests.reports_by_email(session.email)) {
        reports.push_back(request_summary(t.request));
    }
    std::vector<std::pair<std::int64_t, std::string>> follows;
    ordered_json alerts = ordered_json::array();
    std::optional<std::int64_t> uprn;
    {
        auto db = m_pool.acquire();
        auto f = db->prepare("SELECT request_id, confirmed_at FROM service_request_followers "
                             "WHERE lower(trim(email)) = ?1 AND confirmed_at IS NOT NULL "
                             "ORDER BY request_id DESC LIMIT 1000");
        f.bind(1, session.email);
        while (f.step()) {
            follows.emplace_back(f.int64(0), std::string(f.text(1)));
        }
        auto a = db->prepare("SELECT id, uprn, ward_code, distance_m, reports, planning, "
                             "confirmed_at FROM area_alerts WHERE email = ?1 AND confirmed_at IS "
                             "NOT NULL AND unsubscribed_at IS NULL ORDER BY id");
        a.bind(1, session.email);
        while (a.step()) {
            ordered_json one{{"id", a.int64(0)}};
            one["uprn"] = a.is_null(1) ? ordered_json(nullptr) : ordered_json(a.int64(1));
            one["ward_code"] =
                a.is_null(2) ? ordered_json(nullptr) : ordered_json(std::string(a.text(2)));
            one["distance_m"] = a.is_null(3) ? ordered_json(nullptr) : ordered_json(a.real(3));
            one["reports"] = a.int64(4) != 0;
            one["planning"] = a.int64(5) != 0;
            one["since"] = core::format_w3c_uk(stored_time(a.text(6)));
            alerts.push_back(std::move(one));
        }
        auto u = db->prepare("SELECT uprn FROM resident_accounts WHERE id = ?1");
        u.bind(1, session.account_id);
        if (u.step() && !u.is_null(0)) {
            uprn = u.int64(0);
        }
    }
    ordered_json followed = ordered_json::array();
    for (const auto& [id, since] : follows) {
        try {
            auto one = request_summary(m_requests.get(id));
            one["following_since"] = core::format_w3c_uk(stored_time(since));
            followed.push_back(std::move(one));
        } catch (const DomainError&) {
            // A request no longer public (hidden, private since): not listed.
        }
    }
    ordered_json address = nullptr;
    if (uprn) {
        address = {{"uprn", *uprn}};
        try {
            const auto area = nlohmann::json::parse(
                m_my_area.area({.uprn = uprn,
                                .postcode = std::nullopt,
                                .point = std::nullopt,
                                .today = core::date_from_days(m_clock() / 86400)}));
            const auto& place = area.at("place");
            address["address"] = place.value("address", nlohmann::json()).is_string()
                                     ? ordered_json(place["address"].get<std::string>())
                                     : ordered_json(nullptr);
            address["postcode"] = place.value("postcode", nlohmann::json()).is_string()
                                      ? ordered_json(place["postcode"].get<std::string>())
                                      : ordered_json(nullptr);
            const auto& ward = area.at("ward");
            address["ward"] = ward.is_object() ? ordered_json{{"code", ward.at("code")},
                                                              {"name", ward.at("name")}}
                                               : ordered_json(nullptr);
            address["bin_and_sweeping_days"] =
                ordered_json::parse(area.at("bin_and_sweeping_days").dump());
        } catch (const DomainError&) {
            address["address"] = nullptr; // the property has left the gazetteer since
        }
    }
    ordered_json out;
    out["email"] = session.email;
    out["last_seen"] = core::format_w3c_uk(session.last_seen);
    out["reports"] = std::move(reports);
    out["following"] = std::move(followed);
    out["alerts"] = std::move(alerts);
    out["address"] = std::move(address);
    return out;
}

void ResidentAccounts::save_address(std::int64_t account_id,
                                    std::optional<std::int64_t> uprn) const {
    auto db = m_pool.acquire();
    if (uprn) {
        auto known = db->prepare("SELECT 1 FROM properties WHERE uprn = ?1");
        known.bind(1, *uprn);
        if (!known.step()) {
            invalid_parameter("uprn", "is not a property in the council's gazetteer");
        }
    }
    store::Transaction tx(*db);
    auto st = db->prepare("UPDATE resident_accounts SET uprn = ?2 WHERE id = ?1");
    st.bind(1, account_id).bind(2, uprn).run();
    tx.commit();
}

Erasure ResidentAccounts::erase(std::int64_t account_id) const {
    Erasure e;
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    std::string email;
    {
        auto find = db->prepare("SELECT email FROM resident_accounts WHERE id = ?1");
        find.bind(1, account_id);
        if (!find.step()) {
            throw DomainError(ErrorCode::not_found, "this account has already been deleted");
        }
        email = std::string(find.text(0));
    }
    const auto run = [&](const char* sql) {
        auto st = db->prepare(sql);
        st.bind(1, email);
        st.run();
        return db->changes();
    };
    // The reports stay public (with their histories); who made them does not.
    e.reports_anonymised =
        run("UPDATE service_request_contacts SET first_name = NULL, last_name = NULL, email = "
            "NULL, phone = NULL, account_id = NULL, device_id = NULL WHERE lower(trim(email)) = "
            "?1");
    e.follows_removed = run("DELETE FROM service_request_followers WHERE lower(trim(email)) = ?1");
    run("DELETE FROM area_alert_unsubscribe_tokens WHERE alert_id IN (SELECT id FROM "
        "area_alerts WHERE email = ?1)");
    e.alerts_removed = run("DELETE FROM area_alerts WHERE email = ?1");
    run("DELETE FROM mail_unsubscribe_tokens WHERE lower(trim(email)) = ?1");
    run("DELETE FROM my_reports_links WHERE email = ?1");
    run("DELETE FROM resident_sign_in_links WHERE email = ?1");
    e.messages_removed = run("DELETE FROM notification_outbox WHERE lower(trim(recipient)) = ?1");
    {
        auto st = db->prepare("DELETE FROM resident_sessions WHERE account_id = ?1");
        st.bind(1, account_id).run();
        auto acc = db->prepare("DELETE FROM resident_accounts WHERE id = ?1");
        acc.bind(1, account_id).run();
    }
    auto record = db->prepare(
        "INSERT INTO resident_erasures (at, email_sha256, reports_anonymised, follows_removed, "
        "alerts_removed, messages_removed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    record.bind(1, core::format_utc(m_clock())).bind(2, core::sha256_hex(email));
    record.bind(3, e.reports_anonymised).bind(4, e.follows_removed).bind(5, e.alerts_removed);
    record.bind(6, e.messages_removed).run();
    tx.commit();
    return e;
}

std::string ResidentAccounts::csrf_token_for(const std::string& session_token) {
    return core::hmac_sha256_hex(session_token, "wardmap resident csrf v1");
}

} // namespace wardmap::services
