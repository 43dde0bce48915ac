#include "server/services/requests/photo_store.hpp"

#include "server/services/requests/request_service.hpp"

#include <array>
#include <sodium.h>
#include <span>

namespace wardmap::services {

namespace {

std::span<const unsigned char> bytes_of(const std::string& s) {
    return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

bool photo_id_shape(const std::string& id) {
    return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

} // namespace

std::vector<std::string> parse_photo_ids(const std::string& list,
                                         const std::string& field,
                                         std::vector<FieldProblem>& problems) {
    std::vector<std::string> ids;
    std::size_t start = 0;
    while (start <= list.size()) {
        const auto comma = list.find(',', start);
        const auto end = comma == std::string::npos ? list.size() : comma;
        std::string id = list.substr(start, end - start);
        while (!id.empty() && id.front() == ' ') {
            id.erase(id.begin());
        }
        while (!id.empty() && id.back() == ' ') {
            id.pop_back();
        }
        if (!id.empty()) {
            if (!photo_id_shape(id)) {
                problems.push_back({field, "'" + id.substr(0, 64) +
                                               "' is not a photo id (32 hex digits from "
                                               "POST /api/photos)"});
                return {};
            }
            ids.push_back(std::move(id));
        }
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
    if (ids.size() > max_photos_per_item) {
        problems.push_back({field, "lists " + std::to_string(ids.size()) + " photos; at most " +
                                       std::to_string(max_photos_per_item) + " are taken"});
        return {};
    }
    return ids;
}

std::string insert_photo(store::Database& db,
                         const EncodedPhoto& photo,
                         std::optional<std::int64_t> api_key_id,
                         core::UnixSeconds now) {
    const std::string id = core::random_hex(16);
    auto st = db.prepare("INSERT INTO photos (id, created_at, api_key_id, width, height, jpeg, "
                         "thumbnail_width, thumbnail_height, thumbnail) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    st.bind(1, id).bind(2, core::format_utc(now)).bind(3, api_key_id);
    st.bind(4, photo.width).bind(5, photo.height).bind(6, bytes_of(photo.jpeg));
    st.bind(7, photo.thumbnail_width).bind(8, photo.thumbnail_height);
    st.bind(9, bytes_of(photo.thumbnail)).run();
    return id;
}

void attach_photos(store::Database& db,
                   const std::vector<std::string>& ids,
                   std::int64_t request_id,
                   std::optional<std::int64_t> history_id,
                   const std::string& field) {
    if (ids.empty()) {
        return; // most requests and updates have none: skip compiling the statement
    }
    auto st = db.prepare("UPDATE photos SET request_id = ?2, history_id = ?3, position = ?4 "
                         "WHERE id = ?1 AND request_id IS NULL AND NOT EXISTS (SELECT 1 FROM "
                         "schedule_visit_completion_photos cp WHERE cp.photo_id = ?1)");
    int position = 0;
    for (const auto& id : ids) {
        st.reset();
        st.bind(1, id).bind(2, request_id).bind(3, history_id).bind(4, position++).run();
        if (db.changes() != 1) {
            invalid_parameter(field, "'" + id +
                                         "' is not an unattached photo: unknown, already "
                                         "used, or uploaded more than a day ago");
        }
    }
}

void attach_completion_photos(store::Database& db,
                              const std::vector<std::string>& ids,
                              std::int64_t request_id,
                              std::int64_t history_id,
                              const std::string& field) {
    if (ids.empty()) {
        return;
    }
    auto st = db.prepare("UPDATE photos SET request_id = ?2, history_id = ?3, position = ?4 "
                         "WHERE id = ?1 AND request_id IS NULL AND EXISTS (SELECT 1 FROM "
                         "schedule_visit_completion_photos cp WHERE cp.photo_id = ?1)");
    int position = 0;
    for (const auto& id : ids) {
        st.reset();
        st.bind(1, id).bind(2, request_id).bind(3, history_id).bind(4, position++).run();
        if (db.changes() != 1) {
            invalid_parameter(field, "'" + id + "' is not a crew's photo free to show");
        }
    }
}

std::vector<std::string>
photo_ids_of(store::Database& db, std::int64_t request_id, std::optional<std::int64_t> history_id) {
    auto st = db.prepare("SELECT id FROM photos WHERE request_id = ?1 AND history_id IS ?2 "
                         "ORDER BY position, id");
    st.bind(1, request_id).bind(2, history_id);
    std::vector<std::string> out;
    while (st.step()) {
        out.emplace_back(st.text(0));
    }
    return out;
}

PhotoService::PhotoService(store::ConnectionPool& pool,
                           const RequestService& requests,
                           ImageLimits limits)
    : m_pool(pool), m_requests(requests), m_pipeline(limits) {}

StoredPhoto PhotoService::upload(const std::optional<std::string>& api_key,
                                 std::string_view bytes,
                                 const std::string& field) const {
    const ApiClient client = m_requests.authenticate(api_key, false);
    const EncodedPhoto photo = m_pipeline.encode(bytes, field); // before taking a connection
    const core::UnixSeconds now = core::now_seconds();
    sweep(now);
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    StoredPhoto stored{insert_photo(*db, photo, client.id, now), photo.width, photo.height};
    tx.commit();
    return stored;
}

StoredPhoto PhotoService::upload_by_person(std::string_view bytes, const std::string& field) const {
    const EncodedPhoto photo = m_pipeline.encode(bytes, field); // before taking a connection
    const core::UnixSeconds now = core::now_seconds();
    sweep(now);
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    StoredPhoto stored{insert_photo(*db, photo, std::nullopt, now), photo.width, photo.height};
    tx.commit();
    return stored;
}

std::string PhotoService::jpeg(const std::string& id, bool thumbnail) const {
    const auto not_found = [&id] {
        return DomainError(ErrorCode::not_found, "photo '" + id.substr(0, 64) + "' not found");
    };
    if (!photo_id_shape(id)) {
        throw not_found();
    }
    auto db = m_pool.acquire();
    auto st = db->prepare(std::string("SELECT p.") + (thumbnail ? "thumbnail" : "jpeg") +
                          ", r.private, r.category_code, p.request_id IS NULL FROM photos p "
                          "LEFT JOIN service_requests r ON r.id = p.request_id WHERE p.id = ?1");
    st.bind(1, id);
    if (!st.step()) {
        throw not_found();
    }
    if (st.int64(3) == 0) {
        // Attached: private when the request was stored private or its service is now.
        const auto catalogue = m_requests.catalogue(); // held: a staff edit may swap it
        const auto* service = catalogue->find(std::string(st.text(2)));
        if (st.int64(1) != 0 || service == nullptr || service->is_private) {
            throw not_found();
        }
    }
    const auto blob = st.blob(0);
    return {reinterpret_cast<const char*>(blob.data()), blob.size()};
}

int PhotoService::sweep(core::UnixSeconds now) const {
    auto db = m_pool.acquire();
    // A photo of a crew's completion (schedule_visit_completion_photos) is attached too.
    auto st = db->prepare("DELETE FROM photos WHERE request_id IS NULL AND created_at < ?1 AND id "
                          "NOT IN (SELECT photo_id FROM schedule_visit_completion_photos)");
    st.bind(1, core::format_utc(now - unattached_lifetime_seconds)).run();
    return db->changes();
}

} // namespace wardmap::services
