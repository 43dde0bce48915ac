// POST /api/burials/bookings's body: a pure parser of outside input (fuzz/booking_body.cpp).
#include "core/dates.hpp"

#include "server/services/burials/booking_service.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

namespace wardmap::services {

namespace {

constexpr std::array<std::string_view, 14> members = {
    "cemetery_id", "date",           "time",           "firm",           "forenames",
    "surname",     "died_on",        "age_years",      "interment_kind", "grave_number",
    "deed_number", "new_section_id", "new_grave_type", "notes"};

std::optional<std::string> opt_text(const nlohmann::json& body, const char* name, std::size_t max) {
    const auto it = body.find(name);
    if (it == body.end() || it->is_null()) {
        return std::nullopt;
    }
    if (!it->is_string()) {
        invalid_parameter(name, "must be a string");
    }
    auto s = it->get<std::string>();
    if (s.size() > max) {
        invalid_parameter(name, "is longer than " + std::to_string(max) + " characters");
    }
    if (s.find_first_of(std::string_view("\0\r\n", 3)) != std::string::npos &&
        std::string_view(name) != "notes") {
        invalid_parameter(name, "must be on one line");
    }
    return s;
}

std::string required_text(const nlohmann::json& body, const char* name, std::size_t max) {
    auto s = opt_text(body, name, max);
    if (!s || s->empty()) {
        invalid_parameter(name, "is required");
    }
    return *s;
}

std::optional<std::int64_t>
opt_int(const nlohmann::json& body, const char* name, std::int64_t lo, std::int64_t hi) {
    const auto it = body.find(name);
    if (it == body.end() || it->is_null()) {
        return std::nullopt;
    }
    if (!it->is_number_integer()) {
        invalid_parameter(name, "must be a whole number");
    }
    const auto v = it->get<std::int64_t>();
    if (v < lo || v > hi) {
        invalid_parameter(name, "must be from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    return v;
}

bool valid_hhmm(const std::string& t) {
    const auto digit = [&](std::size_t i) { return t[i] >= '0' && t[i] <= '9'; };
    return t.size() == 5 && t[2] == ':' && digit(0) && digit(1) && digit(3) && digit(4) &&
           t.substr(0, 2) < "24" && t.substr(3, 2) < "60";
}

} // namespace

NewBooking parse_booking_body(std::string_view text) {
    nlohmann::json body;
    try {
        body = nlohmann::json::parse(text.begin(), text.end(), nullptr, true, false);
    } catch (const nlohmann::json::exception&) {
        throw DomainError(ErrorCode::malformed_body, "the body is not JSON");
    }
    if (!body.is_object()) {
        throw DomainError(ErrorCode::malformed_body, "the body must be a JSON object");
    }
    for (const auto& [name, _] : body.items()) {
        if (std::find(members.begin(), members.end(), name) == members.end()) {
            invalid_parameter(name.substr(0, 40), "is not a member of a booking");
        }
    }
    NewBooking in;
    const auto cemetery = opt_int(body, "cemetery_id", 1, INT64_MAX);
    if (!cemetery) {
        invalid_parameter("cemetery_id", "is required");
    }
    in.cemetery_id = *cemetery;
    in.date = required_text(body, "date", 10);
    if (!core::parse_iso_date(in.date)) {
        invalid_parameter("date", "must be a date YYYY-MM-DD");
    }
    in.time = required_text(body, "time", 5);
    if (!valid_hhmm(in.time)) {
        invalid_parameter("time", "must be HH:MM (24-hour)");
    }
    in.firm = opt_text(body, "firm", 200);
    in.forenames = opt_text(body, "forenames", 200);
    in.surname = required_text(body, "surname", 200);
    in.died_on = required_text(body, "died_on", 10);
    if (!core::parse_iso_date(in.died_on)) {
        invalid_parameter("died_on", "must be a date YYYY-MM-DD");
    }
    if (in.died_on > in.date) {
        invalid_parameter("died_on", "is after the date of the burial");
    }
    if (const auto age = opt_int(body, "age_years", 0, 130)) {
        in.age_years = static_cast<int>(*age);
    }
    in.interment_kind = opt_text(body, "interment_kind", 20).value_or("coffin");
    if (in.interment_kind != "coffin" && in.interment_kind != "cremated_remains") {
        invalid_parameter("interment_kind", "must be coffin or cremated_remains");
    }
    in.grave_number = opt_text(body, "grave_number", 40);
    in.deed_number = opt_text(body, "deed_number", 40);
    in.new_section_id = opt_int(body, "new_section_id", 1, INT64_MAX);
    in.new_grave_type = opt_text(body, "new_grave_type", 20);
    in.notes = opt_text(body, "notes", 2000);
    if (in.grave_number && in.grave_number->empty()) {
        invalid_parameter("grave_number", "is empty");
    }
    if (in.grave_number.has_value() == in.new_section_id.has_value()) {
        invalid_parameter("grave_number", "name either an existing grave (grave_number, "
                                          "deed_number) or a new one (new_section_id, "
                                          "new_grave_type), not both or neither");
    }
    if (in.new_section_id) {
        static constexpr std::array<std::string_view, 6> types = {
            "private", "public", "vault", "cremated_remains", "child", "baby"};
        if (!in.new_grave_type ||
            std::find(types.begin(), types.end(), *in.new_grave_type) == types.end()) {
            invalid_parameter("new_grave_type", "is required for a new grave: private, public, "
                                                "vault, cremated_remains, child or baby");
        }
        if (in.deed_number) {
            invalid_parameter("deed_number", "a new grave has no deed yet");
        }
    } else if (in.new_grave_type) {
        invalid_parameter("new_grave_type", "is for a new grave only");
    }
    return in;
}

} // namespace wardmap::services
