#pragma once

// The body of POST /api/visits/{id}/completions, read from a device's JSON: a pure parser of
// outside input (fuzzed: fuzz/fuzz_completion_body.cpp). docs/streetscene.md, "Completions".

#include "core/w3c_time.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wardmap::services {

/// The reasons a visit is not done.
inline constexpr const char* not_done_reasons[] = {"blocked_access", "parked_car", "unsafe",
                                                   "not_needed", "weather"};

/// What a crew recorded at a visit, checked.
struct CompletionInput {
    std::string client_id;
    std::string outcome;               ///< done, not_done
    std::optional<std::string> reason; ///< with not_done only
    core::UnixSeconds at = 0;          ///< the device's time of the work
    std::optional<double> lon;
    std::optional<double> lat;
    std::optional<double> accuracy_m;
    std::optional<std::string> quantities; ///< a JSON object's text, members in a fixed order
    std::optional<std::string> notes;
    std::vector<std::pair<std::string, std::string>> photos; ///< photo id, before|after
};

/// The body's client_id alone (a resent record is answered from it whatever else it says):
/// invalid_parameter "client_id" unless 8 to 64 letters, digits, '-', '_' or '.'; malformed_body
/// unless the body is a JSON object.
std::string completion_client_id(const nlohmann::json& body);

/// The whole body checked, every problem an invalid_parameter naming its field (an unknown
/// member, outcome, reason, at, position.lon, quantities.bags, notes, photo_ids[2],
/// photo_roles.<id>). `now` bounds `at`: not more than a day ahead (a device's clock) nor more
/// than 400 days back.
CompletionInput parse_completion(const nlohmann::json& body, core::UnixSeconds now);

} // namespace wardmap::services
