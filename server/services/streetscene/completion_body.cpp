#include "server/services/streetscene/completion_body.hpp"

#include "server/services/shared/errors.hpp"

#include <cmath>
#include <cstdint>
#include <set>
#include <string_view>

namespace wardmap::services {

namespace {

using nlohmann::json;

constexpr std::size_t max_notes_chars = 2000;
constexpr std::size_t max_photos = 6;
constexpr core::UnixSeconds day_seconds = 24 * 3600;

std::string shown(const std::string& text) {
    return "'" + text.substr(0, 40) + (text.size() > 40 ? "...'" : "'");
}

const std::string& text_of(const json& value, const std::string& field) {
    if (!value.is_string()) {
        invalid_parameter(field, "must be a string");
    }
    return value.get_ref<const std::string&>();
}

/// A whole number in [lo, hi] (JSON integers only; 2.0 is refused as a count).
std::int64_t
whole_in(const json& value, const std::string& field, std::int64_t lo, std::int64_t hi) {
    const std::string why =
        "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
    if (value.is_number_unsigned()) {
        const auto u = value.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(hi) || static_cast<std::int64_t>(u) < lo) {
            invalid_parameter(field, why);
        }
        return static_cast<std::int64_t>(u);
    }
    if (!value.is_number_integer()) {
        invalid_parameter(field, why);
    }
    const auto i = value.get<std::int64_t>();
    if (i < lo || i > hi) {
        invalid_parameter(field, why);
    }
    return i;
}

double number_in(const json& value, const std::string& field, double lo, double hi) {
    if (!value.is_number()) {
        invalid_parameter(field,
                          "must be a number from " + json(lo).dump() + " to " + json(hi).dump());
    }
    const double d = value.get<double>();
    if (!std::isfinite(d) || d < lo || d > hi) {
        invalid_parameter(field,
                          "must be a number from " + json(lo).dump() + " to " + json(hi).dump());
    }
    return d;
}

std::size_t utf8_chars(std::string_view text) {
    std::size_t n = 0;
    for (const char c : text) {
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    }
    return n;
}

bool photo_id_shape(const std::string& id) {
    return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

void check_members(const json& object,
                   const std::string& prefix,
                   std::initializer_list<std::string_view> known) {
    for (const auto& [name, value] : object.items()) {
        bool ok = false;
        for (const auto k : known) {
            ok = ok || name == k;
        }
        if (!ok) {
            invalid_parameter(prefix + name.substr(0, 40), "is not a member of a completion");
        }
    }
}

} // namespace

std::string completion_client_id(const json& body) {
    if (!body.is_object()) {
        throw DomainError(ErrorCode::malformed_body, "the body must be a JSON object");
    }
    const auto it = body.find("client_id");
    if (it == body.end() || it->is_null()) {
        invalid_parameter("client_id", "is required: the device's id (a UUID) for this record");
    }
    const std::string& id = text_of(*it, "client_id");
    if (id.size() < 8 || id.size() > 64 ||
        id.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.") !=
            std::string::npos) {
        invalid_parameter("client_id", "must be 8 to 64 letters, digits, '-', '_' or '.' (a "
                                       "UUID), not " +
                                           shown(id));
    }
    return id;
}

CompletionInput parse_completion(const json& body, core::UnixSeconds now) {
    CompletionInput in;
    in.client_id = completion_client_id(body);
    check_members(body, "",
                  {"client_id", "outcome", "reason", "at", "position", "quantities", "notes",
                   "photo_ids", "photo_roles"});
    const auto member = [&body](const char* name) -> const json* {
        const auto it = body.find(name);
        return it == body.end() || it->is_null() ? nullptr : &*it;
    };

    const json* outcome = member("outcome");
    if (outcome == nullptr) {
        invalid_parameter("outcome", "is required: done or not_done");
    }
    in.outcome = text_of(*outcome, "outcome");
    if (in.outcome != "done" && in.outcome != "not_done") {
        invalid_parameter("outcome", "must be done or not_done, not " + shown(in.outcome));
    }
    if (const json* reason = member("reason")) {
        const std::string& r = text_of(*reason, "reason");
        if (in.outcome == "done") {
            invalid_parameter("reason", "is given only with outcome not_done");
        }
        bool known = false;
        for (const char* k : not_done_reasons) {
            known = known || r == k;
        }
        if (!known) {
            invalid_parameter("reason", "must be blocked_access, parked_car, unsafe, not_needed "
                                        "or weather, not " +
                                            shown(r));
        }
        in.reason = r;
    } else if (in.outcome == "not_done") {
        invalid_parameter("reason", "is required with outcome not_done: blocked_access, "
                                    "parked_car, unsafe, not_needed or weather");
    }

    const json* at = member("at");
    if (at == nullptr) {
        invalid_parameter("at", "is required: the device's time of the work (RFC 3339)");
    }
    const auto parsed_at = core::parse_rfc3339(text_of(*at, "at"));
    if (!parsed_at) {
        invalid_parameter("at", "must be an RFC 3339 time with its offset "
                                "(2026-12-07T09:30:00Z), not " +
                                    shown(at->get<std::string>()));
    }
    if (*parsed_at > now + day_seconds) {
        invalid_parameter("at", "is more than a day ahead of the server's clock");
    }
    if (*parsed_at < now - 400 * day_seconds) {
        invalid_parameter("at", "is more than 400 days ago");
    }
    in.at = *parsed_at;

    if (const json* position = member("position")) {
        if (!position->is_object()) {
            invalid_parameter("position", "must be an object {lon, lat, accuracy_m}");
        }
        check_members(*position, "position.", {"lon", "lat", "accuracy_m"});
        const auto p = [&position](const char* name) -> const json* {
            const auto it = position->find(name);
            return it == position->end() || it->is_null() ? nullptr : &*it;
        };
        if (p("lon") == nullptr) {
            invalid_parameter("position.lon", "is required in a position (WGS84 degrees)");
        }
        if (p("lat") == nullptr) {
            invalid_parameter("position.lat", "is required in a position (WGS84 degrees)");
        }
        in.lon = number_in(*p("lon"), "position.lon", -180, 180);
        in.lat = number_in(*p("lat"), "position.lat", -90, 90);
        if (const json* acc = p("accuracy_m")) {
            in.accuracy_m = number_in(*acc, "position.accuracy_m", 0, 100000);
        }
    }

    if (const json* quantities = member("quantities")) {
        if (!quantities->is_object()) {
            invalid_parameter("quantities", "must be an object {bins_emptied, fill_percent, "
                                            "area_m2, bags}");
        }
        check_members(*quantities, "quantities.",
                      {"bins_emptied", "fill_percent", "area_m2", "bags"});
        nlohmann::ordered_json q = nlohmann::ordered_json::object();
        const auto get = [&quantities](const char* name) -> const json* {
            const auto it = quantities->find(name);
            return it == quantities->end() || it->is_null() ? nullptr : &*it;
        };
        if (const json* v = get("bins_emptied")) {
            q["bins_emptied"] = whole_in(*v, "quantities.bins_emptied", 0, 10000);
        }
        if (const json* v = get("fill_percent")) {
            q["fill_percent"] = whole_in(*v, "quantities.fill_percent", 0, 100);
        }
        if (const json* v = get("area_m2")) {
            q["area_m2"] = number_in(*v, "quantities.area_m2", 0, 10'000'000);
        }
        if (const json* v = get("bags")) {
            q["bags"] = whole_in(*v, "quantities.bags", 0, 10000);
        }
        if (!q.empty()) {
            in.quantities = q.dump();
        }
    }

    if (const json* notes = member("notes")) {
        const std::string& text = text_of(*notes, "notes");
        if (utf8_chars(text) > max_notes_chars) {
            invalid_parameter("notes", "must be at most 2000 characters");
        }
        if (!text.empty()) {
            in.notes = text;
        }
    }

    std::set<std::string> ids;
    if (const json* photo_ids = member("photo_ids")) {
        if (!photo_ids->is_array()) {
            invalid_parameter("photo_ids", "must be an array of photo ids from POST /api/photos");
        }
        if (photo_ids->size() > max_photos) {
            invalid_parameter("photo_ids", "must name at most 6 photos");
        }
        for (std::size_t i = 0; i < photo_ids->size(); ++i) {
            const std::string field = "photo_ids[" + std::to_string(i) + "]";
            const std::string& id = text_of((*photo_ids)[i], field);
            if (!photo_id_shape(id)) {
                invalid_parameter(field, shown(id) + " is not a photo id (32 hex digits from "
                                                     "POST /api/photos)");
            }
            if (!ids.insert(id).second) {
                invalid_parameter(field, "names a photo already in the list");
            }
            in.photos.emplace_back(id, "after");
        }
    }
    if (const json* roles = member("photo_roles")) {
        if (!roles->is_object()) {
            invalid_parameter("photo_roles", "must be an object {\"<photo id>\": \"before\" or "
                                             "\"after\"}");
        }
        for (const auto& [id, role] : roles->items()) {
            const std::string field = "photo_roles." + id.substr(0, 40);
            if (!ids.contains(id)) {
                invalid_parameter(field, "names a photo not in photo_ids");
            }
            const std::string& r = text_of(role, field);
            if (r != "before" && r != "after") {
                invalid_parameter(field, "must be before or after");
            }
            for (auto& [pid, prole] : in.photos) {
                if (pid == id) {
                    prole = r;
                }
            }
        }
    }
    return in;
}

} // namespace wardmap::services
