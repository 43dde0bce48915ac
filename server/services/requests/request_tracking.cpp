#include "core/working_days.hpp"

#include "geo/errors.hpp"
#include "geo/store/spatialite_point.hpp"
#include "server/services/requests/photo_store.hpp"
#include "server/services/requests/request_internals.hpp"
#include "server/services/requests/request_service.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace wardmap::services {

using namespace request_detail;

Tracking RequestService::track(const std::string& token) const {
    const std::int64_t id = id_for_token(token);
    auto found =
        query("r.id = ?1", {std::to_string(id)}, {.include_private = true, .fixed_text = true});
    if (found.empty()) {
        throw DomainError(ErrorCode::not_found, "token not found");
    }
    return tracking_of(std::move(found.front()));
}

Tracking RequestService::tracking_of(PublicRequest request) const {
    const std::int64_t id = request.id;
    Tracking t{std::move(request), {}, {}};
    auto db = m_pool.acquire();
    t.photo_ids = photo_ids_of(*db, id, std::nullopt);
    auto st = db->prepare("SELECT at, from_status, to_status, note, actor, id FROM "
                          "service_request_history WHERE request_id = ?1 ORDER BY at, id");
    st.bind(1, id);
    std::vector<std::int64_t> history_ids;
    while (st.step()) {
        t.history.push_back(
            TrackEntry{core::parse_w3c_datetime(st.text(0)).value_or(0),
                       st.optional_text(1),
                       std::string(st.text(2)),
                       std::string(st.text(3)),
                       // a staff system's key or a signed-in
                       // person of the council
                       st.text(4).starts_with("staff:") || st.text(4).starts_with("person:"),
                       {}});
        history_ids.push_back(st.int64(5));
    }
    for (std::size_t i = 0; i < history_ids.size(); ++i) {
        t.history[i].photo_ids = photo_ids_of(*db, id, history_ids[i]);
    }
    return t;
}

std::vector<Tracking> RequestService::reports_by_email(const std::string& folded_email) const {
    std::string ids;
    {
        auto db = m_pool.acquire();
        auto st = db->prepare("SELECT request_id FROM service_request_contacts WHERE "
                              "lower(trim(email)) = ?1 ORDER BY request_id DESC LIMIT " +
                              std::to_string(max_requests));
        st.bind(1, folded_email);
        while (st.step()) {
            ids += (ids.empty() ? "" : ", ") + std::to_string(st.int64(0));
        }
    }
    std::vector<Tracking> out;
    if (ids.empty()) {
        return out;
    }
    for (auto& r :
         query("r.id IN (" + ids + ")", {}, {.limit = max_requests, .include_private = true})) {
        out.push_back(tracking_of(std::move(r)));
    }
    std::sort(out.begin(), out.end(),
              [](const Tracking& a, const Tracking& b) { return a.request.id > b.request.id; });
    return out;
}

void RequestService::add_reporter_update(const std::string& token,
                                         const std::string& text,
                                         bool reopen,
                                         const std::optional<std::string>& photo_id) const {
    std::vector<FieldProblem> problems;
    const auto photo_ids =
        photo_id ? parse_photo_ids(*photo_id, "photo_id", problems) : std::vector<std::string>{};
    if (!problems.empty()) {
        fail_with(std::move(problems));
    }
    if (text.empty() && !reopen && photo_ids.empty()) {
        invalid_parameter("text", "is required (or a photo_id)");
    }
    if (utf8_length(text) > max_description_chars) {
        invalid_parameter("text", "is longer than 4000 characters");
    }
    const std::int64_t id = id_for_token(token);
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto current = db->prepare("SELECT status FROM service_requests WHERE id = ?1");
    current.bind(1, id);
    if (!current.step()) {
        throw DomainError(ErrorCode::not_found, "token not found");
    }
    const std::string from(current.text(0));
    const auto* info = status_info(from);
    const bool open = info == nullptr || info->open;
    if (reopen && open) {
        invalid_parameter("reopen", "the request is still open");
    }
    const std::string to = reopen ? "reopened" : from;
    const std::string now_text = core::format_utc(now());
    auto history = db->prepare(
        "INSERT INTO service_request_history (request_id, at, actor, from_status, to_status, "
        "note, public) VALUES (?1, ?2, 'reporter', ?3, ?4, ?5, 0)");
    history.bind(1, id).bind(2, now_text).bind(3, from).bind(4, to).bind(5, text).run();
    const std::int64_t history_id = db->last_insert_rowid();
    attach_photos(*db, photo_ids, id, history_id, "photo_id");
    // A private note changes nothing the public sees: not the status, not updated_datetime
    // (which Open311 readers, the OGC layer and the page cache's pollers all watch). Only a
    // reopening, which is public, moves them.
    if (reopen) {
        auto change = db->prepare("UPDATE service_requests SET status = ?2, updated_at = ?3, "
                                  "closed_at = NULL, duplicate_of = NULL WHERE id = ?1");
        change.bind(1, id).bind(2, to).bind(3, now_text).run();
        queue_status_messages(*db, id, history_id, to, "");
    }
    tx.commit();
}

} // namespace wardmap::services
