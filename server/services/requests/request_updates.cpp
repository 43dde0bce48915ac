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

struct RequestService::CheckedUpdate {
    const StatusUpdate* update = nullptr;
    std::optional<std::int64_t> key_id; ///< the staff system's key; none for a person
    std::string actor;                  ///< "staff:<key name>" or "person:<name>"
    std::int64_t id = 0;
    std::string status; ///< ours, or "unchanged"
    core::UnixSeconds at = 0;
    std::vector<std::string> photo_ids;
    std::optional<std::int64_t> duplicate_of;
};

std::int64_t RequestService::post_update(const StatusUpdate& update) const {
    const CheckedUpdate checked = check_update(update);
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    const std::int64_t update_id = apply_update(*db, checked);
    tx.commit();
    return update_id;
}

std::int64_t RequestService::post_update_in(store::Database& db, const StatusUpdate& update) const {
    return apply_update(db, check_update(update));
}

RequestService::CheckedUpdate RequestService::check_update(const StatusUpdate& u) const {
    // A staff system's key, counted against its rate limits; or a signed-in person.
    std::optional<std::int64_t> key_id;
    std::string actor;
    if (u.by_person && u.by_person->kind == Principal::Kind::api_key) {
        // A staff system's key already checked by the caller (a crew's completion sent with
        // a key): the key's own actor and id, as if it had posted the update itself.
        key_id = u.by_person->id;
        actor = "staff:" + u.by_person->name;
    } else if (u.by_person) {
        actor = "person:" + u.by_person->name;
    } else {
        const ApiClient client = authenticate(u.api_key, true);
        admit(client, u.client_address);
        key_id = client.id;
        actor = "staff:" + client.name;
    }
    std::vector<FieldProblem> problems;
    const auto required = [&problems](const std::optional<std::string>& v, const char* name) {
        if (!v) {
            problems.push_back({name, "is required"});
        }
    };
    required(u.service_request_id, "service_request_id");
    required(u.update_id, "update_id");
    required(u.status, "status");
    required(u.updated_datetime, "updated_datetime");
    required(u.description, "description");
    std::optional<std::string> status;
    if (u.status) {
        status = status_from_update(*u.status);
        if (!status) {
            problems.push_back({"status", "'" + *u.status +
                                              "' is not one of OPEN, INVESTIGATING, IN_PROGRESS, "
                                              "ACTION_SCHEDULED, PLANNED, FIXED, "
                                              "NO_FURTHER_ACTION, DUPLICATE, "
                                              "NOT_COUNCILS_RESPONSIBILITY, INTERNAL_REFERRAL, "
                                              "CANCELLED, CLOSED, REOPEN, UNCHANGED"});
        }
    }
    std::optional<core::UnixSeconds> at;
    if (u.updated_datetime) {
        at = core::parse_w3c_datetime(*u.updated_datetime);
        if (!at) {
            problems.push_back({"updated_datetime", "must be a W3C date-time with a zone, not '" +
                                                        *u.updated_datetime + "'"});
        } else if (*at > now() + 300) {
            problems.push_back({"updated_datetime", "is in the future"});
        }
    }
    if (u.description && utf8_length(*u.description) > max_description_chars) {
        problems.push_back({"description", "is longer than 4000 characters"});
    }
    check_media_url(u.media_url, problems);
    const auto photo_ids = u.photo_id ? parse_photo_ids(*u.photo_id, "photo_id", problems)
                                      : std::vector<std::string>{};
    std::optional<std::int64_t> duplicate_of;
    if (u.duplicate_of) {
        duplicate_of = parse_id(*u.duplicate_of);
        if (!duplicate_of) {
            problems.push_back({"duplicate_of", "must be a service_request_id"});
        } else if (status && *status != "duplicate") {
            problems.push_back({"duplicate_of", "is only taken with status DUPLICATE"});
        }
    }
    std::optional<std::int64_t> id;
    if (u.service_request_id) {
        id = parse_id(*u.service_request_id);
        if (!id) {
            problems.push_back({"service_request_id",
                                "must be a whole number, not '" + *u.service_request_id + "'"});
        }
    }
    if (!problems.empty()) {
        fail_with(std::move(problems));
    }
    return CheckedUpdate{.update = &u,
                         .key_id = key_id,
                         .actor = actor,
                         .id = *id,
                         .status = *status,
                         .at = *at,
                         .photo_ids = photo_ids,
                         .duplicate_of = duplicate_of};
}

std::int64_t RequestService::apply_update(store::Database& db, const CheckedUpdate& c) const {
    const StatusUpdate& u = *c.update;
    const std::int64_t id = c.id;
    const auto& photo_ids = c.photo_ids;
    const auto& duplicate_of = c.duplicate_of;
    auto current = db.prepare_cached("SELECT status FROM service_requests WHERE id = ?1");
    current.bind(1, id);
    if (!current.step()) {
        throw DomainError(ErrorCode::not_found,
                          "service_request_id " + std::to_string(id) + " not found");
    }
    const std::string from(current.text(0));
    const auto* from_info = status_info(from);
    std::string to = c.status == "unchanged" ? from : c.status;
    if (to == "open" && from_info != nullptr && !from_info->open) {
        to = "reopened";
    }
    if (duplicate_of) {
        if (*duplicate_of == id) {
            invalid_parameter("duplicate_of", "cannot be the request itself");
        }
        auto original =
            db.prepare_cached("SELECT duplicate_of FROM service_requests WHERE id = ?1");
        original.bind(1, *duplicate_of);
        if (!original.step()) {
            invalid_parameter("duplicate_of", "names no request: " + std::to_string(*duplicate_of));
        }
        if (!original.is_null(0) && original.int64(0) == id) {
            invalid_parameter("duplicate_of", "is itself a duplicate of this request");
        }
    }
    // A sender's update_id is unique per key, or per person for people.
    auto seen = db.prepare_cached("SELECT 1 FROM service_request_history WHERE api_key_id IS ?1 "
                                  "AND (?1 IS NOT NULL OR actor = ?3) AND external_id = ?2");
    seen.bind(1, c.key_id).bind(2, *u.update_id).bind(3, c.actor);
    if (seen.step()) {
        invalid_parameter("update_id", "'" + *u.update_id + "' already exists");
    }
    const std::string when = core::format_utc(c.at);
    auto history = db.prepare_cached(
        "INSERT INTO service_request_history (request_id, at, actor, from_status, to_status, "
        "note, public, api_key_id, external_id, duplicate_of, media_url) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8, ?9, ?10)");
    history.bind(1, id).bind(2, when).bind(3, c.actor).bind(4, from);
    history.bind(5, to).bind(6, *u.description).bind(7, c.key_id).bind(8, *u.update_id);
    history.bind(9, duplicate_of).bind(10, u.media_url).run();
    const std::int64_t update_id = db.last_insert_rowid();
    attach_photos(db, photo_ids, id, update_id, "photo_id");
    const bool closed = !status_info(to)->open;
    auto change = db.prepare_cached(
        "UPDATE service_requests SET status = ?2, updated_at = max(updated_at, ?3), "
        "closed_at = CASE WHEN ?4 THEN coalesce(closed_at, ?3) ELSE NULL END, "
        "duplicate_of = CASE WHEN ?2 = 'duplicate' THEN coalesce(?5, duplicate_of) ELSE NULL END "
        "WHERE id = ?1");
    change.bind(1, id).bind(2, to).bind(3, when).bind(4, closed ? 1 : 0).bind(5, duplicate_of);
    change.run();
    if (to != from) {
        queue_status_messages(db, id, update_id, to, *u.description);
    }
    return update_id;
}

void RequestService::queue_status_messages(store::Database& db,
                                           std::int64_t id,
                                           std::int64_t history_id,
                                           const std::string& status,
                                           const std::string& note) const {
    const auto catalogue = this->catalogue();
    auto category = db.prepare_cached("SELECT category_code FROM service_requests WHERE id = ?1");
    category.bind(1, id);
    std::string service_name = "service request";
    if (category.step()) {
        const auto* service = catalogue->find(std::string(category.text(0)));
        service_name = service ? service->name : std::string(category.text(0));
    }
    const std::string subject =
        "Your " + service_name + " report " + std::to_string(id) + " is now " + words(status);
    std::string body = catalogue->council() + "\n\nThe " + service_name + " report " +
                       std::to_string(id) + " is now: " + words(status) + ".\n";
    if (!note.empty()) {
        body += "\n" + note + "\n";
    }
    body += "\nYou are receiving this because you reported or followed this problem.\n";
    const core::UnixSeconds at = now();
    const std::string now_text = core::format_utc(at);
    // The reporter (when they gave an email and did not unsubscribe), every confirmed
    // follower and every councillor following it, once each; an unconfirmed follower gets nothing
    // but the confirmation.
    auto recipients = db.prepare_cached(
        "SELECT lower(trim(email)) FROM service_request_contacts WHERE request_id = ?1 AND "
        "email IS NOT NULL AND email_updates = 1 UNION SELECT email FROM "
        "service_request_followers WHERE request_id = ?1 AND confirmed_at IS NOT NULL "
        // A councillor following it (0030): their account's address, confirmed by the account.
        "UNION SELECT lower(trim(p.email)) FROM councillor_follows f JOIN people p ON "
        "p.id = f.person_id WHERE f.request_id = ?1 AND p.status = 'active'");
    recipients.bind(1, id);
    std::vector<std::string> emails;
    while (recipients.step()) {
        emails.emplace_back(recipients.text(0));
    }
    recipients.reset();
    auto remember = db.prepare_cached("INSERT INTO mail_unsubscribe_tokens (token_sha256, "
                                      "request_id, email, created_at) VALUES (?1, ?2, ?3, ?4)");
    auto queue = db.prepare_cached(
        "INSERT INTO notification_outbox (request_id, history_id, recipient, subject, body, "
        "created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
    for (const auto& email : emails) {
        const std::string token = core::random_url_token(32);
        remember.bind(1, core::sha256_hex(token)).bind(2, id).bind(3, email).bind(4, now_text);
        remember.run();
        const std::string own = body + "To stop messages about this report, open " + m_public_url +
                                "/api/unsubscribe/" + token + "\n";
        queue.bind(1, id).bind(2, history_id).bind(3, email).bind(4, subject).bind(5, own);
        queue.bind(6, now_text).run();
    }
}

} // namespace wardmap::services
