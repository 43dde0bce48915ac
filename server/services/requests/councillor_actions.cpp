#include "server/services/requests/councillor_actions.hpp"

#include "core/w3c_time.hpp"

#include "geo/store/database.hpp"
#include "server/services/access/audit.hpp"
#include "server/services/requests/request_internals.hpp"
#include "server/services/shared/errors.hpp"

#include <algorithm>

namespace wardmap::services {

using namespace request_detail;

std::vector<std::string> councillor_wards(const Principal& who) {
    std::vector<std::string> wards;
    if (!who.signed_in()) {
        return wards;
    }
    for (const auto& grant : who.grants) {
        if (grant.role == Role::councillor) {
            wards.insert(wards.end(), grant.wards.begin(), grant.wards.end());
        }
    }
    return wards;
}

CouncillorActions::CouncillorActions(store::ConnectionPool& pool,
                                     const RequestService& requests,
                                     const WardService& wards)
    : m_pool(pool), m_requests(requests), m_wards(wards) {}

std::string CouncillorActions::ward_of(std::int64_t id) const {
    double e = 0;
    double n = 0;
    std::string created;
    {
        auto db = m_pool.acquire();
        auto st = db->prepare_cached(
            "SELECT X(geom), Y(geom), created_at FROM service_requests WHERE id = ?1");
        st.bind(1, id);
        if (!st.step()) {
            throw DomainError(ErrorCode::not_found,
                              "service request " + std::to_string(id) + " not found");
        }
        e = st.real(0);
        n = st.real(1);
        created = std::string(st.text(2));
    }
    const auto at = core::parse_stored_utc(created).value_or(core::now_seconds());
    const auto* ward = m_wards.index()->find({e, n}, core::uk_date(at));
    return ward ? ward->code : std::string();
}

std::string CouncillorActions::check_councillor(const Principal& who, std::int64_t id) const {
    const std::string ward = ward_of(id);
    const auto mine = councillor_wards(who);
    if (ward.empty() || std::find(mine.begin(), mine.end(), ward) == mine.end()) {
        throw DomainError(ErrorCode::forbidden,
                          "service request " + std::to_string(id) +
                              " is not in one of your wards on the date it was received" +
                              (ward.empty() ? std::string() : " (it is in " + ward + ")"));
    }
    return ward;
}

bool CouncillorActions::follow(const Principal& who, std::int64_t id) const {
    check_councillor(who, id);
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto st = db->prepare_cached("INSERT OR IGNORE INTO councillor_follows (request_id, "
                                 "person_id, created_at) VALUES (?1, ?2, ?3)");
    st.bind(1, id).bind(2, who.id).bind(3, core::format_utc(core::now_seconds())).run();
    const bool added = db->changes() > 0;
    tx.commit();
    return added;
}

bool CouncillorActions::unfollow(const Principal& who, std::int64_t id) const {
    check_councillor(who, id);
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto st = db->prepare_cached(
        "DELETE FROM councillor_follows WHERE request_id = ?1 AND person_id = ?2");
    st.bind(1, id).bind(2, who.id).run();
    const bool removed = db->changes() > 0;
    tx.commit();
    return removed;
}

std::vector<FollowedRequest> CouncillorActions::following(const Principal& who) const {
    std::vector<FollowedRequest> out;
    std::vector<std::pair<double, double>> points;
    {
        auto db = m_pool.acquire();
        auto st = db->prepare_cached(
            "SELECT r.id, r.category_code, r.status, r.created_at, r.updated_at, f.created_at, "
            "X(r.geom), Y(r.geom) FROM councillor_follows f JOIN service_requests r ON r.id = "
            "f.request_id WHERE f.person_id = ?1 ORDER BY f.created_at DESC, r.id DESC");
        st.bind(1, who.id);
        while (st.step()) {
            FollowedRequest f;
            f.id = st.int64(0);
            f.service_code = std::string(st.text(1));
            f.status = std::string(st.text(2));
            const auto* info = status_info(f.status);
            f.open = info == nullptr || info->open;
            f.requested = std::string(st.text(3));
            f.updated = std::string(st.text(4));
            f.followed = std::string(st.text(5));
            points.emplace_back(st.real(6), st.real(7));
            out.push_back(std::move(f));
        }
    }
    const auto index = m_wards.index();
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto at = core::parse_stored_utc(out[i].requested).value_or(core::now_seconds());
        const auto* ward = index->find({points[i].first, points[i].second}, core::uk_date(at));
        out[i].ward_code = ward ? ward->code : "";
    }
    return out;
}

CouncillorNote CouncillorActions::add_note(const Principal& who,
                                           std::int64_t id,
                                           const std::string& text,
                                           const std::string& route,
                                           const std::string& client_address) const {
    const auto length = utf8_length(text);
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
        invalid_parameter("text", "is required: the note's text");
    }
    if (length > max_note_chars) {
        invalid_parameter("text", "is longer than " + std::to_string(max_note_chars) +
                                      " characters (" + std::to_string(length) + ")");
    }
    check_councillor(who, id);
    CouncillorNote note{0, id, who.name, text, core::format_utc(core::now_seconds())};
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto st = db->prepare_cached("INSERT INTO councillor_notes (request_id, person_id, author, "
                                 "text, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    st.bind(1, id).bind(2, who.id).bind(3, who.name).bind(4, text).bind(5, note.created_at).run();
    note.id = db->last_insert_rowid();
    AuditLog::record(*db, who, AuditAction::change, "councillor_notes", std::to_string(id), route,
                     client_address);
    tx.commit();
    return note;
}

std::vector<CouncillorNote> CouncillorActions::notes(const Principal& who,
                                                     std::int64_t id,
                                                     const std::string& route,
                                                     const std::string& client_address) const {
    const std::string ward = ward_of(id);
    // Staff may read any ward; a councillor only their own (none for a point in no ward).
    if (!allows(who, Permission::ward_read, Scope{ward, std::nullopt})) {
        throw DomainError(ErrorCode::forbidden, "you do not have the ward_read permission for "
                                                "the ward of service request " +
                                                    std::to_string(id));
    }
    std::vector<CouncillorNote> out;
    auto db = m_pool.acquire();
    // The read and its audit row commit together or not at all.
    store::Transaction tx(*db);
    auto st = db->prepare_cached("SELECT id, author, text, created_at FROM councillor_notes "
                                 "WHERE request_id = ?1 ORDER BY id");
    st.bind(1, id);
    while (st.step()) {
        out.push_back({st.int64(0), id, std::string(st.text(1)), std::string(st.text(2)),
                       std::string(st.text(3))});
    }
    st.reset();
    AuditLog::record(*db, who, AuditAction::read, "councillor_notes", std::to_string(id), route,
                     client_address);
    tx.commit();
    return out;
}

CreatedRequest CouncillorActions::raise(const Principal& who,
                                        NewRequest request,
                                        const std::string& route,
                                        const std::string& client_address) const {
    const auto wards = councillor_wards(who);
    if (wards.empty()) {
        throw DomainError(ErrorCode::forbidden, "only a councillor raises a request here");
    }
    request.api_key.reset();
    request.raised_by = RaisedBy{who.id, who.name, wards};
    request.client_address = client_address;
    auto db = m_pool.acquire();
    // The request, its contact details and the audit row commit together.
    store::Transaction tx(*db);
    CreatedRequest created = m_requests.create_in(*db, request);
    AuditLog::record(*db, who, AuditAction::change, "service_request", std::to_string(created.id),
                     route, client_address);
    tx.commit();
    return created;
}

} // namespace wardmap::services
