#include "server/services/myarea/area_alerts.hpp"

#include "core/tokens.hpp"

#include "server/services/requests/request_service.hpp"
#include "server/services/shared/errors.hpp"
#include "server/services/shared/mailed_tokens.hpp"
#include "server/services/shared/outbox_sender.hpp"
#include "server/services/shared/point_input.hpp"

#include <cmath>
#include <vector>

namespace wardmap::services {

namespace {

[[noreturn]] void refuse_confirmation() {
    throw DomainError(ErrorCode::not_found,
                      "this confirmation link is unknown, has expired or has been used; ask for "
                      "the alert again to get a new one");
}

[[noreturn]] void refuse_unsubscribe() {
    throw DomainError(ErrorCode::not_found, "this unsubscribe link is unknown");
}

/// The ward in force on `today` with `code`; nullptr when none.
const WardRecord*
ward_on(const WardIndex& index, const std::string& code, const core::Date& today) {
    const auto day = today.iso();
    for (const auto& w : index.wards()) {
        if (w.code == code && w.valid_from <= day && (!w.valid_to || day < *w.valid_to)) {
            return &w;
        }
    }
    return nullptr;
}

/// A subscription as the pages and messages name it.
std::string describe(store::Database& db,
                     bool reports,
                     bool planning,
                     const std::optional<std::int64_t>& uprn,
                     double distance_m,
                     const std::optional<std::string>& ward) {
    const std::string what = reports && planning ? "new reports and planning applications"
                             : reports           ? "new reports"
                                                 : "new planning applications";
    if (ward) {
        auto name =
            db.prepare_cached("SELECT name FROM wards WHERE code = ?1 ORDER BY id DESC LIMIT 1");
        name.bind(1, *ward);
        return what + " in " + (name.step() ? std::string(name.text(0)) + " ward" : *ward);
    }
    std::string place = "the point you chose";
    if (uprn) {
        auto a = db.prepare_cached("SELECT single_line FROM addresses WHERE uprn = ?1 ORDER BY "
                                   "logical_status = 1 DESC, language = 'ENG' DESC, id LIMIT 1");
        a.bind(1, *uprn);
        place = a.step() ? std::string(a.text(0)) : "property " + std::to_string(*uprn);
    }
    return what + " within " + std::to_string(static_cast<int>(distance_m)) + " m of " + place;
}

/// describe() of a row of alert_columns.
std::string describe(store::Database& db, const store::Statement& row) {
    return describe(db, row.int64(0) != 0, row.int64(1) != 0,
                    row.is_null(2) ? std::nullopt : std::optional<std::int64_t>(row.int64(2)),
                    row.is_null(3) ? 0 : row.real(3), row.optional_text(4));
}

constexpr const char* alert_columns =
    "reports, planning, uprn, distance_m, ward_code, easting, northing";

std::string check_token(const std::string& token) {
    if (token.empty() || token.size() > 128) {
        return {};
    }
    return core::sha256_hex(token);
}

} // namespace

AreaAlerts::AreaAlerts(store::ConnectionPool& pool,
                       std::shared_ptr<const geo::BngTransform> transform,
                       const WardService& wards,
                       std::string public_url,
                       std::string council)
    : m_pool(pool), m_transform(std::move(transform)), m_wards(wards),
      m_public_url(link_base(std::move(public_url))), m_council(std::move(council)) {}

void AreaAlerts::subscribe(const AlertSubscription& alert,
                           const std::string& client_address) const {
    const std::string folded = fold_email(alert.email);
    if (!plausible_email(folded)) {
        invalid_parameter("email", "must be an email address");
    }
    std::optional<geo::EastNorth> at;
    std::string label;
    const core::Date today = core::uk_date(core::now_seconds());
    if (alert.uprn) {
        auto db = m_pool.acquire();
        auto q = db->prepare("SELECT easting, northing FROM properties WHERE uprn = ?1");
        q.bind(1, *alert.uprn);
        if (!q.step()) {
            throw DomainError(ErrorCode::not_found,
                              "no property has UPRN " + std::to_string(*alert.uprn));
        }
        at = geo::EastNorth{q.real(0), q.real(1)};
    } else if (alert.point) {
        at = point_to_bng(PointInput{Crs::wgs84, alert.point->lon, alert.point->lat}, *m_transform);
        if (!m_wards.index()->find(*at, today)) {
            throw DomainError(ErrorCode::not_found, "the point is in no ward of the council");
        }
    } else if (!alert.ward || !ward_on(*m_wards.index(), *alert.ward, today)) {
        throw DomainError(ErrorCode::not_found,
                          "no ward " + alert.ward.value_or("").substr(0, 40) + " today");
    }
    throttle(m_limiter, "alert from " + client_address, per_address,
             "too many alert requests from this client address (" + per_address.to_string() + ")");
    throttle(m_limiter, "alert to " + folded, per_email,
             "too many alert requests for this email address (" + per_email.to_string() + ")");
    const core::UnixSeconds now = core::now_seconds();
    const std::string now_text = core::format_utc(now);
    const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(confirm_lifetime);
    const std::string expires = core::format_utc(now + lifetime.count());
    std::string what;
    {
        auto db = m_pool.acquire();
        what =
            describe(*db, alert.reports, alert.planning, alert.uprn, alert.distance_m, alert.ward);
    }
    mail_new_token(
        m_pool,
        {.recipient = folded,
         .subject = "Confirm your local alert",
         .token_bytes = 32,
         .now = now,
         .store_hash =
             [&](store::Database& db, const std::string& hash) {
                 auto sweep = db.prepare("DELETE FROM area_alerts WHERE confirmed_at IS NULL AND "
                                         "confirm_expires_at <= ?1");
                 sweep.bind(1, now_text).run();
                 auto insert = db.prepare(
                     "INSERT INTO area_alerts (email, uprn, easting, northing, distance_m, "
                     "ward_code, reports, planning, created_at, confirm_sha256, "
                     "confirm_expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
                 insert.bind(1, folded).bind(2, alert.uprn);
                 if (at) {
                     insert.bind(3, at->easting).bind(4, at->northing).bind(5, alert.distance_m);
                     insert.bind_null(6);
                 } else {
                     insert.bind_null(3).bind_null(4).bind_null(5).bind(6, *alert.ward);
                 }
                 insert.bind(7, alert.reports ? 1 : 0).bind(8, alert.planning ? 1 : 0);
                 insert.bind(9, now_text).bind(10, hash).bind(11, expires).run();
             },
         .body =
             [&](const std::string& token) {
                 return m_council +
                        "\n\nSomeone (we hope you) asked for this email address to be "
                        "told of " +
                        what +
                        ". To confirm, open this link and press the button on the page:\n\n" +
                        m_public_url + "/api/alerts/confirm/" + token +
                        "\n\nThe link works once, within " +
                        std::to_string(confirm_lifetime.count()) +
                        " hours. Until it is used you will get nothing more from us. If you did "
                        "not ask, ignore this message.\n";
             }});
}

std::string AreaAlerts::pending(const std::string& token) const {
    const auto hash = check_token(token);
    if (hash.empty()) {
        refuse_confirmation();
    }
    auto db = m_pool.acquire();
    auto st = db->prepare(std::string("SELECT ") + alert_columns +
                          " FROM area_alerts WHERE confirm_sha256 = ?1 AND confirmed_at IS NULL "
                          "AND confirm_expires_at > ?2");
    st.bind(1, hash).bind(2, core::format_utc(core::now_seconds()));
    if (!st.step()) {
        refuse_confirmation();
    }
    return describe(*db, st);
}

std::string AreaAlerts::confirm(const std::string& token) const {
    const auto hash = check_token(token);
    if (hash.empty()) {
        refuse_confirmation();
    }
    const std::string now_text = core::format_utc(core::now_seconds());
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto find = db->prepare(std::string("SELECT ") + alert_columns +
                            ", id FROM area_alerts WHERE confirm_sha256 = ?1 AND confirmed_at IS "
                            "NULL AND confirm_expires_at > ?2");
    find.bind(1, hash).bind(2, now_text);
    if (!find.step()) {
        refuse_confirmation();
    }
    const std::string what = describe(*db, find);
    const std::int64_t id = find.int64(7);
    find.reset();
    // Alerts start with what comes after the confirmation.
    auto use = db->prepare(
        "UPDATE area_alerts SET confirmed_at = ?2, confirm_sha256 = NULL, confirm_expires_at = "
        "NULL, last_report_id = (SELECT coalesce(max(id), 0) FROM service_requests), "
        "last_planning_id = (SELECT coalesce(max(id), 0) FROM planning_applications) WHERE id = "
        "?1");
    use.bind(1, id).bind(2, now_text).run();
    tx.commit();
    return what;
}

std::string AreaAlerts::unsubscribe_target(const std::string& token) const {
    const auto hash = check_token(token);
    if (hash.empty()) {
        refuse_unsubscribe();
    }
    auto db = m_pool.acquire();
    auto st = db->prepare(std::string("SELECT ") + alert_columns +
                          " FROM area_alerts WHERE id = (SELECT alert_id FROM "
                          "area_alert_unsubscribe_tokens WHERE token_sha256 = ?1)");
    st.bind(1, hash);
    if (!st.step()) {
        refuse_unsubscribe();
    }
    return describe(*db, st);
}

std::string AreaAlerts::unsubscribe(const std::string& token) const {
    const auto hash = check_token(token);
    if (hash.empty()) {
        refuse_unsubscribe();
    }
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto st = db->prepare(std::string("SELECT ") + alert_columns +
                          ", id FROM area_alerts WHERE id = (SELECT alert_id FROM "
                          "area_alert_unsubscribe_tokens WHERE token_sha256 = ?1)");
    st.bind(1, hash);
    if (!st.step()) {
        refuse_unsubscribe();
    }
    const std::string what = describe(*db, st);
    const std::int64_t id = st.int64(7);
    st.reset();
    auto stop = db->prepare("UPDATE area_alerts SET unsubscribed_at = ?2 WHERE id = ?1 AND "
                            "unsubscribed_at IS NULL");
    stop.bind(1, id).bind(2, core::format_utc(core::now_seconds())).run();
    tx.commit();
    return what;
}

int AreaAlerts::send_due(core::UnixSeconds now) const {
    const core::Date today = core::uk_date(now);
    const auto index = m_wards.index();
    struct Live {
        std::int64_t id;
        std::string email;
        bool reports;
        bool planning;
        std::optional<std::string> ward;
        double e, n, d;
        std::int64_t last_report, last_planning;
    };
    std::vector<Live> live;
    {
        auto db = m_pool.acquire();
        auto q = db->prepare(
            "SELECT id, email, reports, planning, ward_code, easting, northing, distance_m, "
            "last_report_id, last_planning_id FROM area_alerts WHERE confirmed_at IS NOT NULL "
            "AND unsubscribed_at IS NULL ORDER BY id");
        while (q.step()) {
            live.push_back({q.int64(0), std::string(q.text(1)), q.int64(2) != 0, q.int64(3) != 0,
                            q.optional_text(4), q.is_null(5) ? 0 : q.real(5),
                            q.is_null(6) ? 0 : q.real(6), q.is_null(7) ? 0 : q.real(7), q.int64(8),
                            q.int64(9)});
        }
    }
    int queued = 0;
    for (const auto& a : live) {
        // The area: a box for the spatial index (?1..?4) and the exact test.
        double box[4] = {a.e - a.d, a.n - a.d, a.e + a.d, a.n + a.d};
        std::string inside = "ST_Distance(t.geom, MakePoint(?5, ?6, 27700)) <= ?7";
        std::int64_t ward_id = 0;
        auto db = m_pool.acquire();
        if (a.ward) {
            const auto* w = ward_on(*index, *a.ward, today);
            if (!w) {
                continue; // a ward no longer in force: nothing to say about it
            }
            ward_id = w->id;
            auto mbr = db->prepare_cached("SELECT MbrMinX(geom), MbrMinY(geom), MbrMaxX(geom), "
                                          "MbrMaxY(geom) FROM wards WHERE id = ?1");
            mbr.bind(1, ward_id);
            if (!mbr.step()) {
                continue;
            }
            for (int i = 0; i < 4; ++i) {
                box[i] = mbr.real(i);
            }
            inside = "ST_Contains((SELECT geom FROM wards WHERE id = ?5), t.geom)";
        }
        const auto bind_area = [&](store::Statement& q, std::int64_t after) {
            for (int i = 0; i < 4; ++i) {
                q.bind(i + 1, box[i]);
            }
            if (a.ward) {
                q.bind(5, ward_id);
            } else {
                q.bind(5, a.e).bind(6, a.n).bind(7, a.d);
            }
            q.bind(8, after);
        };
        const auto in_box = [](const char* table) {
            return std::string("t.ROWID IN (SELECT pkid FROM idx_") + table +
                   "_geom WHERE xmin <= ?3 AND xmax >= ?1 AND ymin <= ?4 AND ymax >= ?2)";
        };
        store::Transaction tx(*db);
        std::string lines;
        std::int64_t last_report = a.last_report;
        std::int64_t last_planning = a.last_planning;
        int items = 0;
        if (a.reports) {
            // Public reports only, and only their category, status and time.
            auto q = db->prepare_cached(
                "SELECT t.id, coalesce(c.name, t.category_code), t.status, t.created_at FROM "
                "service_requests t LEFT JOIN service_categories c ON c.code = t.category_code "
                "WHERE " +
                in_box("service_requests") + " AND t.id > ?8 AND t.private = 0 AND " + inside +
                " ORDER BY t.id");
            bind_area(q, a.last_report);
            while (q.step()) {
                last_report = std::max(last_report, q.int64(0));
                if (++items <= 50) {
                    lines += "- Report " + std::to_string(q.int64(0)) + ": " +
                             std::string(q.text(1)) + " (" + std::string(q.text(2)) +
                             "), reported " + std::string(q.text(3)) + "\n";
                }
            }
        }
        if (a.planning) {
            auto q = db->prepare_cached(
                "SELECT t.id, t.reference, t.description, t.address FROM planning_applications t "
                "WHERE " +
                in_box("planning_applications") + " AND t.id > ?8 AND " + inside +
                " ORDER BY t.id");
            bind_area(q, a.last_planning);
            while (q.step()) {
                last_planning = std::max(last_planning, q.int64(0));
                if (++items <= 50) {
                    lines += "- Planning application " + std::string(q.text(1)) + ": " +
                             std::string(q.text(2)) + " (" + std::string(q.text(3)) + ")\n";
                }
            }
        }
        if (items == 0) {
            continue; // the transaction rolls back: nothing changed
        }
        const std::string token = core::random_url_token(32);
        auto keep = db->prepare("INSERT INTO area_alert_unsubscribe_tokens (token_sha256, "
                                "alert_id, created_at) VALUES (?1, ?2, ?3)");
        keep.bind(1, core::sha256_hex(token)).bind(2, a.id).bind(3, core::format_utc(now)).run();
        auto move = db->prepare("UPDATE area_alerts SET last_report_id = ?2, last_planning_id = ?3 "
                                "WHERE id = ?1");
        move.bind(1, a.id).bind(2, last_report).bind(3, last_planning).run();
        std::string body =
            m_council + "\n\nNew near you (" + std::to_string(items) + "):\n\n" + lines;
        if (items > 50) {
            body += "- and " + std::to_string(items - 50) + " more\n";
        }
        body += "\nSee your area: " + m_public_url +
                "/area.html\n\nTo stop these messages, open "
                "this link and press the button on the page:\n" +
                m_public_url + "/api/alerts/unsubscribe/" + token + "\n";
        queue_message(*db, a.email, "New in your area", body, now);
        tx.commit();
        ++queued;
    }
    return queued;
}

} // namespace wardmap::services
